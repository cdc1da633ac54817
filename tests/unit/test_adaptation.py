"""The adaptation's parts without the corpus: pairs read from a unit's references, the adapter's
training (deterministic, and it brings a text nearer its provision), the stored file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kb.adapt import Adaptation, adapter, build
from kb.adapt.pairs import pairs_of
from kb.document import Block, CrossRef, Unit


def unit(kind: str, uid: str, text: str, title: str = "", refs: list[CrossRef] | None = None) -> Unit:
    block = Block("text", None, text)
    u = Unit(kind=kind, id=uid, num=uid.split("_")[1], title=title, blocks=[block])  # type: ignore[arg-type]
    u.render()
    u.refs = refs or []
    return u


def ref(text: str, needle: str, unit_id: str | None, doc: str | None = "ai-act") -> CrossRef:
    start = text.index(needle)
    return CrossRef(text=needle, start=start, end=start + len(needle), doc=doc, unit=unit_id)


CITING = "Providers shall keep the technical documentation referred to in Article 11 up to date at all times."
TREATY = "Such exclusion is justified by Article 4(2) TEU and by the specificities of defence policy."
AMENDING = "In Article 11, paragraph 1 is replaced by the following text for providers:"


def units() -> dict[tuple[str, str], Unit]:
    return {
        ("ai-act", "art_11"): unit(
            "article", "art_11", "Technical documentation shall be drawn up.", "Technical documentation"
        ),
        ("ai-act", "art_18"): unit(
            "article", "art_18", CITING, "Documentation keeping", [ref(CITING, "Article 11", "art_11")]
        ),
        ("ai-act", "art_4"): unit("article", "art_4", "AI literacy.", "AI literacy"),
        ("ai-act", "rct_24"): unit("recital", "rct_24", TREATY, refs=[ref(TREATY, "Article 4(2)", "art_4")]),
        ("ai-act", "art_19"): unit(
            "article", "art_19", AMENDING, refs=[ref(AMENDING, "Article 11", "art_11")]
        ),
    }


def test_a_citing_sentence_is_a_pair_of_the_cited_provision_without_the_reference() -> None:
    citing = [p for p in pairs_of(units()) if p.kind == "citing"]
    assert [(p.unit, p.text) for p in citing] == [
        ("art_11", "Providers shall keep the technical documentation up to date at all times.")
    ]


def test_titles_are_pairs_and_a_treaty_article_or_an_instruction_is_not() -> None:
    pairs = pairs_of(units())
    assert ("Technical documentation", "art_11", "title") in {(p.text, p.unit, p.kind) for p in pairs}
    assert not [p for p in pairs if p.kind == "recital"]  # "Article 4(2) TEU" is the Treaty's
    assert pairs == pairs_of(units())  # the same units, the same pairs, in the same order


def test_the_adapter_is_deterministic_and_brings_a_text_nearer_its_provision() -> None:
    rng = np.random.default_rng(7)
    passages = rng.normal(size=(40, 16)).astype("float32")
    passages /= np.linalg.norm(passages, axis=1, keepdims=True)
    # Queries are their passage's vector turned away by a fixed rotation: what W can learn back.
    turn = np.linalg.qr(rng.normal(size=(16, 16)))[0].astype("float32")
    queries = passages[:30] @ turn
    positives = [np.array([i]) for i in range(30)]
    w = adapter.train(queries, positives, passages, regularisation=0.01, steps=200)
    assert np.array_equal(w, adapter.train(queries, positives, passages, regularisation=0.01, steps=200))
    before = np.mean([passages[i] @ queries[i] for i in range(30)])
    after = np.mean([passages[i] @ adapter.apply(w, queries[i]) for i in range(30)])
    assert after > before + 0.1
    # Strong regularisation keeps W the identity's neighbour.
    held = adapter.train(queries, positives, passages, regularisation=100.0, steps=200)
    assert np.linalg.norm(held - np.eye(16)) < np.linalg.norm(w - np.eye(16))


def test_the_adaptation_is_stored_and_its_adapter_cached_by_its_inputs(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)

    def encode(texts: list[str]) -> np.ndarray:
        v = np.array([rng.normal(size=8) for _ in texts], dtype="float32")
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    passages = encode(["a", "b", "c"])
    keys = [("ai-act", "art_11"), ("ai-act", "art_18"), ("ai-act", "art_4")]
    built = build(units(), encode, passages, keys, tmp_path)
    assert built.adapter is not None and built.adapter.shape == (8, 8)
    assert len(list(tmp_path.glob("adapter-*.npy"))) == 1
    built.save(tmp_path / "a.npz")
    read = Adaptation.read(tmp_path / "a.npz")
    assert read.view_unit.tolist() == ["art_11"] and read.view_kind.tolist() == ["citing"]
    assert np.array_equal(read.adapter, built.adapter)  # type: ignore[arg-type]
