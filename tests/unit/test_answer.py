"""Extractive answers: sentences and points quoted from the hits, each with its citation."""

from __future__ import annotations

from kb.answer import compose, pieces_of, render
from kb.query import Lexicon, Query, read
from kb.results import Hit
from tests.unit.conftest import FakeEmbedder


def asked(question: str) -> Query:
    return read(question, Lexicon({"ai act": "ai-act"}))


def hit(label: str, text: str, context: str = "") -> Hit:
    return Hit(
        doc="ai-act",
        unit="art_5",
        unit_kind="article",
        pinpoint="5",
        label=label,
        title="",
        heading="",
        url="https://eur-lex.europa.eu/x",
        text=text,
        context=context,
        score=1.0,
        version="OJ L, 2024/1689, 12.7.2024 (original text)",
        start=0,
        end=len(text),
    )


def test_points_are_quoted_with_their_lead_in() -> None:
    h = hit(
        "AI Act, Article 5(1)",
        "1. The following AI practices shall be prohibited:\n"
        "(a) placing on the market of manipulative systems;\n"
        "(f) the use of emotion recognition systems in the workplace;",
    )
    pieces = pieces_of(h, 0)
    assert [p.core for p in pieces][1:] == [
        "(a) placing on the market of manipulative systems;",
        "(f) the use of emotion recognition systems in the workplace;",
    ]
    assert pieces[2].text.startswith("The following AI practices shall be prohibited: … (f)")


def test_sentences_split_but_not_after_abbreviations() -> None:
    h = hit(
        "Data Act, Article 25",
        "Switching shall take 30 days. See Art. 3 thereof. Providers shall inform customers.",
    )
    assert [p.core for p in pieces_of(h, 0)] == [
        "Switching shall take 30 days.",
        "See Art. 3 thereof.",
        "Providers shall inform customers.",
    ]


def test_compose_quotes_what_answers_and_cites_it(embedder: FakeEmbedder) -> None:
    hits = [
        hit(
            "AI Act, Article 5(1)(f)",
            "The use of emotion recognition systems in the workplace is prohibited.",
        ),
        hit(
            "AI Act, Article 50(3)",
            "Deployers of an emotion recognition system shall inform the persons exposed.",
        ),
        hit("AI Act, Article 99", "Member States shall lay down penalties and inform the Commission."),
    ]
    sentences = compose(asked("Is emotion recognition in the workplace prohibited?"), hits, embedder)
    lead = sentences[0]
    assert lead.lead and lead.citation == 1 and lead.text.startswith("AI Act, Article 5(1)(f): “")
    assert {s.citation for s in sentences} <= {1, 2, 3}
    # Every quoted word is the act's own.
    assert all(q in hits[s.citation - 1].text for s in sentences for q in s.quotes)
    assert render(sentences).startswith(lead.text + " [1]")


def test_nothing_to_quote_gives_no_sentences(embedder: FakeEmbedder) -> None:
    assert compose(asked("anything?"), [hit("AI Act, Article 1", "Short.")], embedder) == []


def test_a_follow_up_is_read_with_the_question_before_it() -> None:
    from kb.conversation import interleave
    from kb.results import Turn

    history = [Turn(question="What must providers of high-risk AI systems do?")]
    lexicon = Lexicon({"ai act": "ai-act"})
    follow_up = read("and for deployers?", lexicon, history)
    assert follow_up.resolved == "What must providers of high-risk AI systems do? and for deployers?"
    assert follow_up.own is not None and follow_up.own.resolved == "and for deployers?"
    assert read("What is a deployer?", lexicon, history).resolved == "What is a deployer?"
    a, b = hit("AI Act, Article 16", "Providers shall ..."), hit("AI Act, Article 26", "Deployers shall ...")
    b.unit = "art_26"
    assert [h.unit for h in interleave([a], [b, a])] == ["art_5", "art_26"]


def test_a_point_of_an_article_without_numbered_paragraphs_is_not_doubled() -> None:
    # Issue 31: the lead for "What is a deployer?" said "AI Act, Article 3(4)(4)".
    from kb.answer import point_label

    h = hit("AI Act, Article 3, point (4)", "(4) ‘deployer’ means a natural or legal person …")
    h = h.model_copy(update={"unit": "art_3", "pinpoint": "3(4)"})
    piece = pieces_of(h, 0)[0]
    assert piece.point == "(4)"
    assert point_label(h, piece) == "AI Act, Article 3, point (4)"
    ranged = hit("AI Act, Article 3, points (38) to (41)", "(39) ‘emotion recognition system’ means …")
    ranged = ranged.model_copy(update={"unit": "art_3", "pinpoint": "3(38)-(41)"})
    assert point_label(ranged, pieces_of(ranged, 0)[0]) == "AI Act, Article 3, point (39)"
    numbered = hit("AI Act, Article 5(1)(d) to (f)", "(f) the use of AI systems to infer emotions;")
    numbered = numbered.model_copy(update={"pinpoint": "5(1)(d)-(f)"})
    assert point_label(numbered, pieces_of(numbered, 0)[0]) == "AI Act, Article 5(1)(f)"


def test_markers_are_numbered_without_gaps() -> None:
    # Issue 31: an answer quoting sources 1, 2, 3 and 5 read [1] [2] [3] [5].
    from kb.answer import renumber
    from kb.results import Sentence

    hits = [hit(f"AI Act, Article {n}", f"Text of Article {n}.") for n in (1, 2, 3, 4, 5)]
    sentences = [
        Sentence(text="a", citation=1),
        Sentence(text="b", citation=5),
        Sentence(text="c", citation=2, citations=[2, 3]),
    ]
    out, ordered = renumber(sentences, hits)
    assert [s.markers() for s in out] == [[1], [2], [3, 4]]
    assert [h.label for h in ordered] == [f"AI Act, Article {n}" for n in (1, 5, 2, 3, 4)]
    # Every marker still points at the provision it quoted.
    for before, after in zip(sentences, out, strict=True):
        was = [hits[n - 1].label for n in before.markers()]
        assert was == [ordered[n - 1].label for n in after.markers()]
