"""Questions not in English ranked before and after an act's language version is added (issue
24; docs/ranking.md, "Language versions"): two indexes of the same acts, the second with the
French AI Act (kb ingest --source of ../shared/corpus/fr's clip). For each set, per language and
per act of the gold (only the AI Act has a French text: its French questions are the ones that
can gain), hit@1, hit@5 and MRR@10 with the multilingual encoder alone (KB_TRANSLATE=off) and
with the translation step (translations read from bench/results/translations-MODEL.jsonl, as
bench/lang_rank.py does, so the model does not run here), the acts as first published (the
sets' gold, and the version the French text is of).

    BENCH_OFFSETS=0,0.05 python -m bench.language_versions MODEL BEFORE AFTER QUESTIONS.jsonl [...]

BENCH_OFFSETS: the values of kb/search/crosslingual.py LANGUAGE_OFFSET tried on the index after
(default: the one set there); `gap` prints, per set, the median of how much closer each of its
questions is to the French passages than to their English texts (no gold read).
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path

from bench.lang_rank import _score
from bench.translate import load
from kb.config import settings
from kb.knowledge import KnowledgeBase
from kb.search import crosslingual
from kb.translate import Translation, Translator


def _groups(items: list[dict]) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    """The items by language and act of the gold ("fr ai-act"), and by language ("fr")."""
    out: dict[str, list[dict]] = defaultdict(list)  # type: ignore[type-arg]
    for item in items:
        language = item.get("lang") or item["id"].rsplit("-", 1)[-1]
        acts = sorted({g["doc"] for g in item["gold"]})
        out[language].append(item)
        if acts:
            out[f"{language} {'+'.join(acts)}"].append(item)
    return dict(sorted(out.items()))


def _gap(kb: KnowledgeBase, items: list[dict]) -> float | None:  # type: ignore[type-arg]
    """The median over the French questions of the mean of (cosine to a French passage - cosine
    to its English text), over all the aligned passages of the view of the first versions."""
    import numpy as np

    searcher = kb.view("original").searcher
    cross = searcher.crosslingual
    if cross is None or "fr" not in cross.languages:
        return None
    ranker = cross.languages["fr"]
    english = ranker.structure.passage_vectors[ranker.targets]
    gaps = []
    for item in items:
        if (item.get("lang") or item["id"].rsplit("-", 1)[-1]) != "fr":
            continue
        v = cross.encoder.query(item["question"])
        gaps.append(float(np.mean(ranker.vectors @ v - english @ v)))
    return round(float(np.median(gaps)), 4) if gaps else None


def main(model: str, before: str, after: str, paths: list[str]) -> None:
    config = settings()
    default = crosslingual.LANGUAGE_OFFSET
    offsets = [float(o) for o in os.environ.get("BENCH_OFFSETS", str(default)).split(",")]
    translations = load(model)
    translator = Translator(model, config.model_cache)
    for question, text in translations.items():
        translator._remembered[question] = Translation(text, model, 0.0)  # no model run here
    indexes = {
        name: KnowledgeBase.open(Path(folder), config=config.model_copy(update={"translate": "off"}))
        for name, folder in (("before", before), ("after", after))
    }
    for path in paths:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        items = [json.loads(line) for line in lines if line.strip()]
        for group, subset in _groups(items).items():
            row: dict[str, object] = {"set": Path(path).name, "group": group}
            row["answerable"] = sum(1 for i in subset if i["gold"])
            for name, kb in indexes.items():
                for offset in offsets if name == "after" else [default]:
                    crosslingual.LANGUAGE_OFFSET = offset
                    label = f"{name}@{offset}" if name == "after" else name
                    kb.translator = None
                    row[f"e5 {label}"] = _score(kb, subset, "question")
                    kb.translator = translator
                    row[f"translated {label}"] = _score(kb, subset, "question")
            print(json.dumps(row), flush=True)
        print(json.dumps({"set": Path(path).name, "gap": _gap(indexes["after"], items)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
