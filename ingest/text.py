"""Text normalisation shared by the parsers, so every rendition yields the same strings."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import ParseError

_SPACE = re.compile(r"[ \t\r\n\u00a0\u2009\u202f\u200b]+")


def clean(text: str) -> str:
    """Collapse runs of white space (including no-break spaces) into one space."""
    return _SPACE.sub(" ", text).strip()


# Amending articles quote a footnote that cites this very act in full: "(*) Regulation (EU)
# 2024/1689 of the European Parliament … (OJ L, …, ELI: …/oj)." The PDF prints it inline, the
# XHTML mostly moves it out of the text. It carries nothing a reader asks about, so both
# parsers drop it and the renditions agree.
_QUOTED_SELF_CITATION = re.compile(r"\s*\(\*\)\s+(?:Regulation|Directive) \(EU\) [^‘’]*?/\s*oj\s*\)\.(?=’)")


def drop_quoted_footnotes(text: str) -> str:
    return _QUOTED_SELF_CITATION.sub("", text)


def check_complete_html(path: Path, data: bytes) -> None:
    """Raise ParseError unless an (X)HTML file ends with its closing </html>: a download cut
    short still parses (HTML parsers forgive anything) but loses the articles after the cut."""
    if b"</html>" not in data[-4096:].lower():
        raise ParseError(
            path, "the file ends before its closing </html>: it is truncated; download the act again"
        )
