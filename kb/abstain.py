"""When the acts do not answer a question, say so instead of quoting something unrelated.

The corpus is legal text. It cannot answer questions about other laws, about what has
happened since (fines imposed, authorities named, market moves), or about provisions it
does not contain; and a question that nothing in it resembles is out of scope too.
Calibrated on ../shared/eval/dev.jsonl (see `kb eval`): the similarity floor sits below the
least similar answerable question, so it only declines questions that are clearly elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Other instruments people ask about next to the AI Act and the Data Act. A question that
# names one of these, and none of the corpus acts, is about that instrument.
OTHER_INSTRUMENTS = re.compile(
    r"\b(GDPR|DORA|NIS ?2|CRA|DSA|DMA|DGA|EUCS|eIDAS|ePrivacy|PSD ?[23]|MiCA|CCPA|CPRA|HIPAA|"
    r"ISO(?:/IEC)?|IEC|NIST|Cyber ?Resilience Act|Digital Services Act|Digital Markets Act|"
    r"Data Governance Act|Digital Operational Resilience Act|AI Liability Directive|"
    r"Product Liability Directive|Chips Act|(?:Colorado|California|Texas|Utah|New York|US|UK|Chinese|"
    r"Korean|Japanese|Brazilian|Canadian) (?:AI|Data|Privacy)? ?(?:Act|law|Law|bill))\b"
)
# Questions about facts in the world rather than about what the law says.
WORLD_FACTS = re.compile(
    r"\b(so far|to date|have already|has already|have been (?:fined|named|designated|appointed)|"
    r"has been (?:fined|named|designated|appointed)|how much does .{0,60}\bcost|how many (?:companies|firms|"
    r"organisations|organizations|businesses) have|biggest fine|largest fine|in practice)\b",
    re.IGNORECASE,
)
MIN_SIMILARITY = 0.33


@dataclass(frozen=True)
class Verdict:
    abstain: bool
    reason: str | None = None


def judge(
    question: str, top_similarity: float, names_corpus_act: bool, has_pinned: bool, missing_refs: list[str]
) -> Verdict:
    if missing_refs and not has_pinned:
        return Verdict(True, " ".join(missing_refs))
    if has_pinned:
        return Verdict(False)
    other = OTHER_INSTRUMENTS.search(question)
    if other and not names_corpus_act:
        return Verdict(True, f"The question is about {other.group(0)}, which is not in this knowledge base.")
    if WORLD_FACTS.search(question):
        return Verdict(
            True,
            "The question asks about facts in the world (what has happened, who was named, what it "
            "costs), which the text of the acts cannot tell.",
        )
    if top_similarity < MIN_SIMILARITY:
        return Verdict(True, "Nothing in the acts comes close to this question.")
    return Verdict(False)
