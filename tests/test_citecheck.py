"""Citation checking on the real index: claims written for these tests (none from an eval file),
each a kind of mistake documents make, and the right ones."""

from __future__ import annotations

import pytest

from kb.citecheck.models import CitationCheck
from kb.errors import BadQuery
from kb.knowledge import KnowledgeBase


def only(knowledge: KnowledgeBase, text: str, version: str | None = None) -> CitationCheck:
    report = knowledge.check_citations(text, version=version)
    assert len(report.citations) == 1, report.citations
    return report.citations[0]


def test_a_paragraph_that_does_not_exist_is_not_found_with_what_the_article_has(
    knowledge: KnowledgeBase,
) -> None:
    c = only(knowledge, "Article 12(4) of the AI Act requires logs to be kept in a tamper-proof format.")
    assert (c.status, c.verdict) == ("not_found", "not_supported")
    assert "paragraphs 1 to 3" in c.reason
    assert c.reference == "Article 12(4)"


def test_a_real_article_cited_for_another_rule_is_flagged_and_the_right_one_suggested(
    knowledge: KnowledgeBase,
) -> None:
    c = only(
        knowledge,
        "Under Article 10 of the AI Act, an employer must tell the workers' representatives before it "
        "puts a high-risk AI system into use at the workplace.",
    )
    assert c.status == "resolved" and c.resolved is not None and c.resolved.unit == "art_10"
    assert c.verdict in ("not_supported", "unverified")  # never "supported"; the suggestion says more
    assert any(s.unit == "art_26" for s in c.suggestions), [s.label for s in c.suggestions]


def test_a_wrong_period_is_not_supported(knowledge: KnowledgeBase) -> None:
    c = only(
        knowledge,
        "Deployers of high-risk AI systems must keep the logs for at least three months "
        "(Article 26(6) of the AI Act).",
    )
    assert c.verdict == "not_supported"
    assert "three months" in c.why


def test_a_correct_claim_is_supported_with_the_provisions_words(knowledge: KnowledgeBase) -> None:
    c = only(
        knowledge,
        "Deployers of high-risk AI systems must keep the logs the system generates for at least six "
        "months (Article 26(6) of the AI Act).",
    )
    assert (c.status, c.verdict) == ("resolved", "supported")
    assert c.resolved is not None and c.resolved.label.startswith("AI Act, Article 26(6)")
    assert c.quote and "six months" in c.quote
    assert not c.suggestions


def test_a_permission_where_the_act_prohibits_is_not_supported(knowledge: KnowledgeBase) -> None:
    wrong = only(
        knowledge, "Art. 5(1)(f) AIA allows an employer to use emotion recognition on its employees."
    )
    assert wrong.verdict == "not_supported" and "prohibits" in wrong.why
    right = only(
        knowledge,
        "Art. 5(1)(f) AIA prohibits inferring the emotions of employees at work, unless it is done for "
        "medical or safety reasons.",
    )
    assert right.verdict == "supported"


def test_a_duty_addressed_to_the_wrong_role_is_not_supported(knowledge: KnowledgeBase) -> None:
    c = only(
        knowledge,
        "Article 26(7) of the AI Act requires providers to inform workers' representatives before a "
        "high-risk AI system is put into service at the workplace.",
    )
    assert c.verdict == "not_supported" and "deployer" in c.why


def test_a_citation_of_an_act_outside_the_index_says_so_with_its_link(knowledge: KnowledgeBase) -> None:
    c = only(knowledge, "Article 35 GDPR requires a data protection impact assessment for such systems.")
    assert (c.status, c.verdict) == ("outside", "unverified")
    assert c.outside_url and c.outside_url.startswith("https://eur-lex.europa.eu/")


def test_each_occurrence_is_judged_on_its_own_including_links(knowledge: KnowledgeBase) -> None:
    text = (
        "Article 12(4) of the AI Act requires tamper-proof logs. As Article 12(4) of the AI Act puts it, "
        "logs are sealed (https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1689#art_120). "
        "Data Act Article 25(2)(d) caps the notice period for starting a switch at two months."
    )
    report = knowledge.check_citations(text)
    got = [(c.reference[:13], c.status, c.verdict) for c in report.citations]
    assert got[:3] == [
        ("Article 12(4)", "not_found", "not_supported"),
        ("Article 12(4)", "not_found", "not_supported"),
        ("https://eur-l", "not_found", "not_supported"),
    ]
    # The right one is not refuted by the wrong ones around it (too short a claim to be sure of).
    assert got[3][:2] == ("Article 25(2)", "resolved") and got[3][2] != "not_supported"
    starts = [c.start for c in report.citations]
    assert starts == sorted(starts) and len(set(starts)) == 4
    assert all(text[c.start : c.end] == c.reference for c in report.citations)
    assert report.counts["not_found"] == 3 and report.counts["resolved"] == 1


def test_a_claim_right_only_as_first_published_says_so(knowledge: KnowledgeBase) -> None:
    text = (
        "Under Article 57(1) of the AI Act, each Member State must have at least one AI regulatory "
        "sandbox operational by 2 August 2026."
    )
    now = only(knowledge, text, version="current")
    assert now.verdict == "not_supported" and "2 August 2026" in now.why
    assert now.version_note and "first published" in now.version_note and "supported" in now.version_note
    then = only(knowledge, text, version="original")
    assert then.verdict == "supported"


def test_a_bare_article_both_acts_have_is_ambiguous_until_an_act_is_named(knowledge: KnowledgeBase) -> None:
    assert only(knowledge, "Article 12 requires record-keeping.").status == "ambiguous"
    named = knowledge.check_citations("The AI Act is strict on logs. Article 12 requires record-keeping.")
    assert [c.resolved.doc for c in named.citations if c.resolved] == ["ai-act"]


def test_a_text_without_citations_and_an_empty_text(knowledge: KnowledgeBase) -> None:
    assert knowledge.check_citations("Nothing here cites a provision.").citations == []
    with pytest.raises(BadQuery):
        knowledge.check_citations("   ")
