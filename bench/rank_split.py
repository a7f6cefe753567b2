"""Where a search's time goes on a built index: the question's encode, the first stage, the hybrid
ranking (first stage + reading) and the full search (+ answer spans), medians over real questions.

    PYTHONPATH=src .venv/bin/python bench/rank_split.py --index index

The same calls exist at older commits (e.g. d1083d1, before reading kept its pieces at build time),
so `git stash; git checkout d1083d1 -- src; ...` times the code as it was on the same index.
Not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from tipsearch.library import Library
from tipsearch.search.retrieve import retrieve

ROOT = Path(__file__).resolve().parent.parent


def median_ms(f: Callable[[str], object], questions: list[str]) -> float:
    out = []
    for q in questions:
        start = time.perf_counter()
        f(q)
        out.append((time.perf_counter() - start) * 1000)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=ROOT / "index")
    ap.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "qa_2022.jsonl")
    ap.add_argument("-n", type=int, default=40, help="questions used (the first n)")
    args = ap.parse_args()
    lib = Library.open(args.index)
    questions = [json.loads(line)["q"] for line in args.questions.read_text().splitlines() if line.strip()][: args.n]
    for q in questions[:5]:  # warm: models loaded, caches filled
        lib.search(q)
    emb = lib.embedder
    rows = [("question encode, torch (embed)", median_ms(lambda q: emb.embed([q]), questions))]
    rows.append(("question read and encoded by both models, as a search does (Pipeline.query)", median_ms(lib.pipeline.query, questions)))
    rows += [
        ("first stage (search.retrieve, question on torch)",
         median_ms(lambda q: retrieve(lib.generation.store, lib.generation.vectors, emb, q, 10), questions)),
        ("hybrid ranking (Pipeline.rank: first stage + reading)", median_ms(lambda q: lib.pipeline.rank(q, 10), questions)),
        ("full search (Library.search: + answer spans)", median_ms(lambda q: lib.search(q, 10), questions)),
    ]
    print(f"{args.index}: {lib.manifest.units} units; {len(questions)} questions of {args.questions.name}, median ms")
    print("| step | median ms |\n|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} |")
    lib.close()


if __name__ == "__main__":
    main()
