"""Legal references in the acts' own text: finding them and resolving them inside the corpus.

The acts cite each other and themselves in a handful of fixed forms ("Article 6(2)",
"point (h) of Article 5(1)", "Articles 8 to 15", "Annex III, point 4", "Regulation (EU)
2016/679"), written in kb/grammar.py. A reference is internal unless it is followed by "of
<another act>".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kb.document import CrossRef
from kb.grammar import ACT_ANNEX, ACT_ARTICLE, ACT_EXTERNAL, ACT_RANGE_ITEM, ACT_TREATY


def act_number(celex: str) -> str:
    """'32024R1689' -> '2024/1689'; '32022L2555' -> '2022/2555' (a directive); a consolidated
    text's CELEX '02016R0679-20160504' -> '2016/679'."""
    m = re.fullmatch(r"[03](\d{4})[RLD](\d{4})(?:-\d{8})?", celex)
    return f"{m.group(1)}/{int(m.group(2))}" if m else celex


def find_refs(
    text: str,
    doc: str,
    units: set[str],
    corpus_acts: Mapping[str, str],
    own_number: str,
) -> list[CrossRef]:
    """Every reference in `text`, resolved to a unit of the corpus where it points inside it.

    `units` are the unit ids of the act the text belongs to; `corpus_acts` maps act numbers
    ("2023/2854") to corpus act ids, so that one act citing another resolves too.
    """
    refs: list[CrossRef] = []
    externals = [(m.start(), m.end(), m) for m in ACT_EXTERNAL.finditer(text)]

    def owner_after(end: int) -> tuple[str | None, str | None]:
        """(doc, external label) of the act named right after a reference, if any."""
        tail = text[end : end + 12]
        if ACT_TREATY.match(text[end : end + 30]):
            return None, "Treaty"
        if tail.startswith((" of ", " to ", " thereof")) or tail.startswith(", of "):
            for start, _stop, m in externals:
                if 0 <= start - end <= 8:
                    number = m.group("num")
                    if number == own_number:
                        return doc, None
                    if number in corpus_acts:
                        return corpus_acts[number], None
                    return None, m.group(0)
        return doc, None

    for m in ACT_ARTICLE.finditer(text):
        target_doc, external = owner_after(m.end())
        nums = [(m.group("num"), m.group("pin") or "")]
        if m.group("range"):
            items = ACT_RANGE_ITEM.findall(m.group("range"))
            if items and items[0][0] == " to " and len(items) == 1:
                lo, hi = _int(m.group("num")), _int(items[0][1])
                if lo is not None and hi is not None and 0 < hi - lo <= 30:
                    nums += [(str(n), "") for n in range(lo + 1, hi + 1)]
            else:
                nums += [(num, pin) for _sep, num, pin in items]
        point = m.group("pt_before") or m.group("pt_after")
        for i, (num, pin) in enumerate(nums):
            pinpoint = num + pin + (f"({point})" if point and i == 0 else "")
            unit = f"art_{num}"
            refs.append(
                _ref(m, target_doc, unit, pinpoint if pinpoint != num else None, external, doc, units)
            )

    for m in ACT_ANNEX.finditer(text):
        target_doc, external = owner_after(m.end())
        sub = m.group("sct") or m.group("pt")
        pinpoint = f"{m.group('num')}({sub})" if sub else None
        refs.append(_ref(m, target_doc, f"anx_{m.group('num')}", pinpoint, external, doc, units))

    for start, end, m in externals:
        number = m.group("num")
        if number == own_number:
            continue
        target = corpus_acts.get(number)
        refs.append(CrossRef(text=m.group(0), start=start, end=end, doc=target, external=m.group(0)))

    refs.sort(key=lambda r: (r.start, r.unit or ""))
    return refs


def _ref(
    m: re.Match[str],
    target_doc: str | None,
    unit: str,
    pinpoint: str | None,
    external: str | None,
    doc: str,
    units: set[str],
) -> CrossRef:
    """A reference, resolved when it points into the corpus at a unit that exists."""
    resolved = target_doc is not None and (target_doc != doc or unit in units)
    return CrossRef(
        text=m.group(0),
        start=m.start(),
        end=m.end(),
        doc=target_doc if resolved else None,
        unit=unit if resolved else None,
        pinpoint=pinpoint,
        external=external,
    )


def _int(num: str) -> int | None:
    digits = re.match(r"\d+", num)
    return int(digits.group(0)) if digits else None
