"""Read a source file into pages of lines. One reader per format, chosen by extension (text and PDF here,
Word in docx_reader, web pages in html_reader).

Every reader is bounded: file size, PDF pages, DOCX uncompressed size, total text and line
length have limits, so a hostile or broken file is refused with a reason instead of eating
the machine. Whatever a reader's library raises becomes UnreadableFileError naming the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tipsearch.errors import UnreadableFileError
from tipsearch.ingest.docx_reader import read_docx
from tipsearch.ingest.html_reader import read_html
from tipsearch.ingest.markdown_reader import looks_like_markdown, markdown_pages
from tipsearch.ingest.pdf_styles import FragmentLog, LineFont, page_fonts, with_styles
from tipsearch.records import Page

if TYPE_CHECKING:
    from pypdf import PageObject

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PDF_PAGES = 2000
MAX_TEXT_CHARS = 20_000_000
MAX_LINE_CHARS = 20_000  # longer lines are cut at spaces: no real paragraph line is this long

Reader = Callable[[Path], list[Page]]
_LATIN_GUESSES = {"cp1250", "cp1252", "latin_1", "iso8859_2", "iso8859_15", "iso8859_9", "cp1254", "mac_roman",
                  "iso8859_16", "iso8859_3", "iso8859_4", "iso8859_10", "cp1257", "iso8859_13"}


# -- text -----------------------------------------------------------------------------
def _decode(data: bytes, name: str) -> str:
    """Decode bytes in any common encoding; refuse binary data."""
    bom16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in data[:8192] and not bom16:
        raise UnreadableFileError(name, "binary data, not text (NUL bytes); is it really a text file?")
    for encoding in ("utf-16", "utf-8-sig") if bom16 else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    # A sample is enough to pick the encoding and keeps a large file fast.
    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.chaos > 0.25:
        raise UnreadableFileError(name, "binary data, not text in any known encoding")
    encoding = best.encoding
    if encoding in _LATIN_GUESSES:
        # Between look-alike Western code pages the guess is a coin toss; Windows-1252 is
        # what Western documents are written in, and it reads Latin-1 text the same.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return data.decode(encoding, errors="replace")


def _read_text(path: Path) -> str:
    text = _decode(path.read_bytes(), path.name)
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise UnreadableFileError(path.name, "binary data, not text")
    return text


def read_txt(path: Path) -> list[Page]:
    """Plain text in any common encoding; a form feed separates pages. Text written in Markdown (a treaty
    database's export) is read as Markdown, so its headings keep their levels."""
    text = _read_text(path)
    return markdown_pages(text) if looks_like_markdown(text) else _text_pages(text)


def read_markdown(path: Path) -> list[Page]:
    """A Markdown file: headings by their level, the marks left out (markdown_reader)."""
    return markdown_pages(_read_text(path))


def _text_pages(text: str) -> list[Page]:
    pages = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    if len(pages) == 1:
        return [Page(None, tuple(pages[0].split("\n")))]
    return [Page(i, tuple(p.split("\n"))) for i, p in enumerate(pages, start=1)]


# -- PDF ------------------------------------------------------------------------------
def read_pdf(path: Path) -> list[Page]:
    """A PDF's text layer, page by page (pypdf), with each line's style where its fonts tell (pdf_styles).
    Empty-password encryption is opened."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, WrongPasswordError

    name = path.name
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFileError(name, "encrypted PDF (needs a password); save an unprotected copy and add that")
        count = len(reader.pages)
    except UnreadableFileError:
        raise
    except (WrongPasswordError, FileNotDecryptedError):
        raise UnreadableFileError(name, "encrypted PDF (needs a password); save an unprotected copy and add that")
    except DependencyError as e:
        raise UnreadableFileError(name, f"encrypted PDF this install cannot open ({e}); pip install cryptography")
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as e:
        raise UnreadableFileError(name, f"corrupt or not a PDF ({e.__class__.__name__}); re-download or re-export it")
    if count == 0:
        raise UnreadableFileError(name, "corrupt or not a PDF (no pages); re-download or re-export it")
    if count > MAX_PDF_PAGES:
        raise UnreadableFileError(name, f"{count} pages > {MAX_PDF_PAGES} page limit; split the PDF")
    pages: list[Page] = []
    fonts: list[list[LineFont | None] | None] = []
    total = 0
    for i in range(count):
        text, fragments = _page_text(reader.pages[i], name, i + 1)
        total += len(text)
        if total > MAX_TEXT_CHARS:
            raise UnreadableFileError(name, f"more than {MAX_TEXT_CHARS:,} characters of text; split the file")
        lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        pages.append(Page(i + 1, lines))
        fonts.append(page_fonts(lines, fragments, f"{name} page {i + 1}"))
    if not any(line.strip() for page in pages for line in page.lines):
        raise UnreadableFileError(
            name, "PDF has no text layer (a scan?); run OCR on it first (e.g. ocrmypdf) and add the result"
        )
    return with_styles(pages, fonts, name)


def _page_text(page: PageObject, name: str, number: int) -> tuple[str, FragmentLog | None]:
    """A page's text as pypdf's extract_text gives it, and the fragments it drew it from (None: not known)."""
    fragments = FragmentLog()
    try:
        # The visitor only watches: the text is the one extract_text() returns without it.
        return page.extract_text(visitor_text=fragments) or "", fragments
    except Exception as e:
        log.debug("%s: page %d: style pass failed (%s: %s); reading the text alone", name, number,
                  e.__class__.__name__, e)
    try:
        return page.extract_text() or "", None
    except Exception as e:  # one damaged page should not lose the document
        log.warning("%s: page %d unreadable (%s: %s); skipped", name, number, e.__class__.__name__, e)
        return "", None


READERS: dict[str, Reader] = {
    ".txt": read_txt,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".text": read_txt,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def _bounded(pages: list[Page], name: str) -> list[Page]:
    """Cut over-long lines at spaces and refuse more text than an index should take from one file."""
    total = sum(len(line) for page in pages for line in page.lines)
    if total > MAX_TEXT_CHARS:
        raise UnreadableFileError(name, f"more than {MAX_TEXT_CHARS:,} characters of text; split the file")
    if all(len(line) <= MAX_LINE_CHARS for page in pages for line in page.lines):
        return pages
    log.warning("%s: lines longer than %d characters were cut", name, MAX_LINE_CHARS)
    out = []
    for p in pages:
        cut = [(piece, p.style(i)) for i, line in enumerate(p.lines) for piece in _cut(line)]
        styles = tuple(style for _, style in cut) if p.styles else ()
        out.append(Page(p.number, tuple(piece for piece, _ in cut), p.footnotes, styles))
    return out


def _cut(line: str) -> list[str]:
    pieces: list[str] = []
    while len(line) > MAX_LINE_CHARS:
        at = line.rfind(" ", 0, MAX_LINE_CHARS)
        at = at if at > 0 else MAX_LINE_CHARS
        pieces.append(line[:at])
        line = line[at:].lstrip(" ")
    pieces.append(line)
    return pieces


def read(path: Path) -> list[Page]:
    """Read a file into pages, or raise UnreadableFileError with the reason."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        kinds = ", ".join(sorted(READERS))
        raise UnreadableFileError(path.name, f"unsupported file type {path.suffix or '(none)'}; supported: {kinds}")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFileError(path.name, "empty file")
    if size > MAX_FILE_BYTES:
        raise UnreadableFileError(
            path.name, f"file too large ({size // 2**20} MiB > {MAX_FILE_BYTES // 2**20} MiB limit); split it"
        )
    pages = _bounded(reader(path), path.name)
    if not any(line.strip() for page in pages for line in page.lines):
        raise UnreadableFileError(path.name, "no text found (empty, or a scan without a text layer)")
    return pages
