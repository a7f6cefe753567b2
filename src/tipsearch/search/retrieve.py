"""Retrieval: keyword (FTS5 BM25) and semantic (FAISS) candidates fused into one ranking.

Each stage is a function of (question, pool size) returning (unit id, score) best first, so a
restriction on candidates (filters) can be threaded through both the same way. The fusion and
its parameters were chosen by measurement: see bench/quality.py and bench/TUNING.md.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from tipsearch import text
from tipsearch.errors import BadOptionError
from tipsearch.index.store import CONTEXT_WEIGHT, Store
from tipsearch.index.vectors import VectorIndex
from tipsearch.models.embedders import Embedder
from tipsearch.search import vocabulary
from tipsearch.search.filters import Allowed
from tipsearch.search.query import Query, encoded, read

MODES = ("hybrid", "keyword", "semantic")


@dataclass(frozen=True)
class Ranking:
    """How the two rankings are made and fused (defaults are the measured best)."""

    fusion: str = "blend"  # "rrf" (reciprocal rank) or "blend" (normalised score sum)
    normalise: str = "max"  # blend: divide by the best score ("max") or rescale best..worst to 1..0 ("minmax")
    rrf_k: int = 60
    # 0.8 : 1, chosen in round three on all 206 questions pooled (bench/TUNING.md): the two sets
    # written with fewer words in common with their paragraphs both gain from more weight on meaning.
    keyword_weight: float = 0.8
    semantic_weight: float = 1.0
    pool: int = 50
    expand: bool = True  # add domain vocabulary (vocabulary.py) to the keyword query
    expand_semantic: bool = False  # ... and to the text the model embeds (measured: worse)
    stopwords: bool = True  # drop question words from the keyword query
    context_weight: float = CONTEXT_WEIGHT  # FTS5 bm25() weight of the context column (label + headings); text is 1
    # "recommendation 7", "115.120", "PP 3" in a question: add this to that unit. 2, not 1 (round two): a unit named
    # outright comes first, above the best match of the words and the meaning (each 1 at most); measured on the
    # seed sets (no change) and the questions on real UN documents (docs/quality-and-speed.md, "Real documents")
    reference_weight: float = 2.0
    feedback_weight: float = 0.0  # Rocchio: add this times the centroid of the top keyword units to the question vector
    feedback_depth: int = 3
    coverage_weight: float = 0.0  # share of the question's words a candidate contains, added with this weight
    reading_weight: float = 0.5  # hybrid: the top k re-ordered by token MaxSim / best, this weight (reading.py)
    reading_depth: int = 5  # ... of at most this many first-stage candidates (5 scored as 10 on our 206 questions)
    # The multilingual model's list (models/e5.py), where the index has it (MULTILINGUAL below)
    multilingual_weight: float = 0.0
    depth: int = 0  # minmax: the floor is the list's depth-th score (0: its last), lower scores clipped to 0
    # Gates: a list's weight times min(1, known / t), known = the share of the question's keyword words some unit
    # holds (known_share): for a question in another language the keyword list matches stray words and MiniLM
    # (an English model) and its rerank read noise. t = 0: no gate. keyword_gate gates the keyword list,
    # semantic_gate the MiniLM list and the rerank.
    keyword_gate: float = 0.0
    semantic_gate: float = 0.0

    @property
    def has_gates(self) -> bool:
        return self.keyword_gate > 0 or self.semantic_gate > 0

    def gated(self, known: float) -> Ranking:
        """These weights for a question of whose keyword words this share is in the index."""
        def gate(t: float) -> float:
            return 1.0 if t <= 0 else min(1.0, known / t)
        if not self.has_gates:
            return self
        return replace(self, keyword_weight=self.keyword_weight * gate(self.keyword_gate),
                       semantic_weight=self.semantic_weight * gate(self.semantic_gate),
                       reading_weight=self.reading_weight * gate(self.semantic_gate), keyword_gate=0.0,
                       semantic_gate=0.0)


RANKING = Ranking()
# With the multilingual model's list (bench/TUNING.md round six, chosen on the 96 tuning questions and the 75
# translated dev questions, confirmed on the held-out sets): each list min-max over its top 20 (e5's cosines
# sit in a narrow band, 0.8-0.9: divided by its best, its whole top 20 is 0.94-1), keyword 0.6 : MiniLM 0.5 :
# e5 0.5, the rerank at 1, the keyword list gated at 1 and MiniLM at 0.7.
MULTILINGUAL = Ranking(normalise="minmax", depth=20, keyword_weight=0.6, semantic_weight=0.5,
                       multilingual_weight=0.5, reading_weight=1.0, keyword_gate=1.0, semantic_gate=0.7)


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    score: float
    scores: dict[str, float]


def keyword(
    store: Store, query: Query | str, n: int, ranking: Ranking = RANKING, allowed: Allowed | None = None
) -> list[tuple[int, float]]:
    """(unit id, BM25) best first, among the allowed units when given: a Query by its keywords, a text as it is
    (question words out)."""
    words = query.keywords if isinstance(query, Query) else text.keyword_text(query, ranking.stopwords)
    return store.keyword_search(words, n, None if allowed is None else allowed.units,
                                context_weight=ranking.context_weight,
                                selection=None if allowed is None else allowed.selection)


def coverage(store: Store, query: Query | str, units: Collection[int]) -> list[tuple[int, float]]:
    """(unit id, share of the question's distinct keywords it contains) for the candidate units, best first.

    BM25 over OR-ed words lets one rare word repeated in a short unit outrank a unit that matches
    every idea in the question; the share of words matched rewards the whole question.
    """
    words = list(_query(query).terms)
    if not words or not units:
        return []
    counts = store.term_matches(words, units)
    return sorted(((u, c / len(words)) for u, c in counts.items()), key=lambda x: -x[1])


def referenced(store: Store, query: Query | str, allowed: Allowed | None = None) -> list[tuple[int, float]]:
    """(unit id, 1.0) for every unit the question names ("recommendation 7", "para. 46", "PP 3"): in the
    documents it names ("A/RES/99/901", "resolution 99/901") where it names one that has them, else in any."""
    query = _query(query)
    if not query.references:
        return []
    units = store.units_by_reference(list(query.references))
    if allowed is not None:
        units = [u for u in units if u in allowed.units]
    named = {d.id for d in store.documents() if text.names_document(query.text, d.symbol, d.title)}
    if named:
        in_named = [u.id for u in store.units(units) if u.document.id in named]
        units = in_named or units
    return [(u, 1.0) for u in units]


def _query(question: Query | str) -> Query:
    return question if isinstance(question, Query) else read(question)


def feedback_vector(store: Store, vectors: VectorIndex, question: np.ndarray, units: Sequence[int],
                    weight: float) -> np.ndarray:
    """Rocchio pseudo-relevance feedback: the question vector moved towards the mean of these units' chunks.

    The top keyword hits share the question's words; their vectors carry the paragraph's wording,
    so the moved vector also finds paragraphs that say the same in other words.
    """
    chunks = store.unit_chunks(list(units))
    if not chunks or weight <= 0:
        return question
    moved = question + weight * vectors.reconstruct(chunks).mean(axis=0)
    return moved / (np.linalg.norm(moved) or 1.0)


def nearest_units(
    store: Store, vectors: VectorIndex, vector: np.ndarray, n: int, allowed: Allowed | None = None
) -> list[tuple[int, float]]:
    """(unit id, cosine) of the n units nearest a vector, best first; a unit scores as its best chunk."""
    # Long units have several windows: fetch enough chunks to still find n distinct units.
    ids, scores = vectors.search(vector, n * 8, None if allowed is None else allowed.chunks,
                                 None if allowed is None else allowed.selection)
    chunk_unit = store.chunk_units([int(i) for i in ids])
    best: dict[int, float] = {}
    for chunk, score in zip(ids, scores):
        unit = chunk_unit.get(int(chunk))
        if unit is not None and unit not in best:
            best[unit] = float(score)
    return list(best.items())[:n]


def rrf(rankings: dict[str, Sequence[tuple[int, float]]], k: int, weights: dict[str, float]) -> dict[int, float]:
    """Reciprocal-rank fusion: each ranking adds weight/(k + rank)."""
    fused: dict[int, float] = {}
    for name, ranking in rankings.items():
        for rank, (unit, _) in enumerate(ranking, start=1):
            fused[unit] = fused.get(unit, 0.0) + weights[name] / (k + rank)
    return fused


def blend(rankings: dict[str, Sequence[tuple[int, float]]], weights: dict[str, float],
          normalise: str = "max", depth: int = 0) -> dict[int, float]:
    """Score blend: each ranking's scores normalised to at most 1 (see normalised), weighted and summed; the
    reference list (every score 1) as it is."""
    fused: dict[int, float] = {}
    for name, ranking in rankings.items():
        how = "max" if name == "reference" else normalise
        for unit, s in zip((u for u, _ in ranking), normalised([s for _, s in ranking], how, depth)):
            fused[unit] = fused.get(unit, 0.0) + weights[name] * s
    return fused


def normalised(scores: Sequence[float], how: str = "max", depth: int = 0) -> list[float]:
    """One ranking's scores (best first) on a common scale, best 1 where that applies.

    max: s / best. minmax: worst..best -> 0..1 (with depth, the depth-th score..best, below it 0). mean:
    mean..best -> 0..1, below the mean 0 (a pool's tail of weak matches says nothing). zscore: (s - mean) /
    standard deviation.
    """
    if not scores:
        return []
    a = np.asarray(scores, dtype=np.float64)
    top = float(a.max())
    if how == "zscore":
        sd = float(a.std())
        return list((a - a.mean()) / sd) if sd > 0 else [0.0] * len(a)
    floor = float(a[min(depth, len(a)) - 1]) if depth > 0 else float(a.min())
    low = {"max": 0.0, "minmax": floor, "mean": float(a.mean())}[how]
    if top <= low:
        return [0.0] * len(a)
    return list(np.clip((a - low) / (top - low), 0.0, None))


def fuse(rankings: dict[str, Sequence[tuple[int, float]]], ranking: Ranking = RANKING) -> list[Candidate]:
    """One list from several rankings, best first; each candidate keeps its per-ranking scores."""
    weights = {"keyword": ranking.keyword_weight, "semantic": ranking.semantic_weight,
               "reference": ranking.reference_weight, "coverage": ranking.coverage_weight,
               "multilingual": ranking.multilingual_weight}
    weights.update({name: 1.0 for name in rankings if name not in weights})
    if ranking.fusion == "blend":
        fused = blend(rankings, weights, ranking.normalise, ranking.depth)
    else:
        fused = rrf(rankings, ranking.rrf_k, weights)
    raw: dict[int, dict[str, float]] = {}
    for name, ranked in rankings.items():
        for unit, score in ranked:
            raw.setdefault(unit, {})[name] = score
    order = sorted(fused, key=lambda u: -fused[u])
    return [Candidate(u, fused[u], raw[u]) for u in order]


def known_share(store: Store, question: str) -> float:
    """The share of a question's distinct keyword words (stopwords out) that some unit holds, stemmed as the
    index stems them: 0.5-1 for most English questions, 0 for a Russian, Arabic or Chinese one (Query.known)."""
    return read(question, store).known


def check_mode(mode: str) -> None:
    if mode not in MODES:
        raise BadOptionError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")


def combine(rankings: dict[str, Sequence[tuple[int, float]]], mode: str, k: int,
            ranking: Ranking = RANKING) -> list[Candidate]:
    """The k best candidates: the one ranking as it is in keyword or semantic mode, fused in hybrid (and in
    semantic mode where the multilingual model gave a second list)."""
    if mode != "hybrid" and len(rankings) == 1:
        (name, ranked), = rankings.items()
        return [Candidate(u, s, {name: s}) for u, s in ranked[:k]]
    return fuse(rankings, ranking)[:k]


# Hybrid search runs the keyword query beside the question's encode and FAISS scan: sqlite3, torch
# and faiss release the GIL, so on two cores the slower of the two sets the time, not their sum.
_KEYWORD_WORKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="tipsearch-keyword")


def retrieve(
    store: Store, vectors: VectorIndex, embedder: Embedder | None, question: str | Query, k: int, mode: str = "hybrid",
    ranking: Ranking = RANKING, allowed: Allowed | None = None, concurrent: bool = True,
    more: dict[str, list[tuple[int, float]]] | None = None,
) -> list[Candidate]:
    """The k best units for a question, among the `allowed` ones when given (see filters.allowed).

    question: a Query (the pipeline's, read and embedded once), or its text, read here and embedded by embedder.
    concurrent: in hybrid mode, run the keyword query on a worker thread while the question is embedded and
    the vectors searched (same results either way; False keeps everything on the calling thread).
    more: rankings made elsewhere (the multilingual model's), fused with these in hybrid and semantic mode.
    """
    check_mode(mode)
    query = question if isinstance(question, Query) else read(question, store, ranking.expand, ranking.stopwords)
    if not query or k <= 0 or (allowed is not None and not allowed):
        return []
    pool = max(ranking.pool, 5 * k)
    rankings: dict[str, list[tuple[int, float]]] = {}
    # Rocchio feedback needs the keyword ranking before the vector search: no overlap then.
    if mode == "hybrid" and concurrent and ranking.feedback_weight <= 0:
        pending = _KEYWORD_WORKERS.submit(keyword, store, query, pool, ranking, allowed)
        try:
            semantic_ranking = nearest_units(store, vectors, _vector(query, embedder, ranking), pool, allowed)
        finally:
            rankings["keyword"] = pending.result()  # waits; re-raises the worker's error here
        rankings["semantic"] = semantic_ranking
    else:
        rankings = _rankings_in_turn(store, vectors, embedder, query, mode, pool, ranking, allowed)
    if mode != "keyword":
        rankings.update(more or {})
    if mode == "hybrid" and ranking.coverage_weight > 0:
        pooled = {u for ranked in rankings.values() for u, _ in ranked}
        rankings["coverage"] = coverage(store, query, pooled)
    if mode == "hybrid" and ranking.reference_weight > 0:
        rankings["reference"] = referenced(store, query, allowed)
    return combine(rankings, mode, k, ranking)


def _vector(query: Query, embedder: Embedder | None, ranking: Ranking) -> np.ndarray:
    """The query's vector by the index's model: the one it carries, else embedded now (the expanded question
    where the ranking asks)."""
    if query.vector is not None and not ranking.expand_semantic:
        return query.vector
    if embedder is None:
        raise BadOptionError("a semantic ranking needs the question's vector or a model to embed it")
    return encoded(query, embedder, vocabulary.expand(query.text) if ranking.expand_semantic else None).vector


def _rankings_in_turn(
    store: Store, vectors: VectorIndex, embedder: Embedder | None, query: Query, mode: str, pool: int,
    ranking: Ranking, allowed: Allowed | None,
) -> dict[str, list[tuple[int, float]]]:
    """The keyword and/or semantic rankings one after the other, on the calling thread."""
    rankings: dict[str, list[tuple[int, float]]] = {}
    if mode in ("hybrid", "keyword"):
        rankings["keyword"] = keyword(store, query, pool, ranking, allowed)
    if mode in ("hybrid", "semantic"):
        vector = _vector(query, embedder, ranking)
        if mode == "hybrid" and ranking.feedback_weight > 0:
            top = [u for u, _ in rankings["keyword"][: ranking.feedback_depth]]
            vector = feedback_vector(store, vectors, vector, top, ranking.feedback_weight)
        rankings["semantic"] = nearest_units(store, vectors, vector, pool, allowed)
    return rankings
