"""The answer span: the sentence or list item of a unit that best answers the question.

Each span is scored by its cosine with the question and, to break near ties, the share of the question's words
it holds. The sentence vectors come from the build (index/spans.py), so a search runs no model for them; an
index without them (a model that does not read, such as the hashing embedder) embeds the sentences here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tipsearch.index.spans import span_key
from tipsearch.models.embedders import Embedder, sentences
from tipsearch.text import terms as _terms

OVERLAP_WEIGHT = 0.15  # the share of question words a span holds, added to its cosine


def _pick(question: str, group: list[str], similarity: np.ndarray) -> str:
    q_terms = _terms(question)
    overlap = np.array([len(q_terms & _terms(s)) / (len(q_terms) or 1) for s in group])
    return group[int(np.argmax(similarity + OVERLAP_WEIGHT * overlap))]


def spans_of(text: str) -> list[str]:
    """A text's sentences and list items, verbatim; the text itself when it has none."""
    return [text[a:b] for a, b in sentences(text)] or [text]


def stored_spans(question: str, vector: np.ndarray, texts: Sequence[str],
                 stored: Sequence[dict[int, np.ndarray]]) -> list[str]:
    """For each text, its span closest to the question, by the sentence vectors the build stored for it
    (stored[i]: span key -> vector). A span the build could not place in a window scores by its words alone."""
    out: list[str] = []
    for text, found in zip(texts, stored):
        group = spans_of(text)
        if len(group) == 1:
            out.append(group[0])
            continue
        similarity = np.array([float(found[k] @ vector) if (k := span_key(s)) in found else 0.0 for s in group])
        out.append(_pick(question, group, similarity))
    return out


def best_spans(question: str, texts: Sequence[str], embedder: Embedder) -> list[str]:
    """For each text, its span closest to the question in meaning, embedding the spans now.

    Every span returned occurs verbatim in its text. One embedding call serves all texts, and only
    texts of two or more spans are embedded: a one-sentence unit is its own answer.
    """
    spans = [spans_of(text) for text in texts]
    choices = [group for group in spans if len(group) > 1]
    if not choices:
        return [group[0] for group in spans]
    vectors = embedder.embed([question, *(s for group in choices for s in group)])
    q, rest = vectors[0], vectors[1:]
    similarity = rest @ q
    out: list[str] = []
    offset = 0
    for group in spans:
        if len(group) == 1:
            out.append(group[0])
            continue
        out.append(_pick(question, group, similarity[offset : offset + len(group)]))
        offset += len(group)
    return out
