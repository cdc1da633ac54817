"""What a question asks for (kb/asks.py), what a provision leaves to others (kb/delegation.py), and
the three outcomes kb/abstain.py draws from them, on provisions' real wording."""

from __future__ import annotations

from kb.abstain import judge
from kb.asks import asks_for, places
from kb.delegation import COMMISSION, MEMBER_STATES, OTHER_LAW, delegations, mentions
from kb.query import Lexicon, read
from kb.results import SearchResult
from tests.unit.test_answer import hit

LEXICON = Lexicon({"ai act": "ai-act", "data act": "data-act"})
# AI Act Art. 70(1), Art. 6(5) and Art. 53(1)(c), Data Act Art. 4(1): the acts' own words.
ART_70 = (
    "1. Each Member State shall establish or designate as national competent authorities at least one "
    "notifying authority and at least one market surveillance authority for the purposes of this Regulation."
)
ART_6_5 = (
    "5. The Commission shall, after consulting the European Artificial Intelligence Board (the ‘Board’), "
    "and no later than 2 February 2026, provide guidelines specifying the practical implementation of this "
    "Article."
)
ART_53 = (
    "(c) put in place a policy to comply with Union law on copyright and related rights, and in particular "
    "to identify and comply with a reservation of rights expressed pursuant to Article 4(3) of Directive "
    "(EU) 2019/790;"
)
DATA_4 = (
    "1. Where data cannot be directly accessed by the user from the connected product, data holders shall "
    "make readily available data accessible to the user without undue delay."
)


def outcome(question: str, *texts: str) -> tuple[str, int | None]:
    hits = [hit(f"AI Act, Article {i}", t) for i, t in enumerate(texts, start=1)]
    verdict = judge(read(question, LEXICON), SearchResult(hits=hits, top_similarity=0.6))
    return verdict.outcome, verdict.hit


def test_places_by_name_and_demonym_but_not_words() -> None:
    assert places("Which authority did the Dutch government pick, and what about Ireland?") == [
        "Ireland",
        "Netherlands",
    ]
    assert places("Can we serve turkey to the Jordanian chad?") == []


def test_what_a_question_asks_for() -> None:
    assert asks_for("What must a provider of a high-risk AI system document?") == {}
    assert asks_for("Has Austria already named its authority?")["world"]
    assert "world" not in asks_for("After a public body has received our data, may it keep it?")
    assert "world" not in asks_for("We have documented why our system is not high-risk. Enough?")
    assert "world" not in asks_for("Do we have to register the system?")
    assert asks_for("When will the Commission adopt the template?")["future"]
    assert asks_for("Is there an official template for the notice?")["instrument"] == ["official", "template"]
    assert asks_for("Who holds the copyright in its output?")["other-law"] == ["copyright"]
    assert asks_for("What did the corrigendum change?")["corrigendum"] == ["corrigendum"]


def test_delegations_are_read_from_the_acts_own_words() -> None:
    assert [d.to for d in delegations(ART_70)] == [MEMBER_STATES]
    assert [d.to for d in delegations(ART_6_5)] == [COMMISSION]
    assert delegations(DATA_4) == ()
    own, referred = mentions(ART_53, "Copyright")
    assert not own and referred is not None and referred.to == OTHER_LAW


def test_a_national_authority_is_answered_in_part_by_the_provision_that_delegates() -> None:
    assert outcome("Which authority has Ireland designated?", DATA_4, ART_70) == ("in_part", 1)
    assert outcome("Which authority handles this in my country?", ART_70) == ("in_part", 0)


def test_a_country_fact_with_nothing_delegated_is_declined() -> None:
    assert outcome("Which authority has Ireland designated?", DATA_4) == ("declined", None)


def test_a_future_act_is_answered_in_part_by_the_empowerment_or_declined() -> None:
    assert outcome("Will the Commission publish guidelines on this?", DATA_4, ART_6_5) == ("in_part", 1)
    assert outcome("Will the Commission merge the two acts next year?", DATA_4) == ("declined", None)


def test_another_field_of_law_is_declined_or_answered_in_part_by_a_reference() -> None:
    assert outcome("How is VAT charged on data sales?", DATA_4) == ("declined", None)
    assert outcome("Who holds the copyright in its output?", DATA_4, ART_53) == ("in_part", 1)


def test_a_question_about_the_law_itself_is_answered_even_beside_a_delegation() -> None:
    assert outcome("What must the data holder make available to the user?", ART_70, DATA_4) == (
        "answered",
        None,
    )
