"""Answer spans: a vector for each sentence (or list item) of every unit of two or more, made in the build pass
that embeds the unit's windows, so that a search picks each hit's answer span without running the model.

    spans.npy          one float16 unit row per span, in chunk order
    span-keys.npy      each row's sentence, as a 64-bit hash of its text (span_key)
    span-offsets.npy   chunk i's spans are rows offsets[i]:offsets[i + 1]

A span's vector is the mean of the model's word-piece vectors over the sentence, read in its window (the pass
that gives the window's own vector gives them too). A search recomputes a unit's sentences from its text
(models.embedders.sentences, a regex) and finds each one's vector by its key among the unit's chunks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tipsearch.index.layout import SPAN_KEYS, SPAN_OFFSETS, SPANS
from tipsearch.models.embedders import Pieces, sentences

Located = tuple[tuple[int, int, int], ...]  # (start, end, key) of each sentence in a chunk's text


def span_key(text: str) -> int:
    """A sentence's key: the first 8 bytes of its BLAKE2b hash, as a signed 64-bit integer (numpy int64)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


def locate(text: str, chunk_text: str, skip: int) -> Located:
    """Where the sentences of a unit's text lie in one of its chunks' texts (from `skip` on, past the chunk's
    context prefix), in order. Nothing for a unit of one sentence: it is its own answer. A sentence a window
    does not hold whole (another window's, or a very long one cut into word runs) is left out."""
    spans = sentences(text)
    if len(spans) < 2:
        return ()
    out: list[tuple[int, int, int]] = []
    at = skip
    for a, b in spans:
        sentence = text[a:b]
        i = chunk_text.find(sentence, at)
        if i >= 0:
            out.append((i, i + len(sentence), span_key(sentence)))
            at = i + len(sentence)
    return tuple(out)


def pool(read: Pieces, located: Located) -> tuple[np.ndarray, np.ndarray]:
    """(keys, float16 unit rows): each located sentence's mean piece vector, from one window's reading."""
    starts = np.asarray([s for s, _ in read.spans], dtype=np.int64)
    ends = np.asarray([e for _, e in read.spans], dtype=np.int64)
    keys: list[int] = []
    rows: list[np.ndarray] = []
    for start, end, key in located:
        inside = (starts >= start) & (ends <= end) & (ends > starts)
        if not inside.any():
            continue
        v = read.vectors[inside].mean(axis=0)
        keys.append(key)
        rows.append(v / max(float(np.linalg.norm(v)), 1e-12))
    dimension = read.vectors.shape[1] if read.vectors.ndim == 2 else 0
    vectors = np.asarray(rows, dtype=np.float16).reshape(len(rows), dimension)
    return np.asarray(keys, dtype=np.int64), vectors


def no_spans(dimension: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros((0, dimension), dtype=np.float16)


class SpanStore:
    """Every chunk's sentence vectors and keys, memory-mapped: a search reads only its hits' chunks."""

    def __init__(self, vectors: np.ndarray, keys: np.ndarray, offsets: np.ndarray) -> None:
        self.vectors = vectors
        self.keys = keys
        self.offsets = offsets

    @classmethod
    def of(cls, chunks: Sequence[tuple[np.ndarray, np.ndarray]], dimension: int) -> SpanStore:
        """From each chunk's (keys, vectors), in chunk order."""
        offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(k) for k, _ in chunks])
        keys = np.concatenate([k for k, _ in chunks]) if chunks else np.zeros(0, dtype=np.int64)
        vectors = np.concatenate([v for _, v in chunks]) if chunks else np.zeros((0, dimension), dtype=np.float16)
        return cls(vectors.reshape(-1, dimension).astype(np.float16), keys.astype(np.int64), offsets)

    @classmethod
    def load(cls, folder: Path) -> SpanStore:
        return cls(np.load(folder / SPANS, mmap_mode="r"), np.load(folder / SPAN_KEYS, mmap_mode="r"),
                   np.load(folder / SPAN_OFFSETS))

    def save(self, folder: Path) -> None:
        np.save(folder / SPANS, np.ascontiguousarray(self.vectors))
        np.save(folder / SPAN_KEYS, np.ascontiguousarray(self.keys))
        np.save(folder / SPAN_OFFSETS, self.offsets)

    def chunk(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Chunk i's (keys, vectors)."""
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return np.asarray(self.keys[a:b]), np.asarray(self.vectors[a:b])

    def of_unit(self, chunk_ids: Sequence[int]) -> dict[int, np.ndarray]:
        """key -> float32 vector of every sentence these chunks (one unit's windows) hold; the first window
        that holds a sentence gives its vector."""
        out: dict[int, np.ndarray] = {}
        for i in chunk_ids:
            keys, vectors = self.chunk(i)
            for key, v in zip(keys.tolist(), vectors):
                out.setdefault(key, v.astype(np.float32))
        return out
