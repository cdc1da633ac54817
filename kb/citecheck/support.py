"""Does the cited provision say what the claim says? Decided without a language model, from
what can be checked mechanically, most certain first:

1. figures: every date, amount and period the claim states must be in the cited span
   (`kb.check.unsupported_figures`, the answer checker's rule);
2. modality: a claim that permits what the span prohibits, or exempts from what it obliges,
   is not supported ("may use … [5(1)(f)]" against "shall be prohibited");
3. roles: a claim addressed to a role the span does not name, when the span names another
   ("providers must …" cited to a paragraph on deployers). Roles are the act's own defined terms
   for persons ("‘deployer’ means a natural or legal person …"), read from its definitions;
4. meaning: the claim searched as a question in the cited act (citations taken out). The cited
   span ranked among the first `CheckRules.rank` hits, or a passage of it at least
   `CheckRules.similar` in cosine, supports it; neither in the first ten nor above
   `CheckRules.unrelated` does not; between the two the check says `unverified`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.check import normalise, unsupported_figures
from kb.definitions import definitions_in, is_definitions_article
from kb.document import Unit
from kb.vocabulary import STOPWORDS


# Calibrated on bench/questions/claims.jsonl (docs/citecheck.md has the table and the curve).
@dataclass(frozen=True)
class CheckRules:
    """Every rule of the check, each one switchable for the ablation (bench/citecheck.py).

    rank: hits (1-based) within which the cited span must rank for the claim to be supported;
    similar: cosine of the claim and the span's best passage that supports on its own;
    unrelated: cosine below which a span that does not rank in the first ten does not support;
    figures, modality, roles: steps 1-3 on or off."""

    rank: int = 3
    similar: float = 0.62
    unrelated: float = 0.35
    figures: bool = True
    modality: bool = True
    roles: bool = True


# A span that forbids, a claim that allows; a span that obliges, a claim that releases.
_PROHIBITS = re.compile(r"\bshall (?:be )?prohibited\b|\bshall not\b|\bmay not\b|\bis prohibited\b", re.I)
_OBLIGES = re.compile(r"\bshall\b(?!\s+not\b)", re.I)
# Permission in so many words; "may be fined" is no permission, so bare "may" does not count.
_PERMITS = re.compile(
    r"\b(?:is|are|remains?|becomes?|stays?) (?:still )?(?:allowed|permitted|lawful|legal|binding)\b"
    r"|\b(?:allows?|permits?|authori[sz]es?)\b"
    r"|\b(?:may|can|could) (?:still |freely |lawfully |legally )?(?:use|deploy|place|put|sell|process|share|"
    r"run|remove|profile|disclose|keep|ignore|skip|refuse|charge|continue|circumvent|bypass|force|train|"
    r"collect|monitor|scrape|infer|reuse|transfer)\b",
    re.I,
)
_RELEASES = re.compile(
    r"\b(?:need not|needn't|(?:does|do) not (?:have|need) to|(?:don't|doesn't) (?:have|need) to"
    r"|(?:is|are) not (?:required|obliged|obligated)|no (?:obligation|requirement|duty) to"
    r"|optional|voluntary)\b",
    re.I,
)
_NEGATED = re.compile(r"\b(?:not|never|cannot|can't|no longer|prohibit\w*|ban\w*|forbid\w*)\b", re.I)
# A claim that names a limit of the rule states an exception, not the rule's opposite.
_EXCEPTION = re.compile(
    r"\b(?:except|unless|save|exempt\w*|derogat\w*|only (?:if|where|when)|other than)\b", re.I
)
# Definitions of persons: "‘deployer’ means a natural or legal person …", "… means any natural …".
_PERSON = re.compile(r"\bmeans\s+(?:a|an|any|the)?\s*(?:natural or legal person|public authority)", re.I)
# Words that say nothing about what a provision is about.
_GENERIC = frozenset(
    """article articles paragraph point points annex recital act regulation provision provisions
    says states requires require required must need needs under according cited cite""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Judgement:
    verdict: str  # "supported" | "not_supported" | "unverified"
    why: str
    quote: str | None = None
    searched: bool = False  # whether the claim was searched (suggestions come from that search)


def roles_of(units: dict[tuple[str, str], Unit]) -> dict[str, set[str]]:
    """Each act's roles: its defined terms for persons, normalised ("data holder", "deployer")."""
    roles: dict[str, set[str]] = {}
    for (doc, _), unit in units.items():
        if not is_definitions_article(unit):
            continue
        for d in definitions_in(doc, unit):
            if _PERSON.search(unit.text[d.start : d.end]):
                roles.setdefault(doc, set()).add(_norm_role(d.term))
    return roles


def _norm_role(term: str) -> str:
    return " ".join(re.findall(r"[a-z]+", term.lower()))


def _mentions(text: str, role: str) -> bool:
    """`role` or its plural or possessive in `text` (lower-cased)."""
    return re.search(rf"\b{re.escape(role)}(?:s|es|'s|s')?\b", text) is not None


def content_words(text: str) -> list[str]:
    """The words of a claim that say what it is about (no stopwords, no citation words)."""
    return [
        w for w in re.findall(r"[a-z][a-z-]{2,}", text.lower()) if w not in STOPWORDS and w not in _GENERIC
    ]


def mechanical(claim: str, span: str, roles: set[str], rules: CheckRules | None = None) -> Judgement | None:
    """Steps 1–3: a verdict of `not_supported` when a figure, the modality or the role of the
    claim contradicts the span; None when none of them decides."""
    rules = rules or CheckRules()
    figures = unsupported_figures(claim, [normalise(span)]) if rules.figures else []
    if figures:
        stated = "; ".join(f"{kind} ({found})" for kind, found in figures)
        return Judgement("not_supported", f"The claim states {stated} that the provision does not.")
    if rules.modality and not _EXCEPTION.search(claim):
        if _PROHIBITS.search(span) and _PERMITS.search(claim) and not _NEGATED.search(claim):
            return Judgement("not_supported", "The provision prohibits this; the claim says it is allowed.")
        if _OBLIGES.search(span) and _RELEASES.search(claim) and not _PROHIBITS.search(span):
            return Judgement(
                "not_supported", "The provision imposes this; the claim says it is not required."
            )
    if not rules.roles:
        return None
    low_claim, low_span = claim.lower(), span.lower()
    # Whom each binds: the roles written just before a duty ("deployers … shall inform",
    # "providers must"), or right after a verb that imposes one ("requires providers to").
    named = {r for r in roles if _binds(low_claim, r, _CLAIM_DUTY)}
    # "provider of a general-purpose AI model" names "provider" too: only the longest counts.
    named = {r for r in named if not any(r != o and r in o for o in named)}
    bound = {r for r in roles if _binds(low_span, r, r"shall")}
    if named and bound and not any(n in b or b in n for n in named for b in bound):
        return Judgement(
            "not_supported",
            f"The claim is about {', '.join(sorted(named))}; the provision binds {', '.join(sorted(bound))}.",
        )
    return None


# How a claim says that someone must do something.
_CLAIM_DUTY = r"must|shall|has to|have to|needs? to|(?:is|are) (?:required|obliged|responsible)|should"


def _binds(text: str, role: str, duty: str) -> bool:
    """Whether `text` (lower-cased) puts a duty on `role`: the role, then within the clause the
    duty ("deployers that are employers shall"), or "requires/obliges … role"."""
    name = rf"\b{re.escape(role)}(?:s|es)?\b"
    return bool(
        re.search(rf"{name}[^.;:]{{0,60}}?\b(?:{duty})\b", text)
        or re.search(rf"\b(?:requires?|obliges?|obligates?)\s+(?:\w+\s+){{0,3}}?{name}", text)
    )


def by_meaning(rank: int | None, similarity: float, quote: str | None, t: CheckRules) -> Judgement:
    """Step 4, from the cited span's rank (1-based; None: not in the first ten) among the hits
    for the claim, and the best cosine of the claim with the span's indexed passages."""
    if (rank is not None and rank <= t.rank) or similarity >= t.similar:
        where = f"ranks {rank} of the provisions that match the claim" if rank else "says it"
        return Judgement("supported", f"The cited provision {where} (cosine {similarity:.2f}).", quote, True)
    if rank is None and similarity < t.unrelated:
        return Judgement(
            "not_supported",
            f"The cited provision is about something else: it is not among the ten provisions that "
            f"match the claim best (cosine {similarity:.2f}).",
            None,
            True,
        )
    where = f"ranks {rank}" if rank else "is not among the first ten"
    return Judgement(
        "unverified",
        f"The cited provision {where} for the claim (cosine {similarity:.2f}): it may or may not say it.",
        quote,
        True,
    )


def best_sentence(claim: str, span: str) -> str | None:
    """The sentence of the span that shares most content words with the claim (the quote shown
    for a supported claim); None when it shares none."""
    wanted = set(content_words(claim))
    scored = [(len(wanted & set(content_words(s))), -i, s) for i, s in enumerate(span_sentences(span))]
    best = max(scored, default=(0, 0, None))
    return best[2] if best[0] else None


def span_sentences(span: str) -> list[str]:
    """The sentences of a provision's text: its lines, split again at full stops."""
    out: list[str] = []
    for line in span.split("\n"):
        for piece in re.split(r"(?<=[.;:])\s+(?=[A-Z(‘“])", line.strip()):
            if len(piece) >= 12:
                out.append(piece)
    return out or ([span.strip()] if span.strip() else [])
