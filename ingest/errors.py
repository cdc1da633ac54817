"""Errors that name the file at fault and what to do about it."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """Any failure of ingest; its message is meant for the person running it."""


class ParseError(IngestError):
    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(f"{path}: {problem}")
