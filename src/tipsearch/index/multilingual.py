"""The multilingual model's sentence vectors: each unit's sentences (a one-sentence unit: its text) embedded
apart as passages, so that a search scores a unit by the mean of its best window and its best sentence
(bench/TUNING.md round six: e5 read over whole windows blurs a long paragraph's one matching sentence).

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
from tipsearch.models.e5_reader import Spans
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
                   embedder: Embedder, desc: str, progress: bool, checkpoint: Callable[[], None],
                   spans: Sequence[Spans] | None = None) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The multilingual model's vector of each text: rows i of reuse's (i, j) from previous([j, ...]), the others
    embedded as passages, longest first (each batch pads to similar lengths). spans: each text's sentences as
    (start, end, key), read from the same pass where the model can (E5Embedder.embed_sentences): key -> vector
    of the first text that holds it."""
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    if reuse:
        vectors[[i for i, _ in reuse]] = previous([j for _, j in reuse])
    reused = {i for i, _ in reuse}
    todo = sorted((i for i in range(len(texts)) if i not in reused), key=lambda i: -len(texts[i]))
    pooled = spans is not None and callable(getattr(embedder, "embed_sentences", None))
    found: dict[int, np.ndarray] = {}
    with tqdm(total=len(todo), desc=desc, unit="text", disable=not progress or not todo) as bar:
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            if pooled:
                vectors[batch], read = embedder.embed_sentences([texts[i] for i in batch],
                                                                [[(a, b) for a, b, _ in spans[i]] for i in batch])
                for i, rows in zip(batch, read):
                    for (_, _, key), row in zip(spans[i], rows):
                        found.setdefault(key, row)
            else:
                vectors[batch] = embedder.embed_passages([texts[i] for i in batch])
            bar.update(len(batch))
            checkpoint()
    return vectors, found


def embed_sentences(units: Sequence[tuple[int, str]], embedder: Embedder, previous: SentenceStore | None,
                    progress: bool, checkpoint: Callable[[], None] = lambda: None,
                    read: dict[int, np.ndarray] | None = None) -> SentenceStore:
    """Every unit's sentences by the multilingual model: read in their windows' pass (read: key -> vector), else
    the live generation's vector of the same text, else embedded apart (a sentence no window holds whole)."""
    rows = [(unit, text, span_key(text)) for unit, unit_text in units for text in unit_sentences(unit_text)]
    read = read or {}
    vectors = np.zeros((len(rows), embedder.dimension), dtype=np.float32)
    have = [i for i, (_, _, key) in enumerate(rows) if key in read]
    if have:
        vectors[have] = np.stack([read[rows[i][2]] for i in have])
    rest = [i for i, (_, _, key) in enumerate(rows) if key not in read]
    known = {} if previous is None else {int(k): i for i, k in enumerate(previous.keys.tolist())}
    reuse = [(n, known[rows[i][2]]) for n, i in enumerate(rest) if rows[i][2] in known]
    if rest:
        vectors[rest], _ = embed_passages([rows[i][1] for i in rest], reuse, lambda js: previous.vectors[js],
                                          embedder, "Embedding sentences (multilingual)", progress, checkpoint)
    return SentenceStore(vectors, np.asarray([u for u, _, _ in rows], dtype=np.int64),
                         np.asarray([k for _, _, k in rows], dtype=np.int64))


def locate_sentences(unit_text: str, chunk_text: str, skip: int) -> tuple[tuple[int, int, int], ...]:
    """Where each of a unit's sentences (unit_sentences) lies whole in one of its chunks' texts, past the chunk's
    context prefix: (start, end, span key), in order."""
    out, at = [], skip
    for sentence in unit_sentences(unit_text):
        i = chunk_text.find(sentence, at)
        if i >= 0:
            out.append((i, i + len(sentence), span_key(sentence)))
            at = i + len(sentence)
    return tuple(out)
