"""The lead for round four: token-level MaxSim (ColBERT-style) from all-MiniLM-L6-v2's own token vectors.

For each unit, the model's contextual vector of every word piece of its text (windows of 248
word pieces, so long paragraphs count whole); for the question, the vectors of its word pieces
that are not question words. MaxSim = for each question piece, its best cosine among the unit's
pieces, averaged (optionally weighted by the piece's idf over the units). Scored alone, as a
fourth feature of the fixed blend (keyword 0.8, windows 1, reference 1, MaxSim w), and in the
cross-validated learned fusion of bench/archive/fusion_cv.py. Not in `tipsearch search` yet: it needs the
units' token vectors, so in use it would rerank the top candidates (a forward pass over ~20
paragraphs a question). Not a test.

    PYTHONPATH=src .venv/bin/python bench/archive/maxsim_cv.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import torch

# This folder for its neighbours, then bench/ for quality.py (the question sets, the cached embedder).
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from fusion_cv import FEATURES, Features, cross_validated  # noqa: E402
from quality import HELDOUT, QUESTIONS, ROOT, CachedEmbedder  # noqa: E402

from tipsearch import Library, build  # noqa: E402
from tipsearch.models.embedders import MiniLMEmbedder, resolve_precision, windows  # noqa: E402
from tipsearch.search.evaluation import read_questions, score  # noqa: E402
from tipsearch.text import STOPWORDS  # noqa: E402

_SPECIAL = ("[CLS]", "[SEP]")


def token_vectors(model, text: str) -> tuple[np.ndarray, list[str]]:
    """Unit vectors of the text's word pieces (no [CLS]/[SEP]) and the pieces, as the model reads them."""
    enc = model.tokenizer.encode(text)
    ids = torch.tensor([enc.ids])
    with torch.inference_mode():
        x = model.embeddings(ids)
        bias = torch.zeros((1, 1, 1, ids.shape[1]), dtype=model.dtype)
        for layer in model.encoder.layer:
            x = layer(x, bias)
    v = torch.nn.functional.normalize(x[0].float(), dim=-1).numpy()
    keep = [i for i, t in enumerate(enc.tokens) if t not in _SPECIAL]
    return v[keep], [enc.tokens[i] for i in keep]


def question_pieces(model, question: str) -> tuple[np.ndarray, list[str]]:
    v, pieces = token_vectors(model, question)
    keep = [i for i, t in enumerate(pieces) if t.lower() not in STOPWORDS and re.match(r"\w", t)]
    return (v[keep], [pieces[i] for i in keep]) if keep else (v, pieces)


def main() -> int:
    precision = resolve_precision("auto", "cpu")
    embedder = CachedEmbedder(MiniLMEmbedder(precision=precision))
    model = embedder.inner.model
    questions = [q for path in [*QUESTIONS, *HELDOUT] for q in read_questions(path)]
    with tempfile.TemporaryDirectory() as tmp:
        build(ROOT / "corpus", Path(tmp) / "index", embedder=embedder, progress=False)
        lib = Library.open(Path(tmp) / "index", embedder)
        feats = Features(lib, embedder)
        docs, doc_pieces = [], []
        for u in feats.units:
            parts = [token_vectors(model, w) for w in windows(u.paragraph.text, embedder, 248)]
            docs.append(np.concatenate([v for v, _ in parts]))
            doc_pieces.append({t for _, ts in parts for t in ts})
        df = Counter(t for pieces in doc_pieces for t in pieces)
        n = len(feats.units)
        base = [feats.of(q.q) for q in questions]
        names = [*FEATURES, "maxsim"]
        print(f"\nAll question sets pooled ({len(questions)}), {precision}; hit@1 / nDCG@10\n")
        print("| MaxSim variant | alone | fixed blend + MaxSim 0.25 | + MaxSim 0.5 | + MaxSim 1 | learned fusion + MaxSim, 8-fold CV |")
        print("|---|---|---|---|---|---|")
        for variant in ("plain", "idf"):
            xs = []
            for q, f in zip(questions, base):
                qv, pieces = question_pieces(model, q.q)
                per = np.stack([(qv @ d.T).max(axis=1) for d in docs])  # units x question pieces
                w = (np.array([np.log((n + 1) / (df.get(t, 0) + 0.5)) for t in pieces]) if variant == "idf"
                     else np.ones(len(pieces)))
                s = (per * w).sum(axis=1) / w.sum()
                xs.append(np.concatenate([f, np.clip(s / s.max(), 0.0, None)[:, None]], axis=1))
            by_q = {q.q: x for q, x in zip(questions, xs)}
            alone = score("maxsim", questions, lambda t: [feats.keys[i] for i in np.argsort(-by_q[t][:, -1])[:10]])
            cells = [f"{alone.hit1:.3f} / {alone.ndcg10:.3f}"]
            columns = [names.index(c) for c in ("keyword", "windows", "reference", "maxsim")]
            for weight in (0.25, 0.5, 1.0):
                w = np.array([0.8, 1.0, 1.0, weight])
                s = score("blend", questions,
                          lambda t, w=w: [feats.keys[i] for i in np.argsort(-(by_q[t][:, columns] @ w))[:10]])
                cells.append(f"{s.hit1:.3f} / {s.ndcg10:.3f}")
            h, nd = cross_validated(feats, questions, xs, columns, 0.01)
            cells.append(f"{h:.3f} / {nd:.3f}")
            print(f"| {variant} | " + " | ".join(cells) + " |")
        fixed = [names.index(c) for c in ("keyword", "windows", "reference")]
        w = np.array([0.8, 1.0, 1.0])
        s = score("shipped", questions, lambda t: [feats.keys[i] for i in np.argsort(-(feats.of(t)[:, fixed] @ w))[:10]])
        print(f"\nThe shipped blend on the same features (keyword 0.8, windows 1, reference 1): "
              f"{s.hit1:.3f} / {s.ndcg10:.3f}")
        lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
