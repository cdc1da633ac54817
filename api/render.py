"""How the command line prints answers, hits, provisions and reports: Rich on a terminal
(width, colour), plain text when piped."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:  # imported for annotations only: the command line starts faster without them
    from kb.citecheck.models import CheckReport, CitationCheck
    from kb.evaluate import Report
    from kb.results import AmendmentNote, Answer, Hit, Provision, SearchResult

# Piped, lines are never wrapped: a URL or an id cut in two cannot be copied. On a terminal
# Rich wraps prose to its width.
console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())


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
    if answer.abstained or answer.answer_mode == "generated" or not answer.sentences:
        console.print(answer.answer if answer.abstained else _markers(answer.answer))
    else:
        # A quoted answer in blocks: the lead, marked as our reading, then one per provision.
        for s in answer.sentences:
            if s.lead:
                console.print("[dim]In short (regkb's reading; the quoted words are the law's):[/dim]")
            console.print(_markers(f"{s.text} " + "".join(f"[{n}]" for n in s.markers())))
            if s.lead:
                console.print()
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


def print_provision(p: Provision, whole: bool = False) -> None:
    """The provision; with a pinpoint ("Art. 6(3)"), only that paragraph or point, unless `whole`
    (then all of it, the pinpoint in bold)."""
    part = p.pinpoint_text is not None and not whole
    label = p.pinpoint_label if part and p.pinpoint_label else p.label
    console.print(f"[bold]{escape(label)}[/bold]  {escape(p.title)}")
    console.print(f"[dim]{escape(p.heading)}[/dim]")
    console.print()
    if part:
        console.print(escape(p.pinpoint_text or ""))
        console.print(f"[dim](Part of {escape(p.label)}; all of it with --whole.)[/dim]")
    else:
        console.print(_emphasise(p.text, [p.pinpoint_text] if p.pinpoint_text else []))
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


def print_document_list(acts: list[dict[str, Any]], built_at: str, model: str) -> None:
    table = Table(title=f"Index built {built_at} with {model}")
    # The id is what --docs takes: never cut, whatever the width. Four columns fit 80: the
    # Official Journal and the counts of each part follow, a line per act.
    table.add_column("id", no_wrap=True, min_width=max((len(a["id"]) for a in acts), default=2))
    table.add_column("act", overflow="fold")
    table.add_column("CELEX", no_wrap=True)
    table.add_column("passages", justify="right", no_wrap=True)
    for a in acts:
        table.add_row(a["id"], a["short_name"], a["celex"], str(a["counts"]["passages"]))
    console.print(table)
    for a in acts:
        c = a["counts"]
        parts = ", ".join(_count(c[k], k[:-1]) for k in ("recitals", "articles", "annexes"))
        console.print(f"{escape(a['short_name'])}: {escape(a['oj'])}; {parts}")
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
        for line in a.get("languages", []):
            console.print(f"{escape(a['short_name'])} in another language: {escape(line)}")


def _count(n: int, noun: str) -> str:
    """'1 annex', '13 annexes', '0 annexes'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{'es' if noun.endswith('x') else 's'}"


def print_reports(reports: list[Report]) -> None:
    # Two tables of four or five metrics, not one of eight: that one cut its headers to
    # "fie… reg… hit…" at 80 columns. A metric's header is never cut; names and kinds wrap.
    groups = [
        ("Answerable items: ranking", ["hit@1", "hit@3", "hit@5", "hit@10", "mrr@10"]),
        ("Answerable items: coverage and length", ["all_gold@10", "false_decline", "chars_top5"]),
    ]
    for title, metrics in groups:
        table = Table(title=title)
        for col in ("questions", "system", "kind"):
            table.add_column(col, overflow="fold")
        for m in metrics:
            table.add_column(m, justify="right", no_wrap=True, min_width=len(m))
        for r in reports:
            for kind, scores in [("all", r.overall), *r.by_kind.items()]:
                values = [str(scores.get(m, "")) for m in metrics]
                table.add_row(r.questions, r.system, f"{kind} ({scores['n']})", *values)
        console.print(table)
    abst = Table(title="Abstain items")
    for col in ("questions", "system"):
        abst.add_column(col, overflow="fold")
    for col in ("declined", "decline rate", "in part", "handled", "false declines", "precision", "recall"):
        abst.add_column(col, justify="right", min_width=len(col.split()[-1]))
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
