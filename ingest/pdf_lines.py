"""From an Official Journal PDF's page texts (pypdf) to one logical line per block: each page cut
at its running footer, wrapped lines joined (a line that wraps ends in a space), and a hyphen at
a line's end kept or dropped by the act's own vocabulary. ingest/oj_pdf.py reads the structure
from these lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import clean, drop_quoted_footnotes

_FOOTER = re.compile(
    r"^(EN OJ L,? |OJ L,? \d{1,2}\.\d{1,2}\.\d{4}\s+EN$|Official Journal\s*$|ELI: http|\d+/\d+ ELI: )"
)
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


@dataclass
class Line:
    """A line of the act's text and the PDF page it is on (1-based)."""

    text: str
    page: int


def body_lines(pages: list[str]) -> list[Line]:
    """The lines of each page's text down to its running footer (footnotes follow it)."""
    out: list[Line] = []
    for number, page in enumerate(pages, start=1):
        for raw in page.split("\n"):
            if _FOOTER.match(raw.strip()):
                break  # the running footer; only footnotes follow it on the page
            out.append(Line(raw.rstrip("\n"), number))
    return out


_SOFT_BREAK = "\u00ad"  # marks a word broken by a hyphen at a line end, until it is decided


def logical_lines(lines: list[Line]) -> list[Line]:
    """Join wrapped lines into one line per block, repairing hyphenation at line ends."""
    vocabulary = {w.lower() for line in lines for w in _WORD.findall(line.text)}
    out: list[Line] = []
    current: Line | None = None
    for line in lines:
        text = line.text
        if current is None:
            current = Line(text, line.page)
        else:
            current.text += text
        if current.text.endswith(" "):
            continue  # a soft wrap: the block goes on
        if re.search(r"[A-Za-z]-$", current.text):
            current.text = current.text[:-1] + _SOFT_BREAK
            continue
        out.append(Line(drop_quoted_footnotes(clean(current.text)), current.page))
        current = None
    if current is not None:
        out.append(Line(drop_quoted_footnotes(clean(current.text)), current.page))
    return [_repair_hyphens(line, vocabulary) for line in out if line.text]


def _repair_hyphens(line: Line, vocabulary: set[str]) -> Line:
    """Decide each line-end hyphen: "experimenta-tion" is one word, "start-ups" keeps it."""

    def fix(m: re.Match[str]) -> str:
        hyphenated = f"{m.group(1)}-{m.group(2)}"
        joined = m.group(1) + m.group(2)
        if joined.lower() in vocabulary and hyphenated.lower() not in vocabulary:
            return joined
        return hyphenated

    return Line(re.sub(rf"([A-Za-z]+){_SOFT_BREAK}([A-Za-z]+)", fix, line.text), line.page)
