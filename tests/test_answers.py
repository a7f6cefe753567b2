"""The answer span: verbatim, the best-matching sentence, and no model call where there is no choice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tipsearch.search.answers import best_spans
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
