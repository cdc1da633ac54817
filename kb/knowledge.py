"""KnowledgeBase: the one object every interface uses. It loads the model and the index once,
and is safe to call from many threads."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from kb import abstain, questions, versions
from kb.answer import compose, render, renumber
from kb.config import Settings, settings
from kb.conversation import interleave, resolve_follow_up
from kb.document import Block, Unit
from kb.embed import Embedder
from kb.errors import BadQuery, UnknownDocument, UnknownUnit
from kb.generate import Writer
from kb.index import IndexFiles
from kb.manifest import ActInfo, IndexManifest, VersionInfo
from kb.query_refs import act_names, pick_act, read_reference, refuse_outside
from kb.results import ActVersion, Answer, BlockOut, Hit, Provision, SearchResult, Turn
from kb.search import Rules, Searcher
from kb.search.blocks import find_block
from kb.search.pinned import extent
from kb.vocabulary import MAX_QUERY_CHARS, UNIT_KINDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from kb.generate import Restart
    from kb.results import Sentence


@dataclass
class Retrieval:
    question: str
    resolved: str  # the question read with the conversation
    result: SearchResult
    verdict: abstain.Verdict
    started: float
    view: View


@dataclass
class View:
    """The corpus as it reads in one version of each act: its units and a search over them."""

    versions: dict[str, VersionInfo]  # act id -> the version chosen
    units: dict[tuple[str, str], Unit]
    searcher: Searcher


class KnowledgeBase:
    """The acts in one index, searchable and answerable in any of their versions.

    Open it with `KnowledgeBase.open()` (raises IndexMissing or IndexIncompatible); `version` is
    the default text answered from: current, original or a date YYYY-MM-DD."""

    def __init__(
        self,
        files: IndexFiles,
        embedder: Embedder,
        version: str = versions.CURRENT,
        rules: Rules | None = None,
        writer: Writer | None = None,
    ) -> None:
        # numpy's BLAS threads keep spinning after each product and starve torch's on a small
        # machine: one BLAS thread halves search time on two cores (bench/query.py).
        threadpool_limits(1, user_api="blas")
        self.files = files
        self.embedder = embedder
        self.default_version = version
        self.rules = rules or Rules()
        self.writer = writer  # a language model that writes answers; None: extractive only
        self._views: dict[tuple[tuple[str, str], ...], View] = {}
        self._titles: dict[str, np.ndarray] = {}  # title vectors, shared by the views
        self._lock = threading.RLock()
        self._originals: dict[str, dict[str, Unit]] = {}
        self.view()  # the default one is built now, not on the first query
        questions.warm_up()

    @classmethod
    def open(cls, index_dir: Path | None = None, config: Settings | None = None) -> KnowledgeBase:
        config = config or settings()
        files = IndexFiles(index_dir or config.index_dir, expected_model=config.embed_model)
        embedder = Embedder.from_settings(config, files.manifest.model.name)
        embedder.load()  # now, not on the first query
        return cls(files, embedder, config.version, writer=Writer.from_settings(config))

    def view(self, version: str | None = None) -> View:
        """The acts as in force on a date, or in their `current` or `original` version."""
        chosen = versions.choose(self.acts, version or self.default_version)
        key = tuple(sorted((doc, v.id) for doc, v in chosen.items()))
        with self._lock:
            found = self._views.get(key)
            if found is None:
                units = {
                    (doc, unit_id): unit
                    for doc, v in chosen.items()
                    for unit_id, unit in self.files.units(doc, v.id).items()
                }
                searcher = Searcher(
                    self.files, self.embedder, units, chosen, self._titles, self.rules, self._original
                )
                found = self._views[key] = View(chosen, units, searcher)
        return found

    def _original(self, doc: str, unit_id: str) -> Unit | None:
        """A unit as first published (its act's first version), read once per act."""
        with self._lock:
            if doc not in self._originals:
                first = self._act(doc).versions[0].id
                self._originals[doc] = self.files.units(doc, first)
        return self._originals[doc].get(unit_id)

    @property
    def manifest(self) -> IndexManifest:
        return self.files.manifest

    @property
    def acts(self) -> list[ActInfo]:
        return self.files.manifest.acts

    def search(
        self,
        query: str,
        k: int = 10,
        docs: list[str] | None = None,
        kinds: list[str] | None = None,
        version: str | None = None,
    ) -> SearchResult:
        """The k best provisions for `query`, limited to the acts `docs` and unit kinds `kinds`,
        in `version`. Raises BadQuery, UnknownDocument."""
        docs = self._doc_ids(docs)
        self._check(query, docs, kinds)
        view = self.view(version)
        self._check_in_view(docs, view)
        return self._search(view, query.strip(), k, docs, kinds)

    def _search(
        self, view: View, query: str, k: int, docs: list[str] | None, kinds: list[str] | None = None
    ) -> SearchResult:
        """Search as the question reads: a long one by its question sentences, one in another
        language with a notice and every hit low confidence."""
        notices = []
        long = questions.focus(query, self._tokens, self.embedder.max_tokens)
        if long is not None:
            notices.append(long.notice)
        result = view.searcher.search(
            long.query if long else query,
            k=k,
            docs=docs,
            kinds=kinds,
            keywords=long.keywords if long else None,
        )
        language = questions.language_of(query)
        if language is not None:
            notices.append(
                f"The question seems to be in {language.name}. The knowledge base holds the English text "
                "of the acts and searches it in English, so these results are low confidence: ask in "
                "English, or configure a multilingual embedder (KB_EMBED_MODEL, see the README)."
            )
            for hit in result.hits:
                hit.low_confidence = True
        result.language = language.code if language else "en"
        result.notices = notices + result.notices
        return result

    def _tokens(self, text: str) -> int:
        return self.embedder.token_counts([text])[0]

    def ask(
        self,
        question: str,
        k: int = 5,
        docs: list[str] | None = None,
        history: list[Turn] | None = None,
        version: str | None = None,
    ) -> Answer:
        """A short answer built from the provisions that answer it, or a plain refusal with the
        nearest provisions when the acts do not answer it."""
        return self.finish(self.retrieve(question, k, docs, history, version), history)

    def retrieve(
        self,
        question: str,
        k: int = 5,
        docs: list[str] | None = None,
        history: list[Turn] | None = None,
        version: str | None = None,
    ) -> Retrieval:
        """The first half of `ask`: the question as understood, its hits, and whether to abstain."""
        started = time.perf_counter()
        docs = self._doc_ids(docs)
        self._check(question, docs, None)
        view = self.view(version)
        self._check_in_view(docs, view)
        question = question.strip()
        resolved = resolve_follow_up(question, history or [])
        result = self._search(view, resolved, k, docs)
        if resolved != question:
            # The earlier question says what "that" is; the follow-up says what is asked now.
            own = self._search(view, question, k, docs)
            result.hits = interleave(result.hits, own.hits)[:k]
        verdict = abstain.judge(resolved, result)
        if verdict.abstain or result.language != "en":
            for hit in result.hits:
                hit.low_confidence = True
        return Retrieval(question, resolved, result, verdict, started, view)

    def finish(self, r: Retrieval, history: list[Turn] | None = None) -> Answer:
        """The second half of `ask`: the answer from what `retrieve` found, written by the
        language model when one is configured (see `finish_stream`)."""
        answer = None
        for item in self.finish_stream(r, history):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None  # finish_stream always ends with the answer
        return answer

    def finish_stream(
        self, r: Retrieval, history: list[Turn] | None = None
    ) -> Iterator[Sentence | Restart | Answer]:
        """The answer's sentences as they are ready, then the whole answer. A declined question
        is never sent to the model; a generated answer falls back to the extractive one."""
        extractive = self._extractive(r)
        if self.writer is None or extractive.abstained or not extractive.citations:
            yield from extractive.sentences
            yield extractive
            return
        for item in self.writer.stream(r.question, extractive.citations, history, extractive):
            if isinstance(item, Answer):
                took = round((time.perf_counter() - r.started) * 1000, 1)
                item = item.model_copy(update={"took_ms": took})
            yield item

    def _extractive(self, r: Retrieval) -> Answer:
        hits = r.result.hits
        if r.verdict.abstain:
            sentences = []
            text = f"The acts in this knowledge base do not answer this. {r.verdict.reason} " + (
                "The closest provisions are listed below, with low confidence." if hits else ""
            )
        else:
            sentences, hits = renumber(compose(r.resolved, hits, self.embedder), hits)
            text = render(sentences)
        return Answer(
            question=r.question,
            answer=text.strip(),
            sentences=sentences,
            citations=hits,
            abstained=r.verdict.abstain,
            reason=r.verdict.reason,
            # "Cites …" names the versions of the sources; a declined answer cites nothing.
            versions=[] if r.verdict.abstain else self.versions(hits, r.view),
            notices=r.result.notices,
            language=r.result.language,
            resolved_question=r.resolved if r.resolved != r.question else None,
            took_ms=round((time.perf_counter() - r.started) * 1000, 1),
        )

    def versions(self, hits: list[Hit], view: View | None = None) -> list[ActVersion]:
        """The version of each act the hits cite, so an answer says which text it rests on."""
        view = view or self.view()
        docs = list(dict.fromkeys(h.doc for h in hits))
        out = []
        for doc in docs:
            a, v = self._act(doc), view.versions[doc]
            out.append(
                ActVersion(
                    doc=a.id,
                    short_name=a.short_name,
                    title=a.title,
                    celex=a.celex,
                    version=versions.describe(a, v),
                    date=a.date,
                    url=v.url,
                    in_force=v.in_force,
                    label=v.label,
                    unofficial=v.unofficial or None,
                )
            )
        return out

    def get(self, doc: str, unit: str, version: str | None = None) -> Unit:
        self._check_docs([doc])
        view = self.view(version)
        self._check_in_view([doc], view)
        found = view.units.get((doc, unit))
        if found is None:
            raise UnknownUnit(
                f"{self._act(doc).short_name} has no provision {unit!r} in the version in force from "
                f"{view.versions[doc].in_force} (try art_5, rct_27, anx_III, or another version)"
            )
        return found

    def provision(self, reference: str, doc: str | None = None, version: str | None = None) -> Provision:
        """A provision named the way people write it: "AI Act Art. 5(1)(f)", "data-act art_25".

        Raises BadQuery (names none, or an article both acts have), UnknownUnit (not there)."""
        view = self.view(version)
        in_view = [a for a in self.acts if a.id in view.versions]
        request = read_reference(reference, in_view, doc, held=self.acts)
        present = [d for d in request.docs if (d, request.unit) in view.units]
        where = extent(request.docs, request.unit, view.searcher.acts, view.units) if not present else ""
        chosen = pick_act(request, present, in_view, where)
        return self.provision_of(chosen, request.unit, request.pinpoint, version)

    def provision_of(
        self, doc: str, unit_id: str, pinpoint: str | None = None, version: str | None = None
    ) -> Provision:
        """Unit `unit_id` ("art_5") of act `doc` in full; `pinpoint` ("5(1)(f)") marks a part.
        Raises UnknownDocument or UnknownUnit."""
        unit = self.get(doc, unit_id, version)
        view = self.view(version)
        citer = view.searcher.citer
        cited = citer.cite(doc, unit)
        block = find_block(unit, pinpoint) if pinpoint else None
        return Provision(
            doc=doc,
            unit=unit.id,
            unit_kind=unit.kind,
            label=cited.label,
            title=unit.title,
            heading=cited.heading,
            url=cited.url,
            version=cited.version,
            version_date=cited.version_date,
            versions=[v.in_force for v in self._act(doc).versions],
            amended_by=cited.amended_by,
            unofficial=cited.unofficial,
            pages=cited.pages,
            text=unit.text,
            blocks=[_block_out(b) for b in unit.blocks],
            pinpoint=pinpoint if block is not None else None,
            pinpoint_text=unit.text[block.start : block.end] if block is not None else None,
            pinpoint_label=citer.cite(doc, unit, pinpoint, (block.start, block.end)).label if block else None,
            refers_to=citer.links(doc, unit),
            referred_by=citer.referred_by(doc, unit.id),
        )

    def _act(self, doc: str) -> ActInfo:
        return next(a for a in self.acts if a.id == doc)

    def _check(self, query: str, docs: list[str] | None, kinds: list[str] | None) -> None:
        if not query or not query.strip():
            raise BadQuery("The question is empty.")
        if len(query) > MAX_QUERY_CHARS:
            raise BadQuery(f"The question is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
        self._check_docs(docs or [])
        for kind in kinds or []:
            if kind not in UNIT_KINDS:
                raise BadQuery(f"Unknown kind {kind!r}; use one of: {', '.join(UNIT_KINDS)}.")

    def _check_in_view(self, docs: list[str] | None, view: View) -> None:
        for doc in docs or []:
            if doc not in view.versions:
                act = self._act(doc)
                first = act.versions[0].in_force if act.versions else "?"
                raise BadQuery(
                    f"{act.short_name} was not yet in force then; it entered into force on {first}."
                )

    def _doc_ids(self, docs: list[str] | None) -> list[str] | None:
        """Acts of a filter named by id or by any of their names ("dga", "DGA", "Data Governance
        Act"); a name that is none is kept, for `_check_docs` to report."""
        if not docs:
            return docs
        ids = {a.id for a in self.acts}
        names = act_names(self.acts)
        return [d if d in ids else names.get(d.strip().lower(), d) for d in docs]

    def _check_docs(self, docs: list[str]) -> None:
        known = [a.id for a in self.acts]
        for doc in docs:
            refuse_outside(doc, self.acts)  # "gdpr": an act not held, named as such
            if doc not in known:
                raise UnknownDocument(f"Unknown act {doc!r}; the index holds: {', '.join(known)}.")


def _block_out(block: Block) -> BlockOut:
    return BlockOut(
        kind=block.kind,
        num=block.num,
        marker=block.marker,
        text=block.text,
        children=[_block_out(c) for c in block.children],
    )
