"""`kb eval`: retrieval and abstention metrics on a question set in the format of
../shared/eval/dev.jsonl. A retrieved passage counts for a gold unit when its act and unit
id match."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase

KS = (1, 3, 5, 10)


class Gold(BaseModel):
    doc: str
    unit: str
    pinpoint: str | None = None


class Item(BaseModel):
    id: str
    question: str
    kind: str
    gold: list[Gold]
    answer_hint: str = ""
    amended: bool = False  # the gold is in the text as amended (field.jsonl): scored on the law in force


@dataclass
class Outcome:
    """What a system did with one question: the units of its top passages, in order, whether
    it declined, how many characters its top five passages hold, and whether it answered in part
    (the rest left to the Member States or the Commission, kb/abstain.py)."""

    units: list[tuple[str, str]]
    declined: bool
    chars_top5: int
    in_part: bool = False


# A system answers a question from one version of the acts ("original", "current", a date).
System = Callable[[str, str | None], Outcome]


@dataclass
class Scores:
    n: int = 0
    hits: dict[int, float] = field(default_factory=lambda: dict.fromkeys(KS, 0.0))
    mrr: float = 0.0
    all_gold: float = 0.0
    multi: int = 0
    chars: float = 0.0
    declined: int = 0  # answerable items wrongly declined

    def as_dict(self) -> dict[str, float | int]:
        n = self.n or 1
        out: dict[str, float | int] = {"n": self.n}
        out.update({f"hit@{k}": round(v / n, 3) for k, v in self.hits.items()})
        out["mrr@10"] = round(self.mrr / n, 3)
        if self.multi:
            out["all_gold@10"] = round(self.all_gold / self.multi, 3)
        out["false_decline"] = round(self.declined / n, 3)
        out["chars_top5"] = round(self.chars / n)
        return out


class Report(BaseModel):
    system: str
    questions: str = Field("", description="The question set: a file name, or 'pooled'")
    overall: dict[str, float | int]
    by_kind: dict[str, dict[str, float | int]]
    abstention: dict[str, float | int]


def load(path: Path) -> list[Item]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(Item.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not an evaluation item ({exc})") from exc
    return items


def evaluate(
    name: str, items: Iterable[Item], system: System, version: str | None = None, questions: str = ""
) -> Report:
    """Score `system` on `items`, each answered from `version`, or from the law in force
    ("current") where the item says its gold is amended text."""
    overall = Scores()
    by_kind: dict[str, Scores] = {}
    tp = fp = fn = abstain_items = abstain_in_part = partial_items = partial_in_part = in_part = 0
    for item in items:
        outcome = system(item.question, "current" if item.amended else version)
        if item.kind == "abstain":
            abstain_items += 1
            tp += outcome.declined
            fn += not outcome.declined
            abstain_in_part += outcome.in_part
            continue
        fp += outcome.declined
        in_part += outcome.in_part
        if item.kind == "partial":
            partial_items += 1
            partial_in_part += outcome.in_part
        gold = {(g.doc, g.unit) for g in item.gold}
        rank = next((i for i, u in enumerate(outcome.units[:10]) if u in gold), None)
        for scores in (overall, by_kind.setdefault(item.kind, Scores())):
            scores.n += 1
            for k in KS:
                scores.hits[k] += rank is not None and rank < k
            scores.mrr += 1 / (rank + 1) if rank is not None else 0.0
            scores.chars += outcome.chars_top5
            scores.declined += outcome.declined
            if item.kind == "multi":
                scores.multi += 1
                scores.all_gold += gold <= set(outcome.units[:10])
    answerable = overall.n or 1
    abstention = {
        "abstain_items": abstain_items,
        "declined": tp,
        "decline_rate": round(tp / (abstain_items or 1), 3),
        "false_decline_rate": round(fp / answerable, 3),
        "precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0,
        # Declined or answered in part: what issue 27 counts as handled for a question the acts
        # do not answer (an answer in part says plainly what the acts leave to others).
        "in_part": abstain_in_part,
        "handled_rate": round((tp + abstain_in_part) / (abstain_items or 1), 3),
        # Of the questions with gold (answerable and partial): answered in part.
        "in_part_answerable": in_part,
        "partial_items": partial_items,
        "partial_in_part": partial_in_part,
    }
    return Report(
        system=name,
        questions=questions,
        overall=overall.as_dict(),
        by_kind={k: v.as_dict() for k, v in sorted(by_kind.items())},
        abstention=abstention,
    )


def regkb_system(kb: KnowledgeBase) -> System:
    """regkb's search as a System: the top 10 units, and whether `ask` would decline."""

    def run(question: str, version: str | None) -> Outcome:
        r = kb.retrieve(question, k=10, version=version)
        return Outcome(
            units=[(h.doc, h.unit) for h in r.result.hits],
            declined=r.verdict.abstain,
            chars_top5=sum(len(h.text) for h in r.result.hits[:5]),
            in_part=r.verdict.outcome == "in_part",
        )

    return run


def to_json(reports: list[Report]) -> str:
    return json.dumps([r.model_dump() for r in reports], indent=2)
