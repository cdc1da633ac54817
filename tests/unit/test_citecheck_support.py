"""The mechanical half of citation checking, without a model or an index: finding citations and
their claims in a text, and the figure, modality and role checks."""

from __future__ import annotations

from kb.citecheck.claims import find_citations
from kb.citecheck.support import mechanical
from kb.query_refs import act_names
from tests.unit.conftest import act_info

ACTS = [act_info("ai-act", "AI Act", aliases=["AIA"]), act_info("data-act", "Data Act")]
NAMES = act_names(ACTS)
ROLES = {"provider", "deployer", "importer"}


def test_citations_with_their_sentences_offsets_and_claims() -> None:
    text = "Intro. Under Article 26(6) of the AI Act, deployers keep logs [1]. Data Act Art. 25 applies too."
    found = find_citations(text, ACTS, NAMES)
    assert [(c.doc, c.unit, c.pinpoint) for c in found] == [
        ("ai-act", "art_26", "26(6)"),
        ("data-act", "art_25", None),
    ]
    first = found[0]
    assert text[first.start : first.end] == "Article 26(6)"
    assert text[first.sentence_start : first.sentence_end] == first.sentence
    assert first.claim == "deployers keep logs"  # citation, act name, marker and "Under … of the" gone


def test_an_act_named_earlier_binds_a_bare_citation_and_links_are_read() -> None:
    text = (
        "The Data Act covers switching. Article 23 sets the duties. "
        "See https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32016R0679#art_30 and "
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj#art_5."
    )
    found = find_citations(text, ACTS, NAMES)
    assert [(c.doc, c.unit) for c in found] == [("data-act", "art_23"), (None, "art_30"), ("ai-act", "art_5")]
    assert found[1].external is not None and found[1].external.url.endswith("CELEX:32016R0679")


def test_a_figure_the_span_does_not_state_is_not_supported() -> None:
    span = "Deployers shall keep the logs for a period of at least six months."
    assert mechanical("deployers keep logs for six months", span, ROLES) is None
    verdict = mechanical("deployers keep logs for three months", span, ROLES)
    assert verdict is not None and verdict.verdict == "not_supported" and "three months" in verdict.why
    assert mechanical("fines reach EUR 15 000 000", "up to EUR 35 000 000", ROLES) is not None
    assert mechanical("fines reach €35 million", "up to EUR 35 000 000", ROLES) is None


def test_permission_against_a_prohibition_and_release_against_a_duty() -> None:
    ban = "The following AI practices shall be prohibited: the use of emotion recognition at work."
    assert mechanical("employers are allowed to use emotion recognition", ban, ROLES) is not None
    assert mechanical("emotion recognition at work is prohibited", ban, ROLES) is None
    assert mechanical("it is allowed only where medical reasons apply", ban, ROLES) is None  # an exception
    duty = "The provider shall draw up technical documentation."
    assert mechanical("providers do not have to draw up documentation", duty, ROLES) is not None


def test_a_role_the_span_does_not_address() -> None:
    span = "Deployers shall inform workers' representatives before putting the system into service."
    verdict = mechanical("providers must inform workers' representatives", span, ROLES)
    assert verdict is not None and "deployer" in verdict.why
    assert mechanical("deployers must inform workers' representatives", span, ROLES) is None
    assert mechanical("employers must inform workers", span, ROLES) is None  # no role named: no verdict
    # A role the claim names without putting the duty on it is no mismatch.
    assert mechanical("providers must appoint an importer", "Providers shall appoint …", ROLES) is None
