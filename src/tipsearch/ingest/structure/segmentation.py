"""What segmenting a document gives: its units, and where every other line went."""

from __future__ import annotations

from dataclasses import dataclass

from tipsearch.records import Paragraph


@dataclass(frozen=True)
class Segmentation:
    """Units in document order; the headings (section paths) and front matter that are not units; the kind
    the document was read as (records.DOCUMENT_KINDS); the lines the segmenter took out as layout noise."""

    units: tuple[Paragraph, ...]
    headings: tuple[str, ...]
    front_matter: tuple[str, ...]
    kind: str = "report"
    noise: tuple[str, ...] = ()  # running headers, printed page numbers a segmenter recognised: not text
