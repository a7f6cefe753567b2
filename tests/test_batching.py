"""How the build feeds the encoder: token-length batches, windows counted once, vectors unchanged."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
import torch

from tipsearch.models.embedders import HashingEmbedder, windows
from tipsearch.models.tokens import token_batches


@pytest.mark.parametrize("budget", [1, 64, 300, 8192])
def test_token_batches_keep_every_text_once_longest_first_within_budget(budget: int):
    rng = random.Random(budget)
    lengths = [rng.choice([2, 3, 30, 31, 120, 256, 256, 400]) for _ in range(500)]
    batches = token_batches(lengths, budget)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
    for b in batches:  # padded size fits the budget; a text longer than it still gets a batch alone
        assert len(b) * lengths[b[0]] <= budget or len(b) == 1
    # equal lengths keep their order (stable), so the same texts always make the same batches
    assert all(flat.index(i) < flat.index(j) for i, j in zip(flat, flat[1:]) if lengths[i] == lengths[j])


def test_token_batches_put_many_short_texts_together():
    batches = token_batches([10] * 100 + [250] * 4, 1000)
    assert [len(b) for b in batches] == [4, 100]


def test_token_batches_of_nothing():
    assert token_batches([], 100) == []


class _CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.counted: Counter[str] = Counter()

    def count_tokens(self, text: str) -> int:
        self.counted[text] += 1
        return super().count_tokens(text)


def test_windows_count_each_sentence_once():
    emb = _CountingEmbedder()
    text = " ".join(f"Sentence number {i} is about topic {i}." for i in range(200))
    parts = windows(text, emb)
    assert len(parts) >= 4  # windows overlap by a sentence, whose count is reused, not asked again
    assert max(emb.counted.values()) == 1
    assert sum(emb.counted.values()) == 200 + 1  # the whole text once, then each sentence


@pytest.mark.model
def test_batched_vectors_equal_one_at_a_time(minilm):
    model = minilm.model
    rng = random.Random(3)
    words = "victims traffickers prosecution labour exploitation States recommendation assistance".split()
    texts = [" ".join(rng.choices(words, k=rng.choice([1, 5, 40, 150, 400]))) for _ in range(24)]
    with torch.inference_mode():
        alone = torch.cat([model.encode([t]) for t in texts]).numpy()
        batched = model.encode(texts, batch_tokens=600).numpy()  # several batches, of mixed sizes
    assert len(token_batches([len(model.tokenizer.encode(t).ids) for t in texts], 600)) > 3
    np.testing.assert_allclose(batched, alone, atol=1e-5)  # same rows, same order, padding is inert
    assert float((batched * alone).sum(1).min()) > 0.99999
