"""Request and response bodies of the HTTP API that are not already the knowledge base's own
result models (kb.results)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kb.citecheck.models import MAX_CHECK_CHARS
from kb.results import Document, Documents, Turn
from kb.vocabulary import MAX_QUERY_CHARS, UnitKind

__all__ = [
    "VERSION_PATTERN",
    "AskRequest",
    "Document",
    "Documents",
    "Health",
    "Kind",
    "Ready",
    "SearchRequest",
    "VersionField",
]

Kind = UnitKind
VERSION_PATTERN = r"^(current|original|\d{4}-\d{2}-\d{2})$"
VersionField = Field(
    None,
    pattern=VERSION_PATTERN,
    description="Which text of each act: `current` (the law in force today, the default), `original` "
    "(as first published) or a date, YYYY-MM-DD (the law in force that day)",
    examples=["current", "original", "2026-01-01"],
)


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "Can we use emotion recognition on our staff?", "k": 5},
                {
                    "question": "and for deployers?",
                    "history": [{"question": "What must providers of high-risk AI systems do?"}],
                },
            ]
        },
    )

    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=r"\S", description="The question")
    k: int = Field(5, ge=1, le=20, description="How many provisions to cite")
    docs: list[str] | None = Field(None, max_length=10, description="Only these acts (ids)")
    history: list[Turn] | None = Field(None, max_length=20, description="Earlier turns, oldest first")
    version: str | None = VersionField


class CheckRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "Under Article 18 of the AI Act, providers must keep logs for ten years."},
                {
                    "text": "Data Act Article 25(2)(d) caps the notice period at two months.",
                    "version": "original",
                },
            ]
        },
    )

    text: str = Field(
        min_length=1,
        max_length=MAX_CHECK_CHARS,
        pattern=r"\S",
        description="Any text that cites the acts: a paragraph, a page, an answer (up to the body limit)",
    )
    docs: list[str] | None = Field(None, max_length=10, description="Only these acts (ids)")
    version: str | None = VersionField


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"query": "Annex III point 4", "k": 10}, {"query": "switching charges"}]
        },
    )

    query: str = Field(
        min_length=1, max_length=MAX_QUERY_CHARS, pattern=r"\S", description="What to look for"
    )
    k: int = Field(10, ge=1, le=50, description="How many hits")
    docs: list[str] | None = Field(None, max_length=10, description="Only these acts (ids)")
    kinds: list[Kind] | None = Field(None, max_length=3, description="Only these kinds of unit")
    version: str | None = VersionField


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    model: str
    built_at: str
    counts: dict[str, int]
    acts: list[str]
