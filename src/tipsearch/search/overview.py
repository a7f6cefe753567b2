"""Where the matches for a question sit: counts by year and document, for a chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tipsearch.citations import document_name
from tipsearch.records import Unit


@dataclass(frozen=True)
class Spread:
    """How many of a question's matches fall in one document."""

    year: int | None
    document: str
    matches: int


def spread(units: Sequence[Unit]) -> list[Spread]:
    """Matches per document, oldest first (undated last), then by name."""
    counts = Counter((u.document.year, document_name(u.document)) for u in units)
    order = sorted(counts, key=lambda yd: (yd[0] is None, yd[0] or 0, yd[1]))
    return [Spread(year, name, counts[(year, name)]) for year, name in order]
