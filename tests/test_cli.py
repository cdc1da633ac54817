"""The installed `kb` command against the real index, and against a real server with --api."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.config import Settings
from tests.conftest import MIRROR
from tests.helpers import kb, settings_env
from tests.process import Server

QUESTION = "How much notice must a cloud provider give before switching?"


@pytest.fixture(scope="module")
def env(index_settings: Settings) -> dict[str, str]:
    return settings_env(index_settings)


@pytest.fixture(scope="module")
def server(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server({**env, "KB_API_KEYS": "cli-key"}, tmp_path_factory.mktemp("cli") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def test_help_does_not_load_torch() -> None:
    code = (
        "import sys; from api.cli import app\n"
        "try:\n app(['--help'])\nexcept SystemExit: pass\n"
        "print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("False")
    for command in ("ask", "search", "show", "documents", "ingest", "serve", "eval"):
        shown = kb(command, "--help")
        assert shown.returncode == 0 and "Example" in shown.stdout, command


def test_ask_prints_the_answer_and_its_sources(env: dict[str, str]) -> None:
    result = kb("ask", QUESTION, env=env)
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "Sources" in result.stdout
    assert "Data Act, Article 25" in result.stdout and "eur-lex.europa.eu" in result.stdout
    assert "OJ L, 2023/2854" in result.stdout


def test_ask_json_is_the_api_schema_and_reads_stdin(env: dict[str, str]) -> None:
    result = kb("ask", "-", "--json", "--docs", "data-act", env=env, stdin=QUESTION)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == QUESTION and not answer["abstained"]
    assert {c["doc"] for c in answer["citations"]} == {"data-act"}


def test_abstaining_exits_1(env: dict[str, str]) -> None:
    result = kb("ask", "What is the maximum GDPR fine?", env=env)
    assert result.returncode == 1
    assert "do not answer" in result.stdout


def test_an_answer_in_part_exits_7_and_says_so_first(env: dict[str, str]) -> None:
    result = kb(
        "ask", "Which national competent authority has Portugal designated under the AI Act?", env=env
    )
    assert result.returncode == 7, result.stderr
    shown = " ".join(result.stdout.split())  # Rich wraps lines at the terminal's width
    assert shown.startswith("Answered in part. The AI Act leaves part of this to the Member States")


def test_usage_errors_exit_2_without_a_traceback(env: dict[str, str]) -> None:
    for args in (
        ["ask", "   "],
        ["search", "fines", "--docs", "gdpr"],
        ["show", "Article 5"],
        ["ask", "x", "-k", "99"],
    ):
        result = kb(*args, env=env)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.strip(), args


@pytest.mark.parametrize("reference", ["GDPR Article 100", "GDPR Article 30", "Art. 30 of the GDPR"])
def test_show_refuses_a_provision_of_an_act_not_held(env: dict[str, str], reference: str) -> None:
    # Issue 31: "GDPR Article 100" printed AI Act Article 100; "GDPR Article 30" was called
    # ambiguous between the AI Act and the Data Act.
    result = kb("show", reference, env=env)
    assert result.returncode == 2 and not result.stdout
    assert "GDPR (General Data Protection Regulation) is not in this knowledge base" in result.stderr
    assert "https://eur-lex.europa.eu/eli/reg/2016/679/oj" in result.stderr
    assert "both" not in result.stderr and "Traceback" not in result.stderr


def test_a_missing_index_exits_3_and_says_what_to_do(tmp_path: Path) -> None:
    result = kb("ask", "fines", env={"KB_INDEX_DIR": str(tmp_path / "none")})
    assert result.returncode == 3 and "kb ingest" in result.stderr


def test_search_show_and_documents(env: dict[str, str]) -> None:
    hits = json.loads(kb("search", "switching", "--kinds", "article", "-k", "3", "--json", env=env).stdout)[
        "hits"
    ]
    assert len(hits) == 3 and all(h["unit_kind"] == "article" for h in hits)
    shown = kb("search", "Annex III point 4", env=env)
    assert shown.returncode == 0 and "AI Act, Annex III, point 4" in shown.stdout
    provision = kb("show", "AI Act Art. 5(1)(f)", env=env)
    assert provision.returncode == 0 and "Prohibited AI practices" in provision.stdout
    as_json = json.loads(kb("show", "data-act", "art_25", "--json", env=env).stdout)
    assert as_json["label"] == "Data Act, Article 25" and as_json["referred_by"]
    docs = json.loads(kb("documents", "--json", env=env).stdout)
    assert [d["id"] for d in docs] == ["ai-act", "data-act", "ai-act-amendment-2026-1744"]
    assert "as amended by Regulation (EU) 2026/1744" in docs[0]["version"]
    assert [v["in_force"] for v in docs[0]["versions"]] == ["2024-08-01", "2026-07-27"]
    listing = kb("documents", env=env).stdout
    assert (
        "Data Act" in listing
        and "as amended by Regulation (EU) 2026/1744, in force from 2026-07-27" in listing
    )
    original = kb("show", "AI Act Art. 113", "--version", "original", env=env).stdout
    assert "It shall apply from 2 August 2026." in original and "2 December 2027" not in original
    current = kb("show", "AI Act Art. 113", env=env).stdout
    assert (
        "2 December 2027" in current
        and "Amended by Regulation (EU) 2026/1744, Article 1, point (40)(b)" in current
    )


def test_check_prints_each_citation_and_exits_1_when_one_does_not_hold(
    env: dict[str, str], tmp_path: Path
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text("Under Article 12(4) of the AI Act, logs must be tamper-proof.\n", encoding="utf-8")
    result = kb("check", str(draft), env=env)
    assert result.returncode == 1, result.stderr
    assert "Article 12(4)" in result.stdout and "paragraphs 1 to 3" in result.stdout
    good = "Deployers of high-risk AI systems keep the logs for at least six months (Article 26(6) AI Act)."
    result = kb("check", "-", "--json", env=env, stdin=good)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["citations"][0]["verdict"] == "supported"
    missing = kb("check", str(tmp_path / "nope.md"), env=env)
    assert missing.returncode == 2 and "Cannot read" in missing.stderr


def test_api_mode_gives_the_same_answers(env: dict[str, str], server: Server) -> None:
    remote = {**env, "KB_API_KEY": "cli-key"}
    local = json.loads(kb("search", "recital 27 of the AI Act", "--json", env=env).stdout)
    via_api = json.loads(
        kb("search", "recital 27 of the AI Act", "--json", "--api", server.url, env=remote).stdout
    )
    assert [h["label"] for h in via_api["hits"]] == [h["label"] for h in local["hits"]]
    answer = kb("ask", QUESTION, "--api", server.url, env=remote)
    assert answer.returncode == 0 and "Data Act, Article 25" in answer.stdout
    assert kb("ask", "What is the maximum GDPR fine?", "--api", server.url, env=remote).returncode == 1
    shown = json.loads(kb("show", "AI Act Art. 5(1)(f)", "--json", "--api", server.url, env=remote).stdout)
    assert shown["pinpoint_text"].startswith("(f)")
    assert json.loads(kb("documents", "--json", "--api", server.url, env=remote).stdout)[0]["id"] == "ai-act"
    assert kb("show", "Article 5", "--api", server.url, env=remote).returncode == 2


def test_api_mode_exits_4_when_the_server_is_unreachable_or_refuses(
    env: dict[str, str], server: Server
) -> None:
    down = kb("ask", "fines", "--api", "http://127.0.0.1:9", env=env)
    assert down.returncode == 4 and "kb serve" in down.stderr
    refused = kb("ask", "fines", "--api", server.url, env={**env, "KB_API_KEY": "wrong"})
    assert refused.returncode == 4 and "401" in refused.stderr


def test_piped_output_never_cuts_ids_or_urls_at_80_columns(env: dict[str, str]) -> None:
    # Issue 31: at 80 columns `kb documents` cut the ids --docs needs, and piped output broke
    # URLs in the middle.
    narrow = {**env, "COLUMNS": "80"}
    listing = kb("documents", env=narrow).stdout
    for doc in ("ai-act", "data-act", "ai-act-amendment-2026-1744"):
        assert f"│ {doc} " in listing, listing
    shown = kb("show", "AI Act Art. 5(1)(f)", env=narrow).stdout
    url = "https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:02024R1689-20260727#art_5"
    assert any(line.strip().startswith(url + " ") for line in shown.splitlines()), shown
    answer = kb("ask", QUESTION, env=narrow).stdout
    urls = [w for line in answer.splitlines() for w in line.split() if w.startswith("https://")]
    assert urls and all(u.split("#")[-1].startswith(("art_", "rct_", "anx_")) for u in urls), urls


def test_a_taken_port_exits_6_not_3(env: dict[str, str]) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = kb("serve", "--port", str(port), env=env, timeout=60)
    assert result.returncode == 6, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_reports_progress_on_stderr(env: dict[str, str], tmp_path: Path) -> None:
    # Issue 31: `kb eval` ran for minutes with nothing on the screen. Piped, each step is a line
    # on stderr; stdout stays the report, whose headers are whole at 80 columns.
    dev = MIRROR.parent / "eval" / "dev.jsonl"
    few = tmp_path / "few.jsonl"
    few.write_text("".join(dev.read_text(encoding="utf-8").splitlines(keepends=True)[:3]), encoding="utf-8")
    result = kb("eval", str(few), "--no-baselines", env={**env, "COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "Scoring regkb on few.jsonl (3 questions)…" in result.stderr and "done in" in result.stderr
    assert "Scoring" not in result.stdout
    for header in ("hit@1", "hit@10", "mrr@10", "all_gold@10", "false_decline", "chars_top5"):
        assert header in result.stdout, header


def test_show_with_a_pinpoint_prints_that_part_and_whole_prints_all(env: dict[str, str]) -> None:
    # Issue 31: `kb show "AI Act Art. 6(3)"` printed all of Article 6 with nothing marking 3.
    part = kb("show", "AI Act Art. 6(3)", env=env)
    assert part.returncode == 0, part.stderr
    assert part.stdout.startswith("AI Act, Article 6(3)")
    assert "3. By derogation from paragraph 2" in part.stdout and "1. Irrespective" not in part.stdout
    assert "--whole" in part.stdout
    whole = kb("show", "AI Act Art. 6(3)", "--whole", env=env).stdout
    assert "1. Irrespective" in whole and "3. By derogation from paragraph 2" in whole


def test_ingest_reports_progress_on_stderr_and_its_summary_on_stdout(env: dict[str, str]) -> None:
    result = kb("ingest", env=env)
    assert result.returncode == 0, result.stderr
    assert "Checking the sources against the index…" in result.stderr and "done in" in result.stderr
    assert "is up to date" in result.stdout and "Checking" not in result.stdout
