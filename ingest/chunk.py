"""Cut units into passages along their structure, within the embedder's input length.

A unit that fits stays whole. A longer one is cut between its top-level blocks
(paragraphs), packing neighbours together while they fit; a block that does not fit alone
is opened up and its children (points) are packed the same way, each carrying the block's
own text as its lead-in. Only a leaf that is still too long goes to langchain's splitter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from kb.citations import pinpoint_of
from kb.document import Act, Block, Passage, Unit
from kb.headings import acronyms, heading_path

TokenCounter = Callable[[list[str]], list[int]]

MIN_LEAD_IN_PASSAGE = 120  # characters; a shorter lead-in only travels as its children's context
MIN_PIECE = 80  # characters; a shorter tail of a split is folded into the piece before


@dataclass
class _Span:
    start: int
    end: int
    path: list[Block]  # the block and its ancestors, outermost first; empty for a whole unit
    last: list[Block]  # the path of the last block, when the span packs several


def chunk_act(
    act: Act, count_tokens: TokenCounter, max_tokens: int, only: set[str] | None = None
) -> list[Passage]:
    """Passages of every unit, or of the units in `only` (those a new version changed)."""
    passages: list[Passage] = []
    keep = acronyms([u.text for u in act.units if u.kind == "article"])
    for unit in act.units:
        if only is not None and unit.id not in only:
            continue
        passages.extend(
            chunk_unit(act, unit, count_tokens, max_tokens, heading_path(act.short_name, unit, keep))
        )
    return passages


def chunk_unit(
    act: Act, unit: Unit, count_tokens: TokenCounter, max_tokens: int, heading: str
) -> list[Passage]:
    """The passages of one unit: the whole unit when it fits `max_tokens` (with its heading),
    else its blocks packed in order, a list's lead-in kept as the context of its points."""
    return _UnitChunker(unit, count_tokens, max_tokens, heading).passages(act)


class _UnitChunker:
    """Chunking of one unit: `spans` collects (span, context) in the unit's order."""

    def __init__(self, unit: Unit, count_tokens: TokenCounter, max_tokens: int, heading: str) -> None:
        self.unit = unit
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.heading = heading
        self.spans: list[tuple[_Span, str]] = []

    def embed_text(self, context: str, text: str) -> str:
        return "\n".join(p for p in (self.heading, context, text) if p)

    def fits(self, context: str, start: int, end: int) -> bool:
        text = self.embed_text(context, self.unit.text[start:end])
        return self.count_tokens([text])[0] <= self.max_tokens

    def pack(self, blocks: list[Block], ancestors: list[Block], context: str) -> None:
        group: list[Block] = []
        for block in blocks:
            if group and self.fits(context, group[0].start, block.end):
                group.append(block)
                continue
            if group:
                self.flush(group, ancestors, context)
                group = []
            if self.fits(context, block.start, block.end):
                group = [block]
            else:
                self.open_up(block, ancestors, context)
        if group:
            self.flush(group, ancestors, context)

    def flush(self, group: list[Block], ancestors: list[Block], context: str) -> None:
        span = _Span(group[0].start, group[-1].end, [*ancestors, group[0]], [*ancestors, group[-1]])
        self.spans.append((span, context))

    def open_up(self, block: Block, ancestors: list[Block], context: str) -> None:
        path = [*ancestors, block]
        own = self.unit.text[block.start : block.own_end]
        if not block.children:
            self.split_leaf(block, path, context)
            return
        # The block's own text (its lead-in) is the context of each of its children, so that a
        # point still reads as the rule it belongs to; it is a passage of its own only when it
        # says more than a heading or "The third party shall not:".
        if len(own.strip()) >= MIN_LEAD_IN_PASSAGE:
            if self.fits(context, block.start, block.own_end):
                self.spans.append((_Span(block.start, block.own_end, path, path), context))
            else:
                self.split_leaf(block, path, context, end=block.own_end)
        lead = block.text
        child_context = " … ".join(c for c in (context, lead) if c)
        if self.count_tokens([self.embed_text(child_context, "")])[0] > self.max_tokens // 2:
            child_context = lead[:300]
        self.pack(block.children, path, child_context)

    def split_leaf(self, block: Block, path: list[Block], context: str, end: int | None = None) -> None:
        stop = block.end if end is None else end
        text = self.unit.text[block.start : stop]
        size = max(200, len(text) // 2)
        while True:
            splitter = RecursiveCharacterTextSplitter(
                chunk_size=size,
                chunk_overlap=0,
                add_start_index=True,
                keep_separator="end",
                separators=["\n", "; ", ". ", ", ", " ", ""],
            )
            docs = splitter.create_documents([text])
            pieces = []
            for doc in docs:
                offset = block.start + doc.metadata["start_index"]
                pieces.append((offset, offset + len(doc.page_content)))
            if all(self.fits(context, s, e) for s, e in pieces) or size <= 100:
                break
            size = int(size * 0.7)
        # langchain may leave a sliver at the end ("1);"): fold it into the piece before.
        if (
            len(pieces) > 1
            and pieces[-1][1] - pieces[-1][0] < MIN_PIECE
            and self.fits(context, pieces[-2][0], pieces[-1][1])
        ):
            pieces[-2:] = [(pieces[-2][0], pieces[-1][1])]
        for s, e in pieces:
            self.spans.append((_Span(s, e, path, path), context))

    def passages(self, act: Act) -> list[Passage]:
        unit = self.unit
        if self.fits("", 0, len(unit.text)):
            self.spans.append((_Span(0, len(unit.text), [], []), ""))
        else:
            self.pack(unit.blocks, [], "")
        out: list[Passage] = []
        for span, context in self.spans:
            text = unit.text[span.start : span.end]
            pin = _span_pinpoint(pinpoint_of(unit, span.path), pinpoint_of(unit, span.last))
            out.append(
                Passage(
                    doc=act.id,
                    unit=unit.id,
                    unit_kind=unit.kind,
                    start=span.start,
                    end=span.end,
                    text=text,
                    pinpoint=pin,
                    heading=self.heading,
                    context=context,
                    page=_page_of(unit, span.start),
                    embed_text=self.embed_text(context, text),
                )
            )
        return out


def _span_pinpoint(first: str, last: str) -> str:
    """'5(1)(a)' .. '5(1)(c)' -> '5(1)(a)-(c)'; a span that ends in an unnumbered
    subparagraph of the first block's parent is cited by where it starts."""
    head_first = first.rpartition("(")[0]
    head_last, _, tail_last = last.rpartition("(")
    if first == last or not head_first or head_first != head_last:
        return first
    return f"{first}-({tail_last}"


def _page_of(unit: Unit, offset: int) -> int | None:
    return unit.pages[0] if unit.pages else None
