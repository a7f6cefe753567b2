"""Word pieces: every chunk's voting pieces as sign bits (pieces.npy + piece-offsets.npy), for the rerank stage.

The build keeps them from the same pass that embeds each window; a search reads the top candidates' pieces
from disk (memory-mapped) and scores them against the question's pieces (search/rerank.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tipsearch.index.layout import PIECE_OFFSETS, PIECES
from tipsearch.models.embedders import Pieces
from tipsearch.text import STOPWORDS

_WORDLIKE = re.compile(r"\w")


def voting(pieces: Pieces, skip_chars: int = 0) -> list[int]:
    """Indices of the pieces that vote: word pieces that are not question words, from skip_chars on."""
    return [i for i, (t, (start, _)) in enumerate(zip(pieces.tokens, pieces.spans))
            if start >= skip_chars and _WORDLIKE.match(t) and t.lower() not in STOPWORDS]


def pack(vectors: np.ndarray) -> np.ndarray:
    """Each row's signs as bits: rows x dimension/8 bytes."""
    return np.packbits(vectors > 0, axis=1)


def unpack(bits: np.ndarray, dimension: int) -> np.ndarray:
    """Packed signs back to unit rows of +-1/sqrt(dimension)."""
    signs = np.unpackbits(bits, axis=1, count=dimension).astype(np.float32) * 2 - 1
    return signs / np.float32(np.sqrt(dimension))


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
