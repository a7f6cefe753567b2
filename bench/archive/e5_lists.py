"""The per-question rankings bench/archive/fusion_e5.py fuses: keyword (BM25), MiniLM, multilingual-e5-small,
references.

Everything a variant needs is computed once a question (every unit's score in each list, the question's
word pieces for the rerank, the share of its words the index knows), so a grid of fusions re-ranks without
re-encoding. The keyword, MiniLM and reference lists come from the same functions `tipsearch search` calls.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# This folder for its neighbours, then bench/ for quality.py (the question sets, the cached embedder).
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from quality import CachedEmbedder  # noqa: E402

from tipsearch import Library, text  # noqa: E402
from tipsearch.index.chunks import embedding_texts  # noqa: E402
from tipsearch.models.e5 import E5Embedder  # noqa: E402
from tipsearch.models.embedders import sentences  # noqa: E402
from tipsearch.search import retrieve  # noqa: E402
from tipsearch.search.evaluation import unit_key  # noqa: E402
from tipsearch.search.rerank import question_pieces  # noqa: E402

# Unit references as the translations write them ("recommandation 11", "пункт 25", "第11项建议", "第25段"):
# text.references reads English only. Measured here as a candidate for text.py, not used by the shipped search.
_REC = re.compile(r"(?:recommandation|recomendaci[óo]n|рекомендаци\w*|التوصية)\s*(?:n[°o]\s*)?(\d{1,3})"
                  r"|第\s*(\d{1,3})\s*[项條条]?\s*建议|建议\s*(\d{1,3})", re.IGNORECASE)
# "пункт 2 повестки дня" is agenda item 2, not paragraph 2.
_PARA = re.compile(r"(?:paragraphe|p[áa]rrafo|пункт\w*|الفقرة)\s*(\d{1,3})(?!\d|\s*повестк)|第\s*(\d{1,3})\s*段",
                   re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Lists:
    """One question's scores: each list maps unit id -> raw score, best first, for every unit the list scores."""

    keyword: dict[int, float]
    minilm: dict[int, float]
    e5: dict[int, float]  # cosine with the unit's best window (the windows MiniLM embeds, as passages)
    e5_plain: dict[int, float]  # cosine with the unit's whole text as one passage (the engine windows it)
    e5_sentence: dict[int, float]  # cosine with the unit's best sentence (each sentence a passage)
    referenced: frozenset[int]  # units the question names, English grammar (text.references)
    referenced_any: frozenset[int]  # ... or the translations' grammar (_REC, _PARA)
    pieces: np.ndarray | None  # the question's voting word pieces (MiniLM), for the rerank
    known: float  # share of the question's keyword words found in the index (stemmed as FTS5 stems)
    latin: float  # share of the question's letters in Latin script


def _best_first(scores: dict[int, float]) -> dict[int, float]:
    return dict(sorted(scores.items(), key=lambda x: -x[1]))


def _per_unit(e5: E5Embedder, texts: list[list[str]]) -> list[np.ndarray]:
    """Each unit's texts embedded as passages (one batch for all), as one matrix a unit."""
    flat = e5.embed_passages([t for ts in texts for t in ts])
    return np.split(flat, np.cumsum([len(ts) for ts in texts])[:-1])


class Harness:
    """One built seed library and multilingual-e5-small over its units: the lists of any question."""

    def __init__(self, lib: Library, minilm: CachedEmbedder, e5: E5Embedder) -> None:
        g = lib.generation
        self.lib, self.store, self.e5 = lib, g.store, e5
        self.units = [u for d in lib.documents() for u in lib.document(d.file)[1]]
        self.key = {u.id: unit_key(u, with_file=True) for u in self.units}
        self.e5_windows = _per_unit(e5, [embedding_texts(u.paragraph, minilm) for u in self.units])
        self.e5_plain = e5.embed_passages([u.paragraph.text for u in self.units])
        self.e5_sentences = _per_unit(e5, [[u.paragraph.text[a:b] for a, b in sentences(u.paragraph.text)]
                                           for u in self.units])
        chunks = g.store.chunks_by_unit([u.id for u in self.units])
        self.pieces = {u.id: g.pieces.read(chunks[u.id]) for u in self.units} if g.pieces is not None else {}
        self._known: dict[str, bool] = {}

    def known_share(self, question: str) -> float:
        """Share of the question's distinct keyword words (stopwords out) that some unit contains."""
        words = list(dict.fromkeys(w.lower() for w in text.words(text.keyword_text(question))))
        if not words:
            return 0.0
        for w in words:
            if w not in self._known:
                self._known[w] = bool(self.store.keyword_search(w, 1))
        return sum(self._known[w] for w in words) / len(words)

    def named(self, question: str) -> tuple[frozenset[int], frozenset[int]]:
        """Units named in English grammar, and in English or the translations' grammar."""
        english = frozenset(u for u, _ in retrieve.referenced(self.store, question))
        refs = [text.Reference("recommendation", next(g for g in m.groups() if g)) for m in _REC.finditer(question)]
        refs += [text.Reference("paragraph", next(g for g in m.groups() if g)) for m in _PARA.finditer(question)]
        other = frozenset(self.store.units_by_reference(refs)) if refs else frozenset()
        return english, english | other

    def lists(self, questions: Sequence[str]) -> dict[str, Lists]:
        """Every question's lists (questions embedded by e5 in one batch)."""
        clipped = [text.clip(q) for q in questions]
        e5_questions = self.e5.embed_queries(clipped)
        out: dict[str, Lists] = {}
        n = len(self.units)
        for q, clip, v in zip(questions, clipped, e5_questions):
            query = self.lib.pipeline.query(clip)  # as `tipsearch search` reads it
            vector, read = query.vector, query.pieces
            keyword = retrieve.keyword(self.store, query, n)
            minilm = retrieve.nearest_units(self.store, self.lib.generation.vectors, vector, n)
            english, any_grammar = self.named(clip)
            letters = _LETTER.findall(clip)
            out[q] = Lists(
                keyword=dict(keyword), minilm=dict(minilm),
                e5=_best_first({u.id: float((w @ v).max()) for u, w in zip(self.units, self.e5_windows)}),
                e5_plain=_best_first({u.id: float(p @ v) for u, p in zip(self.units, self.e5_plain)}),
                e5_sentence=_best_first({u.id: float((s @ v).max()) for u, s in zip(self.units, self.e5_sentences)}),
                referenced=english, referenced_any=any_grammar,
                pieces=question_pieces(read) if read is not None else None,
                known=self.known_share(clip),
                latin=sum(bool(_LATIN.match(c)) for c in letters) / len(letters) if letters else 1.0,
            )
        return out
