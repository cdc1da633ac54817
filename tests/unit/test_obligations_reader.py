# ruff: noqa: E501  (the acts' sentences are quoted whole, as the parsers give them)
"""The obligations reader on short sentences of the acts, as the parsers lay them out: who is
bound (the act's defined term), about which system, on what condition, and from when."""

from __future__ import annotations

from kb.document import Block, CrossRef, Heading, Unit
from kb.obligations.build import read_act
from kb.obligations.dates import read_rules
from kb.obligations.reader import subject_of
from tests.unit.conftest import article

CH3 = Heading("chapter", "III", "HIGH-RISK AI SYSTEMS")
S2 = Heading("section", "2", "Requirements for high-risk AI systems", "III")
S3 = Heading(
    "section", "3", "Obligations of providers and deployers of high-risk AI systems and other parties", "III"
)


def _point(num: str, text: str) -> Block:
    return Block("point", num, text, f"({num})")


def _definitions() -> Unit:
    # AI Act Article 3, points (1), (3), (4) and (63), as published.
    return article(
        "3",
        "Definitions",
        [
            Block(
                "text",
                None,
                "For the purposes of this Regulation, the following definitions apply:",
                children=[
                    _point(
                        "1",
                        "‘AI system’ means a machine-based system that is designed to operate with varying levels of autonomy;",
                    ),
                    _point(
                        "3",
                        "‘provider’ means a natural or legal person, public authority, agency or other body that develops "
                        "an AI system or a general-purpose AI model or that has an AI system or a general-purpose AI model "
                        "developed and places it on the market or puts the AI system into service under its own name or "
                        "trademark, whether for payment or free of charge;",
                    ),
                    _point(
                        "4",
                        "‘deployer’ means a natural or legal person, public authority, agency or other body using an AI "
                        "system under its authority except where the AI system is used in the course of a personal "
                        "non-professional activity;",
                    ),
                    _point(
                        "63",
                        "‘general-purpose AI model’ means an AI model that displays significant generality;",
                    ),
                ],
            )
        ],
    )


def _in(unit: Unit, chapter: Heading | None, section: Heading | None = None) -> Unit:
    unit.chapter, unit.section = chapter, section
    return unit


def _act(final: list[Block]) -> list[Unit]:
    art9 = _in(
        article(
            "9",
            "Risk management system",
            [
                Block(
                    "paragraph",
                    "1",
                    "A risk management system shall be established, implemented, documented and maintained in relation to high-risk AI systems.",
                    marker="1.",
                )
            ],
        ),
        CH3,
        S2,
    )
    art16 = _in(
        article(
            "16",
            "Obligations of providers of high-risk AI systems",
            [
                Block(
                    "text",
                    None,
                    "Providers of high-risk AI systems shall:",
                    children=[
                        _point(
                            "a",
                            "ensure that their high-risk AI systems are compliant with the requirements set out in Section 2;",
                        ),
                        _point("g", "draw up an EU declaration of conformity in accordance with Article 47;"),
                    ],
                )
            ],
        ),
        CH3,
        S3,
    )
    art26 = _in(
        article(
            "26",
            "Obligations of deployers of high-risk AI systems",
            [
                Block(
                    "paragraph",
                    "1",
                    "Deployers of high-risk AI systems shall take appropriate technical and organisational measures to ensure they use such systems in accordance with the instructions for use accompanying the systems, pursuant to paragraphs 3 and 6.",
                    marker="1.",
                ),
                Block(
                    "paragraph",
                    "3",
                    "The obligations set out in paragraphs 1 and 2, are without prejudice to other deployer obligations under Union or national law.",
                    marker="3.",
                ),
                Block(
                    "paragraph",
                    "7",
                    "Before putting into service or using a high-risk AI system at the workplace, deployers who are employers shall inform workers’ representatives and the affected workers that they will be subject to the use of the high-risk AI system.",
                    marker="7.",
                ),
            ],
        ),
        CH3,
        S3,
    )
    art53 = _in(
        article(
            "53",
            "Obligations for providers of general-purpose AI models",
            [
                Block(
                    "paragraph",
                    "1",
                    "Providers of general-purpose AI models shall:",
                    marker="1.",
                    children=[
                        _point("a", "draw up and keep up-to-date the technical documentation of the model;")
                    ],
                )
            ],
        ),
        Heading("chapter", "V", "GENERAL-PURPOSE AI MODELS"),
    )
    art113 = _in(
        article("113", "Entry into force and application", final),
        Heading("chapter", "XIII", "FINAL PROVISIONS"),
    )
    art6 = _in(
        article(
            "6",
            "Classification rules for high-risk AI systems",
            [
                Block(
                    "paragraph",
                    "1",
                    "An AI system shall be considered to be high-risk where it is covered by Annex I.",
                    marker="1.",
                ),
                Block(
                    "paragraph",
                    "2",
                    "AI systems referred to in Annex III shall be considered to be high-risk.",
                    marker="2.",
                ),
            ],
        ),
        CH3,
        Heading("section", "1", "Classification of AI systems as high-risk", "III"),
    )
    for unit, target in ((art6, "anx_I"), (art6, "anx_III")):
        at = unit.text.index(target.replace("anx_", "Annex "))
        unit.refs.append(CrossRef(target.replace("anx_", "Annex "), at, at + 9, "ai-act", target))
    return [_definitions(), art6, art9, art16, art26, art53, art113]


ORIGINAL_113 = [
    Block(
        "text",
        None,
        "This Regulation shall enter into force on the twentieth day following that of its publication in the Official Journal of the European Union.",
    ),
    Block("text", None, "It shall apply from 2 August 2026."),
    Block(
        "text",
        None,
        "However:",
        children=[
            _point("a", "Chapters I and II shall apply from 2 February 2025;"),
            _point(
                "b",
                "Chapter III Section 4, Chapter V, Chapter VII and Chapter XII and Article 78 shall apply from 2 August 2025, with the exception of Article 101;",
            ),
            _point(
                "c",
                "Article 6(1) and the corresponding obligations in this Regulation shall apply from 2 August 2027.",
            ),
        ],
    ),
]
AMENDED_C = _point(
    "c", "Chapter III, Sections 1, 2, and 3, with the exception of Article 6(5), shall apply from:"
)
AMENDED_C.children = [
    _point(
        "i",
        "2 December 2027 as regards AI systems classified as high-risk pursuant to Article 6(2) and Annex III; and",
    ),
    _point(
        "ii",
        "2 August 2028 as regards AI systems classified as high-risk pursuant to Article 6(1) and Annex I;",
    ),
]
AMENDED_113 = [
    *ORIGINAL_113[:2],
    Block("text", None, "However:", children=[*ORIGINAL_113[2].children[:2], AMENDED_C]),
]


def _by(items: list, pinpoint: str, role: str):  # type: ignore[no-untyped-def]
    found = [o for o in items if o.pinpoint == pinpoint and o.role == role]
    assert found, f"no {role} obligation at {pinpoint}: {[(o.pinpoint, o.role) for o in items]}"
    return found[0]


def test_the_subject_follows_leading_clauses_and_precedes_relative_ones() -> None:
    s = "Where a distributor considers that a high-risk AI system is not in conformity, it shall not make it available."
    assert subject_of(s, s.index("shall")) == "it"
    s = "Prior to placing a high-risk AI system on the market, importers shall ensure that the system is in conformity."
    assert subject_of(s, s.index("shall")) == "importers"


def test_deployers_of_high_risk_systems_are_read_from_article_3_and_the_subject() -> None:
    items = read_act("ai-act", "v", _act(ORIGINAL_113), "AI Act")
    o = _by(items, "26(1)", "deployer")
    assert (o.role_source, o.system, o.label) == ("Article 3(4)", "high-risk AI system", "Article 26(1)")
    assert o.sentence.startswith("Deployers of high-risk AI systems shall take appropriate")
    assert not [x for x in items if x.pinpoint == "26(3)"], "'are without prejudice' imposes nothing"
    # After a leading clause, "deployers who are employers" is still the deployer.
    assert _by(items, "26(7)", "deployer").role_source == "Article 3(4)"


def test_a_lead_in_gives_each_point_its_own_obligation_and_its_pointer() -> None:
    items = read_act("ai-act", "v", _act(ORIGINAL_113), "AI Act")
    a = _by(items, "16(a)", "provider")
    assert a.sentence == (
        "Providers of high-risk AI systems shall: ensure that their high-risk AI systems are compliant with "
        "the requirements set out in Section 2;"
    )
    assert "Chapter III, Section 2" in a.points_to  # the Section of Article 16's own chapter


def test_a_requirement_on_the_system_binds_the_role_pointing_to_it() -> None:
    items = read_act("ai-act", "v", _act(ORIGINAL_113), "AI Act")
    o = _by(items, "9(1)", "provider")
    assert o.role_source == "through Article 16(a), which points to it"


def test_general_purpose_ai_models_are_their_own_kind() -> None:
    items = read_act("ai-act", "v", _act(ORIGINAL_113), "AI Act")
    o = _by(items, "53(1)(a)", "provider")
    assert o.system == "general-purpose AI model"
    assert [a.date for a in o.applies_from] == ["2025-08-02"]


def test_dates_as_first_published_and_as_amended() -> None:
    original = read_act("ai-act", "2024-08-01", _act(ORIGINAL_113), "AI Act")
    amended = read_act("ai-act", "2026-07-27", _act(AMENDED_113), "AI Act")

    def dates(items: list, pin: str) -> dict[str, tuple[str, str]]:  # type: ignore[type-arg]
        return {a.scope: (a.date, a.pinpoint) for a in _by(items, pin, "deployer").applies_from}

    assert dates(original, "26(1)") == {
        "high-risk (Annex III)": ("2026-08-02", "113(2)"),
        "high-risk (Annex I)": ("2027-08-02", "113(3)(c)"),
    }
    assert dates(amended, "26(1)") == {
        "high-risk (Annex III)": ("2027-12-02", "113(3)(c)(i)"),
        "high-risk (Annex I)": ("2028-08-02", "113(3)(c)(ii)"),
    }


def test_an_exception_in_the_final_provisions_falls_back_to_the_general_date() -> None:
    rules = read_rules(_act(AMENDED_113), "AI Act")
    b = next(r for r in rules if r.pinpoint == "113(3)(b)")
    assert b.excluded.articles == {"101"}
    assert b.scope.sections == {("III", "4")} and {"V", "VII", "XII"} <= b.scope.chapters
    assert "III" not in b.scope.chapters  # "Chapter III Section 4" is that section only
    c = [r for r in rules if r.pinpoint.startswith("113(3)(c)")]
    assert {r.annex for r in c} == {"III", "I"} and all(r.excluded.articles == {"6(5)"} for r in c)
