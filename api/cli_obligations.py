"""`kb obligations` and `kb timeline`: who must do what, from when (kb/obligations). They read
the index's obligations table only, so they load no model; api/cli.py registers them."""

from __future__ import annotations

import json
from typing import Annotated

import typer

_Version = Annotated[
    str | None,
    typer.Option("--version", help="Which text: current (default), original, or a date YYYY-MM-DD."),
]
_Doc = Annotated[str | None, typer.Option("--doc", help="Only this act (its id: ai-act, data-act, gdpr …).")]


def _items():  # type: ignore[no-untyped-def]
    from kb.config import settings
    from kb.index import IndexFiles
    from kb.obligations.store import load

    files = IndexFiles(settings().index_dir)
    return files, load(files)


def obligations(
    role: Annotated[
        str | None, typer.Option("--role", help="The act's term: deployer, provider, data holder …")
    ] = None,
    system: Annotated[
        str | None,
        typer.Option("--system", help="high-risk, high-risk (Annex III), general-purpose AI model …"),
    ] = None,
    doc: _Doc = None,
    version: _Version = None,
    on: Annotated[str | None, typer.Option("--on", help="What applies on this date (YYYY-MM-DD).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The obligations as JSON (the API's schema).")
    ] = False,
) -> None:
    """The obligations of a role, grouped by the date each applies from, each cited.

    Example: kb obligations --role deployer --system high-risk --version original
    """
    from api.cli import _guard
    from kb.obligations.lookup import find
    from kb.obligations.render import grouped

    files, items = _guard(_items)
    found = _guard(lambda: find(items, files.manifest.acts, doc, role, system, version, on))
    if as_json:
        typer.echo(json.dumps({"obligations": found, "count": len(found)}, indent=2, ensure_ascii=False))
        return
    if not found:
        typer.echo("No obligation of that role and system in the acts held.")
        return
    for line in grouped(found):
        typer.echo(line)


def timeline(
    doc: _Doc = None,
    version: _Version = None,
    as_json: Annotated[bool, typer.Option("--json", help="The timeline as JSON.")] = False,
) -> None:
    """What starts applying when, per act, read from each act's final provisions.

    Example: kb timeline --doc ai-act --version original
    """
    from api.cli import _guard
    from kb.obligations.lookup import timeline as entries
    from kb.obligations.render import timeline_lines

    files, items = _guard(_items)
    found = _guard(lambda: entries(items, files.manifest.acts, doc, version))
    if as_json:
        typer.echo(json.dumps({"timeline": found}, indent=2, ensure_ascii=False))
        return
    for line in timeline_lines(found):
        typer.echo(line)
