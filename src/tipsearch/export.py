"""Reading packs: cited paragraphs with notes, saved as JSON and exported as Markdown, DOCX or CSV.

A pack item is a snapshot (citation and text travel with it), so an export never depends on
unit ids, which change when the index is rebuilt. Saved packs name each item by document
and paragraph and are resolved against the index again when loaded.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tipsearch.citations import document_name
from tipsearch.errors import NotFoundError, PackError
from tipsearch.library import Library
from tipsearch.ingest.dates import human_date
from tipsearch.records import Unit
from tipsearch.search.related import match_units

FORMATS = ("md", "docx", "csv")
CSV_COLUMNS = ("order", "citation", "document", "symbol", "date", "paragraph", "label", "section", "text", "note")
DEFAULT_TITLE = "Reading pack"

# Characters that are not allowed in XML (DOCX) and never meaningful in a report.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


@dataclass(frozen=True)
class PackItem:
    """One cited paragraph in a reading pack, with the user's note."""

    citation: str
    document: str  # the document's name as cited: symbol, or short title and date
    title: str
    file: str
    paragraph: str  # as printed
    text: str
    label: str | None = None
    symbol: str | None = None
    date: str | None = None
    section: tuple[str, ...] = ()
    note: str = ""

    @property
    def ref(self) -> str:
        """How a saved pack names the paragraph: its label if it has one, else its number."""
        return self.label or self.paragraph


@dataclass(frozen=True)
class PackRef:
    """A saved pack entry before resolution: a citation, or a document and paragraph."""

    citation: str | None = None
    document: str | None = None
    paragraph: str | None = None
    note: str = ""


def item(unit: Unit, note: str = "") -> PackItem:
    doc, p = unit.document, unit.paragraph
    return PackItem(unit.citation, document_name(doc), doc.title, doc.file, p.number, p.text, p.label,
                    doc.symbol, doc.date, tuple(p.section), note)


# -- saved packs -----------------------------------------------------------------------------

def pack_json(items: Sequence[PackItem]) -> str:
    """The saved form: a JSON list of {citation, document, paragraph, note}."""
    rows = [{"citation": i.citation, "document": i.file, "paragraph": i.ref, "note": i.note} for i in items]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def parse_pack(text: str, source: str = "pack") -> list[PackRef]:
    """A saved pack's entries; each needs a citation or a document and a paragraph."""
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as e:
        raise PackError(f"{source} is not JSON ({e.msg}, line {e.lineno}): save a list of {{citation, note}}") from e
    if not isinstance(rows, list):
        raise PackError(f"{source} must be a JSON list of {{citation or document+paragraph, note}}")
    refs = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise PackError(f"{source} item {n} is not an object: give {{\"citation\": ..., \"note\": ...}}")
        ref = PackRef(*(_str(row.get(k)) for k in ("citation", "document", "paragraph")), note=_str(row.get("note")) or "")
        if not ref.citation and not (ref.document and ref.paragraph):
            raise PackError(f"{source} item {n} has neither a citation nor a document and paragraph")
        refs.append(ref)
    return refs


def _str(value: object) -> str | None:
    return None if value is None else str(value).strip() or None


def read_pack(path: Path) -> list[PackRef]:
    if not path.is_file():
        raise PackError(f"no pack file {path}: save one from the app (Reading pack > Save) or use --cite")
    return parse_pack(path.read_text(encoding="utf-8"), str(path))


def parse_cite(text: str) -> PackRef:
    """`--cite` text: a full citation, or "DOCUMENT PARAGRAPH" (e.g. `wg-tip-2022-report rec:7`)."""
    return PackRef(citation=text.strip())


# -- resolution against the index ---------------------------------------------------------------

def resolve(lib: Library, refs: Iterable[PackRef]) -> list[PackItem]:
    """Each entry as a PackItem from the index, in order; NotFoundError names the first missing one."""
    by_citation: dict[str, Unit] | None = None
    items = []
    for n, ref in enumerate(refs, start=1):
        unit = None
        if ref.document and ref.paragraph:
            unit = _find(lib, ref.document, ref.paragraph)
        elif ref.citation:
            if by_citation is None:
                by_citation = {u.citation: u for d in lib.documents() for u in lib.document(str(d.id))[1]}
            unit = by_citation.get(ref.citation) or _split_and_find(lib, ref.citation)
        if unit is None:
            what = ref.citation or f"{ref.document} {ref.paragraph}"
            raise NotFoundError(
                f"pack item {n}: {what!r} is not in the index; cite as it is printed by `tipsearch search`, "
                "or as DOCUMENT PARAGRAPH (e.g. `wg-tip-2022-report 9` or `wg-tip-2022-report rec:7`)"
            )
        items.append(item(unit, ref.note))
    return items


def _find(lib: Library, document: str, paragraph: str) -> Unit | None:
    try:
        _, units = lib.document(document)
    except NotFoundError:
        return None
    return match_paragraph(units, paragraph)


def _split_and_find(lib: Library, text: str) -> Unit | None:
    words = text.split()
    for tail in (1, 2):  # "DOC 9", "DOC rec:7" or "DOC Recommendation 7"
        if len(words) > tail:
            unit = _find(lib, " ".join(words[:-tail]), " ".join(words[-tail:]))
            if unit is not None:
                return unit
    return None


def match_paragraph(units: Sequence[Unit], paragraph: str) -> Unit | None:
    """The unit printed as `paragraph`: "9", "para. 9", "Recommendation 7", "rec:7", "art. 3 (a)", "PP 3"."""
    return next(iter(match_units(units, paragraph)), None)


# -- renderings ------------------------------------------------------------------------------

def sources(items: Sequence[PackItem]) -> list[str]:
    """One line per distinct document, in first-use order: name as cited, full title, date, file."""
    seen: dict[str, str] = {}
    for i in items:
        if i.file not in seen:
            date = f", {human_date(i.date)}" if i.symbol and i.date else ""  # without a symbol the name has the date
            seen[i.file] = f"{i.document}. {i.title}{date} ({i.file})"
    return list(seen.values())


def _md(text: str) -> str:
    """Document text as Markdown that shows the text and renders no markup from it."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"(?m)^(\s*)([#>+-]|\d+[.)])", r"\1\\\2", escaped)


def markdown(items: Sequence[PackItem], title: str = DEFAULT_TITLE) -> str:
    lines = [f"# {_md(title)}", ""]
    for n, i in enumerate(items, start=1):
        lines += [f"## {n}. {_md(i.citation)}", ""]
        if i.section:
            lines += [f"*{_md(' > '.join(i.section))}*", ""]
        lines += [f"> {line}" if line else ">" for line in _md(i.text).split("\n")]
        lines.append("")
        if i.note:
            lines += [f"**Note:** {_md(i.note)}", ""]
    lines += ["## Sources", ""] + [f"- {_md(s)}" for s in sources(items)]
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs: make it text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_text(items: Sequence[PackItem]) -> str:
    """One row per item, then a blank row and the sources, one per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for n, i in enumerate(items, start=1):
        row = (str(n), i.citation, i.document, i.symbol or "", i.date or "", i.paragraph, i.label or "",
               " > ".join(i.section), i.text, i.note)
        writer.writerow([_cell(v) for v in row])
    writer.writerow([])
    writer.writerow(["sources"])
    for s in sources(items):
        writer.writerow([_cell(s)])
    return out.getvalue()


def docx_bytes(items: Sequence[PackItem], title: str = DEFAULT_TITLE) -> bytes:
    from docx import Document as Docx  # imported here: only exports need python-docx
    from docx.shared import Pt

    def clean(text: str) -> str:
        return _CONTROL.sub("", text)

    doc = Docx()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(clean(title), level=0)
    for n, i in enumerate(items, start=1):
        doc.add_heading(clean(f"{n}. {i.citation}"), level=2)
        if i.section:
            doc.add_paragraph().add_run(clean(" > ".join(i.section))).italic = True
        for block in clean(i.text).split("\n"):
            doc.add_paragraph(block, style="Quote" if "Quote" in doc.styles else None)
        if i.note:
            para = doc.add_paragraph()
            para.add_run("Note: ").bold = True
            para.add_run(clean(i.note))
    doc.add_heading("Sources", level=1)
    for s in sources(items):
        doc.add_paragraph(clean(s), style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render(items: Sequence[PackItem], fmt: str, title: str = DEFAULT_TITLE) -> bytes:
    """The pack in one of FORMATS, as bytes ready to write or download."""
    if fmt == "md":
        return markdown(items, title).encode("utf-8")
    if fmt == "csv":
        return csv_text(items).encode("utf-8-sig")  # the BOM lets spreadsheet programs see UTF-8
    if fmt == "docx":
        return docx_bytes(items, title)
    raise PackError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
