"""What the int8 graph costs the multilingual model's passages in quality: the seed built twice, the e5 passages on
the index's int8 graph (the default on a CPU) and on torch bf16 (`--precision bf16`; MiniLM is bf16 either way on a
CPU with AVX-512 BF16), then the English and translated question sets (bench/multilingual.py's, hybrid, k=10) and the
answer spans (tests/data/answers/seed*.jsonl: the gold sentence picked, given the right unit). Questions go to the
int8 graph in both. Not a test: run it by hand (docs/quality-and-speed.md).

    PYTHONPATH=src .venv/bin/python bench/e5_precision.py [--index-dir DIR]   # DIR keeps the two builds
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import DATA as ANSWERS, LANGUAGES, questions  # noqa: E402
from multilingual import sets  # noqa: E402

from tipsearch import Library, build  # noqa: E402
from tipsearch.search.evaluation import evaluate, unit_key  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def answers_right(lib: Library, path: Path) -> int:
    every = list(range(1, lib.generation.manifest.units + 1))
    units = {unit_key(u, False): u for u in lib.generation.store.units(every)}
    return sum(gold in lib.pipeline.answers(q, [units[key]])[0] for q, key, gold in questions(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="where the two builds go (kept; reused when there)")
    args = parser.parse_args()
    base = args.index_dir or Path(tempfile.mkdtemp(prefix="tipsearch-e5-precision-"))
    libraries = {}
    for name, precision in (("int8 graph (default)", "auto"), ("torch bf16", "bf16")):
        index = base / precision
        if not (index / "manifest.json").exists():
            build(ROOT / "corpus", index, progress=False, multilingual=True, precision=precision)
        libraries[name] = Library.open(index)
    print(f"\n| set | n | {' | '.join(libraries)} |\n|---|---|" + "---|" * len(libraries))
    for name, qs in sets().items():
        cells = []
        for lib in libraries.values():
            [s] = evaluate(lib.pipeline, qs, modes=["hybrid"])
            cells.append(f"{s.hit1:.3f} / {s.hit5:.3f} / {s.ndcg10:.3f}")
        print(f"| {name} | {len(qs)} | " + " | ".join(cells) + " |", flush=True)
    for language in ("", *LANGUAGES):
        path = ANSWERS / (f"seed.{language}.jsonl" if language else "seed.jsonl")
        cells = [str(answers_right(lib, path)) for lib in libraries.values()]
        print(f"| answer spans, {language or 'en'} | {len(questions(path))} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
