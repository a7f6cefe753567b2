"""Which kind of document a text is, read from the text itself (never from a file name or symbol).

Each kind's segmenter module offers `looks_like(lines) -> bool`; the first that says yes reads the document.
A document no kind claims is read as a report when it has numbered paragraphs, else as blank-line blocks.
"""

from __future__ import annotations

from collections.abc import Callable

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.structure import compound, publication, resolution, review, table, treaty
from tipsearch.ingest.structure.numbered import numbered_through, segment_numbered
from tipsearch.ingest.structure.segmentation import Segmentation

Detector = Callable[[list[Line]], bool]
Segmenter = Callable[[list[Line]], Segmentation]

# (kind, looks_like, segment), most specific first. Each segmenter module adds its own line here.
KINDS: list[tuple[str, Detector, Segmenter]] = [
    # first: a report that prints resolutions, or a resolution that annexes a treaty, is read part by part
    ("compound", compound.looks_like, compound.segment),
    ("treaty", treaty.looks_like, treaty.segment),  # before resolution: a resolution may annex a treaty
    ("resolution", resolution.looks_like, resolution.segment),
    ("table", table.looks_like, table.segment),
    ("review", review.looks_like, review.segment),
    ("publication", publication.looks_like, publication.segment),  # last: it claims any unnumbered PDF
]


def detect(lines: list[Line]) -> str:
    """The kind a document is read as (records.DOCUMENT_KINDS)."""
    for kind, looks_like, segment in KINDS:
        if looks_like(lines):
            return segment(lines).kind if kind == "compound" else kind  # a compound is read as its main kind
    return "report" if numbered_through(lines) else "blocks"


def segment_by_kind(lines: list[Line]) -> Segmentation:
    """The segmentation of the first kind that claims the document; numbered paragraphs, then blocks, else."""
    for kind, looks_like, segment in KINDS:
        if looks_like(lines):
            return segment(lines)
    return segment_numbered(lines)
