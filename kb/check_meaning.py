"""Whether a sentence keeps the meaning of the provisions it cites: the checker's rules against
inverted law (kb/check.py applies them).

Words in common do not make a sentence faithful: "This provision allows the use of AI systems to
infer emotions in the workplace [1]" shares most of its words with the prohibition it cites
(issue #29). Four rules, each mechanical, each held against the text the model was given:

- stance: a sentence that permits ("may", "can", "allowed", "Yes, …") where every provision it
  cites prohibits ("shall be prohibited", "shall not", "may not"), and states no condition
  ("unless", "only", "where", "if", "except"), inverts the law; so does one that prohibits where
  none of the provisions it cites contains a prohibition or a negation at all;
- negation: a sentence that paraphrases one clause of a cited provision closely (most of its
  words are that clause's) but with the opposite polarity (a "not", "no", "never" or
  "prohibited" more or fewer, counted modulo two) drops or adds a "not";
- role: a sentence whose subject ("Providers shall …") is one of the acts' defined roles and
  differs from the subject of the clause it paraphrases ("Deployers shall …") swaps the role; a
  role the sentence names that no cited provision names is not theirs;
- number: a figure the sentence states (digits outside article references) that no cited
  provision states, as digits or in words.
Dates, amounts and periods are kb/check.py's own rule (`unsupported_figures`).
"""

from __future__ import annotations

import re

from kb.vocabulary import MONTHS, NUMBER_WORDS

# The acts' defined roles (AI Act Article 3, Data Act Article 2), singular; a plural adds "s".
ROLES = (
    "authorised representative",
    "market surveillance authority",
    "notified body",
    "notifying authority",
    "national competent authority",
    "data holder",
    "data recipient",
    "data processing service",
    "public sector body",
    "downstream provider",
    "provider",
    "deployer",
    "importer",
    "distributor",
    "operator",
    "manufacturer",
    "user",
    "customer",
    "gatekeeper",
    "affected person",
    # Who acts besides the operators: a rule given to the Member States is not the Commission's.
    "Commission",
    "Member State",
    "AI Office",
)
_ROLE = re.compile(r"\b(" + "|".join(re.escape(r) for r in ROLES) + r")s?\b", re.IGNORECASE)
# "No later than", "not exceeding": limits, not negations.
_LIMITS = re.compile(
    r"\b(?:no|not) (?:later|earlier|more|less|fewer|exceeding|only)\b|\bwhether or not\b|\bif not\b",
    re.IGNORECASE,
)
_NEGATORS = re.compile(
    r"\b(?:not|no|never|neither|nor|cannot|none)\b|n't\b|\b(?:prohibit(?:ed|s)?|forbid\w*|ban|banned|bans)\b",
    re.IGNORECASE,
)
_PROHIBITS = re.compile(
    r"\bprohibit(?:ed|s)?\b|\bforbid\w*|\bbann?(?:ed|s)?\b|\b(?:shall|must|may|can) ?not\b|\bcannot\b"
    r"|\bnot (?:be )?(?:allowed|permitted|lawful)\b",
    re.IGNORECASE,
)
_PERMITS = re.compile(
    r"^\s*yes\b|\b(?:can|could|allow\w*|permit(?:s|ted)?|permissible|lawful|legal)\b"
    r"|(?<!\d )\bmay\b(?! \d)",  # "1 May 2030" is a date
    re.IGNORECASE,
)
_CONDITIONS = re.compile(
    r"\b(?:unless|except\w*|only|where|if|provided|when|derogat\w*|exempt\w*|strictly necessary)\b",
    re.IGNORECASE,
)
_MODAL = re.compile(
    r"\b(?:shall|must|may|should|has to|have to|is required|are required|needs? to|is obliged|are obliged)\b",
    re.IGNORECASE,
)
# Clauses of a provision: sentences, list items, and the exception that follows "unless", "except".
_CLAUSE_END = re.compile(
    r"(?<=[.;:])\s+|\s+(?=\((?:[a-z]|[ivx]+)\)\s)|,?\s+(?=(?:unless|except|save where)\b)"
)
# A sentence of this many content words or more, sharing this share of them with one clause,
# paraphrases that clause (measured on the calibration half of the labelled sentences).
ANCHOR_MIN_WORDS = 4
ANCHOR_SHARE = 0.6
_DATE = re.compile(rf"\b\d{{1,2}} (?:{'|'.join(MONTHS)}) \d{{4}}\b")
_PART = re.compile(r"\b(?:Chapter|Section|Article|Annex) (?:[IVXLC]+|\d+[a-z]?)\b")
_CHARGES = re.compile(
    r"\b(?:may|can|could|allowed to|permitted to|entitled to) (?:\w+ )?"
    r"(?:charge|impose\w* (?:\w+ )?(?:charges|fees)|ask for (?:a )?fee)",
    re.IGNORECASE,
)
_FREE = re.compile(r"\bfree of charge\b|\bshall not impose any\b[^.;]*\bcharges\b", re.IGNORECASE)
_EXCEPTION = re.compile(r"\s*(?:except|unless|save)\b", re.IGNORECASE)
_DEROGATION = re.compile(r"\bby way of derogation\b|\bshall not apply\b|\bexempt", re.IGNORECASE)
# A permission that shares this share of its content words with an exception states it.
EXCEPTION_SHARE = 0.4
# Article, paragraph and point references carry numbers that are not figures.
_REFS = re.compile(
    r"\b(?:Articles?|Art\.|Annex(?:es)?|Recitals?|Chapters?|Sections?|paragraphs?|points?|Regulation|"
    r"Directive|Decision)\s+(?:\(?[\dIVXLC]+[\w()./]*(?:\s*(?:,|and|or|to)\s*\(?[\dIVXLC]+[\w()./]*)*)",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?:EUR|€)\s?\d[\d ,.]*(?:million|billion)?|\d[\d ,.]*\s?(?:%|per ?cent|million|billion|euros?|EUR)",
    re.IGNORECASE,
)
_MONTH = "|".join(MONTHS)
# Amounts, dates and periods: kb/check.py's `unsupported_figures` checks them, by value.
_FIGURES = re.compile(
    rf"{_AMOUNT.pattern}|\b\d{{1,2}} (?:{_MONTH}),? \d{{4}}\b|\b(?:{_MONTH}) \d{{1,2}},? \d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d+ (?:working |calendar )?(?:hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.,/-])\d+(?:[.,]\d+)?(?![\w/-])")
# A condition that opens a sentence or clause, up to its comma.
_CONDITION = re.compile(
    r"(?:^|(?<=[.;:]\s)|(?<=\n))\s*(?:where|if|when|unless|in so far as|insofar as)\b[^,;:]*,",
    re.IGNORECASE,
)
_STOP = frozenset({"that", "this", "these", "those", "with", "from", "have", "been", "which", "their"})


def stems(text: str) -> set[str]:
    """Content words (four letters or more, not function words), by their first five letters."""
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP}


def clauses(text: str) -> list[str]:
    """A provision's sentences, list points and exceptions, each as written."""
    return [c for c in _CLAUSE_END.split(text) if c and len(c.strip()) > 3]


def lead_in(text: str) -> str:
    """The words that govern a list's points ("The following AI practices shall be prohibited:"):
    the text before its first point, when that ends with a colon; else nothing."""
    m = re.search(r":\s*(?:…\s*)?\((?:[a-z]|[ivx]+|\d+)\)\s", text)
    return text[: m.start() + 1] if m else ""


def main_clause(text: str) -> str:
    """`text` without its conditions ("Where data cannot be accessed …, "): a negation there
    says when the rule applies, not what it says."""
    return _CONDITION.sub(" ", text)


def negations(text: str) -> int:
    """How many negating words (with "prohibited", "banned") `text` has, limits ("no later than") aside."""
    return len(_NEGATORS.findall(_LIMITS.sub(" ", text)))


def _answer_particle(text: str) -> str:
    """The sentence without a leading "No," (an answer, not a negation of the claim that follows)."""
    return re.sub(r"^\s*no\b[,.:;]?\s*", "", text, flags=re.IGNORECASE)


def stance(text: str) -> str | None:
    """ "prohibits", "permits" or None (neither, or a conditional permission)."""
    text = _LIMITS.sub(" ", _answer_particle(text))
    if _PROHIBITS.search(text):
        return "prohibits"
    if _PERMITS.search(text) and not _CONDITIONS.search(text) and not negations(text):
        return "permits"
    return None


def subject_role(text: str) -> str | None:
    """The role of the first "X shall/must/may …": the first role named in the phrase before the
    first modal ("The provider of data processing services shall" → provider)."""
    modal = _MODAL.search(text)
    if not modal or re.match(r"\s+(?:not\s+)?be\s+\w+(?:ed|en|de|ld|pt|nt)\b", text[modal.end() :]):
        return None  # "The Commission must be notified": the role is acted on, not acting
    phrase = re.split(r"[,;:]", text[: modal.start()])[-1]
    roles = _ROLE.findall(phrase)
    return roles[0].lower() if roles else None


def anchor(sentence: str, texts: list[str]) -> tuple[str, str] | None:
    """The clause of `texts` the sentence paraphrases, with the lead-in that governs it: most of
    the sentence's content words are that clause's (ANCHOR_SHARE of at least ANCHOR_MIN_WORDS);
    None when no clause is that close."""
    own = stems(sentence)
    if len(own) < ANCHOR_MIN_WORDS:
        return None
    best, best_share = None, 0.0
    for text in texts:
        lead = lead_in(text)
        for clause in clauses(text[len(lead) :]):
            share = len(own & stems(clause)) / len(own)
            if share > best_share:
                best, best_share = (clause, lead), share
    return best if best_share >= ANCHOR_SHARE else None


def inversions(sentence: str, texts: list[str], labels: list[str]) -> list[str]:
    """Why `sentence` (its markers and quotes removed) does not say what `texts` (the cited
    provisions as supplied, `labels` theirs) say; empty when no rule finds it inverted."""
    out: list[str] = []
    said = stance(main_clause(sentence))
    rules = [main_clause(t) for t in texts]
    prohibited = bool(rules) and all(_PROHIBITS.search(t) for t in rules)
    if said == "permits" and prohibited and not _states_an_exception(sentence, texts):
        out.append("permits what the provisions it cites prohibit")
    if said == "prohibits" and not any(negations(t) or _PROHIBITS.search(t) for t in rules):
        out.append("prohibits what the provisions it cites do not")
    found = anchor(sentence, texts)
    if found is not None and not out:
        clause, lead = found
        mine = negations(main_clause(_answer_particle(sentence)))
        # An exception ("except where …", "unless …") says the opposite of the rule it excepts from.
        exception = 1 if _EXCEPTION.match(clause) else 0
        if mine % 2 != (negations(main_clause(clause)) + negations(lead) + exception) % 2:
            out.append("drops or adds a negation against the provision it paraphrases")
        who, whom = subject_role(main_clause(sentence)), subject_role(main_clause(clause))
        if who and whom and who != whom:
            out.append(f"makes the {who} do what the provision asks of the {whom}")
    free = bool(texts) and all(_FREE.search(t) for t in texts)
    if free and _CHARGES.search(sentence) and not negations(sentence):
        out.append("lets a charge be made where the provisions it cites say free of charge")
    out.extend(_misbound_dates(sentence, texts))
    everything = " ".join(texts + labels).lower()
    for role in dict.fromkeys(r.lower() for r in _ROLE.findall(sentence)):
        if not re.search(rf"\b{re.escape(role)}s?\b", everything):
            out.append(f"names the {role}, whom the provisions it cites do not")
    for number in numbers(sentence):
        if not _number_in(number, everything):
            out.append(f"states the number {number}, which the provisions it cites do not")
    return out


def _states_an_exception(sentence: str, texts: list[str]) -> bool:
    """The sentence permits what an exception of a cited prohibition permits ("It allows use for
    medical or safety reasons" of Article 5(1)(f)'s "except where … for medical or safety
    reasons"): EXCEPTION_SHARE of its content words, two at least, are the exception's."""
    own = stems(sentence)
    for text in texts:
        for clause in clauses(text):
            if _EXCEPTION.match(clause) or _DEROGATION.search(clause):
                shared = own & stems(clause)
                if len(shared) >= 2 and len(shared) >= EXCEPTION_SHARE * len(own):
                    return True
    return False


def _misbound_dates(sentence: str, texts: list[str]) -> list[str]:
    """ "Chapter V applies from 2 August 2026" where the text says "Chapter V … shall apply from
    2 August 2025": a date and a part of the act the sentence joins, which no clause of a cited
    text joins, though one names that part with another date."""
    dates = [d.group(0) for d in _DATE.finditer(sentence)]
    parts = [p.group(0) for p in _PART.finditer(sentence)]
    out = []
    for date in dates:
        for part in parts:
            named = re.compile(rf"\b{re.escape(part)}(?![\w(])", re.IGNORECASE)
            with_part = [c for t in texts for c in clauses(t) if named.search(c)]
            dated = [c for c in with_part if _DATE.search(c)]
            if dated and not any(date.lower() in c.lower() for c in with_part):
                out.append(f"gives {part} the date {date}, which the provision gives another")
    return out


def numbers(text: str) -> list[str]:
    """The figures `text` states in digits, outside article, annex and point references and
    amounts (kb/check.py checks amounts by their value: "€15 million" is "EUR 15 000 000")."""
    return _NUMBER.findall(_FIGURES.sub(" ", _REFS.sub(" ", text)))


def _number_in(number: str, text: str) -> bool:
    words = [w for w, v in NUMBER_WORDS.items() if str(v) == number]
    return any(re.search(rf"(?<![\w.,]){re.escape(n)}(?![\w])", text) for n in [number, *words])
