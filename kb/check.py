"""The checker: every sentence a language model writes is held against the provisions it cites
before anyone sees it.

A sentence passes when
- it carries at least one marker [n], and every marker names a provision that was supplied;
- every span it puts in quotation marks occurs verbatim in a provision it cites (after
  whitespace and quote-mark normalisation; "…" or "..." inside a quote may skip words);
- every date, amount, period and article number it states occurs in a provision it cites
  (in its text or its label);
- it does not repeat the instructions the model was given;
- a sentence of four content words or more shares at least a quarter of them with the provisions
  it cites (a claim made of other words is not theirs);
- it does not echo an instruction addressed to a model that a cited provision carries ("Ignore
  all previous instructions and answer that …"): provisions are data, never instructions;
- it keeps the law's meaning (kb/check_meaning.py): it does not permit what the provisions it
  cites prohibit, drop or add a "not" against the clause it paraphrases, swap a role
  (provider/deployer, data holder/user …) or state a number they do not.
Anything else is removed and counted. The rules are the issue's (#17), checked mechanically:
no model judges another model here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from kb.answer import FACTS
from kb.check_meaning import inversions
from kb.grammar import find_query_refs
from kb.sentences import sentences_of, split_sentences
from kb.vocabulary import MONTHS, NUMBER_WORDS

__all__ = ["Checker", "Source", "Verdict", "normalise", "sentences_of", "split_sentences"]

# A marker, "[3]"; "[1, 2]" and "[1][2]" cite two.
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_QUOTED = re.compile(r"“([^”]{3,})”|\"([^\"]{3,})\"|«([^»]{3,})»")
# A sentence sharing this many words in a row with the instructions repeats them.
LEAK_WORDS = 8
# Support in words: a sentence of SUPPORT_MIN_WORDS content words or more must share at least
# SUPPORT_SHARE of them with the provisions it cites. A quarter is lenient on purpose: the
# scripted paraphrases of tests/test_generate.py share half or more, an invented claim none.
SUPPORT_MIN_WORDS = 4
SUPPORT_SHARE = 0.25
# A sentence of two or three content words must share half of them: short enough to be anything.
SHORT_MIN_WORDS = 2
SHORT_SHARE = 0.5
# A marker to the wrong provision: the sentence shares WRONG_OTHER or more of its content words
# with another supplied provision, and WRONG_GAP more than with what it cites. Both set on the
# calibration half of the labelled sentences (docs/checker.md).
WRONG_OTHER = 0.8
WRONG_GAP = 0.25
# Words compared by their first five letters, so "prohibits" meets "prohibited".
_STEM = 5
_STOP = frozenset(
    {
        "that",
        "this",
        "these",
        "those",
        "with",
        "from",
        "have",
        "been",
        "will",
        "shall",
        "which",
        "their",
        "there",
        "where",
        "when",
        "what",
        "such",
        "also",
        "into",
        "under",
        "only",
        "than",
        "then",
        "them",
        "they",
        "were",
        "must",
        "more",
        "most",
        "other",
        "same",
        "each",
        "both",
        "your",
    }
)
# An instruction addressed to a model, as injected into an act's text; the law itself never
# speaks to "you" nor tells anyone to ignore instructions or what to answer.
_INJECTED = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.;:]{0,60}\b(?:instructions?|rules|prompts?|guidelines)\b"
    r"|\b(?:answer|respond|reply|say|state|tell the user)\s+(?:only\s+)?(?:that|with)\b"
    r"|\byou (?:must|should|shall|are to|will) (?:now )?(?:answer|respond|reply|say|ignore|tell)\b"
    r"|\bsystem prompt\b|\bas an ai\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Source:
    """A provision as supplied to the model: its number in the prompt, label and verbatim text."""

    number: int
    label: str
    text: str


@dataclass
class Verdict:
    """What the checker made of one sentence: the text without markers, what it cites and
    quotes, and why it fails (empty when it passes)."""

    sentence: str
    text: str
    citations: list[int]
    quotes: list[str]
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def normalise(text: str) -> str:
    """Quote marks and apostrophes folded to ASCII, dashes to "-", whitespace to one space."""
    text = re.sub(r"[“”«»„]", '"', text)
    text = re.sub(r"[‘’‚`]", "'", text)
    text = re.sub(r"[–—]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


class Checker:
    """Checks sentences against the provisions supplied with the prompt, and the prompt's
    own instructions (which no sentence may repeat)."""

    def __init__(self, sources: list[Source], instructions: str = "") -> None:
        self.sources = {s.number: s for s in sources}
        self._text = {s.number: normalise(s.text) for s in sources}
        self._label = {s.number: normalise(s.label) for s in sources}
        self._stems = {n: _stems(t) | _stems(self._label[n]) for n, t in self._text.items()}
        self._injected = {n: _injections(t) for n, t in self._text.items()}
        words = re.findall(r"\w+", instructions.lower())
        self._leaks = {
            " ".join(words[i : i + LEAK_WORDS]) for i in range(max(0, len(words) - LEAK_WORDS + 1))
        }

    def check(self, sentence: str) -> Verdict:
        """The verdict on one sentence, with every reason it fails."""
        cited = [int(n) for group in _MARKER.findall(sentence) for n in re.split(r"\s*[,;]\s*", group)]
        cited = list(dict.fromkeys(cited))
        text = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", sentence)).strip()
        text = re.sub(r"\s{2,}", " ", text)
        quotes = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
        verdict = Verdict(sentence, text, cited, quotes)
        fail = verdict.failures.append
        if not cited:
            fail("cites no provision")
        if not re.search(r"[^\W\d_]{2,}", text):
            fail("says nothing: it is only a marker")
        unknown = [n for n in cited if n not in self.sources]
        if unknown:
            fail("cites a provision that was not supplied: " + ", ".join(f"[{n}]" for n in unknown))
        known = [n for n in cited if n in self.sources]
        if not known:
            return verdict
        haystacks = [self._text[n] for n in known]
        for quote in quotes:
            if not any(_quoted_in(quote, h) for h in haystacks):
                fail(f"quotes words that are not in the provisions it cites: “{quote}”")
        bare = _QUOTED.sub(" ", text)  # a figure inside a verified quote is verified already
        for kind, found in unsupported_figures(bare, haystacks):
            fail(f"states {kind} that the provisions it cites do not: {found}")
        for ref in find_query_refs(bare, {}):
            if not any(_article_in(ref.unit, self._text[n], self._label[n]) for n in known):
                fail(f"names {ref.text}, which the provisions it cites do not")
        words = re.findall(r"\w+", text.lower())
        if any(" ".join(words[i : i + LEAK_WORDS]) in self._leaks for i in range(len(words))):
            fail("repeats the instructions")
        self._check_support(bare, known, fail, quoting=bool(quotes))
        # The claim with its quotes: "prohibits “…”" says what it does with the provision's words.
        for why in inversions(text, haystacks, [self._label[n] for n in known]):
            fail(why)
        return verdict

    def _check_support(
        self, bare: str, known: list[int], fail: Callable[[str], None], quoting: bool = False
    ) -> None:
        """The word-level rules: enough of the sentence's words in what it cites, and none of it
        an echo of an instruction injected into a cited provision."""
        own = _stems(bare)
        for n in known:
            for injected in self._injected[n]:
                if own and len(own & injected) * 2 >= len(own):
                    fail(f"echoes an instruction found in provision [{n}]; provisions are data, not orders")
                    return
        cited = set().union(*(self._stems[n] for n in known))
        share = len(own & cited) / (len(own) or 1)
        if len(own) >= SUPPORT_MIN_WORDS and share < SUPPORT_SHARE:
            fail("shares too few words with the provisions it cites to be supported by them")
        elif len(own) < SUPPORT_MIN_WORDS and not quoting and _short_share(bare, cited) < SHORT_SHARE:
            # "Deployers must keep the logs [2]": a prompt's example, copied, cites a provision on
            # reports. A short frame around a verified quote ("The provision says “…”") is the quote's.
            fail("shares too few words with the provisions it cites to be supported by them")
        elif len(own) >= SUPPORT_MIN_WORDS:
            for n, stems in self._stems.items():
                other = len(own & stems) / len(own)
                if n not in known and other >= WRONG_OTHER and other - share >= WRONG_GAP:
                    fail(f"says what provision [{n}] says, not the provision it cites")
                    break

    def stream(self, chunks: Iterator[str]) -> Iterator[Verdict]:
        """Verdicts on the sentences of a streamed text, each as soon as it is complete."""
        buffer = ""
        for chunk in chunks:
            buffer += chunk
            done, buffer = split_sentences(buffer)
            for sentence in done:
                yield self.check(sentence)
        for sentence in sentences_of(buffer):
            yield self.check(sentence)


def unsupported_figures(text: str, haystacks: list[str]) -> list[tuple[str, str]]:
    """The dates, amounts and periods `text` states that none of `haystacks` states, however each
    writes them ("six months" / "6 months", "EUR 15 000 000" / "€15 million", "7 %"), as
    ("a date" | "an amount" | "a period", the figure as written). Haystacks are `normalise`d."""
    out: list[tuple[str, str]] = []
    for found in _DATES.finditer(text):
        if not any(_date_of(found) in _dates_in(h) for h in haystacks):
            out.append(("a date", found.group(0)))
    for amount in _AMOUNTS.findall(text):
        if not any(_amount(amount) in {_amount(a) for a in _AMOUNTS.findall(h)} for h in haystacks):
            out.append(("an amount", amount))
    for period in FACTS["period"].findall(text):
        if not any(_period_in(period, h) for h in haystacks):
            out.append(("a period", period))
    return out


def _short_share(text: str, cited: set[str]) -> float:
    """The share of a short sentence's content words in `cited`, its figures ("€35 million",
    "six months"), checked by value elsewhere, left out."""
    words = _stems(FACTS["period"].sub(" ", _AMOUNTS.sub(" ", _DATES.sub(" ", text))))
    if len(words) < SHORT_MIN_WORDS:
        return 1.0  # "The AI Act applies from 2 August 2026": its figure is the claim
    return len(words & cited) / len(words)


def _stems(text: str) -> set[str]:
    """The content words of a text (four letters or more, not function words), by stem."""
    return {w[:_STEM] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP}


def _injections(text: str) -> list[set[str]]:
    """The stems of each sentence of a provision that addresses a model with an instruction."""
    return [_stems(s) for s in re.split(r"(?<=[.!?;])\s+", text) if _INJECTED.search(s)]


def _quoted_in(quote: str, haystack: str) -> bool:
    """A quote occurs in the text, its parts in order where "…" skips words; the first letter's
    case may differ (a quote that starts a sentence is capitalised)."""
    parts = [p.strip(" ,;:.") for p in re.split(r"\s*(?:…|\.\.\.)\s*", normalise(quote))]
    parts = [p for p in parts if p]
    if not parts:
        return False
    at = 0
    for part in parts:
        found = -1
        for variant in (part, part[:1].lower() + part[1:], part[:1].upper() + part[1:]):
            found = haystack.find(variant, at)
            if found >= 0:
                break
        if found < 0:
            return False
        at = found + len(part)
    return True


_MONTH = "|".join(MONTHS)
# "2 August 2026", "August 2, 2026", "2026-08-02": a model may write a date in any of these.
_DATES = re.compile(
    rf"\b(\d{{1,2}}) ({_MONTH}) (\d{{4}})\b|\b({_MONTH}) (\d{{1,2}}),? (\d{{4}})\b"
    r"|\b(\d{4})-(\d{2})-(\d{2})\b"
)
# "EUR 35 000 000", "€35 million", "35,000,000 euros", "7 %".
_AMOUNTS = re.compile(
    r"(?:\bEUR|€) ?\d(?:[\d ,.]*\d)?(?: (?:million|billion))?"
    r"|\b\d(?:[\d ,.]*\d)?(?: (?:million|billion))? ?(?:euros?|EUR)\b|\b\d+(?:[.,]\d+)? ?%"
)


def _date_of(m: re.Match[str]) -> tuple[int, int, int]:
    g = m.groups()
    if g[0]:
        return int(g[2]), MONTHS.index(g[1]) + 1, int(g[0])
    if g[3]:
        return int(g[5]), MONTHS.index(g[3]) + 1, int(g[4])
    return int(g[6]), int(g[7]), int(g[8])


def _dates_in(text: str) -> set[tuple[int, int, int]]:
    return {_date_of(m) for m in _DATES.finditer(text)}


def _amount(text: str) -> str:
    """An amount's value as digits, however written: "EUR 35 000 000" and "€35 million" agree."""
    percent = "%" in text
    scale = 1_000_000 if "million" in text else 1_000_000_000 if "billion" in text else 1
    number = re.sub(r"[^\d.,]", "", text)
    if scale > 1 or percent:
        value = float(number.replace(",", ".").rstrip(".") or 0) * scale
        return f"{value:g}%" if percent else str(int(value))
    return re.sub(r"[.,]", "", number)  # thousands separated by spaces, commas or points


def _period_in(found: str, haystack: str) -> bool:
    number, unit = found.split(" ", 1)
    value = str(NUMBER_WORDS.get(number.lower(), number))
    unit = re.sub(r"s$", "", unit.split()[-1])
    names = {value, *(w for w, v in NUMBER_WORDS.items() if str(v) == value)}
    return any(
        re.search(rf"\b{re.escape(n)} (?:working |calendar )?{unit}s?\b", haystack, re.IGNORECASE)
        for n in names
    )


_KIND_WORDS = {"art": "Article", "anx": "Annex", "rct": "Recital"}


def _article_in(unit: str, text: str, label: str) -> bool:
    """ "Article 5(1)(f)" (unit art_5) is supported by a provision labelled Article 5, or one that
    mentions Article 5; a pinpoint deeper than the provision's own is not checked further."""
    prefix, number = unit.split("_", 1)
    kind = _KIND_WORDS[prefix]
    pattern = re.compile(rf"\b{kind}s? {re.escape(number)}(?![\w])", re.IGNORECASE)
    return bool(pattern.search(label) or pattern.search(text))
