"""Scale: index size, open + first answer, peak memory, query latency, add-one-document,
and flat vs HNSW, at 1k to 200k paragraphs.

Vectors come from the hashing embedder (labelled), and the pieces kept for reading are the real
MiniLM word pieces of each window with stand-in vectors (bench/common.ReadingStandIn): embedding
200k paragraphs with MiniLM on 2 shared cores would take hours. Questions are embedded with the real model, so query latency,
open time and memory include the real model. Corpora are synthetic (bench/synthetic.py).

    PYTHONPATH=src:. python bench/scale.py --sizes 1000 10000 100000 200000
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import faiss
import numpy as np

from bench.common import ReadingStandIn, folder_mb, percentiles, timed, write_table
from bench.synthetic import ROOT, write_corpus
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.index.build import build_index
from tipsearch.models.question_encoder import prepare as prepare_questions
from tipsearch.index.vectors import VectorIndex

QA = ROOT / "tests" / "data" / "dev_qa.jsonl"

# Run in a fresh process so open time, first answer and peak memory are what a user sees.
_PROBE = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from tipsearch.models.embedders import MiniLMEmbedder, question_precision, resolve_precision
from tipsearch.library import Library
from tipsearch.models.question_encoder import QuestionEncoder
from tipsearch.search.retrieve import RANKING, retrieve
from tipsearch.text import keyword_text
from tipsearch.search.vocabulary import expand
t_import = time.perf_counter() - t0
# The model at the precision a default (auto) build on this machine records (what Library.open
# loads: answer spans), and the index's ONNX question encoder (what a search embeds questions with).
precision = question_precision(resolve_precision("auto", "cpu"))
t = time.perf_counter()
embedder = MiniLMEmbedder(precision=precision); questions = QuestionEncoder.open(Path(sys.argv[1]))
t_model = time.perf_counter() - t
assert questions is not None, "no question encoder in the index"
t = time.perf_counter(); lib = Library.open(sys.argv[1]); t_open = time.perf_counter() - t
# Timing only: the document vectors are hashing-384 stand-ins, the questions go through the real
# model (same cost as in use); Library.open would rightly refuse that pair, so it is set after.
lib.pipeline._embedder, lib.pipeline._questions, lib.pipeline._questions_wanted = embedder, questions, False
lib.search("Should victims be prosecuted for crimes they were forced to commit?", k=10)
t_first = time.perf_counter() - t
qs = [json.loads(l)["q"] for l in open(sys.argv[2]) if l.strip()]
def peak_mb():
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over exec, so it would report the
    # parent's (the benchmark's own build) peak whenever that is higher than this process's.
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
full, ret, emb, kw_fts, kw_imp, ranked = [], [], [], [], [], []
def ranking(q):  # what a hybrid search ranks with: the first stage, then the top 5 read; rows
    s = time.perf_counter(); c = lib.pipeline.rank(q, 10)
    lib.pipeline.units([x.unit_id for x in c]); return time.perf_counter() - s
def first_stage(q):  # the first stage alone (keyword + vectors fused, rows), the question on torch
    s = time.perf_counter(); c = retrieve(lib.generation.store, lib.generation.vectors, embedder, q, 10)
    lib.pipeline.units([x.unit_id for x in c]); return time.perf_counter() - s
assert lib.generation.pieces is not None and "reading" in lib.pipeline.rank(qs[0], 10)[0].scores  # the reading stage runs
for round_ in range(3):
    for q in qs:  # interleaved, so that load on the shared machine hits every variant alike
        s = time.perf_counter(); lib.pipeline.query(q); emb.append(time.perf_counter() - s)
        ranked.append(ranking(q))
        ret.append(first_stage(q))
        s = time.perf_counter(); lib.search(q, k=10); full.append(time.perf_counter() - s)
        words = keyword_text(expand(q))  # the keyword query alone, as retrieve makes it: FTS5 vs impacts
        s = time.perf_counter(); a = lib.generation.store.keyword_search(words, RANKING.pool, use_impacts=False)
        kw_fts.append(time.perf_counter() - s)
        s = time.perf_counter(); b = lib.generation.store.keyword_search(words, RANKING.pool); kw_imp.append(time.perf_counter() - s)
        assert [x for _, x in a] == [x for _, x in b], q  # same bm25 scores, or the timing means nothing
print(json.dumps({"import": t_import, "model": t_model, "open": t_open, "first": t_first, "retrieve": ret,
                  "precision": precision, "kw_fts": kw_fts, "kw_imp": kw_imp,
                  "full": full, "embed": emb, "ranked": ranked, "kind": lib.generation.vectors.kind,
                  "rss_mb": peak_mb()}))
"""


def probe(index: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE, str(index), str(QA)], capture_output=True, text=True,
                         env={"PYTHONPATH": "src:.", "HF_HUB_OFFLINE": "1",
                              "TOKENIZERS_PARALLELISM": "false", "PATH": "/usr/bin:/bin"})
    if out.returncode:
        raise SystemExit(f"probe failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def flat_vs_hnsw(index: Path, queries: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """(flat ms, flat16 ms, flat16 recall@10, hnsw ms, hnsw recall@10, hnsw build s) on the index's own vectors.

    Each search asks for 400 chunks, as nearest_units does for a 50-unit pool; recall@10 = share of
    the exact scan's 10 best found in the other index's 10 best.
    """
    manifest = json.loads((index / "manifest.json").read_text())
    vi = VectorIndex.load(index / manifest["generation"] / "vectors.faiss", manifest["dimension"], manifest["vectors"])
    vectors = vi.all_vectors()
    flat = VectorIndex.build(vectors, vectors.shape[1], kind="flat")
    half = VectorIndex.build(vectors, vectors.shape[1], kind="flat16")
    hnsw, build_s = timed(lambda: VectorIndex.build(vectors, vectors.shape[1], kind="hnsw"))
    ms: dict[str, list[float]] = {"flat": [], "flat16": [], "hnsw": []}
    recall: dict[str, list[float]] = {"flat16": [], "hnsw": []}
    for q in queries:
        (exact, _), ms_flat = timed(lambda q=q: flat.search(q, 400))
        ms["flat"].append(ms_flat)
        for name, other in (("flat16", half), ("hnsw", hnsw)):
            (found, _), t = timed(lambda q=q, other=other: other.search(q, 400))
            ms[name].append(t)
            recall[name].append(len(set(exact[:10]) & set(found[:10])) / 10)
    return (percentiles(ms["flat"])[0], percentiles(ms["flat16"])[0], float(np.mean(recall["flat16"])),
            percentiles(ms["hnsw"])[0], float(np.mean(recall["hnsw"])), build_s)


def _scale_row(report, build_s: float, index: Path, p: dict, add, add_s: float) -> tuple:  # noqa: ANN001
    """One scale table row: build, size, the probe's open and query figures, add-one-document."""
    r50, r95 = percentiles(p["ranked"])
    s50, _ = percentiles(p["retrieve"])
    f50, f95 = percentiles(p["full"])
    e50, _ = percentiles(p["embed"])
    k50, _ = percentiles(p["kw_fts"])
    i50, _ = percentiles(p["kw_imp"])
    return (report.units, report.embedded, p["kind"], f"{report.units / build_s:.0f}",
            f"{folder_mb(index):.0f}", f"{p['import']:.1f} + {p['model']:.1f}",
            f"{p['open']:.2f}", f"{p['first']:.2f}", f"{e50:.1f}", f"{r50:.1f} / {r95:.1f}", f"{s50:.1f} ({p['precision']})",
            f"{k50:.1f} / {i50:.1f}", f"{f50:.0f} / {f95:.0f}", f"{p['rss_mb']:.0f}",
            f"{add_s:.1f} ({add.embedded} embedded, {add.reused} reused)")


def _measure(size: int, embedder: ReadingStandIn) -> tuple[tuple, tuple]:
    """Build, grow, probe and compare vector indexes at one corpus size: (scale row, flat-vs-HNSW row)."""
    work = Path(tempfile.mkdtemp(prefix=f"tipsearch-scale-{size}-"))
    try:
        write_corpus(work / "corpus", size)
        # MiniLM alone (`--models minilm`): the multilingual model would embed 100k chunks for hours on 2 cores
        report, build_s = timed(lambda: build_index(work / "corpus", work / "index", embedder=embedder,
                                                    progress=False, multilingual=False))
        write_corpus(work / "corpus", 60, seed=size + 1, start=10**6)  # one new 60-paragraph report
        add, add_s = timed(lambda: build_index(work / "corpus", work / "index", embedder=embedder,
                                               progress=False, multilingual=False))
        prepare_questions(work / "index")  # what `tipsearch build` adds to a MiniLM index
        p = probe(work / "index")
        row = _scale_row(report, build_s, work / "index", p, add, add_s)
        queries = HashingEmbedder().embed([f"question {i} " + t for i, t in
                                           enumerate(json.loads(line)["q"] for line in QA.read_text().splitlines())])
        fm, f16, r16, hm, recall, hb = flat_vs_hnsw(work / "index", queries)
        vrow = (report.embedded, f"{fm:.2f}", f"{f16:.2f}", f"{r16:.3f}", f"{hm:.2f}", f"{recall:.3f}", f"{hb:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return row, vrow


def _write(rows: list[tuple], vrows: list[tuple]) -> None:
    """Write the scale and flat-vs-HNSW tables with their notes."""
    command = "PYTHONPATH=src:. python " + " ".join(sys.argv)
    write_table(
        "scale", "Scale: 1k to 200k paragraphs",
        ["units", "vectors", "index", "build units/s (stand-in vectors)", "size MB", "import + model load s",
         "index open s", "open + first answer s", "question encode p50 ms (ONNX int8)", "hybrid ranking p50 / p95 ms",
         "first stage p50 ms, question on torch",
         "keyword query p50, FTS5 / impacts ms", "full search p50 / p95 ms", "peak RSS MB", "add one 60-unit report s"],
        rows,
        notes="""
What is real: the index files, SQLite + FTS5, FAISS, pieces.npy, the question encode (the
index's ONNX question encoder, models/question_encoder.py, made as `tipsearch build` makes it), open time
(Library.open: manifest, SQLite, FAISS, pieces; Python imports and model loads shown apart),
memory (peak RSS, VmHWM, of a fresh process that opens the index, loads the models and answers
45 questions), add-one-document (reads and hashes every file again, reuses every old vector).
What is not: document vectors come from the hashing embedder and the kept pieces' vectors are
stand-ins for the real MiniLM word pieces of each window (bench/common.ReadingStandIn; so build
throughput here is not the model's, see compare-*.md), and texts are synthetic (seed sentences
reshuffled, seed paragraph lengths). Hybrid ranking = Library.rank + rows, k=10: the question
encoded once, the first stage (keyword and vector rankings fused, the keyword query beside the
encode) and the top 5 read from pieces.npy (reading.py). First stage = search.retrieve + rows with
the question on torch at the build's precision, no reading. "keyword query" is the keyword ranking
alone, FTS5's bm25() against the precomputed impacts (impacts.py; equal scores asserted). Full
search adds the answer span (each hit's sentences scored with the vectors the build stored). Warm, 15 dev
questions x 3 rounds, the variants interleaved question by question.
""", command=command)
    write_table(
        "flat-vs-hnsw", "FAISS flat vs flat16 vs HNSW (M=32, efConstruction=80, efSearch=128)",
        ["vectors", "flat p50 ms", "flat16 p50 ms", "flat16 recall@10 vs flat", "HNSW p50 ms",
         "HNSW recall@10 vs flat", "HNSW build s"], vrows,
        notes="Vectors: the scale run's hashing vectors; queries: the 15 dev questions, hashing-embedded; "
              "400 nearest asked, as a search does; one FAISS thread (as vectors.py searches). The index "
              "the scale rows used is the 'index' column there (auto: flat below 50k vectors, flat16 below "
              "250k, HNSW above).", command=command)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000, 200000])
    args = ap.parse_args()
    faiss.omp_set_num_threads(2)
    rows, vrows = [], []
    embedder = ReadingStandIn()
    for size in args.sizes:
        row, vrow = _measure(size, embedder)
        rows.append(row)
        vrows.append(vrow)
    _write(rows, vrows)


if __name__ == "__main__":
    main()
