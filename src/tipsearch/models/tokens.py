"""The model folder's tokenizer and window, and batching by length, without torch: the question path (ONNX Runtime)
needs only these."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from tokenizers import Tokenizer


def max_seq_length(path: Path) -> int:
    """The word pieces the model folder's sentence-transformers config lets it read (256 here)."""
    return int(json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"])


def load_tokenizer(path: Path, truncate: bool = True) -> Tokenizer:
    """The model folder's tokenizer, without padding; cut at the model's window unless not truncate."""
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.no_padding()
    if truncate:
        tokenizer.enable_truncation(max_seq_length(path))
    else:
        tokenizer.no_truncation()
    return tokenizer


def token_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices of lengths, longest first, cut into batches whose rows x longest length fit budget.

    Every index appears exactly once; a text longer than the budget still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])  # stable: equal lengths keep order
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # sorted longest first, so the batch's width is its first text's length
        if current and (len(current) + 1) * lengths[current[0]] > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
