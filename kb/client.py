"""The knowledge base behind a running server: the same calls and result models as
KnowledgeBase (the KnowledgeSource protocol, kb/source.py), over HTTP, so the command line
answers in well under a second from a laptop."""

from __future__ import annotations

from typing import Any

import httpx

from kb.citecheck.models import CheckReport
from kb.errors import (
    ActNotHeld,
    BadQuery,
    IndexIncompatible,
    IndexMissing,
    ServerUnavailable,
    UnknownDocument,
    UnknownUnit,
)
from kb.results import Answer, Documents, Provision, SearchResult, Turn

__all__ = ["RemoteKB", "ServerUnavailable"]


class RemoteKB:
    """The calls of KnowledgeBase against a server at `url` ("http://127.0.0.1:8000"), with an
    optional API key; timeout in seconds. Raises ServerUnavailable, or the error the server
    reported (BadQuery, UnknownDocument, UnknownUnit, IndexMissing)."""

    def __init__(self, url: str, key: str | None = None, timeout: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def search(
        self,
        query: str,
        k: int = 10,
        docs: list[str] | None = None,
        kinds: list[str] | None = None,
        version: str | None = None,
    ) -> SearchResult:
        """As KnowledgeBase.search: POST /v1/search."""
        body = {"query": query, "k": k, "docs": docs, "kinds": kinds, "version": version}
        return SearchResult.model_validate(self._call("POST", "/v1/search", body))

    def ask(
        self,
        question: str,
        k: int = 5,
        docs: list[str] | None = None,
        history: list[Turn] | None = None,
        version: str | None = None,
    ) -> Answer:
        """As KnowledgeBase.ask: POST /v1/ask."""
        turns = [t.model_dump(exclude_none=True) for t in history] if history else None
        body = {"question": question, "k": k, "docs": docs, "history": turns, "version": version}
        return Answer.model_validate(self._call("POST", "/v1/ask", body))

    def provision(self, reference: str, doc: str | None = None, version: str | None = None) -> Provision:
        """As KnowledgeBase.provision, read by the server: GET /v1/provisions?reference=…"""
        params = {"reference": reference, "doc": doc, "version": version}
        return Provision.model_validate(self._call("GET", "/v1/provisions", params=params))

    def provision_of(
        self, doc: str, unit_id: str, pinpoint: str | None = None, version: str | None = None
    ) -> Provision:
        """As KnowledgeBase.provision_of: GET /v1/documents/{doc}/units/{unit_id}."""
        params = {"pinpoint": pinpoint, "version": version}
        path = f"/v1/documents/{doc}/units/{unit_id}"
        return Provision.model_validate(self._call("GET", path, params=params))

    def check_citations(
        self, text: str, docs: list[str] | None = None, version: str | None = None
    ) -> CheckReport:
        """As KnowledgeBase.check_citations: POST /v1/check."""
        body = {"text": text, "docs": docs, "version": version}
        return CheckReport.model_validate(self._call("POST", "/v1/check", body))

    def documents(self) -> Documents:
        """As KnowledgeBase.documents: GET /v1/documents."""
        return Documents.model_validate(self._call("GET", "/v1/documents"))

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> Any:
        payload = {k: v for k, v in body.items() if v is not None} if body is not None else None
        query = {k: v for k, v in params.items() if v is not None} if params else None
        try:
            r = self.http.request(method, path, json=payload, params=query)
        except httpx.HTTPError as exc:
            raise ServerUnavailable(
                f"Cannot reach {self.url} ({exc.__class__.__name__}). Is `kb serve` running?"
            ) from exc
        if r.status_code < 400:
            return r.json()
        raise _error(self.url, r)


def _error(url: str, r: httpx.Response) -> Exception:
    """The kb error a problem response stands for: api/errors.py maps each error to a status
    and title, this maps them back (tests/test_parity.py checks the two agree)."""
    detail = _detail(r)
    if r.status_code in (401, 403, 429):
        return ServerUnavailable(f"{url} refused the request ({r.status_code}): {detail}")
    titles = {"Act not held": ActNotHeld, "Unknown act": UnknownDocument, "Unknown provision": UnknownUnit}
    found = titles.get(_title(r))
    if r.status_code == 404 and found is not None:
        return found(detail)
    if r.status_code == 422:
        return BadQuery(detail)
    if r.status_code == 503:
        said = f"The server has no usable index: {detail}"
        if _title(r) == "Index cannot be used":
            return IndexIncompatible(url, detail, said)
        return IndexMissing(url, said)
    return ServerUnavailable(f"{url} failed ({r.status_code}): {detail}")


def _detail(r: httpx.Response) -> str:
    try:
        return str(r.json().get("detail", r.text))
    except ValueError:
        return r.text[:200]


def _title(r: httpx.Response) -> str:
    try:
        return str(r.json().get("title", ""))
    except ValueError:
        return ""
