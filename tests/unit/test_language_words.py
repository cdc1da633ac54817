"""The heading and title words of French and German acts (ingest/words.py), as the parsers read
them: "Article premier" is Article 1, "ANHANG III" Annex III, "RÈGLEMENT (UE) 2024/1689" the AI
Act's CELEX. The Formex parser is run on a small French act written here in Formex 4's own
elements (no French or German Formex file could be found: ../shared/corpus/SOURCES.md, section 3).
"""

from __future__ import annotations

from pathlib import Path

from ingest import formex, words
from ingest.align import addresses
from kb.document import Block


def test_french_and_german_headings_read_as_the_english_ones() -> None:
    assert words.article_number(words.ARTICLE.match("Article premier").group(1)) == "1"  # type: ignore[union-attr]
    assert words.ARTICLE.match("Artikel 12").group(1) == "12"  # type: ignore[union-attr]
    assert words.ANNEX.match("ANNEXE III").group(1) == "III"  # type: ignore[union-attr]
    assert words.ANNEX.match("ANHANG XIII").group(1) == "XIII"  # type: ignore[union-attr]
    assert words.CHAPTER.match("CHAPITRE II").group(1) == "II"  # type: ignore[union-attr]
    assert words.CHAPTER.match("KAPITEL VII").group(1) == "VII"  # type: ignore[union-attr]
    assert words.SECTION.match("ABSCHNITT 2").group(1) == "2"  # type: ignore[union-attr]
    assert words.division("Chapitre") == "CHAPTER" and words.division("Abschnitt") == "SECTION"
    assert words.ARTICLE.match("Articles 2") is None and words.ANNEX.match("ANNEXES I") is None


def test_an_acts_number_in_its_french_or_german_title_gives_its_celex() -> None:
    fr = "RÈGLEMENT (UE) 2024/1689 DU PARLEMENT EUROPÉEN ET DU CONSEIL du 13 juin 2024"
    de = "VERORDNUNG (EU) 2024/1689 DES EUROPÄISCHEN PARLAMENTS UND DES RATES vom 13. Juni 2024"
    assert words.celex(fr) == words.celex(de) == "32024R1689"
    assert words.celex("RICHTLINIE (EU) 2022/2555 DES EUROPÄISCHEN PARLAMENTS") == "32022L2555"
    assert words.celex("RÈGLEMENT D’EXÉCUTION sans numéro") is None


_FRENCH_FORMEX = """<?xml version="1.0" encoding="UTF-8"?>
<ACT><TITLE><TI><P>RÈGLEMENT (UE) 2024/1689 DU PARLEMENT EUROPÉEN ET DU CONSEIL</P></TI></TITLE>
<PREAMBLE><GR.CONSID><CONSID><NP><NO.P>(1)</NO.P><TXT>L’objectif du présent règlement.</TXT></NP>
</CONSID></GR.CONSID></PREAMBLE>
<ENACTING.TERMS><DIVISION><TITLE><TI><P>CHAPITRE I</P></TI><STI><P>DISPOSITIONS GÉNÉRALES</P></STI>
</TITLE><ARTICLE IDENTIFIER="001"><TI.ART>Article premier</TI.ART><STI.ART>Objet</STI.ART>
<PARAG IDENTIFIER="001.001"><NO.PARAG>1.</NO.PARAG><ALINEA>L’objectif du présent règlement.</ALINEA>
</PARAG></ARTICLE><ARTICLE IDENTIFIER="002"><TI.ART>Article 2</TI.ART><STI.ART>Champ</STI.ART>
<ALINEA>Le présent règlement s’applique.</ALINEA></ARTICLE></DIVISION></ENACTING.TERMS></ACT>
"""


def test_the_formex_parser_reads_a_french_acts_headings(tmp_path: Path) -> None:
    path = tmp_path / "fr.fmx.xml"
    path.write_text(_FRENCH_FORMEX, encoding="utf-8")
    act = formex.parse_file(path, "ai-act", "AI Act")
    assert [u.id for u in act.units] == ["rct_1", "art_1", "art_2"]
    art1 = act.unit("art_1")
    assert art1 is not None and art1.title == "Objet"
    chapter = art1.chapter
    assert chapter is not None and (chapter.num, chapter.title) == ("I", "DISPOSITIONS GÉNÉRALES")
    assert words.celex(act.title) == "32024R1689"


def test_blocks_are_addressed_by_number_or_by_place_among_unnumbered_ones() -> None:
    point = Block(kind="point", num="h", text="…")
    para = Block(
        kind="paragraph",
        num="1",
        text="…",
        children=[Block(kind="text", num=None, text="a"), point, Block(kind="text", num=None, text="b")],
    )
    found = addresses([para, Block(kind="text", num=None, text="c")])
    assert found[(("paragraph", "1"), ("point", "h"))] is point
    assert found[(("paragraph", "1"), ("text", "#1"))].text == "b"
    assert found[(("text", "#0"),)].text == "c"


def test_unnumbered_blocks_are_aligned_only_where_both_texts_count_as_many() -> None:
    from ingest.align import align
    from kb.document import Passage, Unit

    def unit(texts: list[str]) -> Unit:
        children = [Block(kind="text", num=None, text=t) for t in texts[1:]]
        para = Block(kind="paragraph", num="1", marker="1.", text=texts[0], children=children)
        second = Block(kind="paragraph", num="2", marker="2.", text="z")
        u = Unit(kind="article", id="art_9", num="9", blocks=[para, second])
        u.render()
        return u

    english = unit(["lead", "first", "second"])
    same = unit(["chapeau", "premier", "second"])
    split = unit(["chapeau", "premier", "pre", "mier bis"])  # a subparagraph split in two
    sub = english.blocks[0].children[1]  # "second"
    two = english.blocks[1]
    passages = [
        (0, Passage("ai-act", "art_9", "article", sub.start, sub.end, "second", "9(1)", "h")),
        (1, Passage("ai-act", "art_9", "article", two.start, two.end, "2. z", "9(2)", "h")),
    ]
    aligned = align([english], passages, _act(same))
    assert [(p.passage, p.text) for p in aligned.passages] == [(0, "second"), (1, "2. z")]
    guarded = align([english], passages, _act(split))
    assert [(p.passage, p.text) for p in guarded.passages] == [(1, "2. z")]
    assert guarded.passages_unaligned == 1


def _act(unit: object):  # type: ignore[no-untyped-def]
    from kb.document import Act

    return Act("ai-act", "AI Act", "RÈGLEMENT (UE) 2024/1689", [unit])  # type: ignore[list-item]
