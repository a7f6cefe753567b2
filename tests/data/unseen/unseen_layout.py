"""Shared layout for the generated FICTIONAL fixtures of this folder: one list of blocks, written as a
pdftotext -layout style .txt and as an fpdf2 PDF (bold headings, italic preamble openers, running headers).

Fictional text for tests. Used by make_session_report.py and make_sc_resolution.py; not a fixture itself.
Blocks (kind, ...):
    ("masthead", Masthead)         the first-page masthead: "United Nations  SYMBOL", body, Distr., date, ...
    ("lines", [str, ...], bold)    lines set as they are, flush with the body (session lines, meeting lines)
    ("title", str)                 the document title, bold, large
    ("heading", number, text)      a chapter heading "I.  Resolutions", bold
    ("subheading", number, text)   a section heading "A.  Opening ...", bold
    ("rtitle", number, text)       a resolution or decision title "99/1.  Title", bold
    ("topic", text)                a topic heading inside a preamble, bold, on its own line
    ("chapeau", text)              "The Human Rights Council," indented, italic body name
    ("pp", text)                   a preambular paragraph: its first word in italics
    ("para", number, text)         a numbered paragraph; its operative verb (first word) in italics
    ("sub", label, text)           a lettered sub-item "(a)" inside the paragraph above
    ("sub2", label, text)          a roman sub-item "(i)" inside the lettered one above, indented further
    ("bracket", [str, ...])        "[Adopted ...]": set in a smaller indent, as the closing lines are
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

WIDTH_TXT = 84  # characters of body text in the .txt
BODY = 16  # the body's left column in the .txt
LINES_PER_PAGE = 54


@dataclass(frozen=True)
class Masthead:
    symbol: str
    body: str  # "General Assembly", "Security Council"
    distribution: str  # "Distr.: General"
    date: str  # "20 May 2099"
    extra: tuple[str, ...] = ()  # "Original: English"
    job: str = ""  # "GE.99-05678 (E)"
    barcode: str = ""  # "*9905678*"


# -- text --------------------------------------------------------------------------------------------------------
def _wrap(text: str, first: int, rest: int, width: int = WIDTH_TXT) -> list[str]:
    """Wrap text with the first line starting at column `first` and the others at `rest` (absolute columns)."""
    lines = textwrap.wrap(text, width=width - (first - BODY), break_long_words=False, break_on_hyphens=False)
    if not lines:
        return []
    head = " " * first + lines[0]
    tail = textwrap.wrap(" ".join(lines[1:]), width=width - (rest - BODY), break_long_words=False,
                         break_on_hyphens=False) if len(lines) > 1 else []
    return [head, *(" " * rest + t for t in tail)]


def _numbered(number: str, text: str, at: int, gap: int = 8) -> list[str]:
    pad = max(gap, len(number) + 2)
    lines = _wrap(number.ljust(pad) + text, at, BODY)
    return lines


def body_lines(blocks: list[tuple]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "masthead":
            m: Masthead = block[1]
            right = 81
            out.append(" " * BODY + "United Nations" + " " * (right + 20 - BODY - len("United Nations") - len(m.symbol))
                       + m.symbol)
            out.append(" " * BODY + m.body.ljust(right - BODY) + m.distribution)
            out.append(" " * right + m.date)
            out.append("")
            for e in m.extra:
                out.append(" " * right + e)
            out.extend(["", ""])
        elif kind == "lines":
            out.extend(block[1])
            out.append("")
        elif kind == "title":
            out.extend(_wrap(block[1], BODY, BODY, width=70))
            out.append("")
        elif kind == "heading":
            if out and out[-1]:
                out.append("")
            out.append(" " * 8 + block[1].ljust(8) + block[2])
            out.append("")
        elif kind == "subheading":
            if out and out[-1]:
                out.append("")
            out.append(" " * 8 + block[1].rjust(6).ljust(8) + block[2])
            out.append("")
        elif kind == "rtitle":
            lines = _wrap(block[2], BODY, BODY, width=70)
            lines[0] = "  " + block[1].ljust(BODY - 2) + lines[0].lstrip()
            out.extend(lines)
            out.append("")
        elif kind == "topic":
            out.extend(["", " " * BODY + block[1], ""])
        elif kind == "chapeau":
            out.append(" " * (BODY + 6) + block[1])
        elif kind == "pp":
            out.extend(_wrap(block[1], BODY + 6, BODY))
        elif kind == "para":
            out.extend(_numbered(block[1], block[2], BODY + 6, gap=5))
        elif kind == "sub":
            out.extend(_numbered(block[1], block[2], BODY + 6, gap=4))
        elif kind == "sub2":
            out.extend(_numbered(block[1], block[2], BODY + 12, gap=6))
        elif kind == "bracket":
            out.append("")
            for line in block[1]:
                out.extend(_wrap(line, BODY, BODY) if not line.startswith(" ") else
                           _wrap(line.strip(), BODY + 6, BODY + 6))
            out.append("")
        else:
            raise ValueError(kind)
    return out


def write_txt(path: Path, blocks: list[tuple], masthead: Masthead, running: str) -> int:
    """Paginate like pdftotext -layout: form feeds, a running header, "n/N" and the job number at the foot."""
    lines = body_lines(blocks)
    pages: list[list[str]] = []
    size = LINES_PER_PAGE - 6
    while lines:
        page, lines = lines[:size], lines[size:]
        pages.append(page)
    total = len(pages)
    text_pages = []
    for n, page in enumerate(pages, start=1):
        head = [] if n == 1 else [running if n % 2 == 0 else " " * 92 + running, "", ""]
        foot = ["", ""]
        if n == 1:
            foot += [f"{masthead.job}", masthead.barcode]
        else:
            foot += [f"{n}/{total}".rjust(100) if n % 2 else f"{n}/{total}"]
        foot.append(" " * 40 + "Fictional text for tests")
        text_pages.append("\n".join(head + page + foot))
    path.write_text("\n\f".join(text_pages) + "\n", encoding="utf-8")
    return total


# -- PDF ---------------------------------------------------------------------------------------------------------
LEFT, RIGHT, TOP = 25.0, 20.0, 24.0
PWIDTH = 210.0 - LEFT - RIGHT
LINE = 5.0


class UNPdf(FPDF):
    running = ""
    masthead: Masthead

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font("Helvetica", "B", 8)
            self.set_xy(LEFT, 12)
            self.cell(PWIDTH, 4, self.running, align="R" if self.page_no() % 2 else "L")
        self.set_xy(LEFT, TOP)

    def footer(self) -> None:
        self.set_font("Helvetica", "", 8)
        if self.page_no() == 1:
            self.set_xy(LEFT, -22)
            self.cell(PWIDTH, 4, self.masthead.job, align="L")
            self.set_xy(LEFT, -18)
            self.cell(PWIDTH, 4, self.masthead.barcode, align="L")
        else:
            self.set_xy(LEFT, -18)
            self.cell(PWIDTH, 4, f"{self.page_no()}/{{nb}}", align="R" if self.page_no() % 2 else "L")
        self.set_xy(LEFT, -12)
        self.set_font("Helvetica", "I", 6)
        self.cell(PWIDTH, 3, "Fictional text for tests", align="C")


def _flow(pdf: UNPdf, indent: float, number: str | None, text: str, italic_first: bool = False,
          number_width: float = 9.0) -> None:
    """A paragraph whose first line starts at LEFT+indent (after its number), continuation lines at LEFT."""
    pdf.set_x(LEFT + indent)
    pdf.set_font("Helvetica", "", 10)
    if number:
        pdf.write(LINE, number)
        pdf.set_x(LEFT + indent + number_width)
    if italic_first:
        first, _, rest = text.partition(" ")
        pdf.set_font("Helvetica", "I", 10)
        pdf.write(LINE, first)
        pdf.set_font("Helvetica", "", 10)
        pdf.write(LINE, " " + rest)
    else:
        pdf.write(LINE, text)
    pdf.ln(LINE)
    pdf.ln(1.2)


def write_pdf(path: Path, blocks: list[tuple], masthead: Masthead, running: str, title: str) -> int:
    pdf = UNPdf(format="A4")
    pdf.running = running
    pdf.masthead = masthead
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=28)
    pdf.set_creation_date(datetime(2099, 1, 1, tzinfo=timezone.utc))
    pdf.set_title(title)
    pdf.set_author("Fictional (tests)")
    pdf.alias_nb_pages()
    pdf.add_page()
    for block in blocks:
        kind = block[0]
        if kind == "masthead":
            m: Masthead = block[1]
            pdf.set_xy(LEFT, 14)
            pdf.set_font("Helvetica", "", 12)
            pdf.cell(PWIDTH / 2, 8, "United Nations")
            pdf.set_font("Helvetica", "B", 16)
            pdf.cell(PWIDTH / 2, 8, m.symbol, align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.line(LEFT, 23, LEFT + PWIDTH, 23)
            pdf.set_xy(LEFT, 26)
            pdf.set_font("Helvetica", "B", 18)
            pdf.cell(PWIDTH * 0.62, 9, m.body)
            pdf.set_font("Helvetica", "", 10)
            x = LEFT + PWIDTH * 0.62
            pdf.set_xy(x, 27)
            pdf.cell(PWIDTH * 0.38, 5, m.distribution, new_x="LEFT", new_y="NEXT")
            pdf.cell(PWIDTH * 0.38, 5, m.date, new_x="LEFT", new_y="NEXT")
            pdf.ln(3)
            for e in m.extra:
                pdf.cell(PWIDTH * 0.38, 5, e, new_x="LEFT", new_y="NEXT")
            pdf.line(LEFT, pdf.get_y() + 3, LEFT + PWIDTH, pdf.get_y() + 3)
            pdf.set_xy(LEFT, pdf.get_y() + 8)
        elif kind == "lines":
            pdf.set_font("Helvetica", "B" if block[2] else "", 10)
            for line in block[1]:
                pdf.set_x(LEFT)
                pdf.cell(PWIDTH, LINE, line.strip(), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif kind == "title":
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 16)
            pdf.set_x(LEFT + 10)
            pdf.multi_cell(PWIDTH - 20, 7.5, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(5)
        elif kind in ("heading", "subheading"):
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 13 if kind == "heading" else 11)
            pdf.set_x(LEFT - (8 if kind == "heading" else 0))
            pdf.cell(10 if kind == "heading" else 8, 6, block[1])
            pdf.multi_cell(PWIDTH - 10, 6, block[2], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "rtitle":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 11)
            pdf.set_x(LEFT - 8)
            pdf.cell(20, 5.5, block[1])
            pdf.multi_cell(PWIDTH - 12, 5.5, block[2], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif kind == "topic":
            pdf.ln(1.5)
            pdf.set_font("Helvetica", "B", 10)
            pdf.set_x(LEFT)
            pdf.multi_cell(PWIDTH, LINE, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif kind == "chapeau":
            pdf.set_x(LEFT + 10)
            pdf.set_font("Helvetica", "I", 10)
            pdf.cell(PWIDTH - 10, LINE, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.2)
        elif kind == "pp":
            _flow(pdf, 10, None, block[1], italic_first=True)
        elif kind == "para":
            _flow(pdf, 10, block[1], block[2], italic_first=True)
        elif kind == "sub":
            _flow(pdf, 10, block[1], block[2], number_width=8)
        elif kind == "sub2":
            _flow(pdf, 18, block[1], block[2], number_width=9)
        elif kind == "bracket":
            pdf.ln(2)
            pdf.set_font("Helvetica", "", 10)
            for line in block[1]:
                indent = 10 if line.startswith(" ") else 0
                pdf.set_x(LEFT + indent)
                pdf.multi_cell(PWIDTH - indent, LINE, line.strip(), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        else:
            raise ValueError(kind)
    pdf.output(str(path))
    return pdf.page_no()
