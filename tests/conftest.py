"""Shared fixtures: the real acts, parsed once, and the real index, built once per session."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ingest import eurlex_html, oj_pdf
from kb.config import Settings
from kb.document import Act

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport
    from kb.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
MIRROR = Path(os.environ.get("KB_CORPUS_MIRROR") or ROOT.parent / "shared" / "corpus")


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The folder of the official acts; every test on the real corpus starts here."""
    if not (MIRROR / "ai_act_2024_1689_en.html").is_file():
        pytest.fail(
            f"The official acts are not in {MIRROR}. Set KB_CORPUS_MIRROR to the folder that holds "
            "them, or run only the fast tests: make test-fast",
            pytrace=False,
        )
    return MIRROR


@pytest.fixture(scope="session")
def ai_act_xhtml(mirror: Path) -> Act:
    return eurlex_html.parse_file(mirror / "ai_act_2024_1689_en.html", "ai-act", "AI Act")


@pytest.fixture(scope="session")
def ai_act_pdf(mirror: Path) -> Act:
    return oj_pdf.parse_file(mirror / "ai_act_2024_1689_en.pdf", "ai-act", "AI Act")


@pytest.fixture(scope="session")
def data_act(mirror: Path) -> Act:
    return eurlex_html.parse_file(mirror / "data_act_2023_2854_en.html", "data-act", "Data Act")


def make_settings(index_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "index_dir": index_dir,
        "sources": ROOT / "corpus" / "sources.toml",
        "corpus_cache": index_dir.parent / "cache",
        # Acts added in a test are recorded beside its index, never in the repository's corpus/.
        "local_sources": index_dir.parent / "local.toml",
        "corpus_mirror": MIRROR,
        "download": False,
        # Multilingual passage vectors cost ~0.16 s a passage on two cores: only the session's
        # index has them (tests/test_languages.py reads them); other test indexes do without.
        "multilingual": False,
        # The local translation step costs seconds a question: tests/test_languages.py turns it
        # on where it is tested, with the model loaded once for the session.
        "translate": "off",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def session_ingest(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, IngestReport]:
    """The session's index, built from the real acts with the real model, and its ingest report."""
    from ingest.pipeline import run

    # The adaptation (kb/adapt) is off by default; the session's index builds it for
    # tests/test_adaptation.py.
    settings = make_settings(tmp_path_factory.mktemp("kb") / "index", multilingual=True, adaptation=True)
    report = run(settings)
    assert not report.up_to_date
    return settings, report


@pytest.fixture(scope="session")
def index_settings(session_ingest: tuple[Settings, IngestReport]) -> Settings:
    return session_ingest[0]


@pytest.fixture(scope="session")
def ingest_report(session_ingest: tuple[Settings, IngestReport]) -> IngestReport:
    return session_ingest[1]


@pytest.fixture(scope="session")
def index_dir(index_settings: Settings) -> Path:
    return index_settings.index_dir


@pytest.fixture(scope="session")
def knowledge(index_settings: Settings) -> KnowledgeBase:
    """The session's index loaded once, with the real model."""
    from kb.knowledge import KnowledgeBase

    return KnowledgeBase.open(index_settings.index_dir, config=index_settings)


# -- the corpus with acts added from EUR-Lex files (tests/test_other_acts.py, test_obligations.py) --

OTHER_SOURCES = [
    "gdpr_2016_679_en_oj.xhtml",
    "gdpr_2016_679_en_consolidated_2016-05-04.xhtml",
    "dga_2022_868_en_eurlex_page.html",
    "nis2_2022_2555_en_main.fmx.xml",
    "nis2_2022_2555_en_annex_01014301.fmx.xml",
    "nis2_2022_2555_en_annex_01014801.fmx.xml",
    "nis2_2022_2555_en_annex_01015001.fmx.xml",
]


def others_env(tmp: Path, sources: Path, mirror: Path) -> dict[str, str]:
    """The environment of a `kb` run on an index of its own in `tmp`."""
    return {
        "KB_INDEX_DIR": str(tmp / "index"),
        "KB_SOURCES": str(sources),
        "KB_LOCAL_SOURCES": str(tmp / "local.toml"),
        "KB_CORPUS_CACHE": str(tmp / "cache"),
        "KB_CORPUS_MIRROR": str(mirror),
        "KB_DOWNLOAD": "0",
        "KB_RELOAD_INTERVAL": "0",
        "KB_MULTILINGUAL": "0",  # the added acts' tests read English questions only
    }


@pytest.fixture(scope="session")
def other(mirror: Path) -> Path:
    return mirror / "other"


@pytest.fixture(scope="session")
def with_others(tmp_path_factory: pytest.TempPathFactory, mirror: Path, other: Path) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """The corpus plus the GDPR (OJ XHTML and its consolidated text), the DGA page and NIS2 with
    its annex files, added in one `kb ingest`, once per session: (environment, JSON report)."""
    import json

    from tests.helpers import kb

    tmp = tmp_path_factory.mktemp("others")
    env = others_env(tmp, ROOT / "corpus" / "sources.toml", mirror)
    args = [a for name in OTHER_SOURCES for a in ("--source", str(other / name))]
    result = kb("ingest", *args, "--json", env=env, timeout=1200)
    assert result.returncode == 0, result.stderr
    return env, json.loads(result.stdout)
