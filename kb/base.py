"""KnowledgeBase: the one object every interface uses. It loads the model and the index once,
and is safe to call from many threads."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from kb import abstain, versions
from kb.answer import compose, render
from kb.config import Settings, settings
from kb.embed import Embedder
from kb.errors import BadQuery, UnknownDocument, UnknownUnit
from kb.generate import Writer
from kb.index import IndexFiles
from kb.manifest import ActInfo, IndexManifest, VersionInfo
from kb.model import Block, Unit
from kb.refs import citation_label, eurlex_url, find_query_refs, named_acts, paragraph_style
from kb.results import ActVersion, Answer, BlockOut, Hit, Provision, RefLink, SearchResult, Turn
from kb.search import Searcher, amendment_notes, find_block

if TYPE_CHECKING:
    from collections.abc import Iterator

    from kb.generate import Restart
    from kb.results import Sentence

MAX_QUERY_CHARS = 2000


@dataclass
class Retrieval:
    question: str
    resolved: str  # the question read with the conversation
    result: SearchResult
    verdict: abstain.Verdict
    started: float
    view: View


KINDS = ("article", "recital", "annex")


@dataclass
class View:
    """The corpus as it reads in one version of each act: its units and a search over them."""

    versions: dict[str, VersionInfo]  # act id -> the version chosen
    units: dict[tuple[str, str], Unit]
    searcher: Searcher


class KnowledgeBase:
    def __init__(
        self,
        files: IndexFiles,
        embedder: Embedder,
        version: str = versions.CURRENT,
        writer: Writer | None = None,
    ) -> None:
        # numpy's BLAS threads keep spinning after each product and starve torch's on a small
        # machine: one BLAS thread halves search time on two cores (bench/query.py).
        threadpool_limits(1, user_api="blas")
        self.files = files
        self.embedder = embedder
        self.default_version = version
        self.writer = writer  # a language model that writes answers; None: extractive only
        self._views: dict[tuple[tuple[str, str], ...], View] = {}
        self._titles: dict[str, np.ndarray] = {}  # title vectors, shared by the views
        self._lock = threading.Lock()
        self.view()  # the default one is built now, not on the first query

    @classmethod
    def open(cls, index_dir: Path | None = None, config: Settings | None = None) -> KnowledgeBase:
        config = config or settings()
        files = IndexFiles(index_dir or config.index_dir, expected_model=config.embed_model)
        embedder = Embedder(files.manifest.model.name)
        embedder.model  # noqa: B018 (load now, not on the first query)
        return cls(files, embedder, config.version, Writer.from_settings(config))

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
                searcher = Searcher(self.files, self.embedder, units, chosen, self._titles)
                found = self._views[key] = View(chosen, units, searcher)
        return found

    @property
    def units(self) -> dict[tuple[str, str], Unit]:
        return self.view().units

    @property
    def searcher(self) -> Searcher:
        return self.view().searcher

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
        self._check(query, docs, kinds)
        view = self.view(version)
        self._check_in_view(docs, view)
        return view.searcher.search(query.strip(), k=k, docs=docs, kinds=kinds)

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
        self._check(question, docs, None)
        view = self.view(version)
        self._check_in_view(docs, view)
        question = question.strip()
        resolved = resolve_follow_up(question, history or [])
        result = view.searcher.search(resolved, k=k, docs=docs)
        if resolved != question:
            # The earlier question says what "that" is; the follow-up says what is asked now.
            own = view.searcher.search(question, k=k, docs=docs)
            result.hits = _interleave(result.hits, own.hits)[:k]
        about = abstain.OTHER_INSTRUMENTS.sub(" ", resolved)
        pinned = any(h.match != "search" for h in result.hits)
        names_act = bool(named_acts(about, view.searcher.act_names))
        verdict = abstain.judge(resolved, result.top_similarity, names_act, pinned, result.notices)
        if verdict.abstain:
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
            sentences = compose(r.resolved, hits, self.embedder)
            text = render(sentences)
        return Answer(
            question=r.question,
            answer=text.strip(),
            sentences=sentences,
            citations=hits,
            abstained=r.verdict.abstain,
            reason=r.verdict.reason,
            versions=self.versions(hits, r.view),
            notices=r.result.notices,
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
        """A provision named the way people write it: "AI Act Art. 5(1)(f)", "data-act art_25"."""
        m = re.fullmatch(r"\s*([a-z0-9-]+)\s+((?:art|rct|anx)_\w+)\s*", reference)
        if m:
            return self.provision_of(m.group(1), m.group(2), version=version)
        view = self.view(version)
        refs = find_query_refs(reference, view.searcher.act_names)
        if not refs:
            raise BadQuery(
                f"{reference!r} names no provision; try “AI Act Art. 5(1)(f)” or “data-act art_25”."
            )
        ref = refs[0]
        docs = [doc or ref.doc] if (doc or ref.doc) else [a.id for a in self.acts]
        present = [d for d in docs if (d, ref.unit) in view.units]
        if not present:
            where = " or ".join(self._act(d).short_name for d in docs if d in {a.id for a in self.acts})
            raise UnknownUnit(f"{ref.text} does not exist in {where or 'the index'}.")
        if len(present) > 1:
            names = " and ".join(self._act(d).short_name for d in present)
            raise BadQuery(f"{ref.text} exists in both the {names}; name the act, e.g. “{ref.text} AI Act”.")
        return self.provision_of(present[0], ref.unit, ref.pinpoint, version)

    def provision_of(
        self, doc: str, unit_id: str, pinpoint: str | None = None, version: str | None = None
    ) -> Provision:
        unit = self.get(doc, unit_id, version)
        view = self.view(version)
        act = self._act(doc)
        chosen = view.versions[doc]
        block = find_block(unit, pinpoint) if pinpoint else None
        search = view.searcher
        out_links = search.refs(doc, unit, 0, len(unit.text))
        return Provision(
            doc=doc,
            unit=unit.id,
            unit_kind=unit.kind,
            label=citation_label(act.short_name, unit.kind, unit.num, None, paragraph_style(unit))
            + versions.amended_label(unit),
            title=unit.title,
            heading=search.heading(act, unit),
            url=eurlex_url(chosen.url if chosen.amended_by else act.url, unit.anchor),
            version=versions.describe(act, chosen),
            version_date=chosen.in_force,
            versions=[v.in_force for v in act.versions],
            amended_by=amendment_notes(unit),
            unofficial=search.unofficial(act, unit),
            pages=list(unit.pages) if unit.pages and not unit.amendments else None,
            text=unit.text,
            blocks=[_block_out(b) for b in unit.blocks],
            pinpoint=pinpoint if block is not None else None,
            pinpoint_text=unit.text[block.start : block.end] if block is not None else None,
            refers_to=out_links,
            referred_by=self._referred_by(doc, unit.id, view),
        )

    def _referred_by(self, doc: str, unit_id: str, view: View) -> list[RefLink]:
        incoming = view.searcher.incoming()
        links = []
        seen = set()
        for src_doc, src_id, text in incoming.get((doc, unit_id), []):
            if (src_doc, src_id) in seen:
                continue
            seen.add((src_doc, src_id))
            src = view.units[(src_doc, src_id)]
            act = self._act(src_doc)
            label = citation_label(act.short_name, src.kind, src.num, None, paragraph_style(src))
            links.append(
                RefLink(text=text, label=label, doc=src_doc, unit=src_id, url=eurlex_url(act.url, src.anchor))
            )
        return links

    def _act(self, doc: str) -> ActInfo:
        return next(a for a in self.acts if a.id == doc)

    def _check(self, query: str, docs: list[str] | None, kinds: list[str] | None) -> None:
        if not query or not query.strip():
            raise BadQuery("The question is empty.")
        if len(query) > MAX_QUERY_CHARS:
            raise BadQuery(f"The question is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
        self._check_docs(docs or [])
        for kind in kinds or []:
            if kind not in KINDS:
                raise BadQuery(f"Unknown kind {kind!r}; use one of: {', '.join(KINDS)}.")

    def _check_in_view(self, docs: list[str] | None, view: View) -> None:
        for doc in docs or []:
            if doc not in view.versions:
                act = self._act(doc)
                first = act.versions[0].in_force if act.versions else "?"
                raise BadQuery(
                    f"{act.short_name} was not yet in force then; it entered into force on {first}."
                )

    def _check_docs(self, docs: list[str]) -> None:
        known = [a.id for a in self.acts]
        for doc in docs:
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


_FOLLOW_UP = re.compile(
    r"^(and|also|but|what about|how about|then|so|for|same for|and what|what if)\b"
    r"|\b(that|this|those|these|it|they|them|such|there)\b",
    re.IGNORECASE,
)


def resolve_follow_up(question: str, history: list[Turn]) -> str:
    """Read a follow-up ("and for deployers?", "what are the fines for that?") together with
    the question it follows, so that retrieval knows what "that" is."""
    if not history:
        return question
    words = re.findall(r"[A-Za-z]+", question)
    if len(words) > 12 or not _FOLLOW_UP.search(question):
        return question
    return f"{history[-1].question.strip()} {question}"


def _interleave(first: list[Hit], second: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for pair in zip(first, second, strict=False):
        for hit in pair:
            if (hit.doc, hit.unit) not in seen:
                seen.add((hit.doc, hit.unit))
                out.append(hit)
    longer = first if len(first) > len(second) else second
    out.extend(h for h in longer[min(len(first), len(second)) :] if (h.doc, h.unit) not in seen)
    return out
