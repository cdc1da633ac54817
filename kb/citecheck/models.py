"""What a citation check returns: one `CitationCheck` per citation written in the text, as
pydantic models so that the API, the command line, MCP and the web page show the same shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# The longest text checked in one call (characters): what fits the API's default body limit
# (KB_MAX_BODY_BYTES, 64 KiB) as JSON; about twenty pages.
MAX_CHECK_CHARS = 60_000

# How a citation resolves: to a provision of the index, to nothing (the act has no such
# provision), to an act the index does not hold, or to more than one act.
Status = Literal["resolved", "not_found", "outside", "ambiguous"]
# What the cited provision makes of the claim. `unverified` when the check cannot decide: never a guess.
Verdict = Literal["supported", "not_supported", "unverified"]


class CitedProvision(BaseModel):
    """The provision a citation resolves to, or one suggested instead."""

    doc: str = Field(examples=["ai-act"])
    unit: str = Field(examples=["art_19"])
    pinpoint: str | None = Field(None, examples=["19(1)"])
    label: str = Field(examples=["AI Act, Article 19(1)"])
    url: str = Field(description="EUR-Lex link to the provision")
    text: str = Field("", description="The words of the provision that bear on the claim, verbatim")


class CitationCheck(BaseModel):
    """One citation as written in the text, what it resolves to, and the verdict on its claim."""

    reference: str = Field(description="The citation as written", examples=["Article 18 of the AI Act"])
    start: int = Field(description="Offset of the citation in the text (characters)")
    end: int
    status: Status
    resolved: CitedProvision | None = Field(None, description="The provision cited, when it exists")
    reason: str = Field(
        "", description="Why it did not resolve: the nearest existing provision, the act outside, the acts"
    )
    outside_url: str | None = Field(None, description="EUR-Lex page of an act outside the index")
    claim: str = Field(description="The sentence the citation is attached to")
    claim_start: int = Field(description="Offset of the sentence in the text (characters)")
    claim_end: int
    verdict: Verdict
    why: str = Field(description="What decided the verdict, in words")
    quote: str | None = Field(None, description="Words of the provision that say what the claim says")
    suggestions: list[CitedProvision] = Field(
        default_factory=list,
        description="Provisions that say what the claim says, when the cited one does not",
    )
    version_note: str | None = Field(
        None, description="When the verdict differs in another version of the act (e.g. as first published)"
    )


class CheckReport(BaseModel):
    """Every citation of a text, in order of appearance, with counts by verdict."""

    citations: list[CitationCheck]
    version: str = Field(description="The version of the acts the claims were checked against")
    counts: dict[str, int] = Field(default_factory=dict, description="Citations by verdict and by status")
    notices: list[str] = Field(
        default_factory=list, description="E.g. that only the first citations were checked"
    )
    took_ms: float = 0.0
