"""Short answers composed from the provisions themselves: no model writes them, so every
word of an answer is the law's own, followed by the citation it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from kb.embed import Embedder
from kb.results import Hit, Sentence
from kb.vocabulary import STOPWORDS, words

MAX_SENTENCES = 5
MAX_PIECE_CHARS = 700
# An answer should draw on several provisions, not five sentences of the first one.
PER_CITATION = 2
LEADING = 2

_SENTENCE_END = re.compile(r"(?<=[a-z0-9)’”][.;])\s+(?=[A-Z‘(])")
_ABBREVIATION = re.compile(r"\b(?:No|Art|Arts|p|pp|cf|e\.g|i\.e|OJ|para)\.$")


@dataclass
class _Piece:
    citation: int  # 0-based index into the hits
    order: int  # position in the hit's text
    text: str  # as shown: with the lead-in for a point
    core: str  # the sentence or point itself


def pieces_of(hit: Hit, citation: int) -> list[_Piece]:
    """Split a hit into sentences and points; a point is quoted with its lead-in so that it
    reads as the rule it is part of."""
    out: list[_Piece] = []
    lines = [line for line in hit.text.split("\n") if line.strip()]
    lead = hit.context
    for line in lines:
        is_point = re.match(r"^(\(\w{1,4}\)|\d+\.|[—–-])\s", line) is not None and not re.match(
            r"^\d+\.\s", line
        )
        sentences = [line] if is_point else _sentences(line)
        for sentence in sentences:
            core = sentence.strip()
            if len(core) < 12:
                continue
            if len(core) > MAX_PIECE_CHARS:
                core = core[:MAX_PIECE_CHARS].rsplit(" ", 1)[0] + " …"
            shown = f"{lead} … {core}" if is_point and lead else core
            out.append(_Piece(citation, len(out), shown, core))
        if not is_point and line.rstrip().endswith(":"):
            # This line introduces the points after it.
            lead = re.sub(r"^\d+\.\s+", "", line.strip())
    return out


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    for chunk in _SENTENCE_END.split(text):
        if parts and _ABBREVIATION.search(parts[-1]):
            parts[-1] += " " + chunk
        else:
            parts.append(chunk)
    return parts


def compose(question: str, hits: list[Hit], embedder: Embedder) -> list[Sentence]:
    """Pick the sentences and points that best answer the question, at most about five."""
    pieces = [p for i, hit in enumerate(hits) for p in pieces_of(hit, i)]
    if not pieces:
        return []
    query = embedder.encode([question])[0]
    similarity = embedder.encode_known([p.core for p in pieces]) @ query
    asked = _content_words(question)
    overlap = np.array([len(asked & _content_words(p.core)) / (len(asked) or 1) for p in pieces])
    rank_prior = np.array([1.0 / (1 + 0.15 * p.citation) for p in pieces])
    score = (similarity + 0.15 * overlap) * rank_prior

    chosen: list[int] = []
    per: dict[int, int] = {}
    # First the best piece of each of the leading citations, then the best of the rest.
    for citation in range(min(LEADING, len(hits))):
        own = [i for i, p in enumerate(pieces) if p.citation == citation]
        if own:
            chosen.append(max(own, key=lambda i: score[i]))
            per[citation] = 1
    for i in np.argsort(-score):
        if len(chosen) >= MAX_SENTENCES:
            break
        piece = pieces[i]
        if int(i) in chosen or per.get(piece.citation, 0) >= PER_CITATION:
            continue
        if score[i] < 0.6 * max(score[j] for j in chosen):
            break
        if any(_same(piece.core, pieces[j].core) for j in chosen):
            continue
        chosen.append(int(i))
        per[piece.citation] = per.get(piece.citation, 0) + 1
    chosen.sort(key=lambda j: (pieces[j].citation, pieces[j].order))
    return [Sentence(text=pieces[j].text, citation=pieces[j].citation + 1) for j in chosen]


def _same(a: str, b: str) -> bool:
    na, nb = _norm(a), _norm(b)
    return na in nb or nb in na


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _content_words(text: str) -> set[str]:
    # A crude stem is enough here: "emotion" and "emotions" are the same word to a reader.
    return {re.sub(r"(?:ies|es|s)$", "", w) for w in words(text) if w not in STOPWORDS and len(w) > 2}


def render(sentences: list[Sentence]) -> str:
    return " ".join(f"{s.text} [{s.citation}]" for s in sentences)
