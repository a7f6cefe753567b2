"""Read a source file into pages of lines. One reader per format, chosen by extension.

Every reader is bounded: file size, PDF pages, DOCX uncompressed size, total text and line
length have limits, so a hostile or broken file is refused with a reason instead of eating
the machine. Whatever a reader's library raises becomes UnreadableFileError naming the file.
"""

from __future__ import annotations

import itertools
import logging
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from tipsearch.errors import UnreadableFileError
from tipsearch.records import Page

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PDF_PAGES = 2000
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
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


def read_txt(path: Path) -> list[Page]:
    """Plain text in any common encoding; a form feed separates pages."""
    text = _decode(path.read_bytes(), path.name)
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise UnreadableFileError(path.name, "binary data, not text")
    return _text_pages(text)


def _text_pages(text: str) -> list[Page]:
    pages = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    if len(pages) == 1:
        return [Page(None, tuple(pages[0].split("\n")))]
    return [Page(i, tuple(p.split("\n"))) for i, p in enumerate(pages, start=1)]


# -- PDF ------------------------------------------------------------------------------
def read_pdf(path: Path) -> list[Page]:
    """A PDF's text layer, page by page (pypdf). Empty-password encryption is opened."""
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
    total = 0
    for i in range(count):
        try:
            text = reader.pages[i].extract_text() or ""
        except Exception as e:  # one damaged page should not lose the document
            log.warning("%s: page %d unreadable (%s: %s); skipped", name, i + 1, e.__class__.__name__, e)
            text = ""
        total += len(text)
        if total > MAX_TEXT_CHARS:
            raise UnreadableFileError(name, f"more than {MAX_TEXT_CHARS:,} characters of text; split the file")
        pages.append(Page(i + 1, tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))))
    if not any(line.strip() for page in pages for line in page.lines):
        raise UnreadableFileError(
            name, "PDF has no text layer (a scan?); run OCR on it first (e.g. ocrmypdf) and add the result"
        )
    return pages


# -- DOCX -----------------------------------------------------------------------------
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


def _format_number(n: int, fmt: str) -> str:
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
        self.counters: dict[str, dict[int, int]] = {}
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

    def label(self, paragraph) -> str | None:
        num_id, ilvl = _num_pr(paragraph)
        if num_id is None or num_id == "0" or num_id not in self.abstract:
            return None
        key = self.abstract[num_id]
        levels = self.levels.get(key, {})
        fmt, text, start = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
        counters = self.counters.setdefault(key, {})
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
            return _format_number(counters.get(lv, levels.get(lv, ("", "", 1))[2]), lv_fmt)

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
    footnotes: list[tuple[int, str]] = []
    blocks = list(document.iter_inner_content())
    if any(isinstance(b, Table) for b in blocks):
        lines.extend(_docx_header(document))  # a table list's title is often only in its page header
    for block in blocks:
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
            lines.append("")
            continue
        assert isinstance(block, DocxParagraph)
        label = numbering.label(block)
        text = block.text
        if label and text.strip():
            text = f"{label} {text}"
        lines.extend(text.split("\n"))
        for ref in block._p.iter(f"{_W}footnoteReference"):
            note = notes.get(ref.get(f"{_W}id"))
            if note:
                footnotes.append((len(lines) - 1, note))
        lines.append("")  # paragraphs are blocks: blank-line fallback and list items need the gap
    return [Page(None, tuple(lines), tuple(footnotes))]


# -- HTML -----------------------------------------------------------------------------
_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "menu", "button",
              "select", "svg", "iframe", "template", "head"}
_SKIP_HINTS = re.compile(r"(^|[-_ ])(nav|navbar|menu|breadcrumbs?|footer|sidebar|cookie|banner|skip)($|[-_ ])", re.I)
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "pre", "table", "tr", "td", "th", "dl", "dt", "dd", "figure", "figcaption", "body",
               "address", "hr", "br"}


def _skipped(tag) -> bool:
    if tag.name in _SKIP_TAGS:
        return True
    if tag.get("role") in ("navigation", "banner", "contentinfo", "search", "menu"):
        return True
    hints = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    return bool(hints and _SKIP_HINTS.search(hints))


def _list_label(li, n: int) -> str:
    kind = li.parent.get("type", "1") if li.parent is not None else "1"
    if kind in ("a", "A", "i", "I"):
        fmt = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}[kind]
        return f"({_format_number(n, fmt)})"
    return f"{n}."


class _HtmlText:
    """Walks the DOM: inline text gathers into a line, each block element ends one."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buffer: list[str] = []

    def flush(self, gap: bool = True) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if text:
            self.lines.append(text)
            if gap:
                self.lines.append("")

    def walk(self, node) -> None:
        from bs4 import Comment, NavigableString, Tag

        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
            elif isinstance(child, Tag) and not _skipped(child):
                if child.name == "br":
                    self.flush(gap=False)
                elif child.name in _BLOCK_TAGS:
                    self.flush()
                    if child.name == "li" and child.parent is not None and child.parent.name == "ul":
                        self.buffer.append("\u2022 ")
                    if child.name == "li" and child.parent is not None and child.parent.name == "ol":
                        items = [c for c in child.parent.find_all("li", recursive=False)]
                        start = int(child.parent.get("start", "1")) if str(child.parent.get("start", "1")).isdigit() else 1
                        self.buffer.append(_list_label(child, start + items.index(child)) + " ")
                    self.walk(child)
                    self.flush()
                else:
                    self.walk(child)


def read_html(path: Path) -> list[Page]:
    """The main text of a web page: not its menus, scripts, styles, headers or footers."""
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as e:
        raise UnreadableFileError(path.name, f"not readable as HTML ({e.__class__.__name__})")
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup
    walker = _HtmlText()
    walker.walk(root)
    walker.flush()
    return [Page(None, tuple(walker.lines))]


READERS: dict[str, Reader] = {
    ".txt": read_txt,
    ".md": read_txt,
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
    return [Page(p.number, tuple(piece for line in p.lines for piece in _cut(line)), p.footnotes) for p in pages]


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
