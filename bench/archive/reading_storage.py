"""Round five: what reading may keep at build time instead of running the model over the candidates.

Reading (reading.py) used to run the model over the first stage's top 5 at search time (~150 ms on
the seed). Here every variant reads the same first-stage top 5 with weight 0.5; only the units'
piece vectors differ:

- live: the paragraph's own windows (no context prefix) through the model at search time, full vectors;
- build pass: the pieces of the windows the build embeds (led by label + heading), prefix dropped;
- then question words and punctuation dropped ("pruned"), int8, a 128-d projection, or sign bits.

The shipped form is "build pass, pruned, sign bits". Scored on every question set (206 pooled).
Not a test.

    PYTHONPATH=src .venv/bin/python bench/archive/reading_storage.py
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

# This folder for its neighbours, then bench/ for quality.py (the question sets, the cached embedder).
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from quality import HELDOUT, QUESTIONS, ROOT  # noqa: E402

from tipsearch import Library, build  # noqa: E402
from tipsearch.models.embedders import MiniLMEmbedder, Pieces, resolve_precision, windows  # noqa: E402
from tipsearch.search.evaluation import Scores, read_questions, score, unit_key  # noqa: E402
from tipsearch.index.chunks import context_prefix, embedding_texts  # noqa: E402
from tipsearch.index.pieces import pack, unpack, voting  # noqa: E402
from tipsearch.search.rerank import question_pieces, reread  # noqa: E402
from tipsearch.search.retrieve import RANKING, retrieve  # noqa: E402
from tipsearch.text import clip  # noqa: E402


def concat(parts: list[np.ndarray], dimension: int = 384) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros((0, dimension), dtype=np.float32)


def main() -> int:
    emb = MiniLMEmbedder(precision=resolve_precision("auto", "cpu"))
    with tempfile.TemporaryDirectory() as tmp:
        build(ROOT / "corpus", Path(tmp) / "index", embedder=emb, progress=False)
        lib = Library.open(Path(tmp) / "index", embedder=emb)
        units = [u for d in lib.documents() for u in lib.document(d.file)[1]]
        by_id = {u.id: u for u in units}

        live, build_pass, pruned = {}, {}, {}
        for u in units:
            read = emb.embed_pieces(windows(u.paragraph.text, emb) or [u.paragraph.text])[1]
            live[u.id] = concat([r.vectors for r in read])
            skip = len(context_prefix(u.paragraph))
            read = emb.embed_pieces(embedding_texts(u.paragraph, emb))[1]
            build_pass[u.id] = concat([r.vectors[[i for i, (s, _) in enumerate(r.spans) if s >= skip]] for r in read])
            pruned[u.id] = concat([r.vectors[voting(r, skip)] for r in read])
        every = concat(list(pruned.values()))
        basis = np.linalg.svd(every.astype(np.float64), full_matrices=False)[2][:128].T.astype(np.float32)

        sets = {p.stem: read_questions(p) for p in QUESTIONS + HELDOUT}
        questions: dict[str, tuple[list, Pieces]] = {}
        for q in (q for qs in sets.values() for q in qs):
            if q.q not in questions:
                questions[q.q] = (retrieve(lib.generation.store, lib.generation.vectors, emb, q.q, 10),
                                  emb.embed_pieces([clip(q.q)])[1][0])

        def int8(v: np.ndarray) -> np.ndarray:
            scale = np.abs(v).max(axis=1, keepdims=True) / 127
            return np.round(v / np.maximum(scale, 1e-12)) * scale

        def unit_rows(v: np.ndarray) -> np.ndarray:
            return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)

        variants: dict[str, tuple[dict[int, np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
            "live (model over the top 5 at search time)": (live, lambda q: q),
            "build pass": (build_pass, lambda q: q),
            "build pass, pruned": (pruned, lambda q: q),
            "build pass, pruned, int8": ({k: unit_rows(int8(v)) for k, v in pruned.items()}, lambda q: q),
            "build pass, pruned, 128-d projection, int8": (
                {k: unit_rows(int8(v @ basis)) for k, v in pruned.items()}, lambda q: unit_rows(q @ basis)),
            "**build pass, pruned, sign bits (shipped)**": (
                {k: unpack(pack(v), 384) for k, v in pruned.items()}, lambda q: q),
        }
        print("| reading from (top 5, weight 0.5) | bytes a piece | " + " | ".join(sets) + " | all 206 |")
        print("|---" * (len(sets) + 3) + "|")
        print(row("first stage only", "-", sets, lambda q: [unit_key(by_id[c.unit_id]) for c in questions[q][0]]))
        sizes = [4 * 384, 4 * 384, 4 * 384, 384 + 4, 128 + 4, 48]
        for (name, (store, project)), size in zip(variants.items(), sizes):
            def rank(q: str, store=store, project=project) -> list[str]:  # noqa: ANN001
                first, read = questions[q]
                head = first[: RANKING.reading_depth]
                out = reread(project(question_pieces(read)), head, [store[c.unit_id] for c in head],
                             RANKING.reading_weight) + first[len(head):]
                return [unit_key(by_id[c.unit_id]) for c in out]

            print(row(name, str(size), sets, rank))
        lib.close()
    return 0


def row(name: str, size: str, sets: dict, rank: Callable[[str], list[str]]) -> str:
    scores: list[Scores] = [score(name, qs, rank) for qs in sets.values()]
    pooled = score(name, [q for qs in sets.values() for q in qs], rank)
    cells = [f"{s.hit1:.3f} / {s.ndcg10:.3f}" for s in (*scores, pooled)]
    return f"| {name} | {size} | " + " | ".join(cells) + " |"


if __name__ == "__main__":
    sys.exit(main())
