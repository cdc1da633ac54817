"""Questions not in English ranked each way (docs/ranking.md, "Questions in other languages"):
the multilingual encoder alone (KB_TRANSLATE=off), the English translation by the local model on
the English path, and the same items asked in English (`question_en`, the ceiling); hit@1,
hit@5, MRR@10 and false declines per language, on the index in KB_INDEX_DIR, the acts as first
published (the sets' gold). Translations come from bench/results/translations-MODEL[-VARIANT].jsonl
(bench/translate.py, BENCH_VARIANT as there), so the model does not run here.

    BENCH_FUSION=0,0.5,1 [BENCH_VARIANT=terms] python -m bench.lang_rank MODEL QUESTIONS.jsonl [...]
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path

from bench.translate import load, remembered, terms_reader, variant
from kb.config import settings
from kb.knowledge import KnowledgeBase
from kb.search import crosslingual
from kb.translate import remembered_key


def _score(kb: KnowledgeBase, items: list[dict], field: str) -> dict[str, float]:
    n = hit1 = hit5 = mrr = declined = 0.0
    for item in items:
        gold = {(g["doc"], g["unit"]) for g in item["gold"]}
        if not gold:
            continue
        r = kb.retrieve(item[field], k=10, version="original")
        units = [(h.doc, h.unit) for h in r.result.hits]
        n += 1
        rank = next((i for i, u in enumerate(units) if u in gold), None)
        hit1 += rank == 0
        hit5 += rank is not None and rank < 5
        mrr += 1 / (rank + 1) if rank is not None else 0
        declined += r.verdict.abstain
    n = n or 1
    pairs = (("hit@1", hit1), ("hit@5", hit5), ("mrr@10", mrr), ("false_decline", declined))
    return {k: round(v / n, 3) for k, v in pairs}


def main(model: str, paths: list[str]) -> None:
    config = settings()
    # BENCH_FUSION: the weights of the multilingual ranking fused with the translation's tried.
    weights = [float(w) for w in os.environ.get("BENCH_FUSION", "0,0.5,1").split(",")]
    crosslingual.FUSION_BY_MODEL = {}  # the weights tried, for every model
    kind = variant()
    translations = load(model, kind)
    terms_of = terms_reader(kind)
    translator = remembered(model, kind)  # no model run here
    kb = KnowledgeBase.from_settings(config.model_copy(update={"translate": "off"}))
    for path in paths:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        items = [json.loads(line) for line in lines if line.strip()]
        keys = [remembered_key(i["question"], terms_of(i["question"])) for i in items]
        missing = [key for key in keys if key not in translations]
        if missing:
            raise SystemExit(f"{len(missing)} of {path} not translated: run bench.translate {model} {path}")
        by_language: dict[str, list[dict]] = defaultdict(list)
        for item in items:
            by_language[item.get("lang") or item["id"].rsplit("-", 1)[-1]].append(item)
        by_language["all"] = items
        for language, subset in by_language.items():
            kb.translator = None
            e5 = _score(kb, subset, "question")
            kb.translator = translator
            translated = {}
            for weight in weights:
                crosslingual.TRANSLATED_FUSION = weight
                translated[f"translated+e5@{weight}"] = _score(kb, subset, "question")
            en = _score(kb, subset, "question_en")
            n = sum(1 for i in subset if i["gold"])
            row = {"set": Path(path).name, "language": language, "answerable": n, "e5": e5}
            print(json.dumps({**row, **translated, "english": en}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
