"""The multilingual model's sentence vectors: pooled from the window pass, or each sentence embedded apart.

Archived: it ran at commit ce713bd, where the build could pool them (bench/results/e5-sentences.md: apart won
on every set, so the pooling left the product); to run it again, check out that commit.

Builds the seed twice with both models (the same MiniLM, the same windows), the sentence vectors made each way,
and measures what they serve, side by side: retrieval on the English and translated question sets
(bench/multilingual.py's sets; hit@1 / hit@5 / nDCG@10, hybrid, k=10), the answer spans a search shows
(tests/data/answers/seed*.jsonl: the gold sentence picked, given the right unit), and the multilingual pass's
time (the windows, and the sentences where embedded apart). Not a test: run it by hand.

    PYTHONPATH=src .venv/bin/python bench/e5_sentences.py [--index-dir DIR]   # DIR keeps the builds
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import DATA as ANSWERS, LANGUAGES, questions  # noqa: E402
from multilingual import sets  # noqa: E402

from tipsearch import Library, build  # noqa: E402
from tipsearch.models.e5 import E5Embedder  # noqa: E402
from tipsearch.search.evaluation import evaluate, unit_key  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Apart:
    """E5Embedder without embed_sentences: the build embeds each sentence apart, as a passage."""

    def __init__(self) -> None:
        self.model = E5Embedder()
        self.name, self.dimension, self.max_tokens = self.model.name, self.model.dimension, self.model.max_tokens

    def embed(self, texts: list[str]):  # noqa: ANN201
        return self.model.embed_passages(texts)

    embed_passages = embed

    def embed_queries(self, texts: list[str]):  # noqa: ANN201
        return self.model.embed_queries(texts)

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)


def built(index: Path, model: object) -> tuple[Library, float]:
    start = time.perf_counter()
    if not (index / "manifest.json").exists():
        build(ROOT / "corpus", index, progress=False, multilingual=model)
    return Library.open(index), time.perf_counter() - start


def answers_right(lib: Library, path: Path) -> tuple[int, int]:
    rows = questions(path)
    units = {unit_key(u, False): u for u in lib.generation.store.units(list(range(1, lib.generation.manifest.units + 1)))}
    return sum(gold in lib.pipeline.answers(q, [units[key]])[0] for q, key, gold in rows), len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="where the two builds go (kept; reused when there)")
    args = parser.parse_args()
    base = args.index_dir or Path(tempfile.mkdtemp(prefix="tipsearch-e5-sentences-"))
    variants = {"pooled from the window pass": built(base / "windows", E5Embedder()),
                "embedded apart": built(base / "apart", Apart())}
    names = list(variants)
    print(f"\n| | {' | '.join(names)} |\n|---|" + "---|" * len(names))
    print("| build of the seed, s | " + " | ".join(f"{t:.1f}" for _, t in variants.values()) + " |")
    for name, qs in sets().items():
        cells = []
        for lib, _ in variants.values():
            [s] = evaluate(lib.pipeline, qs, modes=["hybrid"])
            cells.append(f"{s.hit1:.3f} / {s.hit5:.3f} / {s.ndcg10:.3f}")
        print(f"| {name} ({len(qs)}) | " + " | ".join(cells) + " |")
    for language in ("", *LANGUAGES):
        path = ANSWERS / (f"seed.{language}.jsonl" if language else "seed.jsonl")
        cells = [answers_right(lib, path) for lib, _ in variants.values()]
        print(f"| answer spans, {language or 'en'} | " + " | ".join(f"{r} of {n}" for r, n in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
