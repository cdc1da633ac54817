"""Progress of the long commands (`kb ingest`, `kb eval`) on standard error, so that standard
output stays the result alone: a spinner on a terminal, and where standard error is a pipe or a
log file, one timed line per step (a spinner there would be control characters in a log)."""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:  # the command line starts faster without them
    from kb.evaluate import Outcome, System


class Progress:
    """`with Progress() as say: say("Parsing AI Act")`. Each call starts a step; on a terminal
    the spinner shows it, elsewhere the step before it is closed with its seconds and the new one
    is written on its own line. `detail` updates the spinner only ("37/120"): a log gets a line
    per step, not one per question."""

    def __init__(self, err: Console | None = None) -> None:
        self.err = err or Console(stderr=True, highlight=False, soft_wrap=True)
        self.tty = self.err.is_terminal
        self._status = self.err.status("Starting…", spinner="dots") if self.tty else None
        self._step = ""
        self._since = 0.0

    def __enter__(self) -> Progress:
        if self._status is not None:
            self._status.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close_step(failed=kind is not None)
        if self._status is not None:
            self._status.__exit__(kind, exc, tb)

    def __call__(self, step: str) -> None:
        self._close_step()
        self._step, self._since = step, time.perf_counter()
        if self._status is not None:
            self._status.update(step + "…")
        else:
            self.err.print(step + "…", markup=False)

    def detail(self, text: str) -> None:
        if self._status is not None:
            self._status.update(f"{self._step}… {text}")

    def _close_step(self, failed: bool = False) -> None:
        if self._step and self._status is None:
            took = time.perf_counter() - self._since
            self.err.print(f"  {'stopped' if failed else 'done'} in {took:.1f} s", markup=False)
        self._step = ""


def counted(system: System, memo: dict, progress: Progress, total: int) -> System:
    """`system` (kb.evaluate.System) reporting "n/total" to `progress`, and answering a question
    it was asked before from `memo`: the pooled set asks every question of the other sets again,
    and a system's outcome for a question and version does not change."""
    count = [0]

    def scored(question: str, version: str | None) -> Outcome:
        if (question, version) not in memo:
            memo[(question, version)] = system(question, version)
        count[0] += 1
        progress.detail(f"{count[0]}/{total}")
        return memo[(question, version)]

    return scored
