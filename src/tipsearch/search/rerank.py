"""Reading the candidates: the first-stage top k re-ordered by token-level MaxSim.

The first stage (search.py) compares one vector per window with the question's one vector, and
BM25 counts shared words. Reading compares every word piece of the question, in context, with
every word piece of each candidate (ColBERT's MaxSim, on all-MiniLM-L6-v2's own token vectors):
each question piece finds its best match in the paragraph, and the matches are averaged. It
separates near-duplicate paragraphs that one vector per window blurs.

Nothing is run through the model at search time for it. The build keeps, from the same pass that
embeds each window, the sign of each of its word pieces' vectors (48 bytes a piece), leaving out
the window's context prefix (label and heading), question words and punctuation: pieces.npy and
piece-offsets.npy. The question's pieces come from the pass that embeds the question. Measured
against reading the candidates' full vectors at search time in bench/TUNING.md (round five).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tipsearch.models.embedders import Embedder, Pieces
from tipsearch.index.layout import PIECE_OFFSETS, PIECES
from tipsearch.search.retrieve import Candidate
from tipsearch.text import STOPWORDS

_WORDLIKE = re.compile(r"\w")


def can_read(embedder: Embedder) -> bool:
    """Only a model that gives its word pieces' vectors can read (the hashing embedder cannot)."""
    return callable(getattr(embedder, "embed_pieces", None))


def voting(pieces: Pieces, skip_chars: int = 0) -> list[int]:
    """Indices of the pieces that vote: word pieces that are not question words, from skip_chars on."""
    return [i for i, (t, (start, _)) in enumerate(zip(pieces.tokens, pieces.spans))
            if start >= skip_chars and _WORDLIKE.match(t) and t.lower() not in STOPWORDS]


def question_pieces(pieces: Pieces) -> np.ndarray:
    """The question's piece vectors without question words and punctuation (all of them if none is left)."""
    keep = voting(pieces)
    return pieces.vectors[keep] if keep else pieces.vectors


def pack(vectors: np.ndarray) -> np.ndarray:
    """Each row's signs as bits: rows x dimension/8 bytes."""
    return np.packbits(vectors > 0, axis=1)


def unpack(bits: np.ndarray, dimension: int) -> np.ndarray:
    """Packed signs back to unit rows of +-1/sqrt(dimension)."""
    signs = np.unpackbits(bits, axis=1, count=dimension).astype(np.float32) * 2 - 1
    return signs / np.float32(np.sqrt(dimension))


def maxsim(question: np.ndarray, unit: np.ndarray) -> float:
    """Mean over the question's pieces of each one's best cosine among the unit's pieces."""
    if not len(question) or not len(unit):
        return 0.0
    return float((question @ unit.T).max(axis=1).mean())


def reread(question: np.ndarray, candidates: Sequence[Candidate], units: Sequence[np.ndarray],
           weight: float) -> list[Candidate]:
    """Candidates re-ordered by their score + weight x MaxSim / best MaxSim among them.

    question: its voting pieces' vectors; units: each candidate's piece vectors (all its windows).
    """
    if weight <= 0 or len(candidates) < 2:
        return list(candidates)
    scores = [maxsim(question, unit) for unit in units]
    best = max(scores)
    if best <= 0:
        return list(candidates)
    out = [Candidate(c.unit_id, c.score + weight * s / best, {**c.scores, "reading": s})
           for c, s in zip(candidates, scores)]
    return sorted(out, key=lambda c: -c.score)


class PieceStore:
    """Every chunk's voting pieces as sign bits, read from disk only where a search looks."""

    def __init__(self, bits: np.ndarray, offsets: np.ndarray, dimension: int) -> None:
        self.bits = bits
        self.offsets = offsets
        self.dimension = dimension

    @classmethod
    def of(cls, chunks: Sequence[np.ndarray], dimension: int) -> PieceStore:
        """From each chunk's packed pieces, in chunk order."""
        offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(c) for c in chunks])
        width = dimension // 8
        bits = np.concatenate(chunks) if chunks else np.zeros((0, width), dtype=np.uint8)
        return cls(bits.reshape(-1, width), offsets, dimension)

    @classmethod
    def load(cls, folder: Path, dimension: int) -> PieceStore:
        return cls(np.load(folder / PIECES, mmap_mode="r"), np.load(folder / PIECE_OFFSETS), dimension)

    def save(self, folder: Path) -> None:
        np.save(folder / PIECES, np.ascontiguousarray(self.bits))
        np.save(folder / PIECE_OFFSETS, self.offsets)

    def chunk(self, i: int) -> np.ndarray:
        """Chunk i's packed pieces."""
        return np.asarray(self.bits[self.offsets[i] : self.offsets[i + 1]])

    def read(self, chunk_ids: Sequence[int]) -> np.ndarray:
        """The unit rows of these chunks' pieces together (one unit's windows)."""
        if not chunk_ids:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return unpack(np.concatenate([self.chunk(i) for i in chunk_ids]), self.dimension)
