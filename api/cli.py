"""The `kb` command line, on top of everything: the core (`kb`), ingest, the HTTP API and the
Slack bot. Heavy modules (torch, faiss, the API) are imported inside commands, so that
`kb --help` answers at once."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from api.cli_check import check
from api.cli_eval import eval_
from api.cli_obligations import obligations, timeline
from api.cli_servers import mcp, serve, slack

# Exit codes, one meaning each (the README lists them), are api/errors.py's: it maps each error to one.
from api.errors import EXIT_ABSTAINED, EXIT_FAILED, EXIT_IN_PART
from api.errors import EXIT_NO_INDEX as EXIT_NO_INDEX
from api.errors import EXIT_PORT as EXIT_PORT
from api.errors import EXIT_SERVER as EXIT_SERVER

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase
    from kb.results import Documents
    from kb.source import KnowledgeSource

T = TypeVar("T")

app = typer.Typer(
    name="kb",
    help="Ask the EU AI Act and Data Act, and get the provisions that answer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ApiOption = Annotated[
    str | None,
    typer.Option(
        "--api", help="Ask a running server at this URL instead of loading the model (KB_API_KEY is sent)."
    ),
]
VersionOption = Annotated[
    str | None,
    typer.Option(
        "--version",
        help="Which text: current (the law in force today; default), original, or a date YYYY-MM-DD.",
    ),
]

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
        typer.Option(
            "--source",
            help="Another act to index, kept in every later build (repeatable): EUR-Lex XHTML (the "
            "Official Journal rendition or the act's EUR-Lex page), an EUR-Lex consolidated text "
            "(XHTML), an Official Journal PDF, or Formex 4 XML (the act's main file and its annex "
            "files, a folder holding them, or the package .zip). The French or German text of an "
            "act the index holds in English (those formats, or a Markdown clip of its EUR-Lex "
            "page) becomes a language version of it: searched for questions in that language, "
            "cited in English.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Parse, chunk, embed and index the acts, and publish the index atomically.

    Acts added with --source are recorded with their files' paths and sha256 in a local
    sources file (corpus/local.toml beside KB_SOURCES, or KB_LOCAL_SOURCES); `kb remove ID`
    takes one out.

    Example: kb ingest --source ./my_act.html
    """
    from dataclasses import asdict

    from rich.console import Console

    from api.progress import Progress
    from ingest.errors import IngestError
    from ingest.pipeline import run
    from kb.config import settings
    from kb.errors import KBError

    try:
        with Progress() as progress:
            bars = progress.tty and not as_json
            report = run(settings(), extra_sources=source, force=force, progress=progress, show_bars=bars)
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
    for a in report.amendments:
        flagged = f"; flagged for the reader: {', '.join(a.flagged_points)}" if a.flagged_points else ""
        out.print(
            f"{a.amending} applied to the {a.amended} (in force from {a.in_force}): "
            f"{a.applied_points} of {a.points} amending points applied "
            f"({a.applied_instructions} of {a.instructions} instructions){flagged}; "
            f"{a.changed_units} provisions changed"
        )
    for line in report.languages:
        out.print(f"Language version: {line}")
    for notice in report.notices:
        out.print(f"Note: {notice}")
    out.print(f"{report.passages} passages, model {report.model}, {report.seconds:.1f} s")


@app.command()
def remove(
    act: Annotated[
        str,
        typer.Argument(help="An act added with `kb ingest --source`: its id or one of its names."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Take an added act out of the local sources file and rebuild the index without it.

    Example: kb remove gdpr
    """
    from dataclasses import asdict

    from ingest.added import index_names, remove_local
    from ingest.errors import IngestError
    from ingest.pipeline import run
    from kb.config import settings
    from kb.errors import KBError

    try:
        entry = remove_local(settings().local_sources_path(), act, index_names(settings().index_dir))
        report = run(settings())
    except (IngestError, KBError, OSError) as exc:
        if _debug:
            raise
        raise _fail(str(exc), EXIT_FAILED) from None
    if as_json:
        typer.echo(json.dumps({"removed": entry.id} | asdict(report), indent=2))
        return
    typer.echo(
        f"Removed {entry.id}; the index now holds: {', '.join(a.id for a in report.acts) or 'no acts'}."
    )


def _open_kb(api: str | None = None) -> KnowledgeSource:
    """Load the index and the model (or connect to a server), or exit 3 with what to do."""
    if api:
        import os

        from kb.client import RemoteKB

        return RemoteKB(api, key=os.environ.get("KB_API_KEY"))
    return _local_kb()


def _local_kb() -> KnowledgeBase:
    """The index and the model, as configured (KB_*), or exit 3 with what to do."""
    from kb.config import settings
    from kb.knowledge import KnowledgeBase

    return _guard(lambda: KnowledgeBase.from_settings(settings()))


def _guard(call: Callable[[], T]) -> T:
    """Run a knowledge-base call; an error exits with its code and its one-line message
    (api/errors.py), never a traceback."""
    from kb.errors import KBError

    try:
        return call()
    except KBError as exc:
        if _debug:
            raise
        from api.errors import mapped

        raise _fail(str(exc), mapped(exc).exit_code) from None


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _read_question(question: str) -> str:
    return sys.stdin.read() if question == "-" else question


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, or - to read it from standard input.")],
    docs: Annotated[str | None, typer.Option("--docs", help="Only these acts, comma-separated.")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=20, help="How many provisions to cite.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="The answer as JSON (the API's schema).")] = False,
    version: VersionOption = None,
    api: ApiOption = None,
) -> None:
    """Answer a question from the acts, with the provisions it rests on.

    Example: kb ask "Can we use emotion recognition on our staff?"
    """
    kb = _open_kb(api)
    answer = _guard(lambda: kb.ask(_read_question(question), k=k, docs=_split(docs), version=version))
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        from api.render import print_answer

        print_answer(answer)
    raise typer.Exit({"declined": EXIT_ABSTAINED, "in_part": EXIT_IN_PART}.get(answer.outcome, 0))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, or - to read it from standard input.")],
    docs: Annotated[str | None, typer.Option("--docs", help="Only these acts, comma-separated.")] = None,
    kinds: Annotated[
        str | None,
        typer.Option("--kinds", help="Only these kinds: article, recital, annex (comma-separated)."),
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many hits.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="The hits as JSON.")] = False,
    version: VersionOption = None,
    api: ApiOption = None,
) -> None:
    """Ranked provisions for a query, legal references and defined terms first.

    Example: kb search "Annex III point 4" --kinds annex
    """
    kb = _open_kb(api)
    result = _guard(
        lambda: kb.search(_read_question(query), k=k, docs=_split(docs), kinds=_split(kinds), version=version)
    )
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    from api.render import print_hits

    print_hits(result)


@app.command()
def show(
    reference: Annotated[
        list[str], typer.Argument(help='A provision: "AI Act Art. 5(1)(f)" or: data-act art_25')
    ],
    as_json: Annotated[bool, typer.Option("--json", help="The provision as JSON.")] = False,
    whole: Annotated[
        bool, typer.Option("--whole", help="With a pinpoint (Art. 6(3)), print the whole article.")
    ] = False,
    version: VersionOption = None,
    api: ApiOption = None,
) -> None:
    """One provision, with what it refers to and what refers to it.

    With a pinpoint, that paragraph or point (--whole for all of it).

    Example: kb show "AI Act Art. 113" --version original
    """
    kb = _open_kb(api)
    provision = _guard(lambda: kb.provision(" ".join(reference), version=version))
    if as_json:
        typer.echo(provision.model_dump_json(indent=2))
        return
    from api.render import print_provision

    print_provision(provision, whole=whole)


@app.command()
def documents(
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    api: ApiOption = None,
) -> None:
    """The acts in the index, with their versions and counts.

    Example: kb documents --json
    """
    listing = _guard(lambda: _open_kb(api).documents() if api else _local_documents())
    acts = [d.model_dump() for d in listing.documents]
    if as_json:
        typer.echo(json.dumps(acts, indent=2))
        return
    from api.render import print_document_list

    print_document_list(acts, listing.built_at, listing.model)


def _local_documents() -> Documents:
    """The acts from the index's manifest alone: no model loaded, so it answers at once."""
    from kb.config import settings
    from kb.index import read_manifest
    from kb.versions import documents_of

    return documents_of(read_manifest(settings().index_dir), settings().version)


# Commands kept in modules of their own: serving (api/cli_servers.py), checking a text
# (api/cli_check.py), scoring question sets (api/cli_eval.py).
app.command()(check)
app.command(name="eval")(eval_)
app.command()(serve)
app.command()(mcp)
app.command()(slack)
app.command()(obligations)
app.command()(timeline)


def main() -> None:
    try:
        app()
    except Exception as exc:  # the last resort: one plain line, the traceback only with --debug
        if _debug:
            raise
        typer.secho(
            f"Error: {exc.__class__.__name__}: {exc} (run with --debug for the traceback)",
            err=True,
            fg=typer.colors.RED,
        )
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
