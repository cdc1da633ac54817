"""The index manifest: what an index was built from and with, checked before it is used."""

from __future__ import annotations

from pydantic import BaseModel, Field

SCHEMA_VERSION = 1


class SourceFile(BaseModel):
    format: str
    file: str
    sha256: str


class ActInfo(BaseModel):
    id: str
    short_name: str
    title: str
    celex: str
    eli: str
    oj: str = Field(description="Official Journal publication of the indexed text")
    date: str = Field(description="Date of the indexed text, ISO 8601")
    url: str = Field(description="The act on EUR-Lex; provision anchors are appended to it")
    source_format: str
    sources: list[SourceFile]
    counts: dict[str, int]

    @property
    def version(self) -> str:
        return f"{self.oj} (text of {self.date})"


class ModelInfo(BaseModel):
    name: str
    dim: int
    max_tokens: int


class IndexManifest(BaseModel):
    schema_version: int = SCHEMA_VERSION
    software_version: str
    built_at: str
    build_seconds: float
    model: ModelInfo
    index_type: str
    settings_key: str = Field(description="Hash of everything that shapes the index")
    acts: list[ActInfo]
    counts: dict[str, int]
