"""Structure: clean lines -> the units a document's authors numbered, by the kind of document it is.

Each kind has its segmenter (DESIGN.md "The unit"); `detect` reads the kind off the text itself, never off a
file name or symbol. An unclear document falls back to numbered paragraphs, then to blank-line blocks.
"""

from __future__ import annotations

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.structure.kinds import detect, segment_by_kind
from tipsearch.ingest.structure.numbered import roman_value
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import Paragraph

__all__ = ["Segmentation", "detect", "segment", "segment_all", "roman_value"]


def segment_all(lines: list[Line]) -> Segmentation:
    """Clean lines -> units in document order, with the headings and front matter that are not units."""
    return segment_by_kind(lines)


def segment(lines: list[Line]) -> list[Paragraph]:
    """Clean lines -> units in document order."""
    return list(segment_all(lines).units)
