"""The answer span: the sentence or list item of a unit that best answers the question."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tipsearch.models.embedders import Embedder, sentences
from tipsearch.text import terms as _terms



def best_spans(question: str, texts: Sequence[str], embedder: Embedder) -> list[str]:
    """For each text, its span closest to the question in meaning, with word overlap to break ties.

    Every span returned occurs verbatim in its text. One embedding call serves all texts, and only
    texts of two or more spans are embedded: a one-sentence unit is its own answer.
    """
    spans = [[text[a:b] for a, b in sentences(text)] or [text] for text in texts]
    choices = [group for group in spans if len(group) > 1]
    if not choices:
        return [group[0] for group in spans]
    vectors = embedder.embed([question, *(s for group in choices for s in group)])
    q, rest = vectors[0], vectors[1:]
    similarity = rest @ q
    q_terms = _terms(question)
    out: list[str] = []
    offset = 0
    for group in spans:
        if len(group) == 1:
            out.append(group[0])
            continue
        sims = similarity[offset : offset + len(group)]
        overlap = np.array([len(q_terms & _terms(s)) / (len(q_terms) or 1) for s in group])
        out.append(group[int(np.argmax(sims + 0.15 * overlap))])
        offset += len(group)
    return out
