"""Short answers composed from the provisions themselves: no model writes them, so every
quoted word of an answer is the law's own, followed by the citation it came from.

The answer reads as a person would write it: a lead sentence that names the provision and
quotes its operative words (the rule, and apart from it its exception or condition, and the
dates, periods and amounts it sets), then the supporting quotes, one line per provision, with
the lead-in of a list given once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

import numpy as np

from kb.embed import Embedder
from kb.query import Query
from kb.results import Hit, Sentence
from kb.sentences import sentences_of
from kb.vocabulary import MONTHS, NUMBER_WORDS, content_words

MAX_SENTENCES = 5
MAX_PIECE_CHARS = 700
# An answer should draw on several provisions, not five sentences of the first one.
PER_CITATION = 2
LEADING = 2
# Whether a point is scored by the words that tell it from the other points of its list
# (`distinctive`); measured in docs/ranking.md ("The point an answer leads with").
DISTINCTIVE = True


@dataclass
class _Piece:
    citation: int  # 0-based index into the hits
    order: int  # position in the hit's text
    text: str  # as shown: with the lead-in for a point
    core: str  # the sentence or point itself
    lead_in: str = ""  # for a point: the words that introduce its list
    point: str = ""  # for a point: its marker, "(f)"
    paragraph: str = ""  # the number of the paragraph it is in, where the text numbers them


def pieces_of(hit: Hit, citation: int) -> list[_Piece]:
    """Split a hit into sentences and points; a point is quoted with its lead-in so that it
    reads as the rule it is part of."""
    out: list[_Piece] = []
    lines = [line for line in hit.text.split("\n") if line.strip()]
    lead = hit.context
    paragraph = ""
    for line in lines:
        numbered = re.match(r"^(\d+)\.\s", line)
        if numbered:
            paragraph = numbered.group(1)
        marker = re.match(r"^(\(\w{1,4}\)|\d+\.|[—–-])\s", line)
        is_point = marker is not None and not re.match(r"^\d+\.\s", line)
        sentences = [line] if is_point else sentences_of(line, clauses=True)
        for sentence in sentences:
            core = sentence.strip()
            if len(core) < 12:
                continue
            if len(core) > MAX_PIECE_CHARS:
                core = core[:MAX_PIECE_CHARS].rsplit(" ", 1)[0] + " …"
            shown = f"{lead} … {core}" if is_point and lead else core
            point = marker.group(1) if is_point and marker and marker.group(1).startswith("(") else ""
            out.append(_Piece(citation, len(out), shown, core, lead if is_point else "", point, paragraph))
        if not is_point and line.rstrip().endswith(":"):
            # This line introduces the points after it.
            lead = re.sub(r"^\d+\.\s+", "", line.strip())
    return out


def compose(query: Query, hits: list[Hit], embedder: Embedder) -> list[Sentence]:
    """The answer: a lead sentence from the piece that best answers the question in the first
    provision, then the other chosen pieces grouped by provision (one `Sentence` each).
    At most about five pieces in all; [] when the hits hold no sentence."""
    chosen = choose(query, hits, embedder)
    if not chosen:
        return []
    first = chosen[0]
    out = [lead_sentence(first, hits[first.citation])]
    rest = sorted(chosen[1:], key=lambda p: (p.citation, p.order))
    for citation, group in groupby(rest, key=lambda p: p.citation):
        shown = first.lead_in if citation == first.citation else ""
        out.append(_group_sentence(list(group), hits[citation], shown))
    return out


def choose(query: Query, hits: list[Hit], embedder: Embedder) -> list[_Piece]:
    """Pick the sentences and points that best answer the question (as read with the
    conversation), at most about five; the
    first, which becomes the lead, is the best of the first hit: retrieval ranks provisions
    better than a sentence's similarity does (the best-scoring sentence overall led with Article
    50(3) on emotion recognition, not the prohibition in Article 5(1)(f)). A point is scored by
    what tells it from the other points of its list (`distinctive`)."""
    pieces = [p for i, hit in enumerate(hits) for p in pieces_of(hit, i)]
    if not pieces:
        return []
    vector = embedder.encode([query.resolved])[0]
    scored = distinctive(pieces) if DISTINCTIVE else [p.core for p in pieces]
    similarity = embedder.encode_known(scored) @ vector
    asked = query.content_words
    overlap = np.array([len(asked & content_words(text)) / (len(asked) or 1) for text in scored])
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
    return [pieces[j] for j in chosen]


def distinctive(pieces: list[_Piece]) -> list[str]:
    """Each piece's text as scored against the question: a point without the words it shares
    with every other point of its list in the same hit. The points of Article 5(1) all open "the
    placing on the market, the putting into service for this specific purpose, or the use of",
    which weighed as much as what tells them apart: MiniLM put "emotion recognition on our
    employees" nearer (e), facial recognition databases (0.304), than (f), emotions in the
    workplace (0.274); without the shared words 0.278 against 0.541."""
    texts = [p.core for p in pieces]
    lists: dict[tuple[int, str], list[int]] = {}
    for i, piece in enumerate(pieces):
        if piece.point:
            lists.setdefault((piece.citation, piece.lead_in), []).append(i)
    for members in lists.values():
        if len(members) < 2:
            continue
        words = [pieces[i].core.removeprefix(pieces[i].point).split() for i in members]
        shared = 0
        while all(len(w) > shared + 1 for w in words) and len({w[shared] for w in words}) == 1:
            shared += 1
        if not content_words(" ".join(words[0][:shared])):
            continue  # nothing shared but a word like "it": no formula to take away
        for i, own in zip(members, words, strict=True):
            texts[i] = " ".join(own[shared:])
    return texts


# Where a rule's exception or condition starts: the lead sentence quotes it apart.
_EXCEPTION = re.compile(r",?\s+\b(except|unless|provided that|save where|without prejudice to)\b\s+")
_MONTHS = "|".join(MONTHS)
_NUMBER = r"(?:\d+|" + "|".join(NUMBER_WORDS) + ")"
# The operative figures of a rule, surfaced as they stand in the text.
FACTS = {
    "date": re.compile(rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b"),
    "period": re.compile(rf"\b{_NUMBER} (?:working |calendar )?(?:hours?|days?|weeks?|months?|years?)\b"),
    "amount": re.compile(r"\bEUR \d{1,3}(?: \d{3})*(?:,\d+)?(?: (?:million|billion))?|\b\d+(?:,\d+)? ?%"),
}
# Only a long quote needs its figures repeated after it.
FACTS_AFTER = 160


def lead_sentence(piece: _Piece, hit: Hit) -> Sentence:
    """ "AI Act, Article 5(1)(f): “The following AI practices shall be prohibited: … the use of AI
    systems to infer emotions …”, except “where … for medical or safety reasons”." Every quoted
    word is the act's; the label, "except" and the figures' names are ours."""
    core = _trim(piece.core)
    if piece.point and core.startswith(piece.point):
        core = core[len(piece.point) :].strip()
    main, exception, word = core, "", ""
    m = _EXCEPTION.search(core, 20)
    if m and len(core) - m.end() > 10:
        main, exception, word = core[: m.start()], _trim(core[m.end() :]), m.group(1)
    quoted = f"{piece.lead_in} … {main}" if piece.lead_in else main
    text = f"{point_label(hit, piece)}: “{quoted}”"
    if exception:
        text += f", {word} “{exception}”"
    quotes = [q for q in (piece.lead_in, main, exception) if q]
    facts = [
        f"{name}: " + ", ".join(f"“{f}”" for f in found)
        for name, pattern in FACTS.items()
        if (found := list(dict.fromkeys(pattern.findall(core))))
    ]
    if facts and len(core) > FACTS_AFTER:
        text += " (" + "; ".join(facts) + ")"
    return Sentence(text=text + ".", citation=piece.citation + 1, quotes=quotes, lead=True)


def _group_sentence(pieces: list[_Piece], hit: Hit, shown_lead_in: str) -> Sentence:
    """One provision's quotes on one line; the lead-in of a list once, before its first point."""
    parts: list[str] = []
    quotes: list[str] = []
    last_lead = shown_lead_in
    for p in pieces:
        # A list's lead-in that is quoted already, as the lead or as a sentence, is not repeated.
        if p.lead_in and any(p.lead_in in q for q in quotes):
            last_lead = p.lead_in
        if p.lead_in and p.lead_in != last_lead:
            parts.append(f"“{p.lead_in} … {p.core}”")
            quotes += [p.lead_in, p.core]
        elif p.lead_in:
            parts.append(f"“… {p.core}”")
            quotes.append(p.core)
        else:
            parts.append(f"“{p.core}”")
            quotes.append(p.core)
        last_lead = p.lead_in or last_lead
    label = point_label(hit, pieces[0]) if len(pieces) == 1 else hit.label
    return Sentence(text=f"{label}: " + " ".join(parts), citation=pieces[0].citation + 1, quotes=quotes)


def point_label(hit: Hit, piece: _Piece) -> str:
    """The hit's label narrowed to the paragraph and point a piece is from: "AI Act, Article 5",
    "AI Act, Article 5(1)" or "AI Act, Article 5(1)(d) to (f)" (pinpoint "5(1)(d)-(f)") and
    point (f) of paragraph 1 give
    "AI Act, Article 5(1)(f)". Left as it is where the paragraphs are not numbered (the label
    would need "third paragraph") and for recitals and annexes."""
    base = re.sub(r"(?:\(\w+\))?(?: to |-)\(\w+\)$", "", hit.pinpoint)  # "5(1)(d)-(f)" -> "5(1)"
    if hit.unit_kind != "article" or not re.fullmatch(r"\d+[a-z]*(?:\(\d+[a-z]*\))?", base):
        return hit.label
    single = re.match(r"(.*?, Article \w+), points? \((\w+)\)", hit.label)
    if single or re.search(r", \w+ paragraph\b", hit.label):
        # "Article 3, points (38) to (41)": the article's paragraphs are not numbered, and its
        # pinpoint's first number is already a point (narrowing it gave "Article 3(4)(4)",
        # issue 31). A point of that kind quoted alone is cited as such: "Article 3, point (39)".
        if single is None or not piece.point or piece.point[1:-1].isdigit() != single.group(2).isdigit():
            return hit.label
        amended = hit.label[hit.label.find(" (as amended") :] if " (as amended" in hit.label else ""
        return f"{single.group(1)}, point {piece.point}{amended}"
    narrowed = base
    if piece.paragraph and "(" not in narrowed:
        narrowed += f"({piece.paragraph})"
    if "(" not in narrowed:
        return hit.label
    if piece.point:
        narrowed += piece.point
    if narrowed == hit.pinpoint:
        return hit.label
    act = hit.label.split(", Article ")[0]
    amended = hit.label[hit.label.find(" (as amended") :] if " (as amended" in hit.label else ""
    return f"{act}, Article {narrowed}{amended}"


def _trim(text: str) -> str:
    """A rule without the list punctuation that joins it to the next point ("; or", ", and")."""
    text = text.removesuffix(" …").strip()
    return re.sub(r"\s*(?:[;,:]\s*(?:and|or)?|\.)$", "", text).strip()


def _same(a: str, b: str) -> bool:
    na, nb = _norm(a), _norm(b)
    return na in nb or nb in na


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def renumber(sentences: list[Sentence], hits: list[Hit]) -> tuple[list[Sentence], list[Hit]]:
    """The hits the sentences cite first, in the order the answer cites them, then the others,
    and the sentences' markers numbered to match: an answer reads [1] [2] [3], never [1] [2] [3]
    [5] with [4] a source it does not quote (issue 31)."""
    order = list(dict.fromkeys(n - 1 for s in sentences for n in s.markers() if 0 < n <= len(hits)))
    order += [i for i in range(len(hits)) if i not in order]
    new = {old + 1: pos + 1 for pos, old in enumerate(order)}
    moved = [[new.get(n, n) for n in s.citations] for s in sentences]
    out = [
        s.model_copy(update={"citation": new.get(s.citation, s.citation), "citations": cited})
        for s, cited in zip(sentences, moved, strict=True)
    ]
    return out, [hits[i] for i in order]


def render(sentences: list[Sentence]) -> str:
    """The answer as text: each sentence with its markers, the lead and each provision on a line."""
    return "\n".join(f"{s.text} " + "".join(f"[{n}]" for n in s.markers()) for s in sentences)
