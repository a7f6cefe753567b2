"""Chunks: what is embedded for each unit (its windows, led by its label and heading), and their vectors.

Unchanged text is never embedded again: a chunk's vector (and word pieces and sentence vectors) are found by
the hash of its text in the previous generation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from tipsearch.index.generation import Generation
from tipsearch.index.pieces import PieceStore, pack, voting
from tipsearch.index.multilingual import SentenceStore, embed_passages
from tipsearch.index.spans import Located, SpanStore, locate, no_spans, pool
from tipsearch.index.vectors import VectorIndex
from tipsearch.models.embedders import Embedder, can_read, windows
from tipsearch.records import Paragraph

EMBED_BATCH = 256
# Bump when embedding_texts or models.embedders.windows change what a unit is embedded as: a rebuild
# reuses an unchanged unit's chunk hashes only when the old index was chunked the same way.
CHUNKING = "1"


@dataclass(frozen=True)
class Chunk:
    """One embedded window of a unit: its row in vectors.faiss, its unit, the hash of its text; the text, the
    characters of its context prefix (whose pieces do not vote) and where the unit's sentences lie in it,
    when it must be embedded, else ""."""

    id: int
    unit_id: int
    text_hash: str
    text: str = ""
    skip: int = 0
    spans: Located = ()


@dataclass(frozen=True)
class Previous:
    """What the live generation offers for reuse: vectors by text hash, chunk hashes by unit."""

    hashes: dict[str, int] = field(default_factory=dict)
    vectors: VectorIndex | None = None
    pieces: PieceStore | None = None
    spans: SpanStore | None = None
    unit_chunks: dict[tuple[str | None, str, str], tuple[str, ...]] = field(default_factory=dict)
    multilingual: VectorIndex | None = None
    sentences: SentenceStore | None = None

    @classmethod
    def of(cls, generation: Generation, multilingual: bool = False) -> Previous:
        """multilingual: this build runs the multilingual model too; where the live generation has no vectors
        of it, every unit is windowed again, so that each chunk has the text that model must embed."""
        store = generation.store
        same_chunking = generation.manifest.extra.get("chunking") == CHUNKING
        windowed = same_chunking and (generation.multilingual is not None or not multilingual)
        return cls(store.chunk_hashes(), generation.vectors, generation.pieces, generation.spans,
                   store.unit_chunk_hashes() if windowed else {}, generation.multilingual, generation.sentences)


@dataclass(frozen=True)
class Embedded:
    """Every chunk's vector and (for a model that reads) packed pieces and sentence (keys, vectors), and how
    many were embedded or reused."""

    vectors: np.ndarray
    pieces: list[np.ndarray]
    spans: list[tuple[np.ndarray, np.ndarray]]
    embedded: int
    reused: int
    multilingual: np.ndarray | None = None  # every chunk's vector by the multilingual model, where it ran
    sentences: SentenceStore | None = None  # and every unit's sentences


def context_prefix(p: Paragraph) -> str:
    """What leads each of a unit's embedded windows: its label and section heading and a line end
    ("" if it has neither)."""
    context = " ".join(x for x in (p.label, p.section[-1] if p.section else None) if x)
    return f"{context}\n" if context else ""


def embedding_texts(p: Paragraph, embedder: Embedder, context_tokens: dict[str, int] | None = None) -> list[str]:
    """The texts embedded for a unit: its windows, each led by its context_prefix.

    context_tokens: token counts of contexts seen so far (a build passes one dict: headings repeat).
    """
    prefix = context_prefix(p)
    counts = {} if context_tokens is None else context_tokens
    if prefix and prefix not in counts:
        counts[prefix] = embedder.count_tokens(prefix)
    budget = embedder.max_tokens - 8 - (counts[prefix] if prefix else 0)
    return [prefix + w for w in windows(p.text, embedder, max(budget, 64))]


def text_hash(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


def unit_chunks(first: int, unit_id: int, p: Paragraph, embedder: Embedder, previous: Previous,
                context_tokens: dict[str, int]) -> list[Chunk]:
    """A unit's chunks from row `first` on; an unchanged unit keeps its chunk hashes without re-windowing."""
    known = previous.unit_chunks.get((p.label, json.dumps(p.section, ensure_ascii=False), p.text))
    if known:
        return [Chunk(first + j, unit_id, h) for j, h in enumerate(known)]
    skip = len(context_prefix(p))
    return [Chunk(first + j, unit_id, text_hash(embedder.name, text), text, skip, locate(p.text, text, skip))
            for j, text in enumerate(embedding_texts(p, embedder, context_tokens))]


def embed_chunks(chunks: list[Chunk], embedder: Embedder | None, previous: Previous, progress: bool,
                 checkpoint: Callable[[], None] = lambda: None) -> Embedded:
    """Vectors (and pieces) for every chunk, reusing the previous generation's where the text is unchanged."""
    if not chunks or embedder is None:
        return Embedded(np.zeros((0, embedder.dimension if embedder else 384), dtype=np.float32), [], [], 0, 0)
    reads = can_read(embedder)
    vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    pieces = [np.zeros((0, embedder.dimension // 8), dtype=np.uint8)] * len(chunks) if reads else []
    spans = [no_spans(embedder.dimension)] * len(chunks) if reads else []
    # A reading model needs each reused chunk's pieces and spans too: without them nothing is reused.
    usable = previous.vectors is not None and (not reads or (previous.pieces is not None and previous.spans is not None))
    reuse = [(c.id, previous.hashes[c.text_hash]) for c in chunks if usable and c.text_hash in previous.hashes]
    if reuse:
        vectors[[i for i, _ in reuse]] = previous.vectors.reconstruct([j for _, j in reuse])
        if reads:
            for i, j in reuse:
                pieces[i] = previous.pieces.chunk(j)
                spans[i] = previous.spans.chunk(j)
    reused = {i for i, _ in reuse}
    # longest first across the whole build, not per batch: each batch pads to similar lengths
    todo = sorted((c for c in chunks if c.id not in reused), key=lambda c: -len(c.text))
    with tqdm(total=len(todo), desc="Embedding", unit="chunk", disable=not progress or not todo) as bar:
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            rows = [c.id for c in batch]
            if reads:
                vectors[rows], read = embedder.embed_pieces([c.text for c in batch])
                for c, r in zip(batch, read):
                    pieces[c.id] = pack(r.vectors[voting(r, c.skip)])
                    spans[c.id] = pool(r, c.spans)
            else:
                vectors[rows] = embedder.embed([c.text for c in batch])
            bar.update(len(batch))
            checkpoint()
    return Embedded(vectors, pieces, spans, len(todo), len(reuse))


def embed_multilingual(chunks: list[Chunk], embedder: Embedder, previous: Previous, progress: bool,
                       checkpoint: Callable[[], None] = lambda: None) -> tuple[np.ndarray, int]:
    """Every chunk's vector by the multilingual model (its text as a passage), reusing the live generation's
    where the text is unchanged; and how many were embedded."""
    reuse = [(c.id, previous.hashes[c.text_hash]) for c in chunks
             if previous.multilingual is not None and c.text_hash in previous.hashes]
    vectors = embed_passages([c.text for c in chunks], reuse, lambda js: previous.multilingual.reconstruct(js),
                             embedder, "Embedding (multilingual)", progress, checkpoint)
    return vectors, len(chunks) - len(reuse)
