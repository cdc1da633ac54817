"""What the knowledge base returns: hits, answers and act versions, as pydantic models so that
every interface (API, CLI, Slack, web page) serialises the same shapes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from kb.manifest import ActInfo
from kb.vocabulary import MAX_QUERY_CHARS, UnitKind

if TYPE_CHECKING:
    from kb.document import Block


class RefLink(BaseModel):
    """A provision that a hit's text refers to."""

    text: str = Field(description="The reference as written in the provision")
    label: str = Field(description="Citation label of the target, when it is in the corpus")
    doc: str | None = None
    unit: str | None = None
    url: str | None = None
    external: str | None = Field(None, description="The other act, when the reference leaves the corpus")


class AmendmentNote(BaseModel):
    """An amending instruction that changed the cited provision, or that a reader must apply."""

    citation: str = Field(examples=["Regulation (EU) 2026/1744, Article 1, point (40)(b)"])
    target: str = Field(description="What it changes", examples=["Article 113, third paragraph, point (c)"])
    action: str = Field(description="replace, insert, add, delete or amend")
    in_force: str = Field(description="Date the change took effect, ISO 8601")
    applied: bool = Field(description="False: not applied mechanically; read the amending text")
    text: str = Field("", description="The amending text, for an instruction that was not applied")
    reason: str = ""


class Hit(BaseModel):
    doc: str = Field(description="Act id", examples=["ai-act"])
    unit: str = Field(description="Unit id in EUR-Lex style", examples=["art_5"])
    unit_kind: UnitKind
    pinpoint: str = Field(description="Where in the unit", examples=["5(1)(f)"])
    label: str = Field(description="Citation as lawyers write it", examples=["AI Act, Article 5(1)(f)"])
    title: str = Field(description="Title of the article or annex; empty for recitals")
    heading: str = Field(description="Act › chapter › section › unit")
    url: str = Field(description="EUR-Lex link to the provision")
    page: int | None = Field(None, description="Page of the Official Journal PDF, where known")
    text: str = Field(description="The verbatim source text")
    context: str = Field("", description="Lead-in of the list the text belongs to")
    score: float
    match: Literal["reference", "definition", "search", "citing"] = Field(
        "search",
        description="reference: the query names it; definition: it defines a term the query asks about; "
        "citing: it cites an instrument the query asks about that the knowledge base does not hold",
    )
    low_confidence: bool = False
    refs: list[RefLink] = Field(default_factory=list)
    version: str = Field(description="The version of the act the text is from")
    version_date: str = Field("", description="Date from which that version is in force, ISO 8601")
    amended_by: list[AmendmentNote] = Field(
        default_factory=list, description="How amending acts changed this provision in the cited version"
    )
    unofficial: str | None = Field(None, description="Set when the text rests on files that are not official")
    start: int = Field(description="Offset of the text in the unit")
    end: int
    found_in: str | None = Field(
        None,
        description="The language of the act's language version whose text of this passage the "
        "question matched best (ISO 639-1, e.g. 'fr'); None: the English text. The citation and "
        "`text` stay the official English ones.",
    )
    text_in_language: str | None = Field(
        None, description="The passage in the language `found_in` names, from the act's language version"
    )


class Outside(BaseModel):
    """An instrument a question names that is not in the knowledge base."""

    name: str = Field(examples=["Regulation (EU) 2022/1925 (Digital Markets Act)", "GDPR"])
    url: str | None = Field(None, description="Its page on EUR-Lex, for an EU act")
    in_index: bool = Field(False, description="The index holds it, but not in the version searched")


class SearchResult(BaseModel):
    hits: list[Hit]
    notices: list[str] = Field(
        default_factory=list, description="E.g. a provision the query names that does not exist"
    )
    top_similarity: float = Field(0.0, description="Cosine similarity of the query and its closest passage")
    acts_named: list[str] = Field(
        default_factory=list, description="Acts of the knowledge base the query names"
    )
    language: str = Field("en", description="ISO 639-1 code of the question's language, where it is clear")
    encoder: str = Field(
        "", description="The model the question was matched with: the index's, or multilingual-e5-small"
    )
    translation: str | None = Field(
        None, description="The English translation searched, for a question not in English"
    )
    translated_by: str | None = Field(None, description="The local model that translated the question")
    missing: list[str] = Field(
        default_factory=list, description="Provisions the query names that do not exist, as the notices say"
    )
    outside: list[Outside] = Field(
        default_factory=list, description="Instruments the query names that the knowledge base does not hold"
    )


class Turn(BaseModel):
    """An earlier turn of a conversation, for follow-up questions."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not ignored

    question: str = Field(max_length=MAX_QUERY_CHARS)
    answer: str | None = Field(None, max_length=20000)


class ActVersion(BaseModel):
    doc: str
    short_name: str
    title: str
    celex: str
    version: str = Field(description="Official Journal publication and date of the text cited")
    date: str
    url: str
    in_force: str = Field("", description="Date from which the cited version is in force")
    label: str = Field("", description="'original text, OJ …' or 'as amended by …'")
    unofficial: str | None = None


Outcome = Literal["answered", "in_part", "declined"]
OUTCOME_DESCRIPTION = (
    "answered: the cited provisions answer it; in_part: they answer part and leave the rest to the "
    "Member States or the Commission (the first sentence says so, citing the provision that does); "
    "declined: the acts do not answer it (`reason` says why; the citations are the nearest provisions, "
    "which do not answer it)"
)


class Sources(BaseModel):
    """What an answer rests on, known before it is written: the hits, the version of each act
    they cite, and whether the answer declines (the first event of a streamed answer)."""

    citations: list[Hit]
    versions: list[ActVersion]
    abstained: bool
    reason: str | None = None
    outcome: Outcome = Field("answered", description=OUTCOME_DESCRIPTION)


class Progress(BaseModel):
    """A slow step of a streamed answer, told before it runs and when it is done: the `progress`
    event of POST /v1/ask/stream, sent before the citations."""

    step: Literal["translating", "translated"] = Field(
        description="translating: the question is being translated into English (seconds); "
        "translated: it was, and the translation is searched"
    )
    message: str = Field(description="What is being done, in the question's language where it is written")
    language: str = Field(description="ISO 639-1 code of the question's language", examples=["de"])
    model: str = Field(
        description="The local model that translates", examples=["qwen2.5-coder-1.5b-instruct"]
    )
    translation: str | None = Field(None, description="The English translation searched (step translated)")
    ms: float | None = Field(None, description="Milliseconds the translation took (step translated)")


class Sentence(BaseModel):
    """One sentence of an answer, shown with its markers after it."""

    text: str = Field(description="The sentence as shown, without its [n] markers")
    citation: int = Field(description="1-based index into citations: the first provision it cites")
    citations: list[int] = Field(
        default_factory=list, description="Every provision it cites (1-based); empty means just `citation`"
    )
    quotes: list[str] = Field(
        default_factory=list, description="The act's own words it quotes, verbatim, for highlighting"
    )
    lead: bool = Field(False, description="The sentence that answers directly, before the quotes")
    english: str | None = Field(
        None,
        description="Where `text` is a machine translation into the question's language: the sentence "
        "as written and checked against the provisions it cites, in English",
    )

    def markers(self) -> list[int]:
        """The provisions it cites, 1-based, in order."""
        return self.citations or [self.citation]


class Answer(BaseModel):
    question: str
    answer: str = Field(description="Short answer composed from the cited provisions, with [n] markers")
    sentences: list[Sentence]
    citations: list[Hit]
    abstained: bool = Field(description="True when outcome is declined")
    reason: str | None = Field(
        None, description="Why it declines, or what an answer in part leaves to others"
    )
    outcome: Outcome = Field("answered", description=OUTCOME_DESCRIPTION)
    versions: list[ActVersion]
    notices: list[str] = Field(default_factory=list)
    language: str = Field("en", description="ISO 639-1 code of the question's language, where it is clear")
    translation: str | None = Field(
        None, description="The English translation searched, for a question not in English"
    )
    translated_by: str | None = Field(None, description="The local model that translated the question")
    resolved_question: str | None = Field(
        None, description="The question as understood with the conversation"
    )
    took_ms: float = 0.0
    answer_mode: Literal["generated", "extractive"] = Field(
        "extractive",
        description="generated: written by a language model from the cited provisions, every sentence "
        "checked against them; extractive: composed of the provisions' own words",
    )
    model: str | None = Field(None, description="The language model that wrote a generated answer")
    answer_translated_by: str | None = Field(
        None,
        description="The local model that translated a generated answer into the question's language, "
        "sentence by sentence, after the checks (each such sentence keeps its English in `english`)",
    )
    removed_sentences: int = Field(
        0, description="Generated sentences removed because a provision they cite does not support them"
    )

    def outcome_line(self) -> str | None:
        """The line every interface shows above an answer that is not a plain answer: "Answered in
        part. The AI Act leaves part of this to the Member States (Article 70(1))." or "Not
        answered by the acts."; None for a plain answer."""
        from kb.messages import localize  # (the product's words in the question's language)

        if self.outcome == "in_part":
            return localize(f"Answered in part. {self.reason or ''}".strip(), self.language)
        if self.outcome == "declined":
            return localize("Not answered by the acts.", self.language)
        return None

    def written_by(self) -> str | None:
        """The line that says who wrote a generated answer, for every interface to show."""
        if self.answer_mode != "generated":
            return None
        if self.answer_translated_by:
            return (
                f"written by {self.model} from the cited provisions, checked in English, "
                f"machine-translated by {self.answer_translated_by}"
            )
        return f"written by {self.model} from the cited provisions"


class BlockOut(BaseModel):
    kind: str
    num: str | None
    marker: str
    text: str
    children: list[BlockOut] = Field(default_factory=list)


def block_out(block: Block) -> BlockOut:
    """A parsed block (paragraph, point) of a unit and its children, as returned."""
    return BlockOut(
        kind=block.kind,
        num=block.num,
        marker=block.marker,
        text=block.text,
        children=[block_out(c) for c in block.children],
    )


class Provision(BaseModel):
    """One provision in full, structured, with its cross-references both ways."""

    doc: str
    unit: str
    unit_kind: UnitKind
    label: str
    title: str
    heading: str
    url: str
    version: str
    version_date: str = ""
    versions: list[str] = Field(default_factory=list, description="Dates of every version of the act")
    amended_by: list[AmendmentNote] = Field(default_factory=list)
    unofficial: str | None = None
    pages: list[int] | None = None
    text: str
    blocks: list[BlockOut]
    pinpoint: str | None = Field(None, description="The part the reference named, if any")
    pinpoint_text: str | None = None
    pinpoint_label: str | None = Field(
        None, description="The citation of that part", examples=["AI Act, Article 6(3)"]
    )
    refers_to: list[RefLink] = Field(default_factory=list)
    referred_by: list[RefLink] = Field(default_factory=list)


class Document(ActInfo):
    """An act in the index, with the version answered from by default."""

    version: str = Field(description="The version answered from by default: publication and date in force")
    languages: list[str] = Field(
        default_factory=list,
        description="Its language versions (kb ingest --source of a French or German text), one line each: "
        "the language and what aligned",
    )


class Documents(BaseModel):
    """The acts in an index (GET /v1/documents, `kb documents`, MCP's list_acts)."""

    documents: list[Document]
    built_at: str
    model: str
