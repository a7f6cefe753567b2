"""Render a plain-text UN report as a UN-style PDF (fpdf2) or DOCX (python-docx), for tests.

The PDF carries the layout noise real UN documents have: a masthead on page 1, a running
header with the symbol on later pages, "2/12" page numbers, a job number and a barcode,
words hyphenated at line ends, justified text with doubled spaces, footnotes at the foot of
the page, and paragraphs that run on across page breaks. Two layouts differ in font, size,
margins, line width, header style and justification, so a parser tuned to one fails the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SYMBOL = "CTOC/COP/WG.4/2022/4"  # not cited in the text, so a leak would show
JOB = "V.22-04416 (E)"
BARCODE = "*2204416*"
# Footnotes the renderer adds: (paragraph number, word the marker follows, note text).
FOOTNOTES = (
    ("1", "decision 4/4,", "See CTOC/COP/2008/19, sect. I."),
    ("10", "discussions,", "Footnote text about the discussions, kept apart from paragraph 10."),
)

_HEADING = re.compile(r"^([IVX]+|[A-D])\.\s+\S")
_PARA = re.compile(r"^(\d{1,3})\.\s+(.*)$")


@dataclass(frozen=True)
class Layout:
    font: str
    size: float
    margin_left: float
    margin_right: float
    top: float
    bottom: float
    indent: float
    justify: bool
    header: str  # "alternate": symbol left/right by page parity; "inline": page number and symbol on one line
    hyphenate: bool


LAYOUTS = {
    "un": Layout("Times", 10, 25, 25, 22, 28, 10, True, "alternate", True),
    "wide": Layout("Helvetica", 9, 15, 30, 16, 20, 14, False, "inline", True),
}


def blocks(text: str) -> tuple[list[str], list[str]]:
    """Split the seed into front matter lines and body lines (blank lines kept as "")."""
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("I. Introduction"))
    front = [ln.strip() for ln in lines[:start] if ln.strip()]
    return front, [ln.rstrip() for ln in lines[start:]]


class _PdfWriter:
    def __init__(self, layout: Layout) -> None:
        from fpdf import FPDF

        self.lay = layout
        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.core_fonts_encoding = "windows-1252"
        self.pdf.set_auto_page_break(False)
        self.pdf.alias_nb_pages()
        self.line_h = layout.size * 0.45
        self.notes: list[tuple[int, str]] = []
        self.note_count = 0
        self.width = 210 - layout.margin_left - layout.margin_right

    # -- pages ---------------------------------------------------------------------------
    def first_page(self, front: list[str]) -> None:
        pdf, lay = self.pdf, self.lay
        pdf.add_page()
        pdf.set_font(lay.font, "B", 16)
        pdf.set_xy(lay.margin_left, 12)
        pdf.cell(80, 8, "United Nations")
        pdf.set_font(lay.font, "B", 12)
        pdf.set_xy(210 - lay.margin_right - 60, 12)
        pdf.cell(60, 8, SYMBOL, align="R")
        pdf.line(lay.margin_left, 22, 210 - lay.margin_right, 22)
        body = [ln for ln in front if ln.startswith("Conference of the Parties")]
        pdf.set_font(lay.font, "B", 11)
        pdf.set_xy(lay.margin_left, 26)
        pdf.multi_cell(100, 5, body[0])
        right = ["Distr.: Limited", "14 July 2022", "", "Original: English"]
        pdf.set_font(lay.font, "", 9)
        for i, text in enumerate(right):
            pdf.set_xy(210 - lay.margin_right - 45, 26 + i * 4.5)
            pdf.cell(45, 4.5, text)
        self.y = 50
        for text in front:
            if text in right or text in body:
                continue
            bold = text.startswith("Working Group")
            self.paragraph(text, style="B" if bold or text.startswith("Report") else "")
        self.footer_first = True

    def footer(self) -> None:
        pdf, lay, page = self.pdf, self.lay, self.pdf.page_no()
        y = 297 - lay.bottom + 4
        if self.notes:
            pdf.line(lay.margin_left, y - 2 - 4 * len(self.notes), lay.margin_left + 40, y - 2 - 4 * len(self.notes))
            pdf.set_font(lay.font, "", lay.size - 2)
            for i, (n, text) in enumerate(self.notes):
                pdf.set_xy(lay.margin_left, y - 4 * (len(self.notes) - i))
                pdf.cell(0, 3.5, f"{n} {text}")
            self.notes = []
        pdf.set_font(lay.font, "", 8)
        number = f"{page}/{{nb}}"
        if page == 1:
            pdf.set_xy(lay.margin_left, 297 - 12)
            pdf.cell(40, 4, JOB)
            pdf.set_xy(210 - lay.margin_right - 40, 297 - 12)
            pdf.cell(40, 4, BARCODE, align="R")
        if lay.header == "alternate" or page == 1:
            pdf.set_xy(lay.margin_left if page % 2 == 0 else 210 - lay.margin_right - 20, 297 - 8)
            pdf.cell(20, 4, number, align="L" if page % 2 == 0 else "R")

    def new_page(self) -> None:
        self.footer()
        pdf, lay = self.pdf, self.lay
        pdf.add_page()
        page = pdf.page_no()
        pdf.set_font(lay.font, "B", 9)
        if lay.header == "alternate":
            pdf.set_xy(lay.margin_left if page % 2 == 0 else 210 - lay.margin_right - 60, 10)
            pdf.cell(60, 5, SYMBOL, align="L" if page % 2 == 0 else "R")
        else:
            pdf.set_xy(lay.margin_left, 8)
            pdf.cell(30, 5, f"{page}/{{nb}}")
            pdf.set_xy(210 - lay.margin_right - 60, 8)
            pdf.cell(60, 5, SYMBOL, align="R")
        pdf.line(lay.margin_left, 15, 210 - lay.margin_right, 15)
        self.y = lay.top

    def limit(self) -> float:
        return 297 - self.lay.bottom - 4 * len(self.notes) - 4

    # -- text ----------------------------------------------------------------------------
    def wrap(self, words: list[str], width: float) -> list[list[str]]:
        pdf, out, line = self.pdf, [], []
        for word in words:
            trial = " ".join([*line, word])
            if pdf.get_string_width(trial) <= width:
                line.append(word)
                continue
            head, tail = self.split_word(word, width - pdf.get_string_width(" ".join([*line, ""])))
            if head:
                line.append(head)
                word = tail
            out.append(line)
            line = [word]
        if line:
            out.append(line)
        return out

    def split_word(self, word: str, room: float) -> tuple[str | None, str]:
        """Break a word at a hard hyphen or, when hyphenating, inside it with an added hyphen."""
        if "-" in word[1:-1]:
            head, tail = word.split("-", 1)
            if self.pdf.get_string_width(head + "-") <= room:
                return head + "-", tail
        if self.lay.hyphenate and len(word) >= 9 and word.isalpha():
            for cut in range(len(word) - 4, 3, -1):
                if self.pdf.get_string_width(word[:cut] + "-") <= room:
                    return word[:cut] + "-", word[cut:]
        return None, word

    def paragraph(self, text: str, number: str | None = None, style: str = "", x_extra: float = 0.0,
                  gap: bool = True) -> None:
        pdf, lay = self.pdf, self.lay
        pdf.set_font(lay.font, style, lay.size)
        x = lay.margin_left + (lay.indent if number else 0) + x_extra
        width = 210 - lay.margin_right - x
        notes = {word: note for n, word, note in FOOTNOTES if n == number}
        lines = self.wrap(text.split(" "), width)
        for i, words in enumerate(lines):
            if self.y + self.line_h > self.limit():
                self.new_page()
                pdf.set_font(lay.font, style, lay.size)
            if i == 0 and number:
                pdf.set_xy(lay.margin_left, self.y)
                pdf.cell(lay.indent, self.line_h, f"{number}.")
            line = " ".join(words)
            if lay.justify and i < len(lines) - 1 and len(words) > 3:
                # Justified text as some converters write it: doubled spaces between words.
                extra = int((width - pdf.get_string_width(line)) / pdf.get_string_width(" "))
                gaps = min(extra, len(words) - 1)
                rest = " " + " ".join(words[gaps + 1 :]) if gaps + 1 < len(words) else ""
                line = "  ".join(words[: gaps + 1]) + rest
            pdf.set_xy(x, self.y)
            marker = next((w for w in notes if w in line), None)
            if marker:
                before, after = line.split(marker, 1)
                pdf.cell(pdf.get_string_width(before + marker), self.line_h, before + marker)
                self.note_count += 1
                pdf.set_font(lay.font, style, lay.size - 3)
                pdf.cell(pdf.get_string_width(str(self.note_count)) + 0.3, self.line_h - 2, str(self.note_count))
                pdf.set_font(lay.font, style, lay.size)
                pdf.cell(pdf.get_string_width(after) + 1, self.line_h, after)
                self.notes.append((self.note_count, notes.pop(marker)))
            else:
                pdf.cell(width, self.line_h, line)
            self.y += self.line_h
        if gap:
            self.y += self.line_h * 0.8

    def body(self, lines: list[str]) -> None:
        for raw in lines:
            text = raw.strip()
            if not text:
                continue
            m = _PARA.match(raw)
            if _HEADING.match(text):
                self.paragraph(text, style="B")
            elif m and raw == raw.lstrip():
                self.paragraph(m.group(2), number=m.group(1))
            elif text.startswith("Recommendation "):
                self.paragraph(text, style="B", x_extra=self.lay.indent)
            else:
                self.paragraph(text, x_extra=self.lay.indent + (6 if raw != raw.lstrip() else 0))

    def save(self, out: Path) -> Path:
        self.footer()
        self.pdf.output(str(out))
        return out


def render_pdf(source: Path, out: Path, layout: str = "un") -> Path:
    """The seed report as a UN-style PDF with its layout noise."""
    front, body = blocks(source.read_text(encoding="utf-8"))
    writer = _PdfWriter(LAYOUTS[layout])
    writer.first_page(front)
    writer.body(body)
    return writer.save(out)


def render_docx(source: Path, out: Path, auto_numbering: bool = True) -> Path:
    """The seed report as a Word file: paragraph numbers from Word's numbering, or typed."""
    import docx

    front, body = blocks(source.read_text(encoding="utf-8"))
    document = docx.Document()
    document.add_paragraph("United Nations")
    document.add_paragraph(SYMBOL)
    for text in front:
        document.add_paragraph(text)
    for raw in body:
        text = raw.strip()
        if not text:
            continue
        m = _PARA.match(raw)
        if _HEADING.match(text):
            document.add_paragraph(text, style="Heading 1" if text[0] in "IV" else "Heading 2")
        elif m and raw == raw.lstrip() and auto_numbering:
            document.add_paragraph(m.group(2), style="List Number")
        else:
            document.add_paragraph(text)
    document.save(str(out))
    return out
