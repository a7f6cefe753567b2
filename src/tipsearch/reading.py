"""Reading the candidates: the first-stage top k re-ordered by token-level MaxSim.

The first stage (search.py) compares one vector per window with the question's one vector, and
BM25 counts shared words. Reading compares every word piece of the question, in context, with
every word piece of each candidate (ColBERT's MaxSim, on all-MiniLM-L6-v2's own token vectors):
each question piece finds its best match in the paragraph, and the matches are averaged. It
separates near-duplicate paragraphs that one vector per window blurs. Measured in
bench/maxsim_cv.py and bench/TUNING.md (round four); it costs one forward pass over the k
candidates, so it runs on the k a search returns, not on the whole index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .embedding import Embedder, windows
from .search import STOPWORDS, Candidate

_WORDLIKE = re.compile(r"\w")


def can_read(embedder: Embedder) -> bool:
    """Only a model with token vectors can read (the hashing embedder of the tests cannot)."""
    return callable(getattr(embedder, "token_vectors", None))


def question_pieces(vectors: np.ndarray, pieces: Sequence[str]) -> np.ndarray:
    """The question's piece vectors without question words and punctuation (all of them if none is left)."""
    keep = [i for i, t in enumerate(pieces) if _WORDLIKE.match(t) and t.lower() not in STOPWORDS]
    return vectors[keep] if keep else vectors


def maxsim(question: np.ndarray, unit: np.ndarray) -> float:
    """Mean over the question's pieces of each one's best cosine among the unit's pieces."""
    if not len(question) or not len(unit):
        return 0.0
    return float((question @ unit.T).max(axis=1).mean())


def reread(question: str, candidates: Sequence[Candidate], texts: Sequence[str], embedder: Embedder,
           weight: float) -> list[Candidate]:
    """Candidates re-ordered by their score + weight x MaxSim / best MaxSim among them.

    texts: each candidate's text. A long text is read in windows the model can take whole, so its
    end counts too.
    """
    if weight <= 0 or len(candidates) < 2 or not can_read(embedder):
        return list(candidates)
    spans = [windows(t, embedder) or [t] for t in texts]
    read = embedder.token_vectors([question, *(w for group in spans for w in group)])
    q = question_pieces(*read[0])
    scores, at = [], 1
    for group in spans:
        unit = np.concatenate([v for v, _ in read[at : at + len(group)]])
        scores.append(maxsim(q, unit))
        at += len(group)
    best = max(scores)
    if best <= 0:
        return list(candidates)
    out = [Candidate(c.unit_id, c.score + weight * s / best, {**c.scores, "reading": s})
           for c, s in zip(candidates, scores)]
    return sorted(out, key=lambda c: -c.score)
