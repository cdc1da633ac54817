"""The `kb` command line. Heavy modules (torch, faiss, the API) are imported inside commands,
so that `kb --help` answers at once."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="kb",
    help="Ask the EU AI Act and Data Act, and get the provisions that answer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_ABSTAINED = 1
EXIT_USAGE = 2
EXIT_NO_INDEX = 3
EXIT_FAILED = 1

_debug = False


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    global _debug
    _debug = debug


def _fail(message: str, code: int) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


@app.command()
def ingest(
    source: Annotated[
        list[Path] | None,
        typer.Option("--source", help="Another act to index: an EUR-Lex XHTML or OJ PDF file (repeatable)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Parse, chunk, embed and index the acts, and publish the index atomically.

    Example: kb ingest --source ./my_act.html
    """
    from dataclasses import asdict

    from rich.console import Console

    from ingest.errors import IngestError
    from ingest.pipeline import run
    from kb.config import settings
    from kb.errors import KBError

    err = Console(stderr=True)
    tty = sys.stderr.isatty() and not as_json
    try:
        with err.status("Starting…", spinner="dots") if tty else _nullcontext() as status:

            def progress(msg: str) -> None:
                if status is not None:
                    status.update(msg + "…")

            report = run(settings(), extra_sources=source, force=force, progress=progress, show_bars=tty)
    except (IngestError, KBError, OSError) as exc:
        if _debug:
            raise
        raise _fail(f"{exc}\nThe previous index, if any, is unchanged.", EXIT_FAILED) from None

    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    from rich.table import Table

    out = Console()
    if report.up_to_date:
        out.print(
            f"Index at {report.index_dir} is up to date ({report.passages} passages). Use --force to rebuild."
        )
    table = Table(title=None if report.up_to_date else f"Indexed into {report.index_dir}")
    for col in ("act", "recitals", "articles", "annexes", "chapters", "passages"):
        table.add_column(col, justify="left" if col == "act" else "right")
    for a in report.acts:
        counts = (a.recitals, a.articles, a.annexes, a.chapters, a.passages)
        table.add_row(a.short_name, *(str(v) for v in counts))
    out.print(table)
    out.print(f"{report.passages} passages, model {report.model}, {report.seconds:.1f} s")


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
