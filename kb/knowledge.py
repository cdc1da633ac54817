"""KnowledgeBase: the one object every interface uses. It loads the model and the index once,
and is safe to call from many threads."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from kb import abstain, language, messages, multilingual, outcome, translate, translated, versions
from kb.answer_language import in_language
from kb.arguments import act_ids, check_acts, check_in_force, check_question
from kb.config import Settings, settings
from kb.conversation import interleave
from kb.document import Unit
from kb.embed import Embedder
from kb.errors import UnknownUnit
from kb.generate import Writer
from kb.index import IndexFiles
from kb.manifest import ActInfo, IndexManifest
from kb.query import Query, Window, read
from kb.query_refs import pick_act, read_reference
from kb.results import (
    ActVersion,
    Answer,
    Documents,
    Hit,
    Provision,
    SearchResult,
    Sources,
    Turn,
    block_out,
)
from kb.retrieval import Retrieval, View
from kb.search import Rules, Searcher
from kb.search.blocks import find_block
from kb.search.pinned import extent

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator, Sequence

    from kb.citecheck.models import CheckReport
    from kb.generate import Restart
    from kb.results import Progress, Sentence


__all__ = ["KnowledgeBase", "Retrieval", "View"]


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
        translator: translate.Translator | None = None,
    ) -> None:
        # numpy's BLAS threads keep spinning after each product and starve torch's on a small
        # machine: one BLAS thread halves search time on two cores (bench/query.py).
        threadpool_limits(1, user_api="blas")
        self.files = files
        self.embedder = embedder
        self.default_version = version
        self.rules = rules or Rules()
        self.writer = writer  # a language model that writes answers; None: extractive only
        self.translator = translator  # translates questions not in English; None: not translated
        self._views: dict[tuple[tuple[str, str], ...], View] = {}
        self._titles: dict[str, np.ndarray] = {}  # title vectors, shared by the views
        self._lock = threading.RLock()
        self._originals: dict[str, dict[str, Unit]] = {}
        self.view()  # the default one is built now, not on the first query
        language.warm_up()

    @classmethod
    def from_settings(
        cls, config: Settings, index_dir: Path | None = None, embedder: Embedder | None = None
    ) -> KnowledgeBase:
        """The knowledge base as configured (index `index_dir` or KB_INDEX_DIR, KB_VERSION, KB_LLM_*):
        the one way the CLI, HTTP, Slack and MCP build it, so all answer from the same text.
        `embedder` is kept when it is the index's model (a reload). Raises IndexMissing or
        IndexIncompatible."""
        files = IndexFiles(index_dir or config.index_dir, expected_model=config.embed_model)
        name = files.manifest.model.name
        if embedder is None or embedder.name != name:
            embedder = Embedder.from_settings(config, name)
            embedder.load()  # now, not on the first query
        rules = Rules(multilingual=config.multilingual)
        off = config.translate == translate.OFF
        translator = None if off else translate.shared(config.translate, config.model_cache)
        return cls(files, embedder, config.version, rules, Writer.from_settings(config), translator)

    @classmethod
    def open(cls, index_dir: Path | None = None, config: Settings | None = None) -> KnowledgeBase:
        """`from_settings` with the process's settings unless `config` is given."""
        return cls.from_settings(config or settings(), index_dir)

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
        check_question(query, kinds)
        docs, view = self._scope(docs, version)
        return self._search(view, self._read(query, view), k, docs, kinds)

    def _scope(self, docs: list[str] | None, version: str | None) -> tuple[list[str] | None, View]:
        """The acts asked for, as ids, and the view of `version`; raises UnknownDocument for an
        act not held, BadQuery for one not yet in force in that version (kb/arguments.py)."""
        ids = act_ids(self.acts, docs)
        view = self.view(version)
        check_in_force(self.acts, ids, view.versions)
        return ids, view

    def _read(self, question: str, view: View, history: list[Turn] | None = None) -> Query:
        """`question` read once, against the acts of `view` (kb/query.py)."""
        return translated.finished(self._read_steps(question, view, history))

    def _read_steps(
        self, question: str, view: View, history: list[Turn] | None = None
    ) -> Generator[Progress, None, Query]:
        """`_read`, telling the progress of a translation (kb/translated.py `steps`)."""
        window = Window(self._tokens, self.embedder.max_tokens)
        query = read(question, view.searcher.lexicon, history or [], window)

        # Not in English: read through its English translation, where a translator is configured.
        def reread(text: str, turns: Sequence[Turn]) -> Query:
            return read(text, view.searcher.lexicon, turns, window)

        def terms(text: str) -> tuple[str, ...]:
            return translated.english_terms(view.searcher, text)

        return (yield from translated.steps(query, self.translator, reread, history or [], terms))

    def _search(
        self, view: View, query: Query, k: int, docs: list[str] | None, kinds: list[str] | None = None
    ) -> SearchResult:
        """Search as the question reads: a long one by its question sentences, one in another
        language with a notice, and every hit low confidence unless the multilingual encoder matched it."""
        result = view.searcher.search(query, k=k, docs=docs, kinds=kinds)
        searched_as_english = query.language and not query.translation and result.encoder != multilingual.NAME
        for hit in result.hits if searched_as_english else []:
            hit.low_confidence = True
        result.language = query.language.code if query.language else "en"
        result.translation, result.translated_by = query.translation or None, query.translated_by or None
        # One notice a fact: a question repeating "Article 114" does not get it once a mention.
        notices = multilingual.notices(query, result.encoder) + result.notices
        result.notices = [messages.localize(n, result.language) for n in dict.fromkeys(notices)]
        result.missing = list(dict.fromkeys(result.missing))
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
        return translated.finished(self.retrieve_steps(question, k, docs, history, version))

    def retrieve_steps(
        self, question: str, k: int = 5, docs: list[str] | None = None,
        history: list[Turn] | None = None, version: str | None = None,
    ) -> Generator[Progress, None, Retrieval]:  # fmt: skip
        """`retrieve`, telling each slow step before it runs (a question translated: kb/results.py
        `Progress`); returns what `retrieve` does. Raises as `retrieve`."""
        started = time.perf_counter()
        check_question(question)
        docs, view = self._scope(docs, version)
        query = yield from self._read_steps(question, view, history)
        result = self._search(view, query, k, docs)
        if query.own is not None:
            # The earlier question says what "that" is; the follow-up says what is asked now.
            own = self._search(view, query.own, k, docs)
            result.hits = interleave(result.hits, own.hits)[:k]
        verdict = abstain.judge(query, result)
        if verdict.abstain:  # (a question not in English searched in English: marked by _search)
            for hit in result.hits:
                hit.low_confidence = True
        return Retrieval(query, result, verdict, started, view)

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
        from kb.obligations.answer import answer as obligations

        listed = obligations(self, r)  # "what must we do?": the obligations of the role, listed
        if listed is not None:
            yield from listed.sentences
            yield listed
            return
        extractive = self._extractive(r)
        # An answer in part leads with the acts' own words on who settles the rest: not rewritten.
        if self.writer is None or extractive.outcome != "answered" or not extractive.citations:
            yield from extractive.sentences
            yield extractive
            return
        written = self.writer.stream(r.question, extractive.citations, history, extractive)
        # Written and checked in English; then in the question's language (kb/answer_language.py).
        for item in in_language(written, r.query.language, self.translator):
            if isinstance(item, Answer):
                took = round((time.perf_counter() - r.started) * 1000, 1)
                item = item.model_copy(update={"took_ms": took})
            yield item

    def _extractive(self, r: Retrieval) -> Answer:
        return outcome.extractive(r, self.embedder, self.versions(r.result.hits, r.view))

    def versions(self, hits: list[Hit], view: View | None = None) -> list[ActVersion]:
        """The version of each act the hits cite, so an answer says which text it rests on."""
        view = view or self.view()
        return versions.act_versions(self.acts, view.versions, list(dict.fromkeys(h.doc for h in hits)))

    def sources(self, r: Retrieval) -> Sources:
        """What the answer to `r` rests on, before it is written: its citations, the version of
        each act they cite, and whether it declines (a streamed answer's first event)."""
        # In the order the answer cites them (`renumber`), so a streamed marker [n] is the nth.
        hits = self._extractive(r).citations
        return Sources(
            citations=hits,
            versions=self.versions(hits, r.view),
            abstained=r.verdict.abstain,
            reason=messages.localize(outcome.reason(r.verdict, hits) or "", r.result.language) or None,
            outcome=r.verdict.outcome,
        )

    def documents(self) -> Documents:
        """The acts in the index, each with the version answered from by default."""
        return versions.documents_of(self.manifest, self.default_version)

    def check_citations(
        self, text: str, docs: list[str] | None = None, version: str | None = None
    ) -> CheckReport:
        """Every citation in `text` resolved in `version`, with a verdict on the sentence citing it
        (kb/citecheck). Raises BadQuery (empty or too long), UnknownDocument (unknown act)."""
        from kb.citecheck.checker import check_citations

        docs, _view = self._scope(docs, version)
        return check_citations(self, text, docs, version)

    def get(self, doc: str, unit: str, version: str | None = None) -> Unit:
        check_acts(self.acts, [doc])
        view = self.view(version)
        check_in_force(self.acts, [doc], view.versions)
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
            blocks=[block_out(b) for b in unit.blocks],
            pinpoint=pinpoint if block is not None else None,
            pinpoint_text=unit.text[block.start : block.end] if block is not None else None,
            pinpoint_label=citer.cite(doc, unit, pinpoint, (block.start, block.end)).label if block else None,
            refers_to=citer.links(doc, unit),
            referred_by=citer.referred_by(doc, unit.id),
        )

    def _act(self, doc: str) -> ActInfo:
        return next(a for a in self.acts if a.id == doc)
