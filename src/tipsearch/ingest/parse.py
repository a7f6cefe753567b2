"""One file -> its document and units: read, clean, segment, metadata; with the share of its text accounted for."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from tipsearch.errors import TipsearchError, UnreadableFileError
from tipsearch.ingest import checks, cleaning, language, metadata, readers, structure
from tipsearch.ingest.structure import Segmentation
from tipsearch.records import Document, Page, Paragraph

NOT_DOCUMENTS = {metadata.CATALOG.lower(), "readme.md", "readme.txt", "readme"}
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class ParsedFile:
    """A file read into a document and its units; coverage is the share of its letters in a unit, a heading,
    the front matter, a footnote or the removed layout noise (1.0: nothing lost); text_chars the characters of text
    read; warnings what looks wrong in the reading (ingest/checks.py), also on the document."""

    path: Path
    document: Document
    units: tuple[Paragraph, ...]
    coverage: float = 1.0
    text_chars: int = 0
    warnings: tuple[str, ...] = ()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every file in the corpus folder that should be a document (catalog and README are not)."""
    if not corpus_dir.is_dir():
        raise TipsearchError(f"corpus folder {corpus_dir}/ does not exist: create it and put documents in it")
    return sorted(
        p for p in corpus_dir.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name.lower() not in NOT_DOCUMENTS
    )


def parse_file(path: Path, sha256: str | None = None, catalog_row: dict[str, str] | None = None) -> ParsedFile:
    """One file -> its document and units, or UnreadableFileError."""
    pages = readers.read(path)
    removed: list[str] = []
    lines = cleaning.clean(pages, removed)
    seg = structure.segment_all(lines)
    if not seg.units:
        raise UnreadableFileError(path.name, "no paragraphs of text found")
    found = metadata.extract(lines, path.name, sha256 or sha256_file(path), seg.kind, seg.front_matter)
    # the body, not a masthead's "Original:", nor a translation the file adds after the text
    written_in = language.detect("\n".join(u.text for u in seg.units if not u.language))
    document = metadata.apply_catalog(replace(found, kind=found.kind or seg.kind, language=written_in), catalog_row)
    text_chars = sum(len(line) for page in pages for line in page.lines)
    return checked(ParsedFile(path, document, seg.units, coverage(pages, seg, removed), text_chars))


def checked(item: ParsedFile) -> ParsedFile:
    """The file with its warnings, on it and on its document; run again once the catalog has filled in metadata."""
    warnings = checks.check(item.document, item.units, item.text_chars)
    return replace(item, document=replace(item.document, warnings=warnings), warnings=warnings)


def _letters(texts) -> int:
    return sum(len(_LETTER.findall(t)) for t in texts)


def coverage(pages: list[Page], seg: Segmentation, removed: list[str]) -> float:
    """Letters accounted for over letters read: a unit's text, label or footnotes, a heading, the front matter, noise.

    Letters, not words: repairing split words ("traf ficking") and hyphenation changes words, never letters.
    """
    read = _letters(line for page in pages for line in page.lines) + _letters(n for p in pages for _, n in p.footnotes)
    if not read:
        return 1.0
    kept = _letters(u.text for u in seg.units) + _letters(n for u in seg.units for n in u.footnotes)
    # a label ("Recommendation 1", "Article 6") was a line of the text; several units may share one
    kept += _letters({u.label for u in seg.units if u.label})
    kept += _letters(seg.headings) + _letters(seg.front_matter) + _letters(removed) + _letters(seg.noise)
    return min(1.0, kept / read)
