"""Table documents (Word lists of recommendations): one unit a table row.

The DOCX reader writes each table row as one line "| cell | cell |", a TABLE_SEPARATOR after the header
row(s), and a merged row as one cell. Data rows are the units (kind "row"), numbered 1, 2, ... across all
tables of the file; header rows and merged rows ("Theme: D27 ...") are not units: a merged row is the
section heading of the rows under it, as is a short paragraph between tables. A recommendation cell
"115.120 Text ... (Philippines);" gives the row its label "115.120" and its recommending States.
"""

from __future__ import annotations

import re

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.docx_reader import CELL_BREAK, TABLE_SEPARATOR
from tipsearch.ingest.structure.review import recommending_states
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import Paragraph

_ROW = re.compile(r"^\|\s(.*)\s\|$")
_RECOMMENDATION = re.compile(r"^(\d{1,4}\.\d{1,3})\s+(\S.*)$", re.S)  # "115.120 Take further steps ..."
_SOURCE = re.compile(r"^Source of position\b", re.I)  # "Source of position: A/HRC/99/15/Add.1 - Para. 3"
_HEADING_CHARS = 120


def _cells(text: str) -> list[str] | None:
    m = _ROW.match(text)
    return [c.strip() for c in m.group(1).split(" | ")] if m else None


def looks_like(lines: list[Line]) -> bool:
    """A table document: table rows with a header make up most of its lines of text."""
    texts = [ln.text for ln in lines if ln.text and not ln.footnote]
    rows = sum(1 for t in texts if _cells(t) is not None)
    return TABLE_SEPARATOR in texts and rows * 2 > len(texts)


def _row_unit(cells: list[str], number: int, order: int, section: tuple[str, ...]) -> Paragraph:
    """A data row: its cells' text, one cell paragraph a line, the recommendation's number as label."""
    first, label, states = cells[0], None, ()
    if m := _RECOMMENDATION.match(first):
        label, first = m.group(1), m.group(2)
        # The States close the recommendation's text, before the "Source of position" line.
        states = recommending_states(" ".join(p for p in first.split(CELL_BREAK) if not _SOURCE.match(p)))
    text = "\n".join(p.strip() for cell in [first, *cells[1:]] for p in cell.split(CELL_BREAK) if p.strip())
    return Paragraph(str(number), text, order, "row", label, section, None, (), states)


def _tables(lines: list[Line]) -> list[tuple]:
    """The document as ("text", line) and ("table", header rows, data rows, separated) pieces, in order."""
    pieces: list[tuple] = []
    for line in lines:
        cells = _cells(line.text)
        if cells is None and line.text != TABLE_SEPARATOR:
            if line.text:
                pieces.append(("text", line.text))
            continue
        if not pieces or pieces[-1][0] != "table":
            pieces.append(("table", [], [], False))
        _, header, rows, separated = pieces[-1]
        if cells is None:
            header.extend(rows)  # the rows above the separator were the header
            rows.clear()
            pieces[-1] = ("table", header, rows, True)
        else:
            rows.append(cells)
    return pieces


def segment(lines: list[Line]) -> Segmentation:
    """Data rows as units; the title above the first table as front matter; header and merged rows as headings."""
    units: list[Paragraph] = []
    headings: list[str] = []
    front: list[str] = []
    heading: str | None = None  # a short paragraph between tables
    rows = 0
    seen_table = False
    for piece in _tables(lines):
        if piece[0] == "text":
            text = piece[1]
            if not seen_table:
                front.append(text)  # the page header and the title above the first table
            elif len(text) <= _HEADING_CHARS:
                heading = text
                headings.append(text)
            else:  # prose between tables is text too: a block, never lost
                units.append(Paragraph(str(len(units) - rows + 1), text, len(units), "block", section=_path(heading)))
            continue
        _, header, data, _ = piece
        seen_table = True
        headings.extend(" ".join(cells) for cells in header)
        theme: str | None = None
        for cells in data:
            if len(cells) == 1 and len(header[-1] if header else cells) > 1:
                theme = cells[0]  # a merged row: "Theme: D27 Prohibition of slavery, trafficking"
                headings.append(theme)
                continue
            rows += 1
            units.append(_row_unit(cells, rows, len(units), _path(heading, theme)))
    return Segmentation(tuple(units), tuple(headings), tuple(front), "table")


def _path(*names: str | None) -> tuple[str, ...]:
    return tuple(n for n in names if n)
