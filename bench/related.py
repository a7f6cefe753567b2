"""How well `related` and `timeline` find same-subject paragraphs in the multi-year test fixtures.

Builds tests/data/multiyear (fictional fixtures) into a temporary index and, for each known subject
paragraph, asks `related` in each mode: are the other documents' paragraphs on that subject all
ranked above every distractor? Prints hits@n (n = number of gold), mean average precision, and the
timeline's best unit per document.

    PYTHONPATH=src python bench/related.py [--model hashing-384]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tipsearch import Library, build
from tipsearch.models.embedders import HASHING, MINILM, load_embedder

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "multiyear"
# subject -> (document, paragraph) of every unit on it (see tests/data/multiyear/README.md)
SUBJECTS = {
    "non-punishment": [("wg-2010-report.txt", "6"), ("wg-2015-report.txt", "Recommendation 1"),
                       ("wg-2019-background.txt", "4"), ("wg-2023-report.txt", "Recommendation 2")],
    "joint teams": [("wg-2010-report.txt", "8"), ("wg-2015-report.txt", "Recommendation 3"),
                    ("wg-2019-background.txt", "7"), ("wg-2023-report.txt", "Recommendation 4")],
    "review mechanism": [("wg-2010-report.txt", "10"), ("wg-2015-report.txt", "9"), ("wg-2023-report.txt", "8")],
}
QUESTIONS = {
    "non-punishment": "Should victims be punished for crimes their traffickers forced them to commit?",
    "joint teams": "joint investigation teams between countries",
    "review mechanism": "mechanism for reviewing implementation of the Protocol",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=MINILM, choices=(MINILM, HASHING))
    args = ap.parse_args()
    embedder = load_embedder(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        build(FIXTURES, Path(tmp) / "index", embedder=embedder, progress=False)
        lib = Library.open(Path(tmp) / "index", embedder)
        for mode in ("semantic", "keyword", "hybrid"):
            found = asked = 0
            ap: list[float] = []
            start = time.perf_counter()
            for units in SUBJECTS.values():
                gold_units = {lib.unit(d, p).id for d, p in units}
                for d, p in units:
                    gold = gold_units - {lib.unit(d, p).id}
                    hits = lib.related(d, p, k=20, mode=mode)
                    ids = [h.unit.id for h in hits]
                    found += len(gold & set(ids[: len(gold)]))
                    asked += len(gold)
                    ranks = sorted(ids.index(g) + 1 for g in gold if g in ids)
                    ap += [sum(i / r for i, r in enumerate(ranks, start=1)) / len(gold)]
            ms = (time.perf_counter() - start) * 1000 / sum(map(len, SUBJECTS.values()))
            print(f"related {mode:<8}  hits@gold {found}/{asked}  MAP {sum(ap) / len(ap):.3f}  {ms:.0f} ms/query")
        for subject, question in QUESTIONS.items():
            gold = {lib.unit(d, p).id for d, p in SUBJECTS[subject]}
            entries = lib.timeline(question)
            right = sum(e.hit.unit.id in gold for e in entries if e.document.file in {d for d, _ in SUBJECTS[subject]})
            line = "  ".join(f"{e.document.year}:{e.strength:.2f}{'*' if e.hit.unit.id in gold else ''}" for e in entries)
            print(f"timeline {subject:<17} best unit on subject {right}/{len(SUBJECTS[subject])}  {line}")


if __name__ == "__main__":
    main()
