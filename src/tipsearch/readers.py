"""Read a source file into pages of lines. One reader per format, chosen by extension."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from .errors import UnreadableFileError
from .records import Page

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024

Reader = Callable[[Path], list[Page]]


def _decode(data: bytes, name: str) -> str:
    """Decode bytes in any common encoding; refuse binary data."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFileError(name, "binary data, not text (NUL bytes); is it really a .txt file?")
    for encoding in ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFileError(name, "binary data, not text in any known encoding")
    return str(best)


def read_txt(path: Path) -> list[Page]:
    """Plain text; a form feed separates pages."""
    text = _decode(path.read_bytes(), path.name)
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise UnreadableFileError(path.name, "binary data, not text")
    pages = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    if len(pages) == 1:
        return [Page(None, tuple(pages[0].split("\n")))]
    return [Page(i, tuple(p.split("\n"))) for i, p in enumerate(pages, start=1)]


READERS: dict[str, Reader] = {".txt": read_txt, ".md": read_txt}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


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
            path.name, f"file too large ({size // 2**20} MiB > {MAX_FILE_BYTES // 2**20} MiB limit)"
        )
    pages = reader(path)
    if not any(line.strip() for page in pages for line in page.lines):
        raise UnreadableFileError(path.name, "no text found (empty, or a scan without a text layer)")
    return pages
