"""`kb eval FILE…`: retrieval and abstention metrics on question sets, each and pooled, per kind,
beside the baselines (kb/evaluate.py, kb/baselines.py). api/cli.py registers it; the model is
loaded only when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.errors import EXIT_USAGE


def eval_(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="Question sets in the dev.jsonl format.")
    ],
    baselines: Annotated[
        bool,
        typer.Option(
            "--baselines/--no-baselines",
            help="Also score the naive pipeline and the plain structured hybrid, in the same run.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="The reports as JSON.")] = False,
    version: Annotated[
        str,
        typer.Option(
            "--version",
            help="The text the sets' gold comes from (default original, as in ../shared/eval); "
            "items marked amended are scored on the law in force.",
        ),
    ] = "original",
) -> None:
    """Retrieval and abstention metrics on question sets, each and pooled, per kind, beside two baselines.

    Example: kb eval ../shared/eval/dev.jsonl ../shared/eval/field.jsonl
    """
    from api.cli import _fail, _local_kb
    from kb.evaluate import evaluate, load, regkb_system, to_json

    kb = _local_kb()
    try:
        sets = {f.name: load(f) for f in files}
    except ValueError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    systems = {"regkb": regkb_system(kb)}
    if baselines:
        from kb.baselines import NaivePipeline, StructuredHybrid

        systems["structured hybrid"] = StructuredHybrid(kb).system()
        systems["naive"] = NaivePipeline(kb).system()
    if len(sets) > 1:
        sets["pooled"] = [item for items in list(sets.values()) for item in items]
    from api.progress import Progress, counted

    reports = []
    memos: dict[str, dict] = {name: {} for name in systems}
    with Progress() as progress:
        for set_name, items in sets.items():
            for name, system in systems.items():
                progress(f"Scoring {name} on {set_name} ({len(items)} questions)")
                scored = counted(system, memos[name], progress, len(items))
                reports.append(evaluate(name, items, scored, version, set_name))
    if as_json:
        typer.echo(to_json(reports))
        return
    from api.render import print_reports

    print_reports(reports)
