"""How the command line prints answers, hits, provisions and reports: Rich on a terminal
(width, colour), plain text when piped."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:  # imported for annotations only: the command line starts faster without them
    from kb.citecheck.models import CheckReport, CitationCheck
    from kb.evaluate import Report
    from kb.results import AmendmentNote, Answer, Hit, Provision, SearchResult

console = Console(highlight=False, soft_wrap=False)


def _emphasise(text: str, sentences: list[str]) -> str:
    """Bold the sentences of a passage that the answer quotes."""
    out = escape(text)
    for sentence in sentences:
        core = sentence.split(" … ")[-1]
        if core and escape(core) in out:
            out = out.replace(escape(core), f"[bold]{escape(core)}[/bold]", 1)
    return out


def _hit_block(number: int | None, hit: Hit, used: list[str]) -> None:
    tag = f"[{number}] " if number is not None else ""
    flag = " [yellow](low confidence)[/yellow]" if hit.low_confidence else ""
    console.print(
        f"[bold cyan]{escape(tag)}{escape(hit.label)}[/bold cyan]{flag}  [dim]{escape(hit.title)}[/dim]"
    )
    if hit.context:
        console.print(f"  [dim]{escape(hit.context)}[/dim]")
    for line in _emphasise(hit.text, used).split("\n"):
        console.print(f"  {line}")
    page = f" (OJ page {hit.page})" if hit.page else ""
    console.print(f"  [blue]{escape(hit.url)}[/blue]{page}")
    _amendments(hit.amended_by, hit.unofficial)
    if hit.refs:
        console.print("  [dim]Refers to: " + escape("; ".join(r.label for r in hit.refs[:8])) + "[/dim]")
    console.print()


def print_answer(answer: Answer) -> None:
    if answer.outcome == "in_part":
        console.print(f"[bold yellow]{escape(answer.outcome_line() or '')}[/bold yellow]")
    console.print(answer.answer if answer.abstained else _markers(answer.answer))
    written_by = answer.written_by()
    if written_by:
        removed = (
            f"; {answer.removed_sentences} unsupported sentences removed" if answer.removed_sentences else ""
        )
        console.print(f"[dim]— {escape(written_by)}{removed}[/dim]")
    for notice in answer.notices:
        console.print(f"[yellow]{escape(notice)}[/yellow]")
    console.print()
    if answer.citations:
        console.print("[bold]Sources[/bold]" if not answer.abstained else "[bold]Closest provisions[/bold]")
    for i, hit in enumerate(answer.citations, start=1):
        used = [q for s in answer.sentences if i in s.markers() for q in (s.quotes or [s.text])]
        _hit_block(i, hit, used)
    for v in answer.versions:
        console.print(f"[dim]{escape(v.short_name)}: {escape(v.version)}[/dim]")


def _markers(text: str) -> str:
    return re.sub(r"\\\[(\d+)\]", r"[bold cyan]\\[\1][/bold cyan]", escape(text))


def print_hits(result: SearchResult) -> None:
    for notice in result.notices:
        console.print(f"[yellow]{escape(notice)}[/yellow]")
    if not result.hits:
        console.print("No provisions found.")
    for i, hit in enumerate(result.hits, start=1):
        _hit_block(i, hit, [])


def print_provision(p: Provision) -> None:
    console.print(f"[bold]{escape(p.label)}[/bold]  {escape(p.title)}")
    console.print(f"[dim]{escape(p.heading)}[/dim]")
    console.print()
    text = _emphasise(p.text, [p.pinpoint_text] if p.pinpoint_text else [])
    console.print(text)
    console.print()
    console.print(f"[blue]{escape(p.url)}[/blue]  [dim]{escape(p.version)}[/dim]")
    _amendments(p.amended_by, p.unofficial)
    if len(p.versions) > 1:
        console.print(f"[dim]Versions in force from: {', '.join(p.versions)} (see --version)[/dim]")
    if p.refers_to:
        console.print("[bold]Refers to[/bold]: " + escape("; ".join(r.label for r in p.refers_to)))
    if p.referred_by:
        console.print("[bold]Referred to by[/bold]: " + escape("; ".join(r.label for r in p.referred_by)))


def _amendments(notes: list[AmendmentNote], unofficial: str | None) -> None:
    for note in notes:
        if note.applied:
            console.print(f"  [dim]Amended by {escape(note.citation)}, from {note.in_force}[/dim]")
        else:
            console.print(
                f"  [yellow]Amended by {escape(note.citation)}, from {note.in_force}, not applied here: "
                f"see the amending text[/yellow]"
            )
            for line in note.text.split("\n"):
                console.print(f"    {escape(line)}")
    if unofficial:
        console.print(f"  [yellow]{escape(unofficial)}[/yellow]")


def print_document_list(acts: list[dict], built_at: str, model: str) -> None:
    table = Table(title=f"Index built {built_at} with {model}")
    for col in (
        "id",
        "act",
        "Official Journal",
        "date",
        "CELEX",
        "recitals",
        "articles",
        "annexes",
        "passages",
    ):
        table.add_column(col)
    for a in acts:
        c = a["counts"]
        table.add_row(
            a["id"],
            a["short_name"],
            a["oj"],
            a["date"],
            a["celex"],
            str(c["recitals"]),
            str(c["articles"]),
            str(c["annexes"]),
            str(c["passages"]),
        )
    console.print(table)
    for a in acts:
        if a.get("origin"):
            console.print(f"{escape(a['id'])}: {escape(a['origin'])}")
        for v in a.get("versions", []):
            extra = f", {v['applied']} instructions applied" if v["amended_by"] else ""
            flagged = f", flagged: {', '.join(v['flagged'])}" if v["flagged"] else ""
            console.print(
                f"{escape(a['short_name'])}: {escape(v['label'])}, in force from {v['in_force']}"
                f"{extra}{flagged}  [blue]{escape(v['url'])}[/blue]"
            )
            if v["unofficial"]:
                console.print(f"  [yellow]{escape(v['unofficial'])}[/yellow]")


def print_reports(reports: list[Report]) -> None:
    metrics = ["hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "all_gold@10", "false_decline", "chars_top5"]
    table = Table(title="Answerable items")
    table.add_column("questions")
    table.add_column("system")
    table.add_column("kind")
    for m in metrics:
        table.add_column(m, justify="right")
    for r in reports:
        for kind, scores in [("all", r.overall), *r.by_kind.items()]:
            table.add_row(
                r.questions, r.system, f"{kind} ({scores['n']})", *(str(scores.get(m, "")) for m in metrics)
            )
    console.print(table)
    abst = Table(title="Abstain items")
    cols = ("questions", "system", "declined", "decline rate", "in part", "handled", "false declines",
            "precision", "recall")
    for col in cols:
        abst.add_column(col, justify="right")
    for r in reports:
        a = r.abstention
        abst.add_row(
            r.questions,
            r.system,
            f"{a['declined']}/{a['abstain_items']}",
            str(a["decline_rate"]),
            str(a.get("in_part", "")),
            str(a.get("handled_rate", "")),
            str(a["false_decline_rate"]),
            str(a["precision"]),
            str(a["recall"]),
        )
    console.print(abst)


# The mark and colour of each outcome: what a reader scanning the list looks for first.
_MARKS = {
    "supported": ("✓", "green"),
    "not_supported": ("✗", "red"),
    "unverified": ("?", "yellow"),
}


def _headline(c: CitationCheck) -> str:
    mark, colour = _MARKS[c.verdict]
    if c.status == "resolved" and c.resolved is not None:
        target = c.resolved.label
        verdict = c.verdict.replace("_", " ")
    else:
        target = {"not_found": "does not exist", "outside": "outside the index", "ambiguous": "ambiguous"}[
            c.status
        ]
        verdict = c.verdict.replace("_", " ")
    return (
        f"[bold {colour}]{mark} {escape(c.reference)}[/bold {colour}] → {escape(target)}"
        f"  [{colour}]{verdict}[/{colour}]"
    )


def print_check(report: CheckReport) -> None:
    """Every citation of the report, in the order of the text, then the counts."""
    if not report.citations:
        console.print("No citation of the acts found in the text.")
        return
    for c in report.citations:
        console.print(_headline(c))
        console.print(f"  [dim]“{escape(c.claim)}”[/dim]")
        if c.reason:
            console.print(f"  {escape(c.reason)}")
        console.print(f"  {escape(c.why)}")
        if c.quote:
            console.print(f"  The provision: “{escape(c.quote)}”")
        if c.resolved is not None:
            console.print(f"  [blue]{escape(c.resolved.url)}[/blue]")
        for s in c.suggestions:
            console.print(f"  Says it instead? [bold]{escape(s.label)}[/bold] [blue]{escape(s.url)}[/blue]")
        if c.version_note:
            console.print(f"  [yellow]{escape(c.version_note)}[/yellow]")
        console.print()
    for notice in report.notices:
        console.print(f"[yellow]{escape(notice)}[/yellow]")
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(report.counts.items()))
    console.print(f"[dim]{len(report.citations)} citations: {counts}; {report.took_ms:.0f} ms[/dim]")
