"""Obligations as text: a grouped list (by role, then by date), each line cited, for the CLI,
an answer and Slack. Plain text; the web page builds its own from the JSON."""

from __future__ import annotations

from kb.versions import long_date


def _when(item: dict) -> str:  # type: ignore[type-arg]
    dates = item.get("applies_from") or []
    if not dates:
        return "date not stated in the act"
    parts = []
    for a in dates:
        scope = f" ({a['scope']})" if a.get("scope") else ""
        parts.append(f"{long_date(a['date'])}{scope}, {a['provision']}")
    return "; ".join(dict.fromkeys(parts))


def grouped(items: list[dict], width: int = 200) -> list[str]:  # type: ignore[type-arg]
    """Lines: a heading per role (and system), then per applies-from date, then one line per
    obligation: its citation, the operative sentence (clipped to `width` characters) and,
    indented, the provisions that limit it."""
    lines: list[str] = []
    groups: dict[tuple[str, str], list[dict]] = {}  # type: ignore[type-arg]
    for item in items:
        groups.setdefault((item["role"], item["short_name"]), []).append(item)
    for (role, act), members in groups.items():
        kinds = sorted({m["system"] for m in members if m["system"]})
        about = f" — {', '.join(kinds)}" if kinds else ""
        lines.append(f"{act}: {role}{about}")
        by_date: dict[str, list[dict]] = {}  # type: ignore[type-arg]
        for m in members:
            by_date.setdefault(_when(m), []).append(m)
        for when, rows in sorted(
            by_date.items(),
            key=lambda kv: kv[1][0]["applies_from"][0]["date"] if kv[1][0]["applies_from"] else "9",
        ):
            lines.append(f"  from {when}")
            for m in rows:
                text = m["sentence"] if len(m["sentence"]) <= width else m["sentence"][: width - 1] + "…"
                lines.append(f"    - {m['citation']}: {text}")
                for limit in m.get("limits", [])[:3]:
                    lines.append(f"        limited by {limit['label']}: {limit['text'][:120]}")
    return lines


def timeline_lines(entries: list[dict]) -> list[str]:  # type: ignore[type-arg]
    """One line per date and act: what starts applying, under which provision, for whom."""
    lines = []
    for e in entries:
        scope = f" [{e['scope']}]" if e["scope"] else ""
        roles = ", ".join(f"{r} ({n})" for r, n in list(e["roles"].items())[:4])
        articles = ", ".join(e["articles"][:8]) + (" …" if len(e["articles"]) > 8 else "")
        head = f"{long_date(e['date'])}  {e['doc']}  {e['provision']}{scope}"
        lines.append(f"{head}: {e['obligations']} obligations ({roles}); {articles}")
        if e.get("condition"):
            lines.append(f"    only {e['condition']}")
    return lines
