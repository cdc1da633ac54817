"""Citations in a text and the claims they are attached to.

A citation is any form `kb.query_refs` reads ("Art. 5(1)(f) AIA", "Article 50(9) of the AI Act",
"Anhang III Nr. 4") or a EUR-Lex link with a provision anchor (".../TXT/?uri=CELEX:32024R1689#art_5",
".../eli/reg/2024/1689/oj#art_5"); its claim is the sentence it stands in. Every occurrence is
found and judged on its own: a citation written twice, or once as a link, is two citations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kb.grammar import act_mentions, find_instruments, find_links, find_query_refs
from kb.instruments import Instrument
from kb.manifest import ActInfo
from kb.sentences import spans_of


@dataclass(frozen=True)
class Citation:
    """One citation written in a text.

    `doc` is the corpus act it binds to (None when the text does not say and several acts have
    the unit); `external` is an instrument outside the index it binds to ("GDPR")."""

    text: str  # as written
    start: int  # offsets in the whole text (characters)
    end: int
    unit: str  # "art_5"
    pinpoint: str | None  # "5(1)(f)"
    doc: str | None
    external: Instrument | None
    sentence: str
    sentence_start: int
    sentence_end: int
    claim: str  # the sentence without its citations, act names, links and markers


def find_citations(text: str, acts: list[ActInfo], names: Mapping[str, str]) -> list[Citation]:
    """Every citation in `text`, in order of appearance. `names` maps lower-cased act names to
    act ids (`query_refs.act_names`); an act named earlier in the text is the one a bare
    "Article 12" refers to, as a reader takes it."""
    mentions = act_mentions(text, names)
    by_celex = {a.celex: a.id for a in acts}
    found: list[Citation] = []
    for s_start, s_end in spans_of(text):
        sentence = text[s_start:s_end]
        # A link's own characters are no citation text ("…#art_5" is read once, as the link).
        links = find_links(sentence)
        masked = sentence
        for link in links:
            masked = masked[: link.start] + " " * (link.end - link.start) + masked[link.end :]
        outside = find_instruments(masked, names)
        spans = [(i.start, i.end, i.name) for i in outside]
        refs = find_query_refs(masked, names, spans)
        cut = [(k.start, k.end) for k in links] + [(r.start, r.start + len(r.text)) for r in refs]
        cut += [(i.start, i.end) for i in outside] + [(s, e) for s, e, _ in act_mentions(sentence, names)]
        claim = _without(sentence, cut)
        for ref in refs:
            external = next((i for i in outside if i.name == ref.external), None) if ref.external else None
            doc = ref.doc
            if doc is None and external is None:
                doc = _context_act(mentions, s_start + ref.start)
            found.append(
                Citation(
                    ref.text, s_start + ref.start, s_start + ref.start + len(ref.text), ref.unit,
                    ref.pinpoint, doc, external, sentence, s_start, s_end, claim,
                )
            )  # fmt: skip
        for link in links:
            if link.unit is None:
                continue
            doc = by_celex.get(link.celex) if link.celex else names.get(link.number) if link.number else None
            external = None
            if doc is None and (link.celex or link.number):
                act = link.celex or link.number
                url = link.url.split("#")[0]
                external = Instrument(link.url, link.start, link.end, f"The act {act}", None, url)
            found.append(
                Citation(link.url, s_start + link.start, s_start + link.end, link.unit, None, doc, external,
                         sentence, s_start, s_end, claim)
            )  # fmt: skip
    found.sort(key=lambda c: c.start)
    return found


def _context_act(mentions: list[tuple[int, int, str]], at: int) -> str | None:
    """The corpus act a bare citation at `at` belongs to: the one named last before it."""
    before = [doc for start, _end, doc in mentions if start < at]
    return before[-1] if before else None


# Markers an answer writes ("[1]"), left out of the claim.
_MARKERS = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


def _without(sentence: str, cut: list[tuple[int, int]]) -> str:
    """The claim of a sentence: its words with the spans in `cut` (citations, act names, links)
    and answer markers blanked, and the connecting words those leave dangling tidied away."""
    chars = list(sentence)
    for start, end in [*cut, *((m.start(), m.end()) for m in _MARKERS.finditer(sentence))]:
        chars[start:end] = " " * (end - start)
    text = re.sub(r"\s+", " ", "".join(chars))
    for _ in range(2):  # "Under [Article 26(6)] of the [AI Act], …": both words go, in two passes
        text = _DANGLING.sub(" ", text)
        text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s+([,.;:])", r"\1", text).strip(" ,;:.")


# Words left pointing at a citation that was taken out: "Under , …", "… of the .", "( )".
_DANGLING = re.compile(
    r"\(\s*[,;]?\s*\)|\b(?:of the|of|under|in|see|per|as|according to|pursuant to)\s*(?=[,.;:)]|$)"
    r"|^\s*(?:under|see|per|as|according to|pursuant to)?\s*[,;:]\s*",
    re.IGNORECASE,
)
