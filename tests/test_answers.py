"""The answer span: verbatim, the best-matching sentence, and no model call where there is no choice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tipsearch.index.spans import span_key
from tipsearch.search.answers import Multilingual, best_spans, spans_of, stored_spans
from tipsearch.models.embedders import HashingEmbedder


class Counting(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return super().embed(texts)


def test_one_sentence_texts_are_their_own_answer_without_embedding():
    emb = Counting()
    texts = ["States should provide free legal assistance to victims.", "The meeting was opened."]
    assert best_spans("legal assistance", texts, emb) == texts
    assert emb.seen == []


def test_only_texts_with_a_choice_are_embedded_and_the_matching_sentence_wins():
    emb = Counting()
    long = ("The Working Group met in Vienna. Victims should receive compensation from the assets of "
            "traffickers. The session closed at noon.")
    short = "One sentence only."
    answers = best_spans("compensation from traffickers' assets", [short, long, ""], emb)
    assert answers[0] == short
    assert answers[1] == "Victims should receive compensation from the assets of traffickers."
    assert answers[1] in long
    assert answers[2] == ""
    assert short not in emb.seen and "compensation from traffickers' assets" in emb.seen
    assert len(emb.seen) == 1 + 3  # the question and the three sentences of the long text


def _unit(*parts: float) -> np.ndarray:
    v = np.zeros(4, dtype=np.float32)
    v[: len(parts)] = parts
    return v / np.linalg.norm(v)


def test_the_multilingual_models_sentence_vectors_join_the_span_score_at_their_weights():
    text = "Das Treffen fand statt. Opfer erhalten Rechtsbeistand. Die Sitzung endete."
    first, second, third = spans_of(text)
    # MiniLM leans to the first sentence, the multilingual model clearly to the second
    minilm = {span_key(first): _unit(1, 0.2), span_key(second): _unit(0.9, 0.5), span_key(third): _unit(0, 1)}
    e5 = {span_key(first): _unit(0, 0, 1), span_key(second): _unit(1, 0, 0.1), span_key(third): _unit(0, 0, 0, 1)}
    question, q_minilm, q_e5 = "Quels sont les droits des victimes ?", _unit(1), _unit(1)
    assert stored_spans(question, q_minilm, [text], [minilm]) == [first]
    assert stored_spans(question, q_minilm, [text], [minilm], Multilingual(q_e5, [e5], weight=1.0)) == [second]
    assert stored_spans(question, q_minilm, [text], [minilm], Multilingual(q_e5, [e5], weight=0.01)) == [first]
    # MiniLM (and the word overlap) weighed 0: the multilingual model alone, here for the third sentence
    alone = Multilingual(_unit(0, 0, 0, 1), [e5], weight=0.1, own=0.0)
    assert stored_spans(question, q_minilm, [text], [minilm], alone) == [third]
