"""When the acts do not answer: other instruments, facts about the world, nothing close."""

from __future__ import annotations

from kb.abstain import MIN_SIMILARITY, Verdict
from kb.abstain import judge as judge_query
from kb.query import Lexicon, read
from kb.results import Hit, Outside, SearchResult
from tests.unit.test_answer import hit

LEXICON = Lexicon({"ai act": "ai-act", "data act": "data-act"})


def judge(question: str, found: SearchResult) -> Verdict:
    return judge_query(read(question, LEXICON), found)


def result(
    top: float = 0.6, named: list[str] | None = None, outside: list[str] | None = None, **kw: object
) -> SearchResult:
    return SearchResult(
        hits=kw.get("hits", []),  # type: ignore[arg-type]
        top_similarity=top,
        acts_named=named or [],
        outside=[Outside(name=n) for n in outside or []],
        missing=kw.get("missing", []),  # type: ignore[arg-type]
    )


def pinned(match: str) -> Hit:
    h = hit("AI Act, Article 5", "The following practices are prohibited.")
    h.match = match  # type: ignore[assignment]
    return h


def test_other_instruments_are_declined_unless_a_corpus_act_is_named() -> None:
    verdict = judge("What is the maximum GDPR fine?", result(outside=["GDPR"]))
    assert (
        verdict.abstain
        and verdict.reason == "The question is about GDPR, which is not in this knowledge base."
    )
    assert not judge(
        "How does the AI Act relate to the GDPR?", result(named=["ai-act"], outside=["GDPR"])
    ).abstain


def test_world_facts_and_far_questions_are_declined() -> None:
    assert judge("Which companies have been fined so far?", result()).abstain
    assert judge("Best pizza in Naples?", result(top=MIN_SIMILARITY - 0.01)).abstain
    assert not judge("Who must register high-risk systems?", result(top=MIN_SIMILARITY + 0.1)).abstain


def test_a_named_provision_is_answered_and_a_missing_one_declined() -> None:
    assert not judge("Article 5 AI Act", result(top=0.1, hits=[pinned("reference")])).abstain
    missing = ["Article 120 does not exist in AI Act."]
    verdict = judge("Article 120 AI Act", result(missing=missing))
    assert verdict.abstain and verdict.reason == "Article 120 does not exist in AI Act."
    # A provision that cites the other instrument is context, not an answer.
    assert judge("Art. 3 DMA", result(outside=["DMA"], hits=[pinned("citing")])).abstain
