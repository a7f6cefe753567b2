"""Retrieval: keyword (FTS5 BM25) and semantic (FAISS) candidates fused into one ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .embedding import Embedder
from .filters import Allowed
from .store import Store
from .vectors import VectorIndex

MODES = ("hybrid", "keyword", "semantic")
MAX_QUESTION_CHARS = 2000
RRF_K = 60


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    score: float
    scores: dict[str, float]


def clip(question: str) -> str:
    """Questions are bounded: a pasted page must not cost more than the model can read."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


def semantic(
    store: Store, vectors: VectorIndex, embedder: Embedder, question: str, n: int, allowed: Allowed | None = None
) -> list[tuple[int, float]]:
    """(unit id, cosine) best first; a unit scores as its best chunk."""
    return nearest_units(store, vectors, embedder.embed([question])[0], n, allowed)


def nearest_units(
    store: Store, vectors: VectorIndex, vector: np.ndarray, n: int, allowed: Allowed | None = None
) -> list[tuple[int, float]]:
    """(unit id, cosine) of the n units nearest a vector, best first; a unit scores as its best chunk."""
    ids, scores = vectors.search(vector, n * 3, None if allowed is None else allowed.chunks)
    chunk_unit = store.chunk_units([int(i) for i in ids])
    best: dict[int, float] = {}
    for chunk, score in zip(ids, scores):
        unit = chunk_unit.get(int(chunk))
        if unit is not None and unit not in best:
            best[unit] = float(score)
    return list(best.items())[:n]


def fuse(rankings: dict[str, Sequence[tuple[int, float]]], k: int = RRF_K) -> list[Candidate]:
    """Reciprocal-rank fusion: each ranking adds 1/(k + rank)."""
    fused: dict[int, float] = {}
    raw: dict[int, dict[str, float]] = {}
    for name, ranking in rankings.items():
        for rank, (unit, score) in enumerate(ranking, start=1):
            fused[unit] = fused.get(unit, 0.0) + 1.0 / (k + rank)
            raw.setdefault(unit, {})[name] = score
    order = sorted(fused, key=lambda u: -fused[u])
    return [Candidate(u, fused[u], raw[u]) for u in order]


def retrieve(
    store: Store, vectors: VectorIndex, embedder: Embedder, question: str, k: int, mode: str = "hybrid",
    allowed: Allowed | None = None,
) -> list[Candidate]:
    """The k best units for a question, among the `allowed` ones when given (see filters.allowed)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    question = clip(question)
    if not question or k <= 0 or (allowed is not None and not allowed):
        return []
    pool = max(50, 5 * k)
    rankings: dict[str, list[tuple[int, float]]] = {}
    if mode in ("hybrid", "keyword"):
        rankings["keyword"] = store.keyword_search(question, pool, None if allowed is None else allowed.units)
    if mode in ("hybrid", "semantic"):
        rankings["semantic"] = semantic(store, vectors, embedder, question, pool, allowed)
    if mode != "hybrid":
        (name, ranking), = rankings.items()
        return [Candidate(u, s, {name: s}) for u, s in ranking[:k]]
    return fuse(rankings)[:k]
