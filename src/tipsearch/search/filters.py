"""Filters on where results may come from (years, documents, body, kind, recommending State, language), and
grouping by document.

Filters are turned into the set of allowed units and chunks *before* retrieval, so the
keyword query and the vector search rank only allowed units: a filter never hides a better
hit that satisfies it, as dropping hits after taking the top k would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from tipsearch.errors import BadFilterError
from tipsearch.index.store import Selection, Store
from tipsearch.ingest.language import LANGUAGES

KINDS = ("recommendation", "other")
T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    """Where hits may come from; every field left at its default lets everything through."""

    year_from: int | None = None
    year_to: int | None = None
    documents: tuple[str, ...] = ()  # each an id, symbol or file name
    body: str | None = None  # case-insensitive, part of the body's name is enough ("working group")
    kind: str | None = None  # "recommendation" or "other"
    state: str | None = None  # a review recommendation's recommending State, case-insensitive, part of the name
    language: str | None = None  # the document's language, an ISO 639-1 code ("fr"; "FR" is read as "fr")

    def __post_init__(self) -> None:
        if self.language is not None:
            code = self.language.strip().lower()
            if code not in LANGUAGES:
                raise BadFilterError(
                    f"language must be one of {', '.join(LANGUAGES)} (ISO 639-1), not {self.language!r}")
            object.__setattr__(self, "language", code)
        if self.kind is not None and self.kind not in KINDS:
            raise BadFilterError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise BadFilterError(
                f"year from {self.year_from} is after year to {self.year_to}: swap them or drop one"
            )
        if isinstance(self.documents, str):  # a lone string would be read as its characters
            object.__setattr__(self, "documents", (self.documents,))

    @property
    def empty(self) -> bool:
        return self == Filters()


@dataclass(frozen=True)
class Allowed:
    """The units a search may return and their chunk ids (vector rows) for the FAISS selector."""

    units: frozenset[int]
    chunks: np.ndarray  # int64, sorted
    selection: Selection | None = None  # what they were selected by, for a store that filters in its engine

    def __len__(self) -> int:
        return len(self.units)


def allowed(
    store: Store,
    filters: Filters | None = None,
    exclude_units: Iterable[int] = (),
    exclude_documents: Iterable[int] = (),
) -> Allowed | None:
    """The allowed set for these filters and exclusions; None when nothing is restricted.

    Unknown documents are an error (NotFoundError), not an empty result.
    """
    filters = filters or Filters()
    exclude_units, exclude_documents = set(exclude_units), set(exclude_documents)
    if filters.empty and not exclude_units and not exclude_documents:
        return None
    document_ids = {store.document(ref).id for ref in filters.documents}
    rows = store.select_chunks(filters.year_from, filters.year_to, document_ids, filters.body, filters.kind,
                               filters.state, filters.language)
    rows = [r for r in rows if r[1] not in exclude_units and r[2] not in exclude_documents]
    selection = Selection(filters.year_from, filters.year_to, frozenset(document_ids), filters.body, filters.kind,
                          filters.state, filters.language, frozenset(exclude_units), frozenset(exclude_documents))
    return Allowed(frozenset(r[1] for r in rows), np.array([r[0] for r in rows], dtype=np.int64), selection)


def per_document(items: Sequence[T], document_of: Callable[[T], int], n: int) -> list[T]:
    """Keep at most n items per document, in order, so one long report does not crowd out the rest."""
    if n <= 0:
        raise BadFilterError(f"group must be at least 1 unit per document, not {n}")
    seen: dict[int, int] = {}
    kept: list[T] = []
    for item in items:
        doc = document_of(item)
        if seen.get(doc, 0) < n:
            seen[doc] = seen.get(doc, 0) + 1
            kept.append(item)
    return kept
