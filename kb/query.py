"""A question read once: the one place where the words a user typed are read.

`read` turns a question (with the conversation it belongs to) into a frozen `Query`: what is
searched, the provisions and acts it names, the instruments outside the knowledge base it
names, its language, whether it asks when a rule applies or about facts in the world, the
defined term it asks about, and its claims (each sentence that cites a provision, with those
citations). Search, scope, answers, abstention and checks read the `Query`, never the text:
tests/unit/test_question_readers.py holds every other module of kb/ to that.

The citation forms are kb/grammar.py's, the sentences kb/sentences.py's, the words
kb/vocabulary.py's. A question is read against a `Lexicon`: the names of the acts in the
version searched and the terms they define.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from kb.asks import asks_for, obligations_asked
from kb.grammar import QueryRef, act_mentions, find_instruments, find_query_refs, named_acts
from kb.instruments import Instrument
from kb.language import Language, detect
from kb.results import Turn
from kb.sentences import sentences_of, spans_of
from kb.vocabulary import STOPWORDS, content_words, normal_term, words

# In fewer words than this, a question counts as English: "Art 6 para 2" is no language at all.
MIN_WORDS = 4
# Keywords of the rest of a long question kept beside its question sentences.
LONG_KEYWORDS = 12
# A follow-up longer than this (in words) is a question of its own.
FOLLOW_UP_WORDS = 12
# What a notice says of an act of the index that is not part of the version searched.
NOT_IN_VIEW = "is not part of the text searched: ask about the law in force (version current)"

_PROVISION = re.compile(r"\b(?:art(?:icle)?s?\.?|annex|recital)\s*[\dIVX]", re.IGNORECASE)
_FOLLOW_UP = re.compile(
    r"^(and|also|but|what about|how about|then|so|for|same for|and what|what if)\b"
    r"|\b(that|this|those|these|it|they|them|such|there)\b",
    re.IGNORECASE,
)
# "When …?" asks for a date; "… when it supervises …" does not: a bare "when" counts only at the
# start of a sentence.
_WHEN = re.compile(
    r"(?:^|[.?!]\s+)when\b|\b(what date|since when|from when|which date|from what|by what date|by when|"
    r"until when|deadline|how long|apply from|start(?:s|ed)? to apply|take effect|in force)\b",
    re.IGNORECASE,
)
# The strict reading: a question asks when rules apply or enter into force, not how long a
# period inside an article lasts ("how long must logs be kept", "what is the deadline to report").
_WHEN_APPLIES = re.compile(
    r"\b(?:from|since|until|as of|by|as from) (?:when|what date|which date)\b"
    r"|\b(?:what|which) (?:date|day)\b"
    r"|\bwhen (?:does|do|did|will|is|are|was|were|shall)\b[^?.!]{0,100}?\b(?:apply|applies|applicable|"
    r"application|in force|into force|effect|start|begin|kick in|become)"
    r"|\b(?:apply|applies|applicable|applied) (?:from|as from|as of)\b|\bstart(?:s|ed)? to apply\b"
    r"|\b(?:enter|entered|enters|entering|come|comes|came) into (?:force|effect)\b|\bentry into force\b"
    r"|\bdate of application\b|\bapplication date\b|\btake(?:s)? effect\b|\btransitional period\b",
    re.IGNORECASE,
)
# The same in German, French and Italian, read only in a question in another language: "ab wann
# gilt", "bis wann", "Inkrafttreten", "à partir de quand", "date d'application", "entrée en
# vigueur", "da quando", "entro quando", "entrata in vigore".
_WHEN_APPLIES_ELSEWHERE = re.compile(
    r"\b(?:ab|bis|seit) wann\b|\bab welchem (?:datum|zeitpunkt)\b|\bin kraft\b|\binkrafttreten"
    r"|\b(?:à partir de|depuis|jusqu'à) quand\b|\bà (?:partir|compter) de quelle date\b"
    r"|\bdate d'application\b"
    r"|\b(?:entr\w+|mise?) en (?:vigueur|application)\b|\bs'applique\w* (?:à partir|depuis)\b"
    r"|\b(?:da|entro|fino a) quando\b|\bda quale data\b|\bentrat\w+ in vigore\b|\bdata di applicazione\b",
    re.IGNORECASE,
)
# Questions about facts in the world rather than about what the law says.
_WORLD_FACTS = re.compile(
    r"\b(so far|to date|have already|has already|have been (?:fined|named|designated|appointed)|"
    r"has been (?:fined|named|designated|appointed)|how much does .{0,60}\bcost|how many (?:companies|firms|"
    r"organisations|organizations|businesses) have|biggest fine|largest fine|in practice)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[‘'“\"]([^’'”\"]{2,80})[’'”\"]")
# A phrase quoted the way other languages quote too: „…“ (German), «…» (French), “…”, ‘…’, "…".
_QUOTED_ANY = re.compile(r"[„“”\"«‹‘‚]\s*([^„“”\"«»‹›‘’‚]{2,80}?)\s*[“”\"»›’‘]")
_CUES = re.compile(
    r"\b(what (?:is|are|does|counts)|who (?:is|are|counts)|meaning|mean|means|define[sd]?|definition|"
    r"counts? as|qualif(?:y|ies) as|considered (?:a|an)|in (?:legal|\w+ act) terms|under the \w+ act)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lexicon:
    """What a question is read against, one per version of the acts searched (kb/search builds it)."""

    names: Mapping[str, str]
    """Lower-cased names and numbers of the acts searched ("ai act", "2024/1689") -> act id."""
    other_names: Mapping[str, str] = field(default_factory=dict)
    """The same for the index's acts that are not part of the version searched."""
    others: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    """Act id of each of those -> (short name, EUR-Lex URL), for the notice that says so."""
    terms: Mapping[str, str] = field(default_factory=dict)
    """The terms the acts searched define: normal form ("deployer") -> as the act writes it."""


@dataclass(frozen=True)
class Window:
    """The embedder's window: `tokens(text)` counts a text's tokens, `max_tokens` fit."""

    tokens: Callable[[str], int]
    max_tokens: int


@dataclass(frozen=True)
class Claim:
    """A sentence of the question that cites provisions: "Article 6(2) says X." with Article 6(2)."""

    sentence: str
    """The sentence as the user wrote it."""
    citations: tuple[QueryRef, ...]
    """The provisions it cites, in order, bound to the act named with them; offsets in the sentence."""


@dataclass(frozen=True)
class Query:
    """A question as read, once, for search, scope, answers, abstention and checks."""

    text: str
    """The question as asked, without surrounding whitespace."""
    resolved: str
    """The question read with the conversation: a follow-up ("and for deployers?") after the
    question it follows; else `text`."""
    searched: str
    """What is embedded and matched: `resolved`, or of a long one (more than the embedder's
    window) its sentences that ask."""
    keywords: str = ""
    """The most frequent content words of the rest of a long question, searched by keyword."""
    notices: tuple[str, ...] = ()
    """What the reader is told about how the question was read (long; not in English)."""
    language: Language | None = None
    """The language of `resolved` when it is clearly not English; None for English."""
    refs: tuple[QueryRef, ...] = ()
    """The provisions `searched` names, in order, each bound to the act named with it (or to an
    instrument outside the knowledge base, in `external`)."""
    acts_named: tuple[str, ...] = ()
    """Ids of the acts searched that `searched` names, in order of first mention (a name inside
    another instrument's, "Data Governance Act", does not count)."""
    outside: tuple[Instrument, ...] = ()
    """Instruments `searched` names that the version searched does not hold: other laws ("GDPR",
    "§ 26 BDSG") and acts of the index outside that version (their `why` says so)."""
    defines: tuple[str, ...] = ()
    """Normal forms of the defined terms asked about: quoted ("what is a ‘deployer’"), or one the
    question asks about after a cue ("what is a deployer?")."""
    asks_when: bool = False
    """`searched` asks for a date or period ("when", "deadline", "how long")."""
    asks_when_applies: bool = False
    """`searched` asks when rules apply or enter into force (the strict reading of `asks_when`)."""
    asks_world_facts: bool = False
    """`resolved` asks about facts in the world (fines imposed so far, costs), not about the law."""
    asks_for: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """What `resolved` asks for beyond the text of the acts, with the words that show it (see
    kb/asks.py `asks_for`): "national" (a country, "national law"), "place" (the countries
    named), "future" (what an institution will do), "instrument" (guidelines, templates,
    standards), "world" (an event of record), "corrigendum", "other-law" (another field of law);
    empty for a question about the law itself."""
    context_words: int = 0
    """Content words of `searched` beside the provisions and acts it names: few, and the question
    is the reference ("What does Article 5 say?")."""
    terms: tuple[str, ...] = ()
    """The keyword ranking's terms: the words of `searched` and `keywords`, once each, without
    stopwords and single letters."""
    content_words: frozenset[str] = frozenset()
    """Stemmed content words of `resolved`, matched against an answer's sentences."""
    claims: tuple[Claim, ...] = ()
    """Each sentence of `text` that cites a provision, with its citations."""
    quoted: tuple[str, ...] = ()
    """The phrases `searched` quotes, in any language's quotation marks, when it is not in
    English („Dateninhaber“): kb/search/crosslingual.py finds the defined terms they translate."""
    terms_named: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    """Asking for obligations: terms named (a role by its verb: "we deploy"), ACTIVITIES named, high-risk."""
    high_risk: bool = False
    own: Query | None = None
    """For a follow-up, the follow-up read alone: searched too, and the rankings interleaved."""
    translation: str = ""
    """The English translation searched in place of a question not in English (kb/translated.py);
    empty when none was made. `text` stays the question as asked, `language` its language."""
    translated_by: str = ""
    """The model that made `translation`."""
    translated_from: Query | None = None
    """The question as read in its own language, before translation (references are read there)."""

    @property
    def is_follow_up(self) -> bool:
        """Whether the question was read with the one before it."""
        return self.resolved != self.text


def read(
    question: str, lexicon: Lexicon, history: Sequence[Turn] = (), window: Window | None = None
) -> Query:
    """The question read once. `history` is the conversation so far (a follow-up is read with
    the last question); `window` the embedder's, for a question too long to embed whole."""
    text = question.strip()
    resolved = _resolve_follow_up(text, history)
    searched, keywords, notices = resolved, "", []
    long = _focus(resolved, window) if window else None
    if long is not None:
        searched, keywords = long
        notices.append(_long_notice(resolved, searched, keywords, window))
    language = _language(resolved)
    if language is not None:
        notices.append(english_only_notice(language))
    outside = find_instruments(searched, lexicon.names) + _not_in_view(searched, lexicon)
    spans = [(i.start, i.end, i.name) for i in outside]
    refs = find_query_refs(searched, lexicon.names, spans)
    obliged = obligations_asked((text, resolved), lexicon.terms)
    return Query(
        text=text,
        resolved=resolved,
        searched=searched,
        keywords=keywords,
        notices=tuple(notices),
        language=language,
        refs=tuple(refs),
        acts_named=tuple(named_acts(_without(searched, outside), lexicon.names)),
        outside=tuple(outside),
        defines=_defined_terms(searched, lexicon.terms),
        asks_when=_WHEN.search(searched) is not None,
        asks_when_applies=_WHEN_APPLIES.search(searched) is not None
        or (language is not None and _WHEN_APPLIES_ELSEWHERE.search(searched) is not None),
        asks_world_facts=_WORLD_FACTS.search(resolved) is not None,
        asks_for={k: tuple(v) for k, v in asks_for(resolved).items()}
        | ({"obligations": obliged.phrases} if obliged.phrases else {}),
        terms_named=obliged.terms_named,
        activities=obliged.activities,
        high_risk=obliged.high_risk,
        context_words=_context_words(searched, refs, lexicon.names),
        terms=keyword_terms(f"{searched} {keywords}"),
        content_words=frozenset(content_words(resolved)),
        claims=_claims(text, lexicon, refs if searched == text else None),
        quoted=tuple(m.group(1) for m in _QUOTED_ANY.finditer(searched)) if language else (),
        own=read(text, lexicon, (), window) if resolved != text else None,
    )


def english_only_notice(language: Language) -> str:
    """What a question not in English is told when it is searched as an English one (no
    multilingual vectors in the index, or KB_MULTILINGUAL off); kb/multilingual.py says the rest."""
    return (
        f"The question seems to be in {language.name}. The knowledge base holds the English text "
        "of the acts and searches it in English, so these results are low confidence: ask in "
        "English, or build the index with the multilingual encoder (KB_MULTILINGUAL, see the README)."
    )


def keyword_terms(text: str) -> tuple[str, ...]:
    """The terms a keyword ranking matches for `text`: its words, once each, without stopwords
    and single letters (also the structured-hybrid baseline's, kb/baselines.py)."""
    return tuple(dict.fromkeys(w for w in words(text) if w not in STOPWORDS and len(w) > 1))


def _resolve_follow_up(question: str, history: Sequence[Turn]) -> str:
    """A follow-up ("and for deployers?", "what are the fines for that?") read together with the
    question it follows, so that retrieval knows what "that" is."""
    if not history:
        return question
    if len(re.findall(r"[A-Za-z]+", question)) > FOLLOW_UP_WORDS or not _FOLLOW_UP.search(question):
        return question
    return f"{history[-1].question.strip()} {question}"


def _language(text: str) -> Language | None:
    """The language of `text` when it is clearly not English; None for English or too few words
    (provision numbers are no words of any language)."""
    prose = _PROVISION.sub(" ", text)
    if len(re.findall(r"[^\W\d_]{2,}", prose)) < MIN_WORDS:
        return None
    return detect(prose)


def _focus(question: str, window: Window) -> tuple[str, str] | None:
    """For a question longer than the embedder's window, the sentences that ask (the last one,
    any with a question mark, any naming a provision) and the most frequent content words of
    the rest; None when the whole question fits."""
    tokens, max_tokens = window.tokens, window.max_tokens
    if tokens(question) <= max_tokens:
        return None
    sentences = sentences_of(question)
    asking = [
        i for i, s in enumerate(sentences) if i == len(sentences) - 1 or "?" in s or _PROVISION.search(s)
    ]
    kept: list[str] = []
    for i in reversed(asking):  # the last sentences first: the question is usually at the end
        if tokens(" ".join([sentences[i], *kept])) > max_tokens and kept:
            break
        kept.insert(0, sentences[i])
    rest_text = " ".join(s for i, s in enumerate(sentences) if i not in asking)
    counts = Counter(w for w in words(rest_text) if w not in STOPWORDS and len(w) > 3 and not w.isdigit())
    return " ".join(kept), " ".join(w for w, _ in counts.most_common(LONG_KEYWORDS))


def _long_notice(question: str, searched: str, keywords: str, window: Window | None) -> str:
    limit = window.max_tokens if window else 0
    return (
        f"The question is long ({len(question):,} characters, more than the {limit} tokens the "
        f"embedder reads): it was searched by its question sentences (“{_clip(searched)}”) and the "
        f"keywords of the rest ({keywords or 'none'})."
    )


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _not_in_view(text: str, lexicon: Lexicon) -> list[Instrument]:
    """Acts of the index that the question names but that are not part of the version searched:
    the 2026 amending act, asked about in the text as first published."""
    out = []
    for start, end, doc in act_mentions(text, lexicon.other_names):
        short_name, url = lexicon.others[doc]
        out.append(Instrument(text[start:end], start, end, short_name, None, url, NOT_IN_VIEW))
    return out


def _without(text: str, outside: list[Instrument]) -> str:
    """The text with the other instruments blanked out, so that "Data Governance Act" does not
    read as the Data Act."""
    for i in reversed(outside):
        text = text[: i.start] + " " * (i.end - i.start) + text[i.end :]
    return text


def _defined_terms(text: str, terms: Mapping[str, str]) -> tuple[str, ...]:
    """The defined terms a question asks for: quoted ones, or the longest defined term after a
    cue like "what is" or "meaning of", when it is the subject of the question."""
    quoted = [q for q in (normal_term(q) for q in _QUOTED.findall(text)) if q in terms]
    if quoted:
        return tuple(quoted)
    if not _CUES.search(text):
        return ()
    normalized = f" {normal_term(text)} "
    best = ""
    for term in terms:
        if len(term) > len(best) and f" {term} " in normalized:
            best = term
    # An unquoted term must be the subject of the question, not a passing word in it:
    # "what are the obligations for AI systems" does not ask what an AI system is.
    if not best or not _asks_about(text, terms[best]):
        return ()
    return (best,)


def _asks_about(text: str, term: str) -> bool:
    t = re.escape(term)
    pattern = (
        rf"\b(?:what|who)\s+(?:is|are|counts as)\s+(?:a|an|the)?\s*{t}s?\b"
        rf"|\b(?:meaning of|define|definition of)\s+(?:a|an|the)?\s*[‘'“\"]?{t}"
        rf"|\b{t}s?[’'”\"]?\s+(?:means|mean)\b"
        rf"|\bis\s+(?:a|an|the)\s+{t}\b"
    )
    return re.search(pattern, text, re.IGNORECASE) is not None


def _context_words(text: str, refs: list[QueryRef], names: Mapping[str, str]) -> int:
    """Content words of `text` once the provisions and acts it names are taken out."""
    rest = text
    for ref in refs:
        rest = rest.replace(ref.text, " ")
    for name in names:
        rest = re.sub(r"(?i)\b" + re.escape(name) + r"\b", " ", rest)
    return len([w for w in words(rest) if w not in STOPWORDS and len(w) > 2])


def _claims(text: str, lexicon: Lexicon, refs: list[QueryRef] | None) -> tuple[Claim, ...]:
    """Each sentence of `text` that cites provisions. `refs` are those of `text` where already
    read (the question was searched as asked); else they are read here."""
    if refs is None:
        outside = find_instruments(text, lexicon.names) + _not_in_view(text, lexicon)
        refs = find_query_refs(text, lexicon.names, [(i.start, i.end, i.name) for i in outside])
    claims = []
    for start, end in spans_of(text):
        cited = tuple(
            QueryRef(r.text, r.unit, r.pinpoint, r.doc, r.start - start, r.external)
            for r in refs
            if start <= r.start < end
        )
        if cited:
            claims.append(Claim(text[start:end], cited))
    return tuple(claims)
