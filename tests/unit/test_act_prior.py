"""The act prior (kb/search/act_prior.py): P(act | question) from the acts' own words, and the
weighted reciprocal-rank fusion that uses it. Small texts in the acts' style; the real index's
behaviour is tested in tests/test_other_acts.py."""

from __future__ import annotations

import numpy as np

from kb.search.act_prior import ActPrior, fold, terms_of, weighted_rrf, within

TEXTS = [
    ("ai-act", "The deployer of a high-risk AI system shall monitor its operation."),
    ("ai-act", "The provider shall draw up technical documentation of the high-risk AI system."),
    ("amending", "In Article 26, the deployer shall inform the provider of serious incidents."),
    ("data-act", "The data holder shall make product data available to the user without undue delay."),
    ("data-act", "A data holder may agree with the user on compensation for making data available."),
    ("gdpr", "The controller shall notify the personal data breach to the supervisory authority."),
    ("gdpr", "The controller and the processor shall designate a data protection officer."),
]
DEFINED = {
    "deployer": ["ai-act"],
    "data holder": ["data-act"],
    "controller": ["gdpr"],
    "high risk ai system": ["ai-act"],
    "personal data breach": ["gdpr"],
}
ACT_OF = fold({"ai-act": None, "amending": "ai-act", "data-act": None, "gdpr": None})


def _prior() -> ActPrior:
    return ActPrior.build(TEXTS, DEFINED, ACT_OF, defined_weight=1.4)


def test_an_amending_act_counts_as_the_act_it_amends() -> None:
    assert ACT_OF == {"ai-act": "ai-act", "amending": "ai-act", "data-act": "data-act", "gdpr": "gdpr"}
    assert _prior().acts == ["ai-act", "data-act", "gdpr"]


def test_each_acts_defined_terms_point_to_it() -> None:
    prior = _prior()
    for question, act in {
        "What must a deployer do?": "ai-act",
        "Can the data holder ask for compensation?": "data-act",
        "Who tells the supervisory authority about a breach, the controller?": "gdpr",
    }.items():
        p = prior.probabilities(question)
        assert prior.acts[int(np.argmax(p))] == act, (question, p)
        assert abs(p.sum() - 1) < 1e-9


def test_a_question_without_the_acts_words_leaves_every_act_as_likely() -> None:
    p = _prior().probabilities("Is it raining in Lisbon today?")
    assert np.allclose(p, 1 / 3)


def test_the_nearest_passages_vote() -> None:
    prior = _prior()
    alone = prior.probabilities("What must be documented?")
    voted = prior.probabilities("What must be documented?", ["gdpr"] * 10)
    assert voted[prior.position["gdpr"]] > alone[prior.position["gdpr"]]


def test_terms_are_content_words_made_singular() -> None:
    assert terms_of("The providers of 3 AI systems") == ["provider", "ai", "system"]


def test_with_weights_of_one_the_fusion_is_reciprocal_rank_fusion() -> None:
    ones = np.ones(5)
    assert np.allclose(weighted_rrf(ones, 60), 1 / (60 + np.arange(5)))
    order = np.arange(10, 20)
    assert within(order, np.ones(10), 4).tolist() == [10, 11, 12, 13]


def test_an_unlikely_acts_passages_take_little_of_the_others_ranks() -> None:
    # Ranks: likely, unlikely, likely: the second likely passage scores as if it ranked second.
    shares = weighted_rrf(np.array([1.0, 0.0, 1.0]), 60)
    assert shares.tolist() == [1 / 60, 0.0, 1 / 61]
    assert within(np.array([7, 8, 9]), np.array([1.0, 0.0, 1.0]), 2).tolist() == [7, 8, 9]
