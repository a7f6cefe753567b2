"""Bad and hostile input: each file refused with a one-line reason by name, the rest indexed."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from tipsearch.ingest import cleaning

from tipsearch.ingest import structure as paragraphs

from tipsearch.ingest import docx_reader, readers
from tipsearch.cli import main
from tipsearch.errors import UnreadableFileError

import un_render
from conftest import SEED


def _pdf_bytes(text: str = "1. A paragraph of text.") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(text=text)
    return bytes(pdf.output())


def _encrypted(path: Path, user_password: str, algorithm: str = "AES-128") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_bytes("1. Secret text. 2. More."))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    with path.open("wb") as f:
        writer.write(f)
    return path


def _scanned(path: Path) -> Path:
    """A page that is only an image, as a scanner makes: no text layer."""
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("L", (200, 100), 255)
    image.paste(0, (20, 40, 180, 50))  # a dark bar where a line of text would be
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=100)
    pdf.output(str(path))
    return path


def _many_pages(path: Path, pages: int) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    with path.open("wb") as f:
        writer.write(f)
    return path


def _zip_bomb(path: Path, megabytes: int) -> Path:
    """A DOCX whose document.xml unpacks to `megabytes` MiB (it compresses a thousandfold)."""
    import docx

    docx.Document().save(str(path))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("word/media/padding.bin", "w", force_zip64=True) as f:
            block = b"\0" * 2**20
            for _ in range(megabytes):
                f.write(block)
    return path


def reason(path: Path) -> str:
    with pytest.raises(UnreadableFileError) as e:
        readers.read(path)
    assert e.value.file == path.name
    assert "\n" not in e.value.reason
    return e.value.reason


def test_empty_files(tmp_path: Path):
    for name in ("empty.txt", "empty.pdf", "empty.docx", "empty.html"):
        (tmp_path / name).write_bytes(b"")
        assert reason(tmp_path / name) == "empty file"


def test_corrupt_pdf(tmp_path: Path):
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert "corrupt or not a PDF" in reason(tmp_path / "junk.pdf")
    (tmp_path / "cut.pdf").write_bytes(_pdf_bytes()[:300])
    assert "PDF" in reason(tmp_path / "cut.pdf")


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_encrypted_pdf_with_an_empty_password_is_read(tmp_path: Path, algorithm: str):
    pages = readers.read(_encrypted(tmp_path / "open.pdf", "", algorithm))
    assert "Secret text" in " ".join(pages[0].lines)


def test_encrypted_pdf_with_a_password_is_refused(tmp_path: Path):
    assert "encrypted" in reason(_encrypted(tmp_path / "locked.pdf", "s3cret"))


def test_scanned_pdf_without_a_text_layer(tmp_path: Path):
    assert "no text layer" in reason(_scanned(tmp_path / "scan.pdf"))


def test_binary_junk_named_txt(tmp_path: Path):
    (tmp_path / "nul.txt").write_bytes(bytes(range(256)) * 40)
    assert "binary" in reason(tmp_path / "nul.txt")
    (tmp_path / "high.txt").write_bytes(bytes(range(128, 256)) * 50)  # no NUL bytes to give it away
    assert "binary" in reason(tmp_path / "high.txt")


def test_pdf_named_txt_is_not_read_as_text(tmp_path: Path):
    (tmp_path / "report.txt").write_bytes(_pdf_bytes())
    assert "binary" in reason(tmp_path / "report.txt")


def test_unsupported_extension(tmp_path: Path):
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04")
    assert reason(tmp_path / "slides.pptx").startswith("unsupported file type .pptx; supported: ")


def test_very_large_file_is_refused_before_reading(tmp_path: Path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(readers.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    start = time.perf_counter()
    assert "too large" in reason(big)
    assert time.perf_counter() - start < 1


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_DOCX_UNCOMPRESSED", 8 * 2**20)  # a small cap keeps the test fast
    bomb = _zip_bomb(tmp_path / "bomb.docx", 16)
    assert bomb.stat().st_size < 2**20
    assert "zip bomb" in reason(bomb)


def test_pdf_with_thousands_of_pages_is_refused_quickly(tmp_path: Path):
    path = _many_pages(tmp_path / "huge.pdf", readers.MAX_PDF_PAGES + 500)
    start = time.perf_counter()
    assert "page limit" in reason(path)
    assert time.perf_counter() - start < 10


def test_very_long_lines_are_cut_not_choked_on(tmp_path: Path):
    path = tmp_path / "long.txt"
    path.write_text("1. " + "word " * 400_000 + "end.\n\n2. " + "x" * 50_000 + "\n", encoding="utf-8")
    start = time.perf_counter()
    pages = readers.read(path)
    assert max(len(ln) for p in pages for ln in p.lines) <= readers.MAX_LINE_CHARS
    assert any(ln.endswith("word end.") for ln in pages[0].lines)
    units = paragraphs.segment(cleaning.clean(pages))
    assert [u.number for u in units] == ["1", "2"]
    assert units[0].text.split() == ["word"] * 400_000 + ["end."]  # cut, nothing lost
    assert time.perf_counter() - start < 10


def test_too_much_text_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_TEXT_CHARS", 1000)
    (tmp_path / "a.txt").write_text("word " * 1000, encoding="utf-8")
    assert "characters of text" in reason(tmp_path / "a.txt")


def test_a_batch_of_bad_files_is_reported_and_the_rest_indexed(corpus: Path, tmp_path: Path, capsys):
    (corpus / "empty.pdf").write_bytes(b"")
    (corpus / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + b"\xff" * 500)
    _encrypted(corpus / "locked.pdf", "s3cret")
    _encrypted(corpus / "open.pdf", "")
    _scanned(corpus / "scan.pdf")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "notes.odt").write_bytes(b"PK\x03\x04")
    un_render.render_docx(SEED, corpus / "report.docx")
    code = main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "--model", "hashing-384", "-q"])
    out, err = capsys.readouterr()
    assert code == 3
    assert "Traceback" not in err + out
    for name, why in [("empty.pdf", "empty file"), ("corrupt.pdf", "corrupt or not a PDF"),
                      ("locked.pdf", "encrypted"), ("scan.pdf", "no text layer"), ("junk.txt", "binary"),
                      ("notes.odt", "unsupported file type")]:
        line = next(ln for ln in err.splitlines() if ln.startswith(f"skipped {name}:"))
        assert why in line, line
    table = err.splitlines()
    assert any(ln.split()[:3] == ["wg-tip-2022-report.txt", "indexed", "62"] for ln in table)
    assert any(ln.split()[:3] == ["report.docx", "indexed", "62"] for ln in table)
    assert any(ln.split()[:3] == ["open.pdf", "indexed", "1"] for ln in table)
    assert "3 files read, 6 skipped" in err
