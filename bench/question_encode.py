"""One question's encode (pooled vector + word pieces in context), on one thread, by each way of
running all-MiniLM-L6-v2 this machine offers; the 96 questions of tests/data/dev_qa.jsonl and
qa_2022.jsonl, variants interleaved question by question (--mode question) so that a shared
machine's load falls on each alike, or each variant over all questions in turn (--mode block:
its weights stay in cache, as in a --queries batch).

    PYTHONPATH=src:. python bench/question_encode.py --rounds 3 --mode question
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.common import percentiles, timed, write_table
from tipsearch.models.embedders import MiniLMEmbedder

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
Encode = Callable[[str], tuple[np.ndarray, list]]


def questions() -> list[str]:
    return [json.loads(line)["q"] for name in ("dev_qa.jsonl", "qa_2022.jsonl")
            for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def prepacked(embedder: MiniLMEmbedder) -> MiniLMEmbedder:
    """The embedder with every encoder Linear's weight reordered once for oneDNN (as torch.compile's
    freezing does), instead of on every call."""
    import torch
    from torch import nn

    class Packed(nn.Module):
        def __init__(self, linear: nn.Linear) -> None:
            super().__init__()
            self.w = torch.ops.mkldnn._reorder_linear_weight(linear.weight.detach(), 16)
            self.b = linear.bias.detach()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.ops.mkldnn._linear_pointwise(x, self.w, self.b, "none", [], "")

    for layer in embedder.model.encoder.layer:
        layer.attention.self.qkv = Packed(layer.attention.self.qkv)
        layer.attention.output.dense = Packed(layer.attention.output.dense)
        layer.intermediate.dense = Packed(layer.intermediate.dense)
        layer.output.dense = Packed(layer.output.dense)
    return embedder


def variants(cache: Path) -> dict[str, Encode]:
    from tipsearch.models.embedders import cpu_has_bf16
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from onnx_reference import export  # ONNX Runtime's tools: the fp32 fused graph
    from tipsearch.models.question_encoder import QuestionEncoder, model_path, write_graph

    fp32 = MiniLMEmbedder(precision="fp32")
    out: dict[str, Encode] = {"torch fp32": lambda q: fp32.embed_pieces([q])}
    if cpu_has_bf16():
        bf16 = MiniLMEmbedder(precision="bf16")
        packed = prepacked(MiniLMEmbedder(precision="bf16"))
        out["torch bf16"] = lambda q: bf16.embed_pieces([q])
        out["torch bf16, weights prepacked for oneDNN"] = lambda q: packed.embed_pieces([q])
    makers = {"ONNX Runtime fp32 (fused graph)": lambda path: export(model_path(), path, int8=False),
              "ONNX Runtime int8 (shipped: question_encoder.py)": lambda path: write_graph(model_path(), path)}
    for i, (name, make) in enumerate(makers.items()):
        path = cache / f"{i}.onnx"
        _, seconds = timed(lambda path=path, make=make: make(path))
        print(f"{name}: made in {seconds:.1f} s", file=sys.stderr)
        encoder = QuestionEncoder(path, model_path())
        out[name] = lambda q, encoder=encoder: encoder.encode_pieces([q])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mode", choices=["question", "block"], default="question")
    ap.add_argument("--name", default=None, help="results file name (default question-encode-MODE)")
    args = ap.parse_args()
    qs = questions()
    with tempfile.TemporaryDirectory() as cache:
        encoders = variants(Path(cache))
        seconds: dict[str, list[float]] = {name: [] for name in encoders}
        for f in encoders.values():  # warm-up
            for q in qs[:10]:
                f(q)
        for _ in range(args.rounds):
            if args.mode == "question":
                for q in qs:
                    for name, f in encoders.items():
                        seconds[name].append(timed(lambda f=f, q=q: f(q))[1])
            else:
                for name, f in encoders.items():
                    seconds[name] += [timed(lambda f=f, q=q: f(q))[1] for q in qs]
        # equality with the fp32 reference, question by question
        cos: dict[str, list[float]] = {name: [] for name in encoders}
        piece_cos: dict[str, list[float]] = {name: [] for name in encoders}
        for q in qs:
            ref_v, (ref_p,) = encoders["torch fp32"](q)
            for name, f in encoders.items():
                v, (p,) = f(q)
                assert p.tokens == ref_p.tokens and p.spans == ref_p.spans, (name, q)
                cos[name].append(float(v[0] @ ref_v[0]))
                piece_cos[name].append(float((p.vectors * ref_p.vectors).sum(1).min()))
    base_name = "torch bf16" if "torch bf16" in encoders else "torch fp32"
    base = percentiles(seconds[base_name])[0]
    rows = []
    for name in encoders:
        p50, p95 = percentiles(seconds[name])
        rows.append((name, f"{p50:.2f}", f"{p95:.2f}", f"{base / p50:.2f}x", f"{min(cos[name]):.6f}",
                     f"{min(piece_cos[name]):.6f}"))
    tokens = [len(p.tokens) + 2 for p in (encoders["torch fp32"](q)[1][0] for q in qs)]
    write_table(
        args.name or f"question-encode-{args.mode}",
        f"One question's encode, 1 thread: {len(qs)} questions x {args.rounds} rounds, "
        f"{'interleaved question by question' if args.mode == 'question' else 'one variant after another'}",
        ["variant", "p50 ms", "p95 ms", f"p50 speed-up vs {base_name}", "cos to fp32 min (pooled)",
         "cos to fp32 min (word pieces)"], rows,
        notes=f"Each call: tokenize, encode, pool, and the unit vector of each word piece (what Library.rank "
              f"needs). Questions of {min(tokens)}-{max(tokens)} word pieces (mean {np.mean(tokens):.1f}). "
              "Interleaving evicts each variant's weights from cache between its calls (as other work does "
              "between a user's questions); block mode keeps them warm.",
        command="PYTHONPATH=src:. python " + " ".join(sys.argv))


if __name__ == "__main__":
    main()
