"""Word (DOCX) files: paragraphs and tables in order, auto-numbering written out, footnotes and page headers.

Tables come as `| cell | cell |` lines with a `|---|` line after the header row, so the table segmenter
(structure/table.py) reads one unit a row; a zip bomb is refused before anything decompresses it.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path

from tipsearch.errors import UnreadableFileError
from tipsearch.records import PLAIN, Page, Style

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ROMAN_DIGITS = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                 (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(n: int) -> str:
    out = ""
    for value, digits in _ROMAN_DIGITS:
        while n >= value:
            out, n = out + digits, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    return {
        "decimal": str(n),
        "lowerLetter": _letters(n),
        "upperLetter": _letters(n).upper(),
        "lowerRoman": _roman(n),
        "upperRoman": _roman(n).upper(),
    }.get(fmt, str(n))


class _Numbering:
    """Word auto-numbering: the label ("4.", "(a)", "II.") each numbered paragraph shows."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstractNumId -> ilvl -> (fmt, text, start)
        self.abstract: dict[str, str] = {}  # numId -> abstractNumId
        self.restarts: dict[str, dict[int, int]] = {}  # numId -> ilvl -> startOverride: the list starts again
        self.counters: dict[str, dict[int, int]] = {}
        self.restarted: set[tuple[str, int]] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for a in root.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in a.iter(f"{_W}lvl"):
                get = lambda tag, default: (lambda e: e.get(f"{_W}val") if e is not None else default)(  # noqa: E731
                    lvl.find(f"{_W}{tag}"))
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (get("numFmt", "decimal"), get("lvlText", "%1."),
                                                          int(get("start", "1") or 1))
            self.levels[a.get(f"{_W}abstractNumId")] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.abstract[num.get(f"{_W}numId")] = ref.get(f"{_W}val")
            for override in num.iter(f"{_W}lvlOverride"):
                start = override.find(f"{_W}startOverride")
                if start is not None:
                    self.restarts.setdefault(num.get(f"{_W}numId"), {})[int(override.get(f"{_W}ilvl", "0"))] = \
                        int(start.get(f"{_W}val", "1"))

    def label(self, paragraph) -> str | None:
        num_id, ilvl = _num_pr(paragraph)
        if num_id is None or num_id == "0" or num_id not in self.abstract:
            return None
        key = self.abstract[num_id]
        levels = self.levels.get(key, {})
        fmt, text, start = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
        counters = self.counters.setdefault(key, {})
        if ilvl in self.restarts.get(num_id, {}) and (num_id, ilvl) not in self.restarted:
            self.restarted.add((num_id, ilvl))  # a list that starts again at its override, once
            counters[ilvl] = self.restarts[num_id][ilvl] - 1
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [lv for lv in counters if lv > ilvl]:
            del counters[deeper]  # a new item restarts the levels below it
        if fmt == "bullet":
            return "\u2022"
        if fmt == "none":
            return None

        def number(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            lv_fmt = levels.get(lv, ("decimal", "", 1))[0]
            return format_number(counters.get(lv, levels.get(lv, ("", "", 1))[2]), lv_fmt)

        return re.sub(r"%(\d)", number, text).strip() or None


def _num_pr(paragraph) -> tuple[str | None, int]:
    """numId and level of a paragraph, from its own properties or its style's."""
    sources = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None:
        sources.append(style.element.pPr)
        style = style.base_style
    for ppr in sources:
        num_pr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if num_pr is not None:
            num_id = num_pr.find(f"{_W}numId")
            ilvl = num_pr.find(f"{_W}ilvl")
            return (num_id.get(f"{_W}val") if num_id is not None else None,
                    int(ilvl.get(f"{_W}val")) if ilvl is not None else 0)
    return None, 0


_HEADING_STYLE = re.compile(r"^(?:Heading|Titre|Título|Überschrift)\s*(\d)$", re.I)


def paragraph_style(paragraph) -> Style:
    """A paragraph's heading level from its style ("Title", "Heading 2") or its outline level, and whether all
    its text is bold or italic (runs, else the style's font)."""
    name = paragraph.style.name if paragraph.style is not None else ""
    level = 1 if name in ("Title", "Titre", "Título") else 0
    if m := _HEADING_STYLE.match(name):
        level = int(m.group(1))
    outline = paragraph._p.pPr.find(f"{_W}outlineLvl") if paragraph._p.pPr is not None else None
    if not level and outline is not None and outline.get(f"{_W}val", "9").isdigit() and int(outline.get(f"{_W}val")) < 9:
        level = int(outline.get(f"{_W}val")) + 1
    runs = [r for r in paragraph.runs if r.text.strip()]
    font = paragraph.style.font if paragraph.style is not None else None

    def all_of(attr: str) -> bool:
        return bool(runs) and all(getattr(r, attr) or (getattr(r, attr) is None and font is not None
                                                         and getattr(font, attr)) for r in runs)

    return Style(level=level, bold=all_of("bold"), italic=all_of("italic"))


def _docx_footnotes(document) -> dict[str, str]:
    """Footnote id -> text, from word/footnotes.xml when there is one."""
    from docx.oxml import parse_xml

    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes") and not rel.is_external:
            root = parse_xml(rel.target_part.blob)
            return {
                fn.get(f"{_W}id"): " ".join("".join(t.text or "" for t in p.iter(f"{_W}t")) for p in fn.iter(f"{_W}p")).strip()
                for fn in root.iter(f"{_W}footnote")
                if fn.get(f"{_W}type") in (None, "normal")
            }
    return {}


def _check_zip(path: Path) -> None:
    """Refuse a zip bomb before anything decompresses it (zipfile stops at the declared sizes)."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UnreadableFileError(path.name, f"corrupt or not a Word file ({e}); re-save it as .docx")
    if total > MAX_DOCX_UNCOMPRESSED:
        raise UnreadableFileError(
            path.name, f"unpacks to {total // 2**20} MiB > {MAX_DOCX_UNCOMPRESSED // 2**20} MiB limit (a zip bomb?)"
        )


TABLE_SEPARATOR = "|---|"  # after a table's header row(s), as in a Markdown table
CELL_BREAK = "\u2028"  # a paragraph break inside a table cell (a row stays one line)


def _table_lines(table) -> list[str]:
    """A table's rows as Markdown-style lines "| cell | cell |"; a merged row gives one cell, header rows end
    with TABLE_SEPARATOR (the rows Word repeats as headers, else the first row)."""
    rows = list(table.rows)
    marked = [r._tr.trPr is not None and r._tr.trPr.find(f"{_W}tblHeader") is not None for r in rows]
    header = sum(1 for _ in itertools.takewhile(bool, marked)) or 1
    lines: list[str] = []
    for i, row in enumerate(rows):
        cells = list(dict.fromkeys(  # merged cells repeat
            c.text.strip().replace("|", "\u00a6").replace("\n", CELL_BREAK) for c in row.cells))
        lines.append("| " + " | ".join(cells) + " |")
        if i + 1 == header:
            lines.append(TABLE_SEPARATOR)
    return lines


def _docx_header(document) -> list[str]:
    """The first section's page header, one line a paragraph, tabs as spaces."""
    try:
        header = document.sections[0].header
        texts = [] if header.is_linked_to_previous else [p.text.replace("\t", " ") for p in header.paragraphs]
    except (IndexError, AttributeError, KeyError):
        return []
    texts = [t for t in texts if t.strip()]
    return [*texts, ""] if texts else []


def read_docx(path: Path) -> list[Page]:
    """A Word document's paragraphs and tables in order, with auto-numbering written out."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    _check_zip(path)
    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx raises many kinds on a broken package
        raise UnreadableFileError(path.name, f"corrupt or not a Word file ({e.__class__.__name__}); re-save it as .docx")
    numbering = _Numbering(document)
    notes = _docx_footnotes(document)
    lines: list[str] = []
    styles: list[Style] = []
    footnotes: list[tuple[int, str]] = []
    blocks = list(document.iter_inner_content())
    if any(isinstance(b, Table) for b in blocks):
        lines.extend(_docx_header(document))  # a table list's title is often only in its page header
    for block in blocks:
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
            lines.append("")
            styles.extend([PLAIN] * (len(lines) - len(styles)))
            continue
        assert isinstance(block, DocxParagraph)
        label = numbering.label(block)
        text = block.text
        if label and text.strip():
            text = f"{label} {text}"
        lines.extend(text.split("\n"))
        styles.extend([paragraph_style(block)] * (len(lines) - len(styles)))
        for ref in block._p.iter(f"{_W}footnoteReference"):
            note = notes.get(ref.get(f"{_W}id"))
            if note:
                footnotes.append((len(lines) - 1, note))
        lines.append("")  # paragraphs are blocks: blank-line fallback and list items need the gap
    styles.extend([PLAIN] * (len(lines) - len(styles)))
    return [Page(None, tuple(lines), tuple(footnotes), tuple(styles))]
