"""PDF styles: each line's heading level and emphasis from pypdf's fragments, the text exactly as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tipsearch.ingest import pdf_styles, readers
from tipsearch.ingest.pdf_styles import Fragment, FragmentLog, LineFont, effective_size, face, line_fonts
from tipsearch.records import Page, Style

IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
BODY = [f"{i}. Body text of the report, line {i}, set in ten point type." for i in range(1, 5)]


def _line(pdf: Any, text: str, style: str = "", size: int = 10) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.cell(text=text, new_x="LMARGIN", new_y="NEXT")


def _report(path: Path) -> Path:
    """Two pages: a 16 pt bold title, 12 pt bold headings, 10 pt body with an italic, a bold and a half-bold
    line, an 8 pt footnote."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    _line(pdf, "Trafficking in persons", "B", 16)
    _line(pdf, "I. Introduction", "B", 12)
    for text in BODY:
        _line(pdf, text)
    _line(pdf, "Recalling its earlier resolutions on the matter,", "I")
    _line(pdf, "Victims shall be protected.", "B")
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(text="Article 5 ")  # a bold label opening a plain line: the line is not bold
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(text="applies to every State party without exception.", new_x="LMARGIN", new_y="NEXT")
    _line(pdf, "1 A footnote in small type.", "", 8)
    pdf.add_page()
    _line(pdf, "II. Prevention", "B", 12)
    for text in BODY:
        _line(pdf, text)
    pdf.output(str(path))
    return path


def _plain_lines(path: Path) -> list[tuple[str, ...]]:
    """What read_pdf returned before styles: pypdf's extract_text() split into lines."""
    from pypdf import PdfReader

    return [
        tuple((page.extract_text() or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        for page in PdfReader(path).pages
    ]


def _styles(page: Page) -> dict[str, Style]:
    return {line.strip(): style for line, style in zip(page.lines, page.styles, strict=True) if line.strip()}


def test_a_generated_report_gets_heading_levels_and_emphasis(tmp_path: Path):
    first, second = readers.read_pdf(_report(tmp_path / "report.pdf"))
    styles = _styles(first)
    assert styles["Trafficking in persons"] == Style(level=1, bold=True)
    assert styles["I. Introduction"] == Style(level=2, bold=True)
    assert _styles(second)["II. Prevention"] == Style(level=2, bold=True)  # levels are the document's
    assert all(styles[text.strip()] == Style() for text in BODY)
    assert styles["Recalling its earlier resolutions on the matter,"] == Style(italic=True)
    assert styles["Victims shall be protected."] == Style(bold=True)  # body size: bold, not a level
    assert styles["Article 5 applies to every State party without exception."] == Style()
    assert styles["1 A footnote in small type."] == Style()  # smaller than the body: level 0


def test_lines_are_exactly_pypdfs_plain_extraction(tmp_path: Path):
    path = _report(tmp_path / "report.pdf")
    pages = readers.read_pdf(path)
    assert [page.lines for page in pages] == _plain_lines(path)
    assert all(len(page.styles) == len(page.lines) for page in pages)


class _DropsFirstFragment(FragmentLog):
    """Loses a page's first fragment, so its fonts no longer spell its text."""

    def __call__(self, text: Any, cm: Any, tm: Any, font: Any, font_size: Any) -> None:
        if getattr(self, "_dropped", False) or not str(text).strip():
            super().__call__(text, cm, tm, font, font_size)
        else:
            self._dropped = True


class _Raises(FragmentLog):
    def __call__(self, text: Any, cm: Any, tm: Any, font: Any, font_size: Any) -> None:
        raise RuntimeError("visitor broke")


@pytest.mark.parametrize("log_class", [_DropsFirstFragment, _Raises])
def test_a_page_whose_fonts_cannot_be_trusted_keeps_its_text_and_gets_no_styles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_class: type[FragmentLog]
):
    path = _report(tmp_path / "report.pdf")
    monkeypatch.setattr(readers, "FragmentLog", log_class)
    pages = readers.read_pdf(path)
    assert [page.lines for page in pages] == _plain_lines(path)
    assert [page.styles for page in pages] == [(), ()]


def test_a_failing_style_pass_leaves_the_pages_as_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def broken(fonts: Any) -> dict[float, int]:
        raise ZeroDivisionError

    path = _report(tmp_path / "report.pdf")
    monkeypatch.setattr(pdf_styles, "heading_levels", broken)
    pages = readers.read_pdf(path)
    assert [page.lines for page in pages] == _plain_lines(path)
    assert [page.styles for page in pages] == [(), ()]


def test_a_fragment_that_cannot_be_measured_fails_the_page_not_pypdf():
    log = FragmentLog()
    log("Text", IDENTITY, IDENTITY, None, "not a size")
    assert log.failed
    assert pdf_styles.page_fonts(["Text"], log, "test") is None


def test_the_fragment_log_is_bounded():
    log = FragmentLog(limit=2)
    for word in ("one", "two", "three"):
        log(word, IDENTITY, IDENTITY, None, 10)
    assert log.failed


@pytest.mark.parametrize(
    ("name", "bold", "italic"),
    [
        ("/ABCDEF+TimesNewRomanPS-BoldMT", True, False),
        ("/TimesNewRomanPSMT", False, False),
        ("/BCDJEE+TimesNewRomanPS-ItalicMT", False, True),
        ("/Arial-BoldItalicMT", True, True),
        ("/Times New Roman,Bold", True, False),
        ("/Helvetica-Oblique", False, True),
        ("/HelveticaNeue-Bd", True, False),
        ("/MinionPro-BoldIt", True, True),
        ("/ONYERQ+OpenSans-SemiBold", True, False),
        ("/BHGUMQ+OpenSans-Semibold", True, False),
        ("/QQXQTM+OpenSans-Medium", False, False),  # weight 500: not bold
        ("/Arial-Black", True, False),
        ("/Bitter-Regular", False, False),
        ("/Italianno-Regular", False, False),  # "Ital" in a family name is not a style
    ],
)
def test_face_reads_weight_and_slant_from_the_font_name(name: str, bold: bool, italic: bool):
    assert face(name) == (bold, italic)


def test_a_font_descriptor_speaks_where_the_name_does_not():
    from pypdf.generic import DictionaryObject, FloatObject, NameObject, NumberObject

    descriptor = DictionaryObject(
        {NameObject("/FontWeight"): NumberObject(700), NameObject("/ItalicAngle"): FloatObject(-12)}
    )
    font = DictionaryObject(
        {NameObject("/BaseFont"): NameObject("/F1"), NameObject("/FontDescriptor"): descriptor}
    )
    assert pdf_styles.font_face(font) == (True, True)
    assert pdf_styles.font_face(None) == (False, False)


def test_effective_size_scales_by_both_matrices_and_ignores_rotation():
    assert effective_size(12, IDENTITY, IDENTITY) == 12
    # Tf 1 with the size in the text matrix, as many producers write it
    assert effective_size(1, IDENTITY, [10.0, 0.0, 0.0, 10.0, 72.0, 700.0]) == 10
    assert effective_size(10, [2.0, 0.0, 0.0, 2.0, 0.0, 0.0], IDENTITY) == 20
    assert effective_size(10, [1.0, 0.0, 0.0, -1.0, 0.0, 842.0], IDENTITY) == 10  # a flipped page
    assert effective_size(10, IDENTITY, [0.0, 1.0, -1.0, 0.0, 0.0, 0.0]) == pytest.approx(10)  # turned 90°
    assert effective_size(10, IDENTITY, [0.5, 0.0, 0.0, 1.0, 0.0, 0.0]) == 10  # squeezed sideways only


def test_line_fonts_take_each_lines_majority_across_fragment_boundaries():
    fragments = [
        Fragment("Article5", 10.0, True, False),
        Fragment("appliestoeveryState", 10.0, False, False),
        Fragment("party.Title", 10.0, False, False),  # one fragment spanning two lines
        Fragment("ofthearticle", 10.0, False, True),
    ]
    lines = ["Article 5 applies to every State party.", "", "Title of the article"]
    assert line_fonts(lines, fragments) == [
        LineFont(10.0, False, False, 33),
        None,
        LineFont(10.0, False, True, 17),
    ]


def test_line_fonts_refuse_fragments_that_do_not_spell_the_lines():
    fragments = [Fragment("Heading", 12.0, True, False), Fragment("Body", 10.0, False, False)]
    assert line_fonts(["Heading", "Body"], fragments) is not None
    assert line_fonts(["Heading", "Bodies"], fragments) is None
    assert line_fonts(["Body", "Heading"], fragments) is None  # same characters, another order
    assert line_fonts(["Heading"], fragments) is None


def test_heading_levels_rank_sizes_above_the_body_and_cap_them():
    fonts = [LineFont(10.0, False, False, 1000), LineFont(8.0, False, False, 900), LineFont(11.0, True, False, 10)]
    fonts += [LineFont(size, True, False, 5) for size in (12.0, 14.0, 16.0, 18.0, 20.0, 24.0, 30.0)]
    levels = pdf_styles.heading_levels(fonts)
    assert levels[30.0] == 1 and levels[24.0] == 2 and levels[14.0] == 6 and levels[12.0] == 6
    assert 10.0 not in levels and 8.0 not in levels  # the body, and the footnotes under it
    assert 11.0 not in levels  # 1.1 times the body: not clearly larger
    assert pdf_styles.heading_levels([]) == {}
