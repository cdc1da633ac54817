"""How `kb check` prints a citation check: one block per citation, its verdict first, with
Rich on a terminal and plain text when piped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:  # for annotations only: the command line starts faster without them
    from kb.citecheck.models import CheckReport, CitationCheck

console = Console(highlight=False, soft_wrap=True)

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
