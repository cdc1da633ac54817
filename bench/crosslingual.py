"""The multilingual encoder beside the English one, on the index in KB_INDEX_DIR (docs/ranking.md,
"Questions in other languages"): question encoding time of each, in the same run, and the
multilingual encoder's top cosine similarity for answerable and abstain items (what its
abstention floor rests on).

    python -m bench.crosslingual QUESTIONS.jsonl [...]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from kb.config import settings
from kb.embed import Embedder
from kb.index import IndexFiles
from kb.multilingual import MultilingualEncoder


def _ms(encode, texts: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for text in texts:
        started = time.perf_counter()
        encode(text)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main(paths: list[str]) -> None:
    config = settings()
    files = IndexFiles(config.index_dir)
    info = files.manifest.multilingual
    if info is None:
        raise SystemExit(f"{config.index_dir} has no multilingual vectors: kb ingest with KB_MULTILINGUAL on")
    passages = np.load(files.path / info.file)
    english = Embedder.from_settings(config, files.manifest.model.name)
    english.query_cache = 0
    english.load()
    multi = MultilingualEncoder(query_cache=0)
    multi.query("warm up")
    english.encode(["warm up"])
    for path in paths:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        items = [json.loads(line) for line in lines if line.strip()]
        texts = [i["question"] for i in items]
        e_ms = _ms(lambda t: english.encode([t]), texts)
        m_ms = _ms(multi.query, texts)
        top = [float((passages @ multi.query(t)).max()) for t in texts]
        answerable = sorted(s for s, i in zip(top, items, strict=True) if i["gold"])
        abstain = sorted(s for s, i in zip(top, items, strict=True) if not i["gold"])
        print(
            f"{Path(path).name}: {len(items)} questions; encoding ms median/max: "
            f"MiniLM {statistics.median(e_ms):.1f}/{max(e_ms):.1f}, "
            f"e5 {statistics.median(m_ms):.1f}/{max(m_ms):.1f}"
        )
        print(f"  e5 top similarity, answerable (lowest 5): {[round(s, 3) for s in answerable[:5]]}")
        print(f"  e5 top similarity, abstain items: {[round(s, 3) for s in abstain]}")


if __name__ == "__main__":
    main(sys.argv[1:])
