"""The multilingual model's sentence vectors: each unit's sentences (a one-sentence unit: its text) embedded
apart as passages, so that a search scores a unit by the mean of its best window and its best sentence
(bench/TUNING.md round six: e5 read over whole windows blurs a long paragraph's one matching sentence).
Embedded apart, not pooled from the window pass: pooled, every translated set and the answer spans lost
(bench/archive/e5_sentences.py, bench/results/e5-sentences.md).

    sentences-e5.npy        float32 unit rows, unit by unit in unit order
    sentence-units-e5.npy   each row's unit id
    sentence-keys-e5.npy    each row's sentence, as index.spans.span_key of its text: unchanged text is reused
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from tipsearch.index.layout import SENTENCE_KEYS, SENTENCE_UNITS, SENTENCE_VECTORS
from tipsearch.index.spans import span_key
from tipsearch.models.embedders import Embedder, sentences

BATCH = 64


def unit_sentences(text: str) -> list[str]:
    """A unit's sentences and list items as the multilingual model reads them apart; its text when it has one."""
    return [text[a:b] for a, b in sentences(text)] or [text]


@dataclass(frozen=True)
class SentenceStore:
    vectors: np.ndarray
    units: np.ndarray
    keys: np.ndarray

    @classmethod
    def load(cls, folder: Path) -> SentenceStore:
        return cls(np.load(folder / SENTENCE_VECTORS, mmap_mode="r"), np.load(folder / SENTENCE_UNITS),
                   np.load(folder / SENTENCE_KEYS))

    def save(self, folder: Path) -> None:
        np.save(folder / SENTENCE_VECTORS, np.ascontiguousarray(self.vectors, dtype=np.float32))
        np.save(folder / SENTENCE_UNITS, np.ascontiguousarray(self.units, dtype=np.int64))
        np.save(folder / SENTENCE_KEYS, np.ascontiguousarray(self.keys, dtype=np.int64))

    def of_units(self, units: Sequence[int]) -> list[dict[int, np.ndarray]]:
        """Each unit's sentence vectors, by span key (index.spans.span_key of the sentence's text). The rows
        are unit by unit in unit order, so each unit's are found by bisection."""
        wanted = np.asarray(units, dtype=np.int64)
        starts = np.searchsorted(self.units, wanted, side="left")
        ends = np.searchsorted(self.units, wanted, side="right")
        return [{int(k): np.asarray(v, dtype=np.float32) for k, v in zip(self.keys[a:b], self.vectors[a:b])}
                for a, b in zip(starts.tolist(), ends.tolist())]

    def best(self, vector: np.ndarray, allowed: Collection[int] | None = None) -> dict[int, float]:
        """unit id -> the cosine of its sentence nearest the vector, for every (allowed) unit: one exact scan."""
        scores = np.asarray(self.vectors @ vector, dtype=np.float32)
        order = np.lexsort((-scores, self.units))  # by unit, best sentence first
        units = self.units[order]
        first = np.ones(len(units), dtype=bool)
        first[1:] = units[1:] != units[:-1]
        out = dict(zip(units[first].tolist(), scores[order][first].tolist()))
        return out if allowed is None else {u: s for u, s in out.items() if u in allowed}


def embed_passages(texts: Sequence[str], reuse: Sequence[tuple[int, int]], previous: Callable[[list[int]], np.ndarray],
                   embedder: Embedder, desc: str, progress: bool, checkpoint: Callable[[], None]) -> np.ndarray:
    """The multilingual model's vector of each text: rows i of reuse's (i, j) from previous([j, ...]), the others
    embedded as passages, each distinct text once (UN documents repeat sentences: 17,117 sentences of the real
    corpus are 9,342 texts), longest first (each batch pads to similar lengths)."""
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    if reuse:
        vectors[[i for i, _ in reuse]] = previous([j for _, j in reuse])
    reused = {i for i, _ in reuse}
    first: dict[str, int] = {}
    copies: list[tuple[int, int]] = []
    for i in range(len(texts)):
        if i not in reused:
            j = first.setdefault(texts[i], i)
            if j != i:
                copies.append((i, j))
    todo = sorted(first.values(), key=lambda i: -len(texts[i]))
    with tqdm(total=len(todo), desc=desc, unit="text", disable=not progress or not todo) as bar:
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            vectors[batch] = embedder.embed_passages([texts[i] for i in batch])
            bar.update(len(batch))
            checkpoint()
    for i, j in copies:
        vectors[i] = vectors[j]
    return vectors


def embed_sentences(units: Sequence[tuple[int, str]], embedder: Embedder, previous: SentenceStore | None,
                    progress: bool, checkpoint: Callable[[], None] = lambda: None) -> SentenceStore:
    """Every unit's sentences by the multilingual model, reusing the live generation's vector of the same text."""
    rows = [(unit, text, span_key(text)) for unit, unit_text in units for text in unit_sentences(unit_text)]
    known = {} if previous is None else {int(k): i for i, k in enumerate(previous.keys.tolist())}
    reuse = [(i, known[key]) for i, (_, _, key) in enumerate(rows) if key in known]
    vectors = embed_passages([text for _, text, _ in rows], reuse,
                             lambda js: previous.vectors[js], embedder,
                             "Embedding sentences (multilingual)", progress, checkpoint)
    return SentenceStore(vectors, np.asarray([u for u, _, _ in rows], dtype=np.int64),
                         np.asarray([k for _, _, k in rows], dtype=np.int64))
