"""What the open-time integrity check costs at scale: size + CRC-32 of each index file.

Usage: PYTHONPATH=src python bench/open_cost.py [--vectors 100000] [--db-mib 150]

Writes a vector file of N random 384-d vectors and a database-sized file to a temp folder, then
times: faiss.read_index alone (the old open), VectorIndex.load with size + CRC-32 (the new open),
and FileCheck.of on the database file. Best of 3, warm page cache.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from tipsearch.index.layout import FileCheck
from tipsearch.index.vectors import VectorIndex


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", type=int, default=100_000)
    ap.add_argument("--db-mib", type=int, default=150)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vec_path, db_path = Path(tmp) / "vectors.faiss", Path(tmp) / "units.sqlite"
        rng = np.random.default_rng(0)
        VectorIndex.build(rng.standard_normal((args.vectors, 384), dtype=np.float32), 384).save(vec_path)
        db_path.write_bytes(os.urandom(args.db_mib * 2**20))
        check = FileCheck.of(vec_path)
        plain = best_of(3, lambda: faiss.read_index(str(vec_path)))
        # The open checks size and CRC-32 (Layout.check_file, as Generation.open does), then loads.
        checked = best_of(3, lambda: (FileCheck.of(vec_path) == check, VectorIndex.load(vec_path, 384, args.vectors)))
        db = best_of(3, lambda: FileCheck.of(db_path))
        print(f"vectors: {args.vectors} x 384 = {vec_path.stat().st_size / 2**20:.0f} MiB; database file {args.db_mib} MiB")
        print(f"faiss.read_index (no check)        {plain * 1000:7.0f} ms")
        print(f"VectorIndex.load + size + CRC-32   {checked * 1000:7.0f} ms")
        print(f"FileCheck.of(database)             {db * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
