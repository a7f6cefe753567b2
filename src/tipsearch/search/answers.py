"""The answer span: the sentence or list item of a unit that best answers the question.

Each span is scored by its cosine with the question and, to break near ties, the share of the question's words
it holds. The sentence vectors come from the build (index/spans.py), so a search runs no model for them; an
index without them (a model that does not read, such as the hashing embedder) embeds the sentences here. Where
the index has the multilingual model's sentence vectors (index/multilingual.py), its cosine joins the score and
MiniLM's part is gated by the share of the question's words the index holds (Multilingual, minilm_share).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tipsearch.index.spans import span_key
from tipsearch.models.embedders import Embedder, sentences
from tipsearch.text import terms as _terms

OVERLAP_WEIGHT = 0.15  # the share of question words a span holds, added to its cosine
# Where the index has the multilingual model's sentence vectors, a span scores
#     MINILM_WEIGHT x gate x (MiniLM cosine + OVERLAP_WEIGHT x word share) + MULTILINGUAL_WEIGHT x its cosine,
# gate = min(1, share of the question's words the index holds / SPAN_GATE): for an English question MiniLM
# keeps half the multilingual model's weight, for a Russian one it drops out (bench/answers.py: right spans of
# the 105 seed questions, English 86 -> 87, French 65 -> 86, Spanish 51 -> 81, Russian 36 -> 86, Arabic 37 -> 80,
# Chinese 41 -> 83; chosen among six variants on these same sets).
MINILM_WEIGHT = 0.5
MULTILINGUAL_WEIGHT = 1.0
SPAN_GATE = 0.7  # as the ranking gates MiniLM (search/retrieve.py MULTILINGUAL)


def minilm_share(known: float) -> float:
    """MiniLM's weight in a span's score beside the multilingual model, for a question of whose words this share
    is in the index."""
    return MINILM_WEIGHT * min(1.0, known / SPAN_GATE)


def _pick(question: str, group: list[str], similarity: np.ndarray, own: float = 1.0, other: float | np.ndarray = 0.0
          ) -> str:
    q_terms = _terms(question)
    overlap = np.array([len(q_terms & _terms(s)) / (len(q_terms) or 1) for s in group])
    return group[int(np.argmax(own * (similarity + OVERLAP_WEIGHT * overlap) + other))]


def spans_of(text: str) -> list[str]:
    """A text's sentences and list items, verbatim; the text itself when it has none."""
    return [text[a:b] for a, b in sentences(text)] or [text]


@dataclass(frozen=True)
class Multilingual:
    """The multilingual model's part in a span's score: the question's vector by it, each text's sentence
    vectors by it (index/multilingual.py), and the weights of its cosine and of MiniLM's."""

    vector: np.ndarray
    stored: Sequence[dict[int, np.ndarray]]
    weight: float = MULTILINGUAL_WEIGHT
    own: float = MINILM_WEIGHT  # MiniLM's cosine and the word overlap: see minilm_share


def _cosines(vector: np.ndarray, group: list[str], found: dict[int, np.ndarray]) -> np.ndarray:
    return np.array([float(found[k] @ vector) if (k := span_key(s)) in found else 0.0 for s in group])


def stored_spans(question: str, vector: np.ndarray, texts: Sequence[str], stored: Sequence[dict[int, np.ndarray]],
                 multilingual: Multilingual | None = None) -> list[str]:
    """For each text, its span closest to the question, by the sentence vectors the build stored for it
    (stored[i]: span key -> vector), and by the multilingual model's where given. A span the build could not
    place in a window scores by its words alone."""
    out: list[str] = []
    for i, (text, found) in enumerate(zip(texts, stored)):
        group = spans_of(text)
        if len(group) == 1:
            out.append(group[0])
            continue
        similarity = _cosines(vector, group, found)
        if multilingual is None:
            out.append(_pick(question, group, similarity))
            continue
        other = multilingual.weight * _cosines(multilingual.vector, group, multilingual.stored[i])
        out.append(_pick(question, group, similarity, multilingual.own, other))
    return out


def best_spans(question: str, texts: Sequence[str], embedder: Embedder, vector: np.ndarray | None = None) -> list[str]:
    """For each text, its span closest to the question in meaning, embedding the spans now (and the question,
    unless its vector is given).

    Every span returned occurs verbatim in its text. One embedding call serves all texts, and only
    texts of two or more spans are embedded: a one-sentence unit is its own answer.
    """
    spans = [spans_of(text) for text in texts]
    choices = [group for group in spans if len(group) > 1]
    if not choices:
        return [group[0] for group in spans]
    asked = [] if vector is not None else [question]
    vectors = embedder.embed([*asked, *(s for group in choices for s in group)])
    q, rest = (vector, vectors) if vector is not None else (vectors[0], vectors[1:])
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
