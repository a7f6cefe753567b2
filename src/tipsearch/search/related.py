"""Across documents: the units related to one unit, and a topic's best unit in each document over time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tipsearch.citations import document_name
from tipsearch.models.embedders import Embedder, windows
from tipsearch.errors import NotFoundError
from tipsearch.search.filters import Allowed
from tipsearch.records import Document, Hit, Unit
from tipsearch.search.query import Query
from tipsearch.search.retrieve import Candidate, check_mode, combine, nearest_units
from tipsearch.text import clip
from tipsearch.index.store import Store
from tipsearch.index.vectors import VectorIndex
from tipsearch.text import matches, parse_reference



@dataclass(frozen=True)
class TimelineEntry:
    """One document's best unit for a question; strength is its score over the best document's (0..1)."""

    document: Document
    hit: Hit
    strength: float


def find_unit(store: Store, document: str, paragraph: str) -> Unit:
    """A unit by document (id, symbol or file) and paragraph number or label ("Recommendation 1")."""
    doc = store.document(document)
    units = store.document_units(doc.id)
    found = match_units(units, paragraph)
    if not found:
        raise NotFoundError(
            f"no paragraph {paragraph!r} in {document_name(doc)}: see `tipsearch show {document}` for its numbers"
        )
    return found[0]


def match_units(units: Sequence[Unit], paragraph: str) -> list[Unit]:
    """The units printed as `paragraph` ("9", "para. 9", "Recommendation 7", "rec:7", "art. 3 (a)", "PP 3",
    "115.120", or a label as shown), in document order; in a compound document, "resolution 99/2, para. 4" names
    the part, and a bare "para. 4" finds the document's own paragraph (then the parts', then a translation's)."""
    paragraph = " ".join(paragraph.split())
    parts = sorted({u.paragraph.part for u in units if u.paragraph.part}, key=len, reverse=True)
    part = next((p for p in parts if paragraph.lower().startswith(p.lower() + ",")), None)
    if part is not None:
        units = [u for u in units if u.paragraph.part == part]
        paragraph = paragraph[len(part) + 1 :].strip()
    ref = parse_reference(paragraph)
    if ref is not None:
        found = [u for u in units if matches(ref, u.paragraph)]
    else:
        found = [u for u in units if (u.paragraph.label or "").lower() == paragraph.lower()]
    return sorted(found, key=lambda u: (u.paragraph.part is not None, u.paragraph.language is not None))


def unit_vector(embedder: Embedder, unit: Unit) -> np.ndarray:
    """The unit's meaning: its own text embedded (mean of its windows), without label or heading.

    Not its stored vectors: those lead with label and section heading ("Recommendation 3",
    "A. Recommendations on ..."), which pulls every recommendation towards the others.
    Measured on tests/data/multiyear (bench/related.py): plain text finds 30/30 same-subject
    units above every distractor in hybrid mode, the stored vectors 27/30.
    """
    v = embedder.embed(windows(unit.paragraph.text, embedder)).mean(axis=0)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def related_candidates(
    store: Store, vectors: VectorIndex, unit: Unit, vector: np.ndarray, k: int, mode: str = "hybrid",
    allowed: Allowed | None = None,
) -> list[Candidate]:
    """The k units nearest one unit, by its vector and its words, among the allowed ones."""
    check_mode(mode)
    if k <= 0 or (allowed is not None and not allowed):
        return []
    pool = max(50, 5 * k)
    rankings: dict[str, list[tuple[int, float]]] = {}
    if mode in ("hybrid", "keyword"):
        rankings["keyword"] = store.keyword_search(clip(unit.paragraph.text), pool, None if allowed is None else allowed.units,
                                                   selection=None if allowed is None else allowed.selection)
    if mode in ("hybrid", "semantic"):
        rankings["semantic"] = nearest_units(store, vectors, vector, pool, allowed)
    return combine(rankings, mode, k)


def best_per_document(
    store: Store, vectors: VectorIndex, query: Query, allowed: Allowed | None = None
) -> list[tuple[int, int, float]]:
    """(document id, unit id, cosine) of each document's unit nearest the question (its vector), best first.

    One pass over every allowed vector: exact, and it reaches every document however weak its match.
    """
    if not query or query.vector is None or (allowed is not None and not allowed):
        return []
    where = {chunk: (unit, doc) for chunk, unit, doc in store.select_chunks()}
    ids, scores = vectors.search(query.vector, len(vectors), None if allowed is None else allowed.chunks,
                                 None if allowed is None else allowed.selection)
    best: dict[int, tuple[int, float]] = {}
    for chunk, score in zip(ids, scores):
        unit, doc = where[int(chunk)]
        if doc not in best:
            best[doc] = (unit, float(score))
    return [(doc, unit, score) for doc, (unit, score) in best.items()]


# A document is on a topic's timeline when the mean of two signals reaches TOPIC_THRESHOLD: its best unit's
# closeness in meaning to the best document's (strength, 0..1) and the largest IDF-weighted share of the
# question's words one of its units holds (coverage, 0..1; "World Day" weighs more than "trafficking"). Meaning
# alone keeps every document of a trafficking collection; words alone lose a subject said in other words.
# Chosen on the multi-year fixtures (subjects worded differently in each document: every treating document
# >= 0.55, every other <= 0.24) and on questions over the real corpus (docs/series.md).
TOPIC_THRESHOLD = 0.5


def topic_coverage(store: Store, query: Query) -> dict[int, float]:
    """document id -> the largest IDF-weighted share of the question's words that one of its units holds."""
    impacts = store.impacts
    if impacts is None:
        return {}
    unit_doc = store.unit_documents()
    n = max(len(unit_doc), 1)
    held: dict[int, float] = {}
    total = 0.0
    for word in query.phrases:
        units = impacts.postings(word)
        if units is None or not len(units):  # a word no unit holds (a typo, another language) decides nothing
            continue
        units = set(units.tolist())
        weight = math.log(1 + n / len(units))
        total += weight
        for u in units:
            held[u] = held.get(u, 0.0) + weight
    best: dict[int, float] = {}
    for unit, weight in held.items():
        doc = unit_doc.get(unit)
        if doc is not None:
            best[doc] = max(best.get(doc, 0.0), weight / total)
    return best


def treats_topic(coverage: float, strength: float) -> bool:
    return (coverage + strength) / 2 >= TOPIC_THRESHOLD


def date_order(document: Document) -> tuple:
    """Dated documents by date, undated ones last, ties by file name."""
    return (document.date is None, document.date or "", document.file)
