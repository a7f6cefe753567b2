"""The seed report as PDF (two layouts, with UN layout noise) and DOCX gives the same units as the text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tipsearch import build

from tipsearch.ingest import cleaning

from tipsearch.ingest import metadata

from tipsearch.ingest import structure as paragraphs

from tipsearch.ingest import readers
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.library import Library

import un_render
from conftest import DATA, SEED

FORMATS = DATA / "formats"


def parse(path: Path):
    lines = cleaning.clean(readers.read(path))
    return metadata.extract(lines, path.name, "0" * 64), paragraphs.segment(lines)


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def reference():
    return parse(SEED)[1]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """The seed rendered once per PDF layout for the whole module (rendering takes a second)."""
    base = tmp_path_factory.mktemp("pdf")
    return {layout: un_render.render_pdf(SEED, base / f"{layout}.pdf", layout) for layout in un_render.LAYOUTS}


@pytest.fixture(scope="module", params=["pdf-un", "pdf-wide", "docx-auto", "docx-typed"])
def rendered(request, tmp_path_factory, pdfs) -> Path:
    kind, variant = request.param.split("-")
    if kind == "pdf":
        return pdfs[variant]
    out = tmp_path_factory.mktemp(request.param) / f"report.{kind}"
    return un_render.render_docx(SEED, out, auto_numbering=variant == "auto")


def test_same_62_units_and_text_as_the_txt(rendered: Path, reference):
    _, units = parse(rendered)
    assert len(units) == 62
    assert [(u.number, u.kind, u.label, u.section) for u in units] == [
        (u.number, u.kind, u.label, u.section) for u in reference
    ]
    for got, want in zip(units, reference):
        assert words(got.text) == words(want.text), f"{rendered.name} para {got.number} {got.label}"


def test_symbol_and_metadata_come_from_the_first_page(rendered: Path):
    doc, _ = parse(rendered)
    assert doc.symbol == un_render.SYMBOL
    assert (doc.date, doc.year, doc.original) == ("2022-07-14", 2022, "English")
    assert doc.body == "Working Group on Trafficking in Persons"
    assert doc.title == ("Report on the meeting of the Working Group on Trafficking in Persons "
                         "held in Vienna on 29 and 30 June 2022")


def test_no_page_furniture_left_in_any_unit(rendered: Path):
    _, units = parse(rendered)
    for u in units:
        for noise in (un_render.SYMBOL, un_render.JOB, un_render.BARCODE, "V.22-04416", "United Nations CTOC",
                      "Distr.:"):
            assert noise not in u.text, (u.number, noise)
        assert not any(ln.strip().endswith(("/9", "/7", "/8", "/10")) for ln in u.text.split("\n"))


@pytest.mark.parametrize("layout", ["un", "wide"])
def test_pdf_footnotes_are_kept_apart_and_attached(layout: str, pdfs: dict[str, Path]):
    _, units = parse(pdfs[layout])
    by_number = {u.number: u for u in units if u.kind == "paragraph"}
    assert by_number["1"].footnotes == ("1 See CTOC/COP/2008/19, sect. I.",)
    assert by_number["10"].footnotes[0].startswith("2 Footnote text about the discussions")
    assert "See CTOC/COP/2008/19" not in by_number["1"].text
    assert "In its decision 4/4, the Conference" in by_number["1"].text  # the mark "1" is gone
    assert sum(len(u.footnotes) for u in units) == 2


def test_pdf_layouts_really_differ(pdfs: dict[str, Path]):
    """Guard against the two layouts collapsing into one: page count and line breaks differ."""
    a, b = readers.read(pdfs["un"]), readers.read(pdfs["wide"])
    assert len(a) != len(b)
    assert a[1].lines[:3] != b[1].lines[:3]
    assert any("  " in ln for p in a for ln in p.lines)  # justified with doubled spaces
    assert any(ln.endswith("-") for p in a for ln in p.lines)  # hyphenated at line ends


def test_docx_auto_numbering_is_written_out(tmp_path: Path):
    path = un_render.render_docx(SEED, tmp_path / "r.docx", auto_numbering=True)
    import docx

    raw = [p.text for p in docx.Document(str(path)).paragraphs]
    assert not any(t.startswith("1. In its decision") for t in raw)  # Word holds the number, not the text
    lines = [ln for p in readers.read(path) for ln in p.lines]
    assert any(ln.startswith("1. In its decision") for ln in lines)
    assert any(ln.startswith("48. ") for ln in lines)


def test_docx_footnotes_attach_to_their_paragraph(tmp_path: Path):
    path = _docx_with_footnote(tmp_path / "notes.docx")
    _, units = parse(path)
    assert [u.number for u in units] == ["1", "2"]
    assert units[0].footnotes == ("See CTOC/COP/2008/19.",)
    assert "CTOC/COP/2008/19" not in units[0].text


def _docx_with_footnote(out: Path) -> Path:
    """A DOCX with a real footnotes part: python-docx cannot write one, so it is added by hand."""
    import zipfile

    import docx

    d = docx.Document()
    d.add_paragraph("1. First paragraph cites a note.")
    d.add_paragraph("2. Second paragraph.")
    d.save(str(out))
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    notes = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {w}>'
             '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:id="1"><w:p><w:r><w:t>See CTOC/COP/2008/19.</w:t></w:r></w:p></w:footnote></w:footnotes>')
    with zipfile.ZipFile(out) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files["word/footnotes.xml"] = notes.encode()
    files["word/document.xml"] = files["word/document.xml"].replace(
        b"cites a note.</w:t></w:r>", b'cites a note.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>', 1)
    rels = files["word/_rels/document.xml.rels"]
    files["word/_rels/document.xml.rels"] = rels.replace(b"</Relationships>", (
        b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'footnotes" Target="footnotes.xml"/></Relationships>'))
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'wordprocessingml.footnotes+xml"/></Types>'))
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out


def test_html_main_text_without_menus_scripts_or_footers():
    doc, units = parse(FORMATS / "un-page.html")
    text = " ".join(u.text for u in units)
    for noise in ("Home", "About us", "cookies", "var menu", "color: red", "Related links", "Copyright", "UNODC"):
        assert noise not in text
    assert [u.number for u in units] == ["1", "2", "3"]
    assert units[1].text.split("\n")[1:] == ["(a) Opening of the meeting;", "(b) Adoption of the agenda."]
    assert units[2].section == ("II. Recommendations",)
    assert units[2].text.split("\n")[1:] == ["\u2022 in criminal proceedings;", "\u2022 in civil proceedings."]
    assert doc.title == "Report of the Working Group on Trafficking in Persons"


@pytest.mark.parametrize("name", ["cp1252.txt", "utf16.txt"])
def test_text_in_common_encodings(name: str):
    _, units = parse(FORMATS / name)
    assert units[0].text == "T\u00fcrkiye\u2019s \u201cappropriate\u201d punishment \u2013 caf\u00e9."
    assert units[1].text == "Second paragraph, na\u00efve."


def test_latin1_text():
    _, units = parse(FORMATS / "latin1.txt")
    assert units[0].text == ("Hr\u00f6nn J\u00f3hannsd\u00f3ttir spoke. "
                             "Se\u00f1or N\u00fa\u00f1ez agreed \u00e0 la fois.")


def test_a_pdf_indexes_and_cites_by_its_printed_symbol(tmp_path: Path, pdfs: dict[str, Path]):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(pdfs["wide"], corpus / "report.pdf")
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    lib = Library.open(tmp_path / "index", embedder=HashingEmbedder())
    hit = lib.search("free legal assistance to trafficking victims", k=1, mode="keyword")[0]
    assert hit.citation == f"{un_render.SYMBOL}, para. 4, Recommendation 7"
    p1 = next(u for u in lib.generation.store.document_units(hit.unit.document.id) if u.paragraph.number == "1")
    assert p1.paragraph.footnotes == ("1 See CTOC/COP/2008/19, sect. I.",)  # stored and read back
