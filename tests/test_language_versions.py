"""The French AI Act as a language version of the English one (issue 24): the MarkDownload clip
of its EUR-Lex page (../shared/corpus/fr, SOURCES.md section 3) read by the real parser, aligned
with the English units, and a French question found in the French text cited in English.

The index with the French text is built once per module, beside the session's (whose embedding
caches make the English part a rebuild of seconds: 8 s measured), with KB_LANGUAGE_ARTICLES=5:
only Articles 1 to 5 of the rendition are aligned and embedded (about 40 passages: 20 s on a cold
cache). The whole rendition is 692 passages, which took 14.5 min with multilingual-e5 at one
thread on this machine's two shared cores: too slow for the suite. bench/language_versions.py
measures the whole of it (docs/ranking.md, "Language versions").
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ingest import added, rendition_md
from ingest.align import addresses
from kb.config import Settings
from kb.document import Act
from kb.index import STORE, read_manifest
from kb.knowledge import KnowledgeBase
from tests.conftest import make_settings
from tests.helpers import kb, settings_env

CLIP = "fr/ai_act_2024_1689_fr_eurlex_html_clip.md"
ARTICLES = 5


@pytest.fixture(scope="module")
def clip(mirror: Path) -> Path:
    return mirror / CLIP


@pytest.fixture(scope="module")
def french(clip: Path) -> Act:
    return rendition_md.parse_file(clip, "ai-act", "AI Act")


# -- the parser, on the real French file ---------------------------------------------------------


def test_the_clip_holds_the_whole_preamble_and_enacting_terms_but_no_annex(french: Act) -> None:
    assert len(french.of_kind("recital")) == 180
    assert len(french.of_kind("article")) == 113
    assert french.of_kind("annex") == []
    assert [u.id for u in french.of_kind("recital")][:2] == ["rct_1", "rct_2"]
    assert french.title.startswith("RÈGLEMENT (UE) 2024/1689 DU PARLEMENT EUROPÉEN ET DU CONSEIL du 13 juin")
    assert (len(french.chapters), french.chapters[2].num, french.chapters[2].title) == (
        13,
        "III",
        "SYSTÈMES D’IA À HAUT RISQUE",
    )


def test_article_premier_is_article_1_and_blocks_land_on_the_english_pinpoints(
    french: Act, ai_act_xhtml: Act
) -> None:
    art1 = french.unit("art_1")
    assert art1 is not None and art1.title == "Objet" and art1.chapter is not None and art1.chapter.num == "I"
    mine, theirs = addresses(ai_act_xhtml.unit("art_5").blocks), addresses(french.unit("art_5").blocks)  # type: ignore[union-attr]
    # Article 5(1)(h): the same point in both.
    h = (("paragraph", "1"), ("point", "h"))
    assert mine[h].text.startswith("the use of ‘real-time’ remote biometric identification systems")
    assert theirs[h].text.startswith("l’utilisation de systèmes d’identification biométrique à distance")
    # Article 2(3), second subparagraph: the military exclusion.
    mine, theirs = addresses(ai_act_xhtml.unit("art_2").blocks), addresses(french.unit("art_2").blocks)  # type: ignore[union-attr]
    sub = (("paragraph", "3"), ("text", "#0"))
    assert "military, defence or national security" in mine[sub].text
    assert "à des fins militaires, de défense ou de sécurité nationale" in theirs[sub].text
    # The clip loses nested tables: the subpoints (i)-(iii) of Article 5(1)(h) are not in it.
    mine, theirs = addresses(ai_act_xhtml.unit("art_5").blocks), addresses(french.unit("art_5").blocks)  # type: ignore[union-attr]
    assert (*h, ("point", "i")) in mine and (*h, ("point", "i")) not in theirs


def test_the_clip_is_identified_as_the_french_text_of_the_ai_act(clip: Path) -> None:
    [found] = added.read([clip])
    source = found.source
    assert (source.celex, source.language, source.primary) == ("32024R1689", "fr", "markdown")


# -- the real index with the French text ---------------------------------------------------------


@pytest.fixture(scope="module")
def with_french(
    index_settings: Settings, clip: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, dict]:  # type: ignore[type-arg]
    """The corpus with the clip's Articles 1-5 added as the AI Act's French text, by `kb ingest
    --source` (after the session's index, whose caches it reuses): (settings, JSON report)."""
    tmp = tmp_path_factory.mktemp("french")
    settings = make_settings(tmp / "index", multilingual=True, language_articles=ARTICLES)
    env = {**settings_env(settings), "KB_LANGUAGE_ARTICLES": str(ARTICLES)}
    assert index_settings.index_dir.exists()  # the English caches are warm
    result = kb("ingest", "--source", str(clip), "--json", env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    return settings, json.loads(result.stdout)


def test_ingest_reports_what_aligned_and_the_manifest_records_it(with_french: tuple[Settings, dict]) -> None:  # type: ignore[type-arg]
    settings, report = with_french
    [line] = report["languages"]
    assert line.startswith(f"AI Act in French: {ARTICLES} units aligned")
    [info] = read_manifest(settings.index_dir).languages
    assert (info.doc, info.language, info.version, info.units_aligned, info.limited_to) == (
        "ai-act",
        "fr",
        "2024-08-01",
        ARTICLES,
        ARTICLES,
    )
    assert info.passages > 20 and info.passages_unaligned == 0
    # Subpoints the clip lost make some passages partial, never misplaced.
    assert 0 < info.passages_partial < info.passages
    assert info.source.sha256 == added.sha256_of(settings.corpus_mirror / CLIP)  # type: ignore[operator]
    listed = kb("documents", "--json", env=settings_env(settings))
    [ai_act] = [d for d in json.loads(listed.stdout) if d["id"] == "ai-act"]
    assert ai_act["languages"] == [
        f"fr: {ARTICLES} units aligned, {info.passages} passages, from {settings.corpus_mirror / CLIP}"
    ]


def test_each_french_passage_renders_the_english_passage_at_the_same_pinpoint(
    with_french: tuple[Settings, dict],  # type: ignore[type-arg]
) -> None:
    settings, _ = with_french
    con = sqlite3.connect(settings.index_dir / STORE)
    rows = con.execute(
        "SELECT l.unit, l.pinpoint, p.unit, p.pinpoint, l.text, p.text FROM language_passages l"
        " JOIN passages p ON p.id = l.passage"
    ).fetchall()
    con.close()
    assert all(lu == pu and lp == pp for lu, lp, pu, pp, _, _ in rows)
    military = [r for r in rows if "à des fins militaires, de défense" in r[4]]
    assert {(r[0], r[1]) for r in military} == {("art_2", "2(3)")}
    assert all("military, defence or national security" in r[5] for r in military)


def test_a_french_question_found_in_the_french_text_gets_the_english_citation(
    with_french: tuple[Settings, dict],  # type: ignore[type-arg]
) -> None:
    settings, _ = with_french
    kb_fr = KnowledgeBase.open(settings.index_dir, config=settings)
    result = kb_fr.search(
        "Le règlement s’applique-t-il aux systèmes d’IA utilisés exclusivement à des fins militaires ?", k=5
    )
    top = result.hits[0]
    assert (top.doc, top.unit, top.pinpoint) == ("ai-act", "art_2", "2(3)")
    assert top.label == "AI Act, Article 2(3)" and top.url.startswith("https://eur-lex.europa.eu/")
    assert "military, defence or national security" in top.text  # the official English text
    assert top.found_in == "fr" and "à des fins militaires" in (top.text_in_language or "")
    units = [(h.doc, h.unit) for h in result.hits]
    assert len(units) == len(set(units))  # one hit per unit, whatever the language it was found in
    # An English question is ranked without the French text.
    english = kb_fr.search("Does the AI Act apply to AI systems used exclusively for military purposes?", k=5)
    assert all(h.found_in is None for h in english.hits)


def test_an_index_without_a_language_version_searches_as_before(knowledge: KnowledgeBase) -> None:
    result = knowledge.search(
        "Le règlement s’applique-t-il aux systèmes d’IA utilisés exclusivement à des fins militaires ?", k=5
    )
    assert result.hits and all(h.found_in is None and h.text_in_language is None for h in result.hits)
    assert knowledge.files.manifest.languages == []


def test_the_french_text_of_an_act_not_in_the_index_is_refused_in_one_line(
    clip: Path, tmp_path: Path
) -> None:
    other = tmp_path / "autre_acte_fr.md"
    # The same clip made the text of an act the index does not hold (a number no act has).
    other.write_text(clip.read_text(encoding="utf-8").replace("2024/1689", "2024/9999"), encoding="utf-8")
    settings = make_settings(tmp_path / "index", multilingual=True)
    result = kb("ingest", "--source", str(other), env=settings_env(settings), timeout=600)
    assert result.returncode != 0
    [said] = [line for line in result.stderr.splitlines() if "CELEX 32024R9999" in line]
    assert said.startswith(f"Error: {other}: the French text of an act"), result.stderr
    assert "ingest the English text first" in said
    assert "Traceback" not in result.stderr and "previous index" in result.stderr
    assert not (tmp_path / "index").exists()  # nothing was published
    assert not (tmp_path / "local.toml").exists()  # nor recorded
