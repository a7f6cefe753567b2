"""Remove layout noise from pages of lines and yield clean lines, each with its page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .records import Page

# A Markdown link to nowhere, left by document converters: "[CTOC/COP/WG.4/2022/1](#)".
_EMPTY_LINK = re.compile(r"\[([^\]\n]+)\]\(#\)")
_JOB_NUMBER = re.compile(r"^[A-Z]\.\d{2}-\d{5}\s*\([A-Z]\)(\s+\S+)?$")
_BARCODE = re.compile(r"^\*\d{7,}\*$")
_PAGE_NUMBER = re.compile(r"^(\d{1,4}\s*/\s*\d{1,4}|-\s*\d{1,4}\s*-|page \d{1,4}( of \d{1,4})?)$", re.I)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")


@dataclass(frozen=True)
class Line:
    """A clean line of text; blank lines are kept as "" because they separate blocks."""

    text: str
    page: int | None
    indent: int = 0


def is_noise(text: str) -> bool:
    """True for lines that are page furniture, never content."""
    return bool(_JOB_NUMBER.match(text) or _BARCODE.match(text) or _PAGE_NUMBER.match(text))


def clean_line(raw: str) -> str:
    text = raw.replace("\t", " ").strip()
    text = _EMPTY_LINK.sub(r"\1", text)
    return _SPACES.sub(" ", text)


def clean(pages: list[Page]) -> list[Line]:
    """Pages of raw lines -> clean lines, with page furniture removed."""
    out: list[Line] = []
    for page in pages:
        for raw in page.lines:
            text = clean_line(raw)
            if text and is_noise(text):
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            out.append(Line(text, page.number, indent))
        out.append(Line("", page.number))
    return out
