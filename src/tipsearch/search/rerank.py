"""Reading the candidates: the first-stage top k re-ordered by token-level MaxSim.

The first stage (search.py) compares one vector per window with the question's one vector, and
BM25 counts shared words. Reading compares every word piece of the question, in context, with
every word piece of each candidate (ColBERT's MaxSim, on all-MiniLM-L6-v2's own token vectors):
each question piece finds its best match in the paragraph, and the matches are averaged. It
separates near-duplicate paragraphs that one vector per window blurs.

Nothing is run through the model at search time for it. The build keeps, from the same pass that
embeds each window, the sign of each of its word pieces' vectors (48 bytes a piece), leaving out
the window's context prefix (label and heading), question words and punctuation: pieces.npy and
piece-offsets.npy. The question's pieces come from the pass that embeds the question. Measured
against reading the candidates' full vectors at search time in bench/TUNING.md (round five).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tipsearch.index.pieces import voting
from tipsearch.models.embedders import Pieces
from tipsearch.search.retrieve import Candidate


def question_pieces(pieces: Pieces) -> np.ndarray:
    """The question's piece vectors without question words and punctuation (all of them if none is left)."""
    keep = voting(pieces)
    return pieces.vectors[keep] if keep else pieces.vectors


def maxsim(question: np.ndarray, unit: np.ndarray) -> float:
    """Mean over the question's pieces of each one's best cosine among the unit's pieces."""
    if not len(question) or not len(unit):
        return 0.0
    return float((question @ unit.T).max(axis=1).mean())


def reread(question: np.ndarray, candidates: Sequence[Candidate], units: Sequence[np.ndarray],
           weight: float) -> list[Candidate]:
    """Candidates re-ordered by their score + weight x MaxSim / best MaxSim among them.

    question: its voting pieces' vectors; units: each candidate's piece vectors (all its windows).
    """
    if weight <= 0 or len(candidates) < 2:
        return list(candidates)
    scores = [maxsim(question, unit) for unit in units]
    best = max(scores)
    if best <= 0:
        return list(candidates)
    out = [Candidate(c.unit_id, c.score + weight * s / best, {**c.scores, "reading": s})
           for c, s in zip(candidates, scores)]
    return sorted(out, key=lambda c: -c.score)
