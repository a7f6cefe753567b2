"""FAISS vectors: one row per chunk, row number = chunk id.

Exact (flat) search while it is fast enough; from FLAT16_THRESHOLD vectors the same scan over
vectors stored in 16-bit floats (half the memory to read; recall@10 against flat reported by
bench/scale.py); HNSW from HNSW_THRESHOLD, where even that scan would cost more than the latency
budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from tipsearch.errors import BadOptionError, IndexCorruptError
from tipsearch.index.store import Selection

FLAT = "flat"
FLAT16 = "flat16"
HNSW = "hnsw"
KINDS = ("auto", FLAT, FLAT16, HNSW)
# A scan of one question is memory-bound. bench/scale.py (bench/results/flat-vs-hnsw.md), one
# thread: 112k x 384 took 16.1 ms in float32 and 10.9 ms in float16 (recall@10 against float32
# 1.000), 224k 32.5 and 23.4 ms; 11k took 1.4 ms either way. So collections below 50k vectors
# keep the exact float32 scan, and float16 takes over where the scan starts to eat the 30 ms budget.
FLAT16_THRESHOLD = 50_000
# HNSW answers in under 1 ms but its recall@10 against the exact scan was 0.70-0.77 at 112k-224k
# on the bench's vectors, and it is rebuilt whole on every update: only above 250k vectors, where
# even the float16 scan no longer fits the budget.
HNSW_THRESHOLD = 250_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def choose_kind(count: int, kind: str = "auto", threshold: int = HNSW_THRESHOLD,
                fp16_threshold: int = FLAT16_THRESHOLD) -> str:
    """The index kind for count vectors: flat, flat16 from fp16_threshold, HNSW from threshold."""
    if kind not in KINDS:
        raise BadOptionError(f"vector index kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind != "auto":
        return kind
    if count >= threshold:
        return HNSW
    return FLAT16 if count >= fp16_threshold else FLAT


@contextmanager
def _one_thread() -> Iterator[None]:
    """One OpenMP thread for one question's scan, on this thread only (the setting is per thread).

    The flat scan of one vector is memory-bound, and in hybrid search the keyword query holds the
    other core: on 2 shared cores, 100k x 384 took 18 ms on one thread and 48 ms on two
    (bench/scale.py era measurement, load average 2.3).
    """
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


class VectorIndex:
    def __init__(self, index: faiss.Index) -> None:
        self.index = index
        if isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = max(index.hnsw.efSearch, HNSW_EF_SEARCH)

    @classmethod
    def build(cls, vectors: np.ndarray, dimension: int, kind: str = "auto",
              threshold: int = HNSW_THRESHOLD, fp16_threshold: int = FLAT16_THRESHOLD) -> VectorIndex:
        chosen = choose_kind(len(vectors), kind, threshold, fp16_threshold)
        if chosen == HNSW:
            index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        elif chosen == FLAT16:
            # fp16 needs no training: each component is stored as a half-precision float
            index = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexFlatIP(dimension)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, path: Path, dimension: int, count: int) -> VectorIndex:
        """Load and check the count and dimension the manifest says (its size and checksum: Generation.open).

        The checksum is a streamed pass before faiss.read_index (the second read comes from the page
        cache); faiss.deserialize_index on bytes already read is slower than both (bench/open_cost.py).
        """
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing: run `tipsearch build`")
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

    @property
    def kind(self) -> str:
        if isinstance(self.index, faiss.IndexHNSW):
            return HNSW
        return FLAT16 if isinstance(self.index, faiss.IndexScalarQuantizer) else FLAT

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, query: np.ndarray, n: int, allowed: np.ndarray | None = None,
               selection: Selection | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, scores) of the n nearest chunks, best first; only chunk ids in `allowed` when given.

        The restriction is a FAISS ID selector applied during the search, so the n returned are
        the n best allowed chunks, not what is left of the n best after dropping. selection: what `allowed`
        was made from (a store that filters inside its engine reads it; here the ids serve).
        """
        n = min(n, len(self) if allowed is None else len(allowed))
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            params = faiss.SearchParameters(sel=selector)
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        with _one_thread():
            scores, ids = self.index.search(query, n, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def all_vectors(self) -> np.ndarray:
        """Every stored vector in row order, copied out in one call (not one call per row)."""
        if not len(self):
            return np.zeros((0, self.index.d), dtype=np.float32)
        return self.index.reconstruct_n(0, len(self))

    def reconstruct(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of these rows: a few one by one, many by copying all out once (a search asks for
        a few dozen: copying 100,000 rows for them cost more than the search)."""
        if not len(ids):
            return np.zeros((0, self.index.d), dtype=np.float32)
        rows = np.asarray(ids, dtype=np.int64)
        if len(rows) * 64 < len(self):
            return np.stack([self.index.reconstruct(int(i)) for i in rows]).astype(np.float32, copy=False)
        return self.all_vectors()[rows]
