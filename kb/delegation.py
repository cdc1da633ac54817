"""What a provision leaves to others, read from the acts' own language.

A provision that says "Member States shall lay down the rules on penalties" or "The Commission
shall adopt implementing acts establishing a template" answers a question only in part: it says
who settles the rest. kb/abstain.py uses this to answer such questions *in part*, citing the
provision that delegates, instead of quoting it as if it settled the matter or declining.

The reading is a property of the passage, not of the question: it is computed once per passage
text (cached) from the forms the acts use for a delegation to Member States (Data Act Art. 40,
AI Act Art. 70 and 99) and for an empowerment of the Commission or of standardisation bodies (AI
Act Art. 40, 41, 56, 96; Data Act Art. 9(5), 33(11), 36, 41).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kb.sentences import sentences_of

MEMBER_STATES = "the Member States"
COMMISSION = "the Commission"
OTHER_LAW = "other Union law"

# "Member States shall lay down / designate / ensure …", "each Member State shall establish",
# "Member States may decide / provide": the act's words for handing a matter to national law.
_TO_MEMBER_STATES = re.compile(
    r"\b(?:each )?Member States? (?:shall|may)\b[^.;]{0,60}?\b(?:lay down|designate|establish|ensure|"
    r"provide|determine|decide|entrust|set up|appoint|notify|take all|adopt|authorise|allow)\w*"
    r"|\b(?:in accordance with|under|governed by|laid down in|provided for (?:in|by)) (?:the |their |its )?"
    r"(?:applicable )?national (?:law|rules|legislation)\b"
    r"|\bnot preclude\b[^.;]{0,60}?\bMember States\b",
    re.IGNORECASE,
)
# "The Commission shall adopt implementing acts / delegated acts / guidelines / templates …",
# "is empowered to adopt delegated acts", "shall … issue a standardisation request".
_TO_COMMISSION = re.compile(
    r"\b(?:The Commission|the AI Office|the Board)\b[^.;]{0,40}?\b(?:shall|may|is empowered to)\b"
    r"[^.;]{0,120}?\b(?:implementing acts?|delegated acts?|guidelines|guidance|templates?|questionnaire|"
    r"common specifications|standardisation requests?|model (?:contractual )?terms|codes? of practice|"
    r"harmonised standards)\b"
    r"|\bempowered to adopt delegated acts\b"
    r"|\b(?:template|guidelines|questionnaire|model contractual terms)\s+(?:\w+\s+){0,2}?"
    r"(?:provided|adopted|issued|developed|drawn up|published) by the (?:Commission|AI Office)\b",
    re.IGNORECASE,
)


# A sentence that hands a matter to other law: "comply with Union law on copyright", "without
# prejudice to Directive (EU) 2019/790", "in accordance with Regulation (EU) 2016/679".
_TO_OTHER_LAW = re.compile(
    r"\b(?:Union|national) law on\b|\bwithout prejudice to\b|\b(?:Directive|Regulation) \((?:EU|EC|EEC)\)"
    r"|\bDirective \d{2,4}/\d+",
)


@dataclass(frozen=True)
class Delegation:
    """A passage's words that leave a matter to others: `to` is `MEMBER_STATES`, `COMMISSION` or
    `OTHER_LAW`;
    `sentence` the sentence of the passage that says so, verbatim."""

    to: str
    sentence: str


@lru_cache(maxsize=8192)
def delegations(text: str) -> tuple[Delegation, ...]:
    """Every sentence of a provision's `text` that leaves a matter to the Member States or to the
    Commission, in order; () when none. Cached by text: a passage is read once per process."""
    out = []
    for sentence in sentences_of(text):
        if _TO_MEMBER_STATES.search(sentence):
            out.append(Delegation(MEMBER_STATES, sentence.strip()))
        elif _TO_COMMISSION.search(sentence):
            out.append(Delegation(COMMISSION, sentence.strip()))
    return tuple(out)


def leaves_to(text: str, to: str) -> Delegation | None:
    """The first sentence of `text` that leaves a matter to `to` (`MEMBER_STATES` or
    `COMMISSION`), or None."""
    return next((d for d in delegations(text) if d.to == to), None)


def mentions(text: str, word: str) -> tuple[bool, Delegation | None]:
    """Whether `text` (a provision) speaks of `word` (a field of law, any case) itself, and the
    first sentence that mentions it only to leave it to other law ("comply with Union law on
    copyright"), or None."""
    own, referred, word = False, None, word.lower()
    for sentence in sentences_of(text):
        if word not in sentence.lower():
            continue
        if _TO_OTHER_LAW.search(sentence):
            referred = referred or Delegation(OTHER_LAW, sentence.strip())
        else:
            own = True
    return own, referred
