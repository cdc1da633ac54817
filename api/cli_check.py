"""`kb check FILE|-`: the citations in a text, each resolved and its claim judged (kb/citecheck).
api/cli.py registers it; the model is loaded only when the command runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from api.errors import EXIT_ABSTAINED, EXIT_USAGE


def check(
    file: Annotated[str, typer.Argument(help="The text to check: a file, or - for standard input.")],
    docs: Annotated[str | None, typer.Option("--docs", help="Only these acts, comma-separated.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON (the API's schema).")] = False,
    version: Annotated[
        str | None,
        typer.Option("--version", help="Which text: current (default), original, or a date YYYY-MM-DD."),
    ] = None,
    api: Annotated[
        str | None, typer.Option("--api", help="Ask a running server at this URL (KB_API_KEY is sent).")
    ] = None,
) -> None:
    """Check the citations in a text: does each exist, and say what its sentence claims?

    Exits 1 when a citation does not hold (not found, or not supported).

    Example: kb check draft.md
    """
    from api.cli import _fail, _guard, _open_kb, _split

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        message = f"Cannot read {file}: {exc}. Give a UTF-8 text file, or - for standard input."
        raise _fail(message, EXIT_USAGE) from None
    source = _open_kb(api)
    report = _guard(lambda: source.check_citations(text, docs=_split(docs), version=version))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        from api.render import print_check

        print_check(report)
    failed = any(c.verdict == "not_supported" or c.status == "not_found" for c in report.citations)
    raise typer.Exit(EXIT_ABSTAINED if failed else 0)
