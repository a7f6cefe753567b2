"""Retrieval quality judged by file and verbatim text, as a reader checks an answer: a hit is right when it comes
from the gold file and its text holds the gold quote, whatever the unit is called. So two readings of the same
documents (a unit cut differently, a compound part named or not) are compared on the same footing.

    PYTHONPATH=src .venv/bin/python bench/quote_eval.py --index DIR tests/data/real_corpus/questions.jsonl ...

Uses only Library.open(...).pipeline.rank / .units, so it runs against an index built by an older checkout too
(PYTHONPATH=that-checkout/src). Prints hybrid hit@1, hit@5 and nDCG@10 (gold gain 1, "also" gain 0.5) per file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from tipsearch import Library

GOLD, ALSO = 1.0, 0.5


def _words(text: str) -> str:
    return " ".join(text.replace("-\n", "").split())


def _wanted(question: dict) -> list[tuple[str, str, float]]:
    """(file, quote, gain) of each gold and also entry that names a file and a quote."""
    out = []
    for field, gain in (("gold", GOLD), ("also", ALSO)):
        for entry in question.get(field, []):
            if isinstance(entry, dict) and entry.get("file") and entry.get("quote"):
                out.append((entry["file"], _words(entry["quote"]), gain))
    return out


def _gains(ranked: list[tuple[str, str]], wanted: list[tuple[str, str, float]]) -> list[float]:
    """The gain of each ranked unit: the best entry it answers that no unit above it answered."""
    found: set[int] = set()
    gains = []
    for file, text in ranked:
        hits = [i for i, (f, quote, _) in enumerate(wanted) if i not in found and f == file and quote in text]
        best = max(hits, key=lambda i: wanted[i][2], default=None)
        if best is not None:
            found.add(best)
        gains.append(wanted[best][2] if best is not None else 0.0)
    return gains


def _ndcg(gains: list[float], wanted: list[tuple[str, str, float]], depth: int) -> float:
    dcg = sum(g / math.log2(r + 2) for r, g in enumerate(gains[:depth]))
    ideal = sorted((g for *_, g in wanted), reverse=True)[:depth]
    best = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / best if best else 0.0


def evaluate(lib: Library, path: Path, mode: str, depth: int) -> tuple[int, float, float, float]:
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    hit1 = hit5 = ndcg = 0.0
    for question in questions:
        wanted = _wanted(question)
        hits = lib.pipeline.rank(question["q"], depth, mode)
        ranked = [(u.document.file, _words(u.paragraph.text)) for u in lib.pipeline.units([h.unit_id for h in hits])]
        gains = _gains(ranked, wanted)
        hit1 += any(g == GOLD for g in gains[:1])
        hit5 += any(g == GOLD for g in gains[:5])
        ndcg += _ndcg(gains, wanted, depth)
    n = len(questions) or 1
    return len(questions), hit1 / n, hit5 / n, ndcg / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--mode", default="hybrid")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    lib = Library.open(args.index)
    print(f"| questions | n | hit@1 | hit@5 | nDCG@10 |\n|---|---|---|---|---|")
    for path in args.questions:
        n, h1, h5, nd = evaluate(lib, path, args.mode, args.k)
        print(f"| {path.name} | {n} | {h1:.3f} | {h5:.3f} | {nd:.3f} |")
    lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
