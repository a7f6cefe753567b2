"""Structure: clean lines -> the units a document's authors numbered, by the kind of document it is.

Each kind has its segmenter (DESIGN.md "The unit"); `detect` reads the kind off the text itself and the
headings off the file's own signals (each line's Style), never off a file name or symbol. A compound document is
read part by part (compound.py), a text and its translation apart (translations.py), a long paragraph by its
lettered sub-items (subitems.py). An unclear document falls back to numbered paragraphs, then to blank-line blocks.
"""

from __future__ import annotations

from dataclasses import replace

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.structure import subitems, translations
from tipsearch.ingest.structure.kinds import detect, segment_by_kind
from tipsearch.ingest.structure.numbered import roman_value
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import Paragraph

__all__ = ["Segmentation", "detect", "segment", "segment_all", "roman_value"]


def segment_all(lines: list[Line]) -> Segmentation:
    """Clean lines -> units in document order, with the headings and front matter that are not units; a text
    and its translation in one file are read apart, the translation's units marked with its language."""
    parts = translations.split(lines)
    first = _segment(parts[0][1])
    if len(parts) == 1:
        return first
    units, headings, front, noise = list(first.units), list(first.headings), list(first.front_matter), list(first.noise)
    for code, part in parts[1:]:
        seg = _segment(part)
        units.extend(replace(u, language=code) for u in seg.units)
        headings.extend(seg.headings)
        front.extend(seg.front_matter)
        noise.extend(seg.noise)
    units = [replace(u, order=i) for i, u in enumerate(units)]
    return Segmentation(tuple(units), tuple(headings), tuple(front), first.kind, tuple(noise))


def _segment(lines: list[Line]) -> Segmentation:
    seg = segment_by_kind(lines)
    return replace(seg, units=subitems.split_long(seg.units))


def segment(lines: list[Line]) -> list[Paragraph]:
    """Clean lines -> units in document order."""
    return list(segment_all(lines).units)
