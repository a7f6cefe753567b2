"""Answer spans: how often the span a hit shows is the sentence that answers the question, given the right unit.

Question sets written by reading (tests/data/answers/): seed.jsonl on the seed corpus, real.jsonl on
../shared/real-corpus (or $TIPSEARCH_REAL_CORPUS; skipped where absent). Each names a unit and the one sentence
of it that answers; every unit has two or more spans. Not a test: run it by hand (docs/languages.md and
docs/quality-and-speed.md, answer spans).

    PYTHONPATH=src .venv/bin/python bench/answers.py [--index-dir DIR]   # DIR keeps the built indexes
        [--english]    the English sets only (not the translations of the seed set)
        [--no-real]    leave out the real-corpus set (its build with both models takes ~20 minutes here)

Variants, side by side on the same builds:
  shipped       what a search does (pipeline.answers): where the index has the multilingual model, its
                sentence vectors beside MiniLM's, MiniLM gated by the share of the question's words the index
                holds (search/answers.py minilm_share); else as "stored"
  stored + e5   MiniLM's stored vectors plus the multilingual model's at a weight; "gated": MiniLM's weight
                as shipped; e5 alone
  search time   the spans embedded with the question on torch at search time (tipsearch before issue 18)
  stored        the sentence vectors of the build (index/spans.py), the question on the ONNX encoder
  stored, no overlap / alone (each sentence embedded apart in the build) / stored + alone (mean)
  first span, word overlap only: baselines
seed.LANG.jsonl: the seed questions translated by hand (fr, es, ru, ar, zh), the same gold sentences.
A pick is right when it is the gold sentence or holds it (a span the splitter cut after "Ms." is in a longer one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tipsearch import Library, build
from tipsearch.index.spans import span_key
from tipsearch.models.embedders import MiniLMEmbedder
from tipsearch.records import Unit
from tipsearch.search import answers
from tipsearch.search.evaluation import unit_key
from tipsearch.search.retrieve import known_share

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "answers"
REAL = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))
Picker = Callable[[str, Unit], str]
LANGUAGES = ("fr", "es", "ru", "ar", "zh")  # seed.LANG.jsonl: the seed questions translated by hand


def questions(path: Path) -> list[tuple[str, str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["q"], r["unit"], r["answer"]) for r in rows]


def open_built(corpus: Path, index: Path, embedder: MiniLMEmbedder) -> Library:
    if not (index / "manifest.json").exists():
        build(corpus, index, embedder=embedder, progress=True)
    return Library.open(index, embedder)


def pickers(lib: Library, embedder: MiniLMEmbedder) -> dict[str, Picker]:
    pipeline = lib.pipeline
    g = lib.generation

    def stored(unit: Unit) -> dict[int, np.ndarray]:
        return g.spans.of_unit(g.store.chunks_by_unit([unit.id])[unit.id])

    def alone(unit: Unit) -> dict[int, np.ndarray]:
        spans = answers.spans_of(unit.paragraph.text)
        return dict(zip(map(span_key, spans), embedder.embed(spans)))

    def mixed(unit: Unit) -> dict[int, np.ndarray]:
        a, b = stored(unit), alone(unit)
        return {k: (a[k] + b[k]) / np.linalg.norm(a[k] + b[k]) if k in a else b[k] for k in b}

    def with_vectors(source: Callable[[Unit], dict[int, np.ndarray]], overlap: float = answers.OVERLAP_WEIGHT
                     ) -> Picker:
        def pick(q: str, unit: Unit) -> str:
            weight, answers.OVERLAP_WEIGHT = answers.OVERLAP_WEIGHT, overlap
            try:
                return answers.stored_spans(q, pipeline.query(q).vector, [unit.paragraph.text], [source(unit)])[0]
            finally:
                answers.OVERLAP_WEIGHT = weight
        return pick

    def with_e5(weight: float, own: float | None = 1.0) -> Picker:
        """stored, plus the multilingual model's sentence vectors at weight; own: MiniLM's weight (None: gated
        by the share of the question's words the index holds, as the ranking gates MiniLM)."""
        def pick(q: str, unit: Unit) -> str:
            mine = own if own is not None else answers.minilm_share(known_share(g.store, q))
            second = answers.Multilingual(pipeline.multilingual.embed_queries([q])[0], g.sentences.of_units([unit.id]),
                                          weight, mine)
            return answers.stored_spans(q, pipeline.query(q).vector, [unit.paragraph.text], [stored(unit)],
                                        second)[0]
        return pick

    e5 = {} if pipeline.multilingual is None or g.sentences is None else {
        "stored + e5 x0.5": with_e5(0.5), "stored + e5 x1": with_e5(1.0), "stored + e5 x2": with_e5(2.0),
        "stored (gated) + e5 x1": with_e5(1.0, None), "stored (gated) + e5 x2": with_e5(2.0, None),
        "e5 alone": with_e5(1.0, 0.0)}
    shipped = {"shipped (pipeline.answers)": lambda q, u: pipeline.answers(q, [u])[0]}
    return shipped | e5 | {
        "search time (torch, before)": lambda q, u: answers.best_spans(q, [u.paragraph.text], embedder)[0],
        "stored, MiniLM alone (before)": with_vectors(stored),
        "stored, no word overlap": with_vectors(stored, 0.0),
        "sentences embedded alone": with_vectors(alone),
        "stored + alone": with_vectors(mixed),
        "word overlap only": lambda q, u: answers.stored_spans(q, np.zeros(384, dtype=np.float32),
                                                               [u.paragraph.text], [{}])[0],
        "first span": lambda q, u: answers.spans_of(u.paragraph.text)[0],
    }


def measure(lib: Library, embedder: MiniLMEmbedder, rows: list[tuple[str, str, str]], with_file: bool) -> dict:
    by_key: dict[str, list[Unit]] = {}
    for u in lib.generation.store.units(list(range(1, lib.generation.manifest.units + 1))):
        by_key.setdefault(unit_key(u, with_file), []).append(u)
    # a key several units share (a publication's page:N blocks): the one holding the answer
    units = {key: next((u for u in by_key.get(key, ()) if gold in u.paragraph.text), None) for _, key, gold in rows}
    missing = [key for key, u in units.items() if u is None]
    if missing:
        raise SystemExit(f"units not in the index: {missing[:5]}")
    out = {}
    for name, pick in pickers(lib, embedder).items():
        right = sum(gold in pick(q, units[key]) for q, key, gold in rows)
        out[name] = (right, len(rows))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="where the indexes are built (kept; reused when there)")
    parser.add_argument("--english", action="store_true", help="the English sets only")
    parser.add_argument("--no-real", action="store_true", help="leave out the real-corpus set")
    args = parser.parse_args()
    base = args.index_dir or Path(tempfile.mkdtemp(prefix="tipsearch-answers-"))
    embedder = MiniLMEmbedder()
    sets = [("seed", ROOT / "corpus", DATA / "seed.jsonl", False)]
    sets += [(f"seed, {lang}", ROOT / "corpus", DATA / f"seed.{lang}.jsonl", False) for lang in LANGUAGES
             if (DATA / f"seed.{lang}.jsonl").exists() and not args.english]
    if args.no_real:
        pass
    elif REAL.is_dir():
        sets.append(("real corpus", REAL, DATA / "real.jsonl", True))
    else:
        print(f"{REAL} not found: the real-corpus set is skipped", file=sys.stderr)
    results = {}
    for name, corpus, path, with_file in sets:
        lib = open_built(corpus, base / name.split(",")[0].replace(" ", "-"), embedder)
        try:
            results[name] = measure(lib, embedder, questions(path), with_file)
        finally:
            lib.close()
    names = list(next(iter(results.values())))
    print("\n| answer span | " + " | ".join(results) + " |\n|---|" + "---|" * len(results))
    for variant in names:
        cells = [f"{r[variant][0] / r[variant][1]:.3f} ({r[variant][0]}/{r[variant][1]})" for r in results.values()]
        print(f"| {variant} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
