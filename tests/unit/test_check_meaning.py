"""The checker against inverted law (kb/check_meaning.py, through kb/check.py), on the acts' own
words: AI Act Article 5(1)(c) and (f) (prohibitions with their lead-in, as the model gets them),
Article 26(1) (a deployer's obligation), Article 73(2) (a period), Data Act Article 4(1) (the
data holder towards the user) and Article 25(2)(d) (a notice period that "shall not exceed").

Each inverted sentence is one a model wrote or would write (issue #29's "This provision
specifically allows …", "Yes, a city council could use …"); each faithful one must stay."""

from __future__ import annotations

import pytest

from kb.check import Checker, Source
from kb.check_meaning import clauses, negations, stance, subject_role
from kb.generate import INSTRUCTIONS

LEAD_5 = "The following AI practices shall be prohibited:\n"
ART_5_1_F = Source(
    1,
    "AI Act, Article 5(1)(f)",
    LEAD_5 + "(f) the placing on the market, the putting into service for this specific purpose, or the "
    "use of AI systems to infer emotions of a natural person in the areas of workplace and education "
    "institutions, except where the use of the AI system is intended to be put in place or into the "
    "market for medical or safety reasons;",
)
ART_5_1_C = Source(
    2,
    "AI Act, Article 5(1)(c)",
    LEAD_5 + "(c) the placing on the market, the putting into service or the use of AI systems for the "
    "evaluation or classification of natural persons or groups of persons over a certain period of "
    "time based on their social behaviour or known, inferred or predicted personal or personality "
    "characteristics, with the social score leading to either or both of the following: (i) "
    "detrimental or unfavourable treatment of certain natural persons or groups of persons in social "
    "contexts that are unrelated to the contexts in which the data was originally generated or "
    "collected;",
)
ART_26_1 = Source(
    3,
    "AI Act, Article 26(1)",
    "1. Deployers of high-risk AI systems shall take appropriate technical and organisational measures "
    "to ensure they use such systems in accordance with the instructions for use accompanying the "
    "systems, pursuant to paragraphs 3 and 6.",
)
ART_73_2 = Source(
    4,
    "AI Act, Article 73(2)",
    "2. The report referred to in paragraph 1 shall be made immediately after the provider has "
    "established a causal link between the AI system and the serious incident or the reasonable "
    "likelihood of such a link, and, in any event, not later than 15 days after the provider or, "
    "where applicable, the deployer, becomes aware of the serious incident.",
)
DATA_4_1 = Source(
    5,
    "Data Act, Article 4(1)",
    "1. Where data cannot be directly accessed by the user from the connected product or related "
    "service, data holders shall make readily available data, as well as the relevant metadata "
    "necessary to interpret and use those data, accessible to the user without undue delay, of the "
    "same quality as is available to the data holder, easily, securely, free of charge, in a "
    "comprehensive, structured, commonly used and machine-readable format.",
)
DATA_25_2_D = Source(
    6,
    "Data Act, Article 25(2)(d)",
    "the contract referred to in paragraph 1 of this Article shall include at least the following:\n"
    "(d) a maximum notice period for initiation of the switching process, which shall not exceed two "
    "months;",
)


ART_113 = Source(
    7,
    "AI Act, Article 113",
    "It shall apply from 2 August 2026. However: (a) Chapters I and II shall apply from 2 February "
    "2025; (b) Chapter III Section 4, Chapter V, Chapter VII and Chapter XII and Article 78 shall "
    "apply from 2 August 2025, with the exception of Article 101;",
)
ART_3_60 = Source(
    8,
    "AI Act, Article 3, point (60)",
    "(60) ‘deep fake’ means AI-generated or manipulated image, audio or video content that resembles "
    "existing persons, objects, places, entities or events and would falsely appear to a person to "
    "be authentic or truthful;",
)


@pytest.fixture
def checker() -> Checker:
    return Checker(
        [ART_5_1_F, ART_5_1_C, ART_26_1, ART_73_2, DATA_4_1, DATA_25_2_D, ART_113, ART_3_60], INSTRUCTIONS
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The AI Act prohibits the use of AI systems to infer emotions of a natural person in the "
        "workplace [1].",
        "Emotion recognition at work is not allowed, except for medical or safety reasons [1].",
        "The exception covers AI systems put in place for medical or safety reasons [1].",
        "No, social scoring that leads to unfavourable treatment in unrelated contexts is prohibited [2].",
        "Deployers must take appropriate technical and organisational measures to use high-risk AI "
        "systems in accordance with the instructions for use [3].",
        "The provider must report a serious incident not later than 15 days after becoming aware of it [4].",
        "Data holders shall make the data accessible to the user free of charge and without undue delay [5].",
        "The maximum notice period for initiating the switching process shall not exceed two months [6].",
        "Chapter V of the AI Act applies from 2 August 2025 [7].",
        "A deep fake is AI-generated or manipulated image, audio or video content [8].",
    ],
)
def test_faithful_sentences_are_kept(checker: Checker, sentence: str) -> None:
    verdict = checker.check(sentence)
    assert verdict.passed, verdict.failures


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        (
            "This provision specifically allows the use of AI systems to read employees' facial "
            "expressions [1].",
            "permits what the provisions it cites prohibit",
        ),
        (
            "Yes, a city council could use an AI tool that rates residents on their everyday behaviour [2].",
            "permits what the provisions it cites prohibit",
        ),
        (
            "Employers are allowed to use AI systems to infer emotions of workers [1].",
            "permits what the provisions it cites prohibit",
        ),
        (
            "Deployers shall not take technical and organisational measures to use such systems in "
            "accordance with the instructions for use [3].",
            "prohibits what the provisions it cites do not",
        ),
        (
            "The maximum notice period for initiation of the switching process shall exceed two months [6].",
            "drops or adds a negation against the provision it paraphrases",
        ),
        (
            "Providers of high-risk AI systems shall take appropriate technical and organisational "
            "measures to use such systems in accordance with the instructions for use [3].",
            "makes the provider do what the provision asks of the deployer",
        ),
        (
            "Users shall make readily available data accessible to the data holder without undue "
            "delay, free of charge [5].",
            "makes the user do what the provision asks of the data holder",
        ),
        (
            "The importer must keep the instructions for use [3].",
            "names the importer, whom the provisions it cites do not",
        ),
        (
            "The report shall be made not later than 10 days after the provider becomes aware [4].",
            "states a period that the provisions it cites do not: 10 days",
        ),
        (
            "The contract must list at least 3 categories of exportable data [6].",
            "states the number 3, which the provisions it cites do not",
        ),
        (
            "Users are prohibited from accessing the data of the connected product [5].",
            "prohibits what the provisions it cites do not",
        ),
        (
            "Chapter V of the AI Act applies from 2 August 2026 [7].",
            "gives Chapter V the date 2 August 2026, which the provision gives another",
        ),
        (
            "Data holders may charge the user for making the data accessible [5].",
            "lets a charge be made where the provisions it cites say free of charge",
        ),
        (
            "A deep fake means AI-generated image, audio or video content that resembles existing "
            "natural persons or places [2].",
            "says what provision [8] says, not the provision it cites",
        ),
        (
            "Deployers must keep the logs [4].",  # a prompt's example, copied
            "shares too few words with the provisions it cites to be supported by them",
        ),
    ],
)
def test_inverted_law_is_removed(checker: Checker, sentence: str, reason: str) -> None:
    assert reason in checker.check(sentence).failures


def test_a_sentence_that_is_only_a_marker_says_nothing(checker: Checker) -> None:
    assert "says nothing: it is only a marker" in checker.check(" [1]").failures


def test_the_parts_read_the_acts_words() -> None:
    assert stance("It shall be prohibited to place such systems on the market.") == "prohibits"
    assert stance("Yes, you can do that.") == "permits"
    assert stance("It is allowed only where strictly necessary.") is None  # a condition
    assert negations("not later than 15 days") == 0 and negations("shall not exceed two months") == 1
    assert subject_role("Deployers of high-risk AI systems shall take measures") == "deployer"
    assert subject_role("The provider of data processing services shall provide assistance") == "provider"
    assert [c[:12] for c in clauses(ART_5_1_F.text)][-2:] == ["(f) the plac", "except where"]
