"""What the ranking knows about the acts beyond their passages, computed once per view: which
unit each passage belongs to, unit titles as vectors, which articles each recital explains,
and which units say when an act applies."""

from __future__ import annotations

import re

import numpy as np

from kb.adapt import Adaptation
from kb.adapt.search import Views, adaptation, views_of
from kb.document import Unit
from kb.embed import Embedder
from kb.index import IndexFiles
from kb.manifest import VersionInfo

# Each recital lends its score to the articles nearest to it in meaning. Two, because a recital
# often explains a rule and the article it builds on; see docs/ranking.md for the ablation.
RECITAL_LINKS = 2
# The final provisions that say when an act applies, recognised by their titles ("Entry into
# force and application", "Transitional provisions") in every act of the corpus.
TEMPORAL_TITLE = re.compile(r"entry into force|transitional", re.IGNORECASE)


class Structure:
    """What the ranking knows about the acts beyond their passages: which unit each passage
    belongs to, unit titles as vectors, which articles each recital explains, and which
    units say when the act applies."""

    def __init__(self) -> None:
        self.unit_keys: list[tuple[str, str]] = []
        self.unit_position: dict[tuple[str, str], int] = {}
        self.passage_vectors = np.zeros((0, 0), dtype="float32")
        self.passage_unit = np.zeros(0, dtype=int)
        self.passage_doc = np.zeros(0, dtype=object)
        self.passage_kind = np.zeros(0, dtype=object)
        self.unit_passages: list[np.ndarray] = []
        self.unit_is_instruction = np.zeros(0, dtype=bool)  # units of an amending act that amend
        self.unit_is_amending = np.zeros(0, dtype=bool)  # every unit of an amending act
        self.unit_doc = np.zeros(0, dtype=object)  # act id of each unit
        self.title_vectors = np.zeros((0, 0), dtype="float32")
        self.recital_of = np.zeros(0, dtype=int)
        self.article_of = np.zeros(0, dtype=int)
        self.temporal = np.zeros(0, dtype=bool)  # units on entry into force, application, transition
        self.passage_ids = np.zeros(0, dtype=int)  # this view's passages, as rows of the index
        self.local = np.zeros(0, dtype=int)  # index row -> position in this view, -1 if not in it
        self.views: Views | None = None  # the acts' own texts about each unit (kb/adapt/)
        self.adaptation: Adaptation | None = None  # the index's, when it has one (kb/adapt/)

    @classmethod
    def build(
        cls,
        files: IndexFiles,
        embedder: Embedder,
        units: dict[tuple[str, str], Unit],
        versions: dict[str, VersionInfo],
        titles: dict[str, np.ndarray],
    ) -> Structure:
        st = cls()
        with files.db() as con:
            every = con.execute(
                "SELECT id, doc, unit, unit_kind, versions FROM passages ORDER BY id"
            ).fetchall()
        rows = [r for r in every if r["doc"] in versions and versions[r["doc"]].id in r["versions"].split()]
        st.passage_ids = np.array([r["id"] for r in rows], dtype=int)
        st.local = np.full(len(every), -1, dtype=int)
        st.local[st.passage_ids] = np.arange(len(rows))
        st.unit_keys = list(units)
        position = st.unit_position = {key: i for i, key in enumerate(st.unit_keys)}
        st.passage_unit = np.array([position[(r["doc"], r["unit"])] for r in rows])
        st.passage_doc = np.array([r["doc"] for r in rows])
        st.passage_kind = np.array([r["unit_kind"] for r in rows])
        st.passage_vectors = files.all_vectors()[st.passage_ids]
        st.unit_passages = [np.flatnonzero(st.passage_unit == i) for i in range(len(st.unit_keys))]
        instructions = {(a.id, u) for a in files.manifest.acts for u in a.amending_units}
        st.unit_is_instruction = np.array([key in instructions for key in st.unit_keys], dtype=bool)
        # An amending act's own entry into force is not when the rules it changed apply: those
        # dates stand in the amended act's final provisions.
        amending = {a.id for a in files.manifest.acts if a.amends}
        st.unit_is_amending = np.array([key[0] in amending for key in st.unit_keys], dtype=bool)
        st.unit_doc = np.array([key[0] for key in st.unit_keys])
        st.temporal = np.array(
            [
                TEMPORAL_TITLE.search(units[key].title) is not None and key[0] not in amending
                for key in st.unit_keys
            ]
        )

        unit_titles = [
            f"{units[key].label}: {units[key].title}" if units[key].title else "" for key in st.unit_keys
        ]
        missing = [t for t in dict.fromkeys(unit_titles) if t and t not in titles]
        if missing:
            titles.update(zip(missing, embedder.encode(missing), strict=True))
        zero = np.zeros(files.vectors.d, dtype="float32")
        st.title_vectors = np.array([titles[t] if t else zero for t in unit_titles], dtype="float32")

        # Link each recital to the articles closest to it in meaning, within the same act.
        article_units = [i for i, key in enumerate(st.unit_keys) if units[key].kind == "article"]
        pairs_r, pairs_a = [], []
        for r, key in enumerate(st.unit_keys):
            if units[key].kind != "recital" or len(st.unit_passages[r]) == 0:
                continue
            same_act = [a for a in article_units if st.unit_keys[a][0] == key[0]]
            if not same_act:
                continue
            rv = st.passage_vectors[st.unit_passages[r]].mean(axis=0)
            scores = np.array([(st.passage_vectors[st.unit_passages[a]] @ rv).max() for a in same_act])
            for j in np.argsort(-scores)[:RECITAL_LINKS]:
                pairs_r.append(r)
                pairs_a.append(same_act[j])
        st.adaptation = adaptation(files)
        st.views = views_of(st.adaptation, position)
        st.recital_of = np.array(pairs_r, dtype=int)
        st.article_of = np.array(pairs_a, dtype=int)
        return st
