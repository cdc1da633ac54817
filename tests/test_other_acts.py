"""Acts from EUR-Lex beyond the corpus, read from the Publications Office's own files (see
../shared/corpus/other/SOURCES.md): the GDPR as OJ XHTML, Formex and consolidated text, the Data
Governance Act as the EUR-Lex page, the NIS2 Directive as a Formex package; added acts that stay
in the local sources file, `kb remove`, and files that are not acts.

Parse-only tests need no index. Two indexes are built, each once per module: the corpus with
four acts added (one large build), and a small one without the corpus that is then changed
(a changed file, a removed act, a consolidated text as the act itself).
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from ingest import added
from ingest.errors import IngestError, ParseError
from kb.grammar import find_query_refs
from kb.index import IndexFiles
from kb.knowledge import KnowledgeBase
from kb.query_refs import act_names
from tests.conftest import others_env
from tests.helpers import kb

ROOT = Path(__file__).resolve().parent.parent
GDPR_OJ = "gdpr_2016_679_en_oj.xhtml"
GDPR_FMX = "gdpr_2016_679_en.fmx.xml"
GDPR_CONSOLIDATED = "gdpr_2016_679_en_consolidated_2016-05-04.xhtml"
DGA_PAGE = "dga_2022_868_en_eurlex_page.html"
NIS2_MAIN = "nis2_2022_2555_en_main.fmx.xml"
NIS2_ANNEXES = [
    "nis2_2022_2555_en_annex_01014301.fmx.xml",
    "nis2_2022_2555_en_annex_01014801.fmx.xml",
    "nis2_2022_2555_en_annex_01015001.fmx.xml",
]
CONSOLIDATED_LABEL = "consolidated text, EUR-Lex, documentation only, no legal effect"


def _one(paths: list[Path]) -> added.Input:
    [act] = added.read(paths)
    return act


# -- each file, parsed ---------------------------------------------------------------------------


def test_gdpr_oj_xhtml_is_identified_with_the_name_people_use(other: Path) -> None:
    act = _one([other / GDPR_OJ])
    src = act.source
    assert (src.id, src.short_name, src.celex) == ("gdpr", "GDPR", "32016R0679")
    assert "General Data Protection Regulation" in src.aliases
    assert src.date == "2016-04-27"
    assert (len(act.parse().of_kind("recital")), len(act.parse().of_kind("article"))) == (173, 99)


def test_the_dga_page_as_served_gets_its_abbreviation_from_its_title(other: Path) -> None:
    act = _one([other / DGA_PAGE])
    assert (act.source.id, act.source.short_name, act.source.aliases) == (
        "dga",
        "Data Governance Act",
        ("DGA",),
    )
    assert (len(act.parse().of_kind("recital")), len(act.parse().of_kind("article"))) == (63, 38)


def test_gdpr_formex_reads_articles_inside_chapters_and_sections(other: Path) -> None:
    act = _one([other / GDPR_FMX]).parse()
    assert (len(act.of_kind("recital")), len(act.of_kind("article")), len(act.chapters)) == (173, 99, 11)
    art30 = act.unit("art_30")
    assert art30 is not None and art30.title == "Records of processing activities"
    assert (art30.chapter.num, art30.section.num) == ("IV", "1")
    [para1] = [b for b in art30.blocks if b.num == "1"]
    assert [p.num for p in para1.children][:3] == ["a", "b", "c"]
    # Footnotes stay out of the text: Article 4(25) cites Directive 2015/1535, whose OJ
    # reference is a NOTE.
    art4 = act.unit("art_4").text
    assert "Directive (EU) 2015/1535" in art4 and "OJ L 241" not in art4
    # The same text as the OJ XHTML, article by article, for all but a few typographic details.
    xhtml = _one([other / GDPR_OJ]).parse()
    same = sum(u.text == xhtml.unit(u.id).text for u in act.of_kind("article"))
    assert same >= 90, same


def test_nis2_main_file_alone_is_a_directive_without_annexes_and_says_so(other: Path) -> None:
    act = _one([other / NIS2_MAIN])
    src = act.source
    assert (src.id, src.short_name, src.celex) == ("nis2", "NIS2 Directive", "32022L2555")
    assert src.eli == "http://data.europa.eu/eli/dir/2022/2555/oj"
    assert src.oj == "OJ L 333, 2022, p. 80"
    counts = [len(act.parse().of_kind(k)) for k in ("recital", "article", "annex")]
    assert counts == [144, 46, 0]
    [notice] = act.notices
    assert "without annexes" in notice and "Annexes I, II, III" in notice and "separate files" in notice


def test_nis2_with_its_three_annex_files_joins_them_in_package_order(other: Path) -> None:
    # Given in reverse order: the package's sequence numbers decide.
    act = _one([other / NIS2_MAIN, *(other / a for a in reversed(NIS2_ANNEXES))])
    annexes = act.parse().of_kind("annex")
    assert [(u.id, u.title) for u in annexes] == [
        ("anx_I", "SECTORS OF HIGH CRITICALITY"),
        ("anx_II", "OTHER CRITICAL SECTORS"),
        ("anx_III", "CORRELATION TABLE"),
    ]
    assert act.notices == []
    table = annexes[0].text
    assert table.startswith("Sector | Subsector | Type of entity\n1. Energy | (a) Electricity |")
    assert "OJ L 158" not in table  # the table's footnotes are left out
    assert len(act.files) == 4


def test_the_nis2_folder_is_read_as_its_package(other: Path, tmp_path: Path) -> None:
    folder = tmp_path / "nis2"
    folder.mkdir()
    for name in [NIS2_MAIN, *NIS2_ANNEXES]:
        shutil.copy(other / name, folder)
    act = _one([folder])
    assert len(act.parse().of_kind("annex")) == 3 and act.given == [folder]


def test_a_formex_package_zip_is_read_whole(mirror: Path) -> None:
    act = _one([mirror / "ai_act_2024_1689_en_formex.zip"]).parse()
    counts = [len(act.of_kind(k)) for k in ("recital", "article", "annex")]
    assert counts == [180, 113, 13]
    assert act.unit("anx_X").title.startswith("Union legislative acts on large-scale IT systems")


def test_the_consolidated_gdpr_is_recognised_from_its_own_markup(other: Path) -> None:
    act = _one([other / GDPR_CONSOLIDATED])
    assert act.consolidated is not None
    assert (act.consolidated.celex, act.consolidated.base_celex, act.consolidated.date) == (
        "02016R0679-20160504",
        "32016R0679",
        "2016-05-04",
    )
    assert act.source.id == "gdpr"
    parsed = act.parse()
    assert (len(parsed.of_kind("recital")), len(parsed.of_kind("article"))) == (0, 99)
    art43 = parsed.unit("art_43").text
    # The corrigendum (►C1 … ◄) is merged in, and its markers are not text.
    assert "on the basis of requirements approved by the supervisory authority" in art43
    assert "►" not in art43 and "◄" not in art43
    assert parsed.unit("art_30").chapter.num == "IV"
    [point_a] = [b for b in parsed.unit("art_30").all_blocks() if b.marker == "(a)"][:1]
    assert point_a.text.startswith("the name and contact details of the controller")


def test_names_from_the_sources_are_understood_by_query_references(other: Path) -> None:
    from kb.manifest import ActInfo

    src = _one([other / GDPR_OJ]).source
    info = ActInfo(
        id=src.id,
        short_name=src.short_name,
        title=src.title,
        celex=src.celex,
        eli=src.eli,
        oj=src.oj,
        date=src.date,
        url=src.url,
        source_format="xhtml",
        sources=[],
        counts={},
        aliases=list(src.aliases),
    )
    names = act_names([info])
    for query in ("Art. 30 GDPR", "GDPR Article 30", "Article 30 of the General Data Protection Regulation"):
        [ref] = find_query_refs(query, names)
        assert (ref.doc, ref.unit) == ("gdpr", "art_30"), query


# -- files that are not acts -----------------------------------------------------------------------


def _pdf_with_text(text: str) -> bytes:
    """A one-page PDF with a line of text (a real PDF that pypdf reads, not an OJ act)."""
    content = f"BT /F1 14 Tf 72 700 Td ({text}) Tj ET".encode()
    objs = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(content)).encode() + b">>stream\n" + content + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj".encode() + obj + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer<</Size {len(objs) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def bad_files(tmp: Path, other: Path) -> dict[str, tuple[Path, str]]:
    """Small fake files that are not acts, each with what its error must say."""
    files = {
        "EUR-Lex search page": (
            "search.html",
            b"<!DOCTYPE html><html><head><title>Search results - EUR-Lex</title></head><body>"
            b"<div class='SearchResult'><a href='./legal-content/EN/TXT/?uri=CELEX:32016R0679'>"
            b"Regulation (EU) 2016/679</a></div></body></html>",
            "not an act",
        ),
        "404 page": (
            "missing.html",
            b"<html><head><title>Page not found</title></head><body><h1>404</h1></body></html>",
            "Page not found",
        ),
        "PDF that is not an OJ act": (
            "invoice.pdf",
            _pdf_with_text("Invoice 2024/17 Article 1"),
            "Official Journal",
        ),
        "Formex corrigendum": (
            "corrigendum.fmx.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><CORR><BIB.INSTANCE/><TITLE><TI><P>Corrigendum to '
            b"Regulation (EU) 2016/679</P></TI></TITLE><CONTENTS/></CORR>",
            "corrigendum",
        ),
        "truncated Formex": (
            "truncated.fmx.xml",
            (other / GDPR_FMX).read_bytes()[:200_000],
            "complete Formex",
        ),
        "truncated consolidated text": (
            "truncated.xhtml",
            (other / GDPR_CONSOLIDATED).read_bytes()[:20_000],
            "truncated",
        ),
        "annex without its act": ("annex.fmx.xml", (other / NIS2_ANNEXES[0]).read_bytes(), "without its act"),
    }
    out = {}
    for problem, (name, data, says) in files.items():
        path = tmp / name
        path.write_bytes(data)
        out[problem] = (path, says)
    return out


def test_each_bad_file_gets_one_line_naming_it_and_what_was_expected(tmp_path: Path, other: Path) -> None:
    for problem, (path, says) in bad_files(tmp_path, other).items():
        with pytest.raises(ParseError) as err:
            added.read([path])
        message = str(err.value)
        assert message.startswith(str(path)), (problem, message)
        assert says in message, (problem, message)
        assert "\n" not in message, problem
    with pytest.raises(IngestError, match="no such file"):
        added.read([tmp_path / "gone.xml"])


# -- the corpus with four acts added --------------------------------------------------------------


# `other` and `with_others` (the corpus with four acts added, built once per session) are in
# tests/conftest.py: tests/test_obligations.py reads the GDPR's obligations from the same index.


@pytest.fixture(scope="module")
def knowledge(with_others: tuple[dict, dict]) -> KnowledgeBase:
    env, _ = with_others
    return KnowledgeBase.open(Path(env["KB_INDEX_DIR"]))


def test_added_acts_are_indexed_with_their_counts(with_others: tuple[dict, dict]) -> None:
    _, report = with_others
    acts = {a["id"]: a for a in report["acts"]}
    assert set(acts) == {"ai-act", "data-act", "ai-act-amendment-2026-1744", "gdpr", "dga", "nis2"}
    assert (acts["gdpr"]["recitals"], acts["gdpr"]["articles"]) == (173, 99)
    assert (acts["dga"]["recitals"], acts["dga"]["articles"]) == (63, 38)
    assert (acts["nis2"]["recitals"], acts["nis2"]["articles"], acts["nis2"]["annexes"]) == (144, 46, 3)
    assert report["notices"] == []


def test_art_30_gdpr_is_gdpr_article_30_first(knowledge: KnowledgeBase) -> None:
    for query in ("Art. 30 GDPR", "GDPR Article 30", "Article 30 of the General Data Protection Regulation"):
        first = knowledge.search(query, k=5).hits[0]
        assert (first.doc, first.unit, first.label) == ("gdpr", "art_30", "GDPR, Article 30"), query


def test_point_level_citations_and_eurlex_links_of_each_added_act(knowledge: KnowledgeBase) -> None:
    cases = {
        "Art. 30(1)(a) GDPR": ("GDPR, Article 30(1)(a)", "CELEX:32016R0679#art_30"),
        "Article 2(10) of the DGA": ("Data Governance Act, Article 2, point (10)", "CELEX:32022R0868#art_2"),
        "NIS2 Article 23(4)": ("NIS2 Directive, Article 23(4)", "CELEX:32022L2555#art_23"),
        "Annex I NIS2": ("NIS2 Directive, Annex I", "CELEX:32022L2555#anx_I"),
    }
    for query, (label, link) in cases.items():
        first = knowledge.search(query, k=3).hits[0]
        assert first.label == label, (query, first.label)
        assert first.url == f"https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri={link}", query


def test_what_is_finds_each_added_acts_definition(knowledge: KnowledgeBase) -> None:
    cases = {
        "What is a filing system?": ("gdpr", "art_4", "4(6)"),
        "What is data altruism?": ("dga", "art_2", "2(16)"),
        "What is a near miss?": ("nis2", "art_6", "6(5)"),
    }
    for question, (doc, unit, pinpoint) in cases.items():
        first = knowledge.search(question, k=3).hits[0]
        assert (first.doc, first.unit, first.pinpoint) == (doc, unit, pinpoint), question


def test_with_three_acts_added_an_ai_act_question_keeps_its_first_citations(knowledge: KnowledgeBase) -> None:
    # Without the act prior (kb/search/act_prior.py) the DGA's final provisions came second: a
    # question about when rules apply lifted every act's entry into force, and the other acts'
    # passages took the AI Act's places in each ranking.
    question = (
        "When do the obligations for high-risk AI systems built into products like medical devices start "
        "to apply?"
    )
    hits = knowledge.search(question, k=3).hits
    assert (hits[0].doc, hits[0].unit) == ("ai-act", "art_113")
    assert [h.doc for h in hits] == ["ai-act"] * 3, [(h.doc, h.unit) for h in hits]
    literacy = "From what date must deployers make sure their staff have sufficient AI literacy?"
    deployers = knowledge.search(literacy, k=3)
    assert [(h.doc, h.unit) for h in deployers.hits[:2]] == [("ai-act", "art_113"), ("ai-act", "art_4")]


def test_an_added_acts_questions_are_answered_from_it(knowledge: KnowledgeBase) -> None:
    # Questions that do not name their act: which act they are about comes from their own words.
    cases = {
        "After a personal data breach, how many hours does the controller have to notify the supervisory "
        "authority?": ("gdpr", "art_33"),
        "Our company is not established in the Union but monitors the behaviour of people there. Must we "
        "designate a representative in the Union?": ("gdpr", "art_27"),
        "May a provider of data intermediation services use the data it intermediates for its own "
        "purposes?": ("dga", "art_12"),
        "How soon must an essential or important entity send an early warning to the CSIRT about a "
        "significant incident?": ("nis2", "art_23"),
    }
    for question, (doc, unit) in cases.items():
        first = knowledge.search(question, k=3).hits[0]
        assert (first.doc, first.unit) == (doc, unit), (question, first.label)


def test_the_consolidated_text_is_a_version_of_the_gdpr(knowledge: KnowledgeBase) -> None:
    gdpr = next(a for a in knowledge.acts if a.id == "gdpr")
    assert [v.label for v in gdpr.versions] == [
        "original text, OJ L 119, 4.5.2016, p. 1",
        CONSOLIDATED_LABEL,
    ]
    consolidated = gdpr.versions[1]
    assert consolidated.in_force == "2016-05-04"
    assert consolidated.url.endswith("CELEX:02016R0679-20160504")
    assert "no legal effect" in consolidated.unofficial
    # The corrigendum merged into the consolidated text, and the original as published.
    current = knowledge.get("gdpr", "art_43")
    original = knowledge.get("gdpr", "art_43", "original")
    assert "on the basis of requirements approved" in current.text
    assert "on the basis of criteria approved" in original.text
    # The preamble is not consolidated: the recitals stay.
    assert knowledge.get("gdpr", "rct_1").text.startswith("The protection of natural persons")


def test_act_filters_and_question_scope_use_the_names(knowledge: KnowledgeBase) -> None:
    hits = knowledge.search("records of processing activities", k=5, docs=["gdpr"]).hits
    assert hits and {h.doc for h in hits} == {"gdpr"}
    # A filter may name the act as people do.
    for name in ("GDPR", "General Data Protection Regulation"):
        named = knowledge.search("records of processing activities", k=5, docs=[name]).hits
        assert {h.doc for h in named} == {"gdpr"}, name
    scoped = knowledge.search("What does the DGA say about data intermediation services?", k=5).hits
    assert {h.doc for h in scoped} == {"dga"}


def test_kb_documents_lists_where_each_act_came_from(with_others: tuple[dict, dict], other: Path) -> None:
    env, _ = with_others
    result = kb("documents", "--json", env=env)
    assert result.returncode == 0, result.stderr
    origin = {a["id"]: a["origin"] for a in json.loads(result.stdout)}
    assert origin["ai-act"] == "corpus manifest (corpus/sources.toml)"
    assert str(other / DGA_PAGE) in origin["dga"]
    assert all(str(other / name) in origin["nis2"] for name in [NIS2_MAIN, *NIS2_ANNEXES])
    text = kb("documents", env=env).stdout
    assert CONSOLIDATED_LABEL in text


def test_added_acts_are_recorded_and_survive_a_plain_ingest(
    with_others: tuple[dict, dict], other: Path
) -> None:
    env, _ = with_others
    local = tomllib.loads(Path(env["KB_LOCAL_SOURCES"]).read_text())
    recorded = {a["id"]: a for a in local["act"]}
    assert set(recorded) == {"gdpr", "dga", "nis2"} or len(local["act"]) == 4
    dga = next(a for a in local["act"] if a["id"] == "dga")
    assert dga["file"] == [
        {
            "path": str(other / DGA_PAGE),
            "sha256": "7e4c4abd31118ffc4a15d8543a053c31cc36c9c318223e5d02884da7fcae45c3",
        }
    ]
    result = kb("ingest", "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["up_to_date"], "a plain kb ingest rebuilt the index: it did not recognise the added acts"
    assert {"gdpr", "dga", "nis2"} <= {a["id"] for a in report["acts"]}


def test_a_bad_file_keeps_the_index_and_the_local_sources(
    with_others: tuple[dict, dict], tmp_path: Path, other: Path
) -> None:
    env, _ = with_others
    index = Path(env["KB_INDEX_DIR"])
    before = IndexFiles(index).manifest.built_at
    local_before = Path(env["KB_LOCAL_SOURCES"]).read_text()
    for problem, (path, _says) in bad_files(tmp_path, other).items():
        result = kb("ingest", "--source", str(path), env=env)
        assert result.returncode != 0, problem
        assert str(path) in result.stderr and "Traceback" not in result.stderr, (problem, result.stderr)
        assert "previous index" in result.stderr, problem
    assert IndexFiles(index).manifest.built_at == before
    assert Path(env["KB_LOCAL_SOURCES"]).read_text() == local_before


def test_ingest_help_lists_the_formats() -> None:
    result = kb("ingest", "--help")
    for fmt in ("EUR-Lex XHTML", "consolidated text", "Official Journal PDF", "Formex 4", ".zip"):
        assert fmt in " ".join(result.stdout.split()), fmt


# -- a small index without the corpus, changed step by step ----------------------------------------


def test_added_acts_change_with_their_files_and_kb_remove(tmp_path: Path, mirror: Path, other: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text("# no acts of its own: only added ones\n")
    env = others_env(tmp_path, sources, mirror)
    files = tmp_path / "files"
    files.mkdir()
    gdpr = files / GDPR_FMX
    nis2 = files / NIS2_MAIN
    shutil.copy(other / GDPR_FMX, gdpr)
    shutil.copy(other / NIS2_MAIN, nis2)
    local_file = Path(env["KB_LOCAL_SOURCES"])

    # The GDPR from Formex and the NIS2 main file alone.
    result = kb("ingest", "--source", str(gdpr), "--source", str(nis2), "--json", env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    counts = {a["id"]: (a["recitals"], a["articles"], a["annexes"], a["chapters"]) for a in report["acts"]}
    assert counts == {"gdpr": (173, 99, 0, 11), "nis2": (144, 46, 0, 9)}
    [notice] = report["notices"]
    assert notice.startswith("NIS2 Directive: indexed without annexes")
    knowledge = KnowledgeBase.open(tmp_path / "index")
    first = knowledge.search("Art. 30(1)(b) GDPR", k=3).hits[0]
    assert (first.label, first.url) == (
        "GDPR, Article 30(1)(b)",
        "https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:32016R0679#art_30",
    )
    definition = knowledge.search("What is a filing system?", k=3).hits[0]
    assert (definition.doc, definition.pinpoint) == ("gdpr", "4(6)")
    assert "does not exist in NIS2 Directive" in " ".join(knowledge.search("Annex I NIS2", k=3).notices)

    # A recorded file that changed is read again; `kb remove` takes an act out and rebuilds.
    nis2.write_bytes(nis2.read_bytes() + b"\n")
    result = kb("remove", "gdpr", "--json", env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["removed"] == "gdpr" and not report["up_to_date"]
    assert [a["id"] for a in report["acts"]] == ["nis2"]
    [entry] = tomllib.loads(local_file.read_text())["act"]
    assert entry["id"] == "nis2" and entry["file"][0]["sha256"] == added.sha256_of(nis2)
    assert kb("remove", "gdpr", env=env).returncode != 0  # no longer there
    assert "not an added act" in kb("remove", "ai-act", env=env).stderr

    # A consolidated text whose act is not in the index is indexed as the act itself.
    result = kb("ingest", "--source", str(other / GDPR_CONSOLIDATED), "--json", env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    acts = {a["id"]: a for a in json.loads(result.stdout)["acts"]}
    assert (acts["gdpr"]["recitals"], acts["gdpr"]["articles"]) == (0, 99)
    manifest = IndexFiles(tmp_path / "index").manifest
    gdpr_info = next(a for a in manifest.acts if a.id == "gdpr")
    assert [v.label for v in gdpr_info.versions] == [CONSOLIDATED_LABEL]
    assert gdpr_info.url.endswith("CELEX:02016R0679-20160504")
    knowledge = KnowledgeBase.open(tmp_path / "index")
    definition = knowledge.search("What is a filing system?", k=3).hits[0]
    assert (definition.doc, definition.pinpoint, definition.label) == (
        "gdpr",
        "4(6)",
        "GDPR, Article 4, point (6)",
    )
    assert definition.url.endswith("CELEX:02016R0679-20160504#art_4")

    # A recorded file that is gone is an error naming it; the index stays.
    before = manifest.built_at
    nis2.rename(tmp_path / "moved.xml")
    result = kb("ingest", env=env)
    assert result.returncode != 0
    assert str(nis2) in result.stderr and "kb remove nis2" in result.stderr
    assert IndexFiles(tmp_path / "index").manifest.built_at == before
