"""Round three: would a learned fusion beat the hand-set blend? Cross-validated, on every question set.

Each (question, unit) pair of the seed corpus gets features: keyword BM25 / best, and the
question's cosine / best against three semantic views of the unit (its stored windows led by
label + heading, its plain windows, its best sentence), the exact-reference flag, "is a
recommendation", "is a recommendation and the question asks what should be done", and the
unit's length. A linear scorer is fitted with a listwise softmax loss (ListNet) in numpy and
scored by k-fold cross-validation over all question sets pooled, next to the fixed blend
(keyword 1, stored windows 1, reference 1) that `tipsearch search` uses. Not a test.

    PYTHONPATH=src .venv/bin/python bench/archive/fusion_cv.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# This folder for its neighbours, then bench/ for quality.py (the question sets, the cached embedder).
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from quality import HELDOUT, QUESTIONS, ROOT, CachedEmbedder  # noqa: E402

from tipsearch import Library, build  # noqa: E402
from tipsearch.search import retrieve as search  # noqa: E402
from tipsearch.search import vocabulary  # noqa: E402
from tipsearch.models.embedders import MiniLMEmbedder, resolve_precision, sentences, windows  # noqa: E402
from tipsearch.search.evaluation import Question, Scores, read_questions, score, unit_key  # noqa: E402
from tipsearch.index.chunks import embedding_texts  # noqa: E402

FEATURES = ("keyword", "windows", "sentence", "plain", "reference", "recommendation", "normative", "length")
# Questions asking what ought to be done: a recommendation is the natural answer.
NORMATIVE = re.compile(r"\b(should|must|ought|recommend\w*|needs? to|call(?:ed)? (?:on|for)|urg\w+|encourag\w*|"
                       r"what can|how can|best practices?)\b", re.IGNORECASE)
MODELS = (
    ("fixed: keyword 1, windows 1, reference 1 (the shipped weights)", ("keyword", "windows", "reference"), None),
    ("fitted: keyword, windows, reference", ("keyword", "windows", "reference"), 0.01),
    ("fitted: + sentence", ("keyword", "windows", "sentence", "reference"), 0.01),
    ("fitted: + sentence, plain", ("keyword", "windows", "sentence", "plain", "reference"), 0.01),
    ("fitted: + recommendation, normative", ("keyword", "windows", "reference", "recommendation", "normative"), 0.01),
    ("fitted: all eight", FEATURES, 0.01),
    ("fitted: all eight, stronger L2", FEATURES, 0.1),
)


class Features:
    """The feature matrix (units x FEATURES) of any question over one library's units."""

    def __init__(self, lib: Library, embedder: CachedEmbedder) -> None:
        self.lib, self.embedder = lib, embedder
        self.units = [u for d in lib.documents() for u in lib.document(d.file)[1]]
        self.keys = [unit_key(u) for u in self.units]
        self.row = {u.id: i for i, u in enumerate(self.units)}
        paragraphs = [u.paragraph for u in self.units]
        self.views = {
            "windows": [embedder.embed(embedding_texts(p, embedder)) for p in paragraphs],
            "plain": [embedder.embed(windows(p.text, embedder, 248)) for p in paragraphs],
            "sentence": [embedder.embed([p.text[a:b] for a, b in sentences(p.text)]) for p in paragraphs],
        }
        self.recommendation = np.array([1.0 if p.kind == "recommendation" else 0.0 for p in paragraphs])
        tokens = np.log([embedder.count_tokens(p.text) for p in paragraphs])
        self.length = tokens - tokens.mean()

    def of(self, question: str) -> np.ndarray:
        q = search.clip(question)
        f = np.zeros((len(self.units), len(FEATURES)))
        ranked = search.keyword(self.lib.generation.store, vocabulary.expand(q), len(self.units))
        if ranked and ranked[0][1] > 0:
            for unit, s in ranked:
                f[self.row[unit], 0] = s / ranked[0][1]
        vector = self.embedder.embed([q])[0]
        for column, view in ((1, "windows"), (2, "sentence"), (3, "plain")):
            cos = np.array([float((m @ vector).max()) for m in self.views[view]])
            f[:, column] = np.clip(cos / cos.max(), 0.0, None)
        for unit, _ in search.referenced(self.lib.generation.store, q):
            f[self.row[unit], 4] = 1.0
        f[:, 5] = self.recommendation
        f[:, 6] = self.recommendation * (1.0 if NORMATIVE.search(q) else 0.0)
        f[:, 7] = self.length
        return f

    def gains(self, question: Question) -> np.ndarray:
        g = question.gains()
        return np.array([g.get(k, 0.0) for k in self.keys])


def fit(xs: Sequence[np.ndarray], gains: Sequence[np.ndarray], l2: float, steps: int = 600) -> np.ndarray:
    """Weights maximising the softmax probability of the relevant units (ListNet), by gradient descent."""
    w = np.ones(xs[0].shape[1])
    for _ in range(steps):
        grad = l2 * w
        for x, g in zip(xs, gains):
            s = 5.0 * (x @ w)
            p = np.exp(s - s.max())
            grad += 5.0 * x.T @ (p / p.sum() - g / g.sum()) / len(xs)
        w -= 0.5 * grad
    return w


def scored(feats: Features, questions: Sequence[Question], xs: Sequence[np.ndarray], w: np.ndarray) -> Scores:
    by_text = {q.q: x for q, x in zip(questions, xs)}
    return score("fitted", questions, lambda q: [feats.keys[i] for i in np.argsort(-(by_text[q] @ w))[:10]])


def cross_validated(feats: Features, questions: list[Question], xs: list[np.ndarray], columns: list[int],
                    l2: float | None, folds: int = 8) -> tuple[float, float]:
    """(hit@1, nDCG@10) over all questions, each scored by weights fitted without its fold."""
    order = np.random.default_rng(0).permutation(len(questions))
    hit1 = ndcg = 0.0
    for fold in range(folds):
        test = sorted(order[fold::folds].tolist())
        train = [i for i in range(len(questions)) if i not in set(test)]
        sub = [x[:, columns] for x in xs]
        w = np.ones(len(columns)) if l2 is None else fit([sub[i] for i in train],
                                                          [feats.gains(questions[i]) for i in train], l2)
        s = scored(feats, [questions[i] for i in test], [sub[i] for i in test], w)
        hit1 += s.hit1 * len(test)
        ndcg += s.ndcg10 * len(test)
    return hit1 / len(questions), ndcg / len(questions)


def main() -> int:
    precision = resolve_precision("auto", "cpu")
    embedder = CachedEmbedder(MiniLMEmbedder(precision=precision))
    questions = [q for path in [*QUESTIONS, *HELDOUT] for q in read_questions(path)]
    with tempfile.TemporaryDirectory() as tmp:
        build(ROOT / "corpus", Path(tmp) / "index", embedder=embedder, progress=False)
        lib = Library.open(Path(tmp) / "index", embedder)
        feats = Features(lib, embedder)
        xs = [feats.of(q.q) for q in questions]
        print(f"\nAll question sets pooled ({len(questions)}), {precision}, 8-fold cross-validation\n")
        print("| scorer | hit@1 | nDCG@10 | weights fitted on all |\n|---|---|---|---|")
        for name, names, l2 in MODELS:
            columns = [FEATURES.index(n) for n in names]
            h, n = cross_validated(feats, questions, xs, columns, l2)
            w = np.ones(len(columns)) if l2 is None else fit([x[:, columns] for x in xs],
                                                              [feats.gains(q) for q in questions], l2)
            weights = ", ".join(f"{a} {b:.2f}" for a, b in zip(names, w))
            print(f"| {name} | {h:.3f} | {n:.3f} | {weights} |")
        lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
