"""The knowledge base behind a running server: the same calls and result models as
KnowledgeBase, over HTTP, so the command line answers in well under a second from a laptop."""

from __future__ import annotations

from typing import Any

import httpx

from kb.errors import BadQuery, IndexMissing, KBError, UnknownDocument, UnknownUnit
from kb.results import Answer, Provision, SearchResult


class ServerUnavailable(KBError):
    """The server could not be reached, or refused the request."""


class RemoteKB:
    """The calls of KnowledgeBase against a server at `url` ("http://127.0.0.1:8000"), with an
    optional API key; timeout in seconds. Raises ServerUnavailable, or the error the server
    reported (BadQuery, UnknownDocument, UnknownUnit, IndexMissing)."""

    def __init__(self, url: str, key: str | None = None, timeout: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def ask(
        self, question: str, k: int = 5, docs: list[str] | None = None, version: str | None = None
    ) -> Answer:
        body = {"question": question, "k": k, "docs": docs, "version": version}
        return Answer.model_validate(self._call("POST", "/v1/ask", body))

    def search(
        self,
        query: str,
        k: int = 10,
        docs: list[str] | None = None,
        kinds: list[str] | None = None,
        version: str | None = None,
    ) -> SearchResult:
        body = {"query": query, "k": k, "docs": docs, "kinds": kinds, "version": version}
        return SearchResult.model_validate(self._call("POST", "/v1/search", body))

    def documents(self) -> dict[str, Any]:
        listing: dict[str, Any] = self._call("GET", "/v1/documents")
        return listing

    def provision(self, reference: str, version: str | None = None) -> Provision:
        """As KnowledgeBase.provision, read the same way; the server checks which act has it."""
        # Reading a reference needs the acts' names, which only `show` needs: imported here.
        from kb.manifest import ActInfo
        from kb.query_refs import pick_act, read_reference

        acts = [ActInfo.model_validate(d) for d in self.documents()["documents"]]
        request = read_reference(reference, acts)
        found: dict[str, Any] = {}
        for doc in request.docs:
            params = {"pinpoint": request.pinpoint} if request.pinpoint else {}
            if version:
                params["version"] = version
            try:
                found[doc] = self._call("GET", f"/v1/documents/{doc}/units/{request.unit}", params=params)
            except UnknownUnit:
                if len(request.docs) == 1:
                    raise  # the server's own message says what the act has
                continue
        return Provision.model_validate(found[pick_act(request, list(found), acts)])

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, params: Any = None) -> Any:
        payload = {k: v for k, v in (body or {}).items() if v is not None} if body is not None else None
        try:
            r = self.http.request(method, path, json=payload, params=params)
        except httpx.HTTPError as exc:
            raise ServerUnavailable(
                f"Cannot reach {self.url} ({exc.__class__.__name__}). Is `kb serve` running?"
            ) from exc
        if r.status_code < 400:
            return r.json()
        detail = _detail(r)
        if r.status_code in (401, 403, 429):
            raise ServerUnavailable(f"{self.url} refused the request ({r.status_code}): {detail}")
        if r.status_code == 404:
            raise (UnknownUnit if "/units/" in path else UnknownDocument)(detail)
        if r.status_code == 422:
            raise BadQuery(detail)
        if r.status_code == 503:
            raise IndexMissing(self.url, f"The server has no usable index: {detail}")
        raise ServerUnavailable(f"{self.url} failed ({r.status_code}): {detail}")


def _detail(r: httpx.Response) -> str:
    try:
        return str(r.json().get("detail", r.text))
    except ValueError:
        return r.text[:200]
