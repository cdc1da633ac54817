"""The one sentence splitter: a provision's text into the sentences an answer quotes, a generated
answer into the sentences the checker holds against their citations, a long question into the
sentences that ask.

A sentence ends at a full stop, question or exclamation mark (and, in the acts' long provisions,
at a semicolon: `clauses`) that is followed by a space and the start of another sentence (a
capital, an opening quote or bracket, a list mark, a citation marker); or at a line break. Not
after an abbreviation ("No.", "Art.", "e.g."). A citation marker such as "[2]" belongs to the
sentence it closes when written before the full stop or right after it, and to the sentence it
starts when the text leads its sentences with markers ("[1] First claim. [2] Second claim.");
a run of markers alone is no sentence and joins the sentence before it.
"""

from __future__ import annotations

import re

# A citation marker, "[3]"; "[1, 2]" cites two.
MARKER = r"\[\d+(?:\s*[,;]\s*\d+)*\]"
# What may start the next sentence: a capital, an opening quote or bracket, a list mark.
_START = r"[A-Z“\"‘(*\-]"
# Closing quotes and brackets that stay with the sentence they close.
_CLOSE = r"[”\"’')]*"
_ENDS = {
    # Markers after the stop close the sentence before ("Claim. [1] Next claim.").
    "trailing": re.compile(
        rf"[.!?]{_CLOSE}(?:\s*{MARKER})*[ \t]+(?={_START})|(?:{MARKER})+[ \t]+(?={_START})|\n+"
    ),
    # Markers after the stop open the next ("[1] Claim. [2] Next claim."), unless written
    # against the stop ("Claim.[1]").
    "leading": re.compile(rf"[.!?]{_CLOSE}(?:{MARKER})*[ \t]+(?=(?:{MARKER}[ \t]*)*{_START})|\n+"),
}
_CLAUSE_ENDS = {
    style: re.compile(pattern.pattern.replace("[.!?]", "[.!?;]", 1)) for style, pattern in _ENDS.items()
}
_LEADS_WITH_MARKER = re.compile(rf"\s*{MARKER}")
_ONLY_MARKERS = re.compile(rf"(?:\s*{MARKER})+\s*")
# What a streamed text may hold before its next sentence is known to have begun.
_NO_TEXT_YET = re.compile(r"[\s\[\],;\d]*")
# Abbreviations the acts and answers use before a capital: "Regulation (EC) No. 765/2008",
# "cf. Article 5", "p. 1". A full stop after them ends no sentence.
_ABBREVIATION = re.compile(r"\b(?:No|Art|Arts|p|pp|cf|e\.g|i\.e|OJ|para)\.$")


def sentence_spans(text: str, clauses: bool = False) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of each complete sentence of `text`, stripped of surrounding whitespace, and
    where the rest begins. A sentence is complete once the next one has begun, so that its
    markers are known; the rest may still grow (a streamed answer)."""
    style = "leading" if _LEADS_WITH_MARKER.match(text) else "trailing"
    ends = (_CLAUSE_ENDS if clauses else _ENDS)[style]
    spans: list[tuple[int, int]] = []
    start = 0
    for m in ends.finditer(text):
        if text[m.start()] in ".!?;" and _ABBREVIATION.search(text[start : m.start() + 1]):
            continue  # "cf. Article 5": the sentence goes on
        if text[start : m.end()].strip():
            spans.append(_stripped(text, start, m.end()))
        start = m.end()
    return _join_markers(text, spans), start


def _join_markers(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs of markers alone joined to the sentence before them (or, first, the one after)."""
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for s, e in spans:
        if _ONLY_MARKERS.fullmatch(text[s:e]):
            if out:
                out[-1] = (out[-1][0], e)
            elif pending is None:
                pending = s
            continue
        out.append((pending if pending is not None else s, e))
        pending = None
    return out


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, clauses: bool = False) -> tuple[list[str], str]:
    """Complete sentences in `text`, and the rest, which may still grow. A sentence is complete
    once the next one has begun, so its markers are known; a run of markers alone waits for
    the sentence after it."""
    spans, rest = sentence_spans(text, clauses)
    if spans and _NO_TEXT_YET.fullmatch(text[rest:]):
        # The next sentence has not begun (a line break, or markers, so far): markers may still
        # follow the last one.
        rest = spans.pop()[0]
    return [text[s:e] for s, e in spans], text[rest:]


def spans_of(text: str, clauses: bool = False) -> list[tuple[int, int]]:
    """(start, end) of every sentence of a finished text, without surrounding whitespace."""
    spans, rest = sentence_spans(text, clauses)
    tail = text[rest:]
    if _ONLY_MARKERS.fullmatch(tail):
        if spans:  # markers after the last sentence close it; markers alone are no sentence
            spans[-1] = (spans[-1][0], _stripped(text, rest, len(text))[1])
    elif tail.strip():
        spans.append(_stripped(text, rest, len(text)))
    return spans


def sentences_of(text: str, clauses: bool = False) -> list[str]:
    """Every sentence of a finished text: "[1] First claim here. [2] Second claim." gives
    ["[1] First claim here.", "[2] Second claim."]."""
    return [text[s:e] for s, e in spans_of(text, clauses)]
