"""FAISS vectors: one row per chunk, row number = chunk id."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from .errors import IndexCorruptError
from .layout import FileCheck


class VectorIndex:
    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray, dimension: int) -> VectorIndex:
        index = faiss.IndexFlatIP(dimension)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, path: Path, dimension: int, count: int, expected: FileCheck | None = None) -> VectorIndex:
        """Load and check against what the manifest says: size and checksum, then count and dimension.

        The checksum is a streamed pass before faiss.read_index (the second read comes from the page
        cache); faiss.deserialize_index on bytes already read is slower than both (bench/open_cost.py).
        """
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing: run `tipsearch build`")
        if expected is not None and path.stat().st_size != expected.bytes:
            raise IndexCorruptError(
                f"{path} is damaged ({path.stat().st_size} bytes, the manifest says {expected.bytes}): "
                "run `tipsearch build`"
            )
        if expected is not None and (actual := FileCheck.of(path)) != expected:
            raise IndexCorruptError(
                f"{path} is damaged (checksum {actual.crc32}, the manifest says {expected.crc32}): run `tipsearch build`"
            )
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as e:
            raise IndexCorruptError(f"{path} is damaged ({str(e).splitlines()[0][:80]}): run `tipsearch build`") from e
        if index.d != dimension or index.ntotal != count:
            raise IndexCorruptError(
                f"{path} holds {index.ntotal} vectors of dimension {index.d}, the manifest says {count} of "
                f"dimension {dimension}: run `tipsearch build`"
            )
        return cls(index)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, query: np.ndarray, n: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, scores) of the n nearest chunks, best first; only chunk ids in `allowed` when given.

        The restriction is a FAISS ID selector applied during the search, so the n returned are
        the n best allowed chunks, not what is left of the n best after dropping.
        """
        n = min(n, len(self) if allowed is None else len(allowed))
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            params = faiss.SearchParameters(sel=selector)
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(query, n, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def reconstruct(self, ids: list[int]) -> np.ndarray:
        if not ids:
            return np.zeros((0, self.index.d), dtype=np.float32)
        return np.stack([self.index.reconstruct(int(i)) for i in ids])
