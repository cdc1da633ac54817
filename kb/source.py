"""The contract of a knowledge source: what the CLI (and any program) may ask, whether the
knowledge base is loaded in this process (`KnowledgeBase`) or answers from a server
(`RemoteKB`, `kb … --api URL`).

Both implement every method with the same parameters, defaults and result models, and raise the
same errors (kb.errors) for the same input; tests/unit/test_contract.py holds the signatures to
this protocol and tests/test_parity.py holds the behaviour, call by call, over one index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from kb.citecheck.models import CheckReport
    from kb.results import Answer, Documents, Provision, SearchResult, Turn


@runtime_checkable
class KnowledgeSource(Protocol):
    """Search, answers and provisions of the acts in one index.

    `version` is the text answered from: `current` (the law in force today), `original` (as first
    published) or a date YYYY-MM-DD; None is the source's default (KB_VERSION where it runs).
    `docs` limits to acts, by id or any of their names. Errors: BadQuery (bad input, with what to
    change), UnknownDocument, UnknownUnit, IndexMissing; a remote source also ServerUnavailable."""

    def search(
        self,
        query: str,
        k: int = 10,
        docs: list[str] | None = None,
        kinds: list[str] | None = None,
        version: str | None = None,
    ) -> SearchResult:
        """The k best provisions for `query`, of the unit kinds `kinds` (article, recital, annex)."""
        ...

    def ask(
        self,
        question: str,
        k: int = 5,
        docs: list[str] | None = None,
        history: list[Turn] | None = None,
        version: str | None = None,
    ) -> Answer:
        """A short answer citing at most k provisions; `history` is the conversation so far,
        oldest first, so that a follow-up ("and for deployers?") is read with it."""
        ...

    def provision(self, reference: str, doc: str | None = None, version: str | None = None) -> Provision:
        """A provision named as people write it ("AI Act Art. 5(1)(f)", "data-act art_25");
        `doc` says which act a reference without one means."""
        ...

    def provision_of(
        self, doc: str, unit_id: str, pinpoint: str | None = None, version: str | None = None
    ) -> Provision:
        """Unit `unit_id` ("art_5") of act `doc`; `pinpoint` ("5(1)(f)") marks a part of it."""
        ...

    def check_citations(
        self, text: str, docs: list[str] | None = None, version: str | None = None
    ) -> CheckReport:
        """Every citation of the acts in `text`, resolved, with a verdict on the sentence citing
        it (kb/citecheck)."""
        ...

    def documents(self) -> Documents:
        """The acts in the index, each with its versions and the one answered from by default."""
        ...
