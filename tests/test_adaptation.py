"""The adaptation to the acts (kb/adapt/) on the real index: ingest builds it from the acts
themselves, and a question in other words than the provision's is found through the acts' own
sentences about it (a recital, a citing sentence). The question below was written from the Data
Act's recitals and its sentences citing Article 4, not taken from any question set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb.adapt import ADAPTATION_FILE, Adaptation
from kb.adapt.pairs import KINDS, pairs_of
from kb.knowledge import KnowledgeBase
from kb.search import Rules

# Data Act, Article 4 ("Obligations … the user's right to access and use data") in a
# manufacturer's words: it never says "user", "data holder" or "make available".
PARAPHRASE = (
    "Can a sensor manufacturer stop a customer from handing the readings of their device to a repair shop?"
)


def rank(kb: KnowledgeBase, question: str, doc: str, unit: str) -> int:
    units = [(h.doc, h.unit) for h in kb.search(question, k=10, version="original").hits]
    return units.index((doc, unit)) if (doc, unit) in units else len(units)


def test_ingest_builds_the_adaptation_from_every_act(knowledge: KnowledgeBase, index_dir: Path) -> None:
    adaptation = Adaptation.read(index_dir / ADAPTATION_FILE)
    view = knowledge.view("original")
    pairs = pairs_of(view.units)
    assert {p.kind for p in pairs} == set(KINDS)
    assert {p.doc for p in pairs if p.kind == "citing"} >= {"ai-act", "data-act"}
    # A citing sentence, without its reference, is a view of the cited provision.
    art_11 = [t for t, u in zip(adaptation.view_text, adaptation.view_unit, strict=True) if u == "art_11"]
    assert any("technical documentation" in t and "Article 11" not in t for t in art_11)
    every = set(zip(adaptation.view_doc.tolist(), adaptation.view_unit.tolist(), strict=True))
    assert every <= set(view.units) | set(knowledge.view("current").units)
    # The adapter is learned near the identity (its ablation: docs/ranking.md, "Adaptation").
    assert adaptation.adapter is not None
    assert 0 < np.linalg.norm(adaptation.adapter - np.eye(adaptation.adapter.shape[0])) < 5


@pytest.mark.parametrize("rules", [Rules(), Rules(views=0.25)], ids=["as shipped", "views"])
def test_a_paraphrase_is_found_through_the_acts_own_sentences(knowledge: KnowledgeBase, rules: Rules) -> None:
    kb = KnowledgeBase(knowledge.files, knowledge.embedder, knowledge.default_version, rules)
    alone = KnowledgeBase(
        knowledge.files, knowledge.embedder, knowledge.default_version, Rules(recital_lend=0.0)
    )
    without = rank(alone, PARAPHRASE, "data-act", "art_4")
    found = rank(kb, PARAPHRASE, "data-act", "art_4")
    # The recitals explaining Article 4 lift it into the first three (the act prior leaves
    # another Data Act article above it); its citing sentences, as views, lift it one more.
    assert without >= 5 and found <= (1 if rules.views else 2)
