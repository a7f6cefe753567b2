"""Keyword impacts: FTS5's own BM25 scores, precomputed per (term, unit) from FTS5's own index.

FTS5 scores every row that matches any OR-ed word; at 100k paragraphs the common question words
("victims", "trafficking") match a third of the rows and one query costs ~50 ms. BM25 is a sum
over the query's phrases of one number per (term, row) that depends only on the index, so those
numbers are computed once at build time and a query adds arrays (np.bincount) instead.

Nothing is tokenized twice by different code: the counts come from FTS5's `instance` vocabulary
(terms as FTS5 stemmed and stored them), and a question's words are tokenized by an in-memory
FTS5 table with the same tokenizer. The formula is fts5_aux.c's fts5Bm25Function, in the same
floating-point order, so scores equal bm25()'s:

    impact(t, u) = idf(t) * (f * (k1 + 1)) / (f + k1 * (1 - b + b * D / avgdl))
    f = text count + w * context count,  D = tokens of u (all columns),  avgdl = tokens / rows,
    idf = log((N - n + 0.5) / (n + 0.5)), replaced by 1e-6 when <= 0,  k1 = 1.2,  b = 0.75.

Whatever cannot be scored exactly this way (a word that is 0 tokens, or 2+ tokens all of which some unit
holds; another context weight) is answered by FTS5 itself: `search` returns None and the caller falls back.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tipsearch.errors import IndexCorruptError

K1 = 1.2  # fts5_aux.c's constants
B = 0.75
FORMAT = 1


@dataclass(frozen=True, eq=False)
class Impacts:
    """term -> (unit ids, impacts) as CSR arrays, for one context weight and tokenizer."""

    terms: dict[str, int]  # stemmed term -> row
    indptr: np.ndarray  # int64, rows + 1: row r's postings are [indptr[r], indptr[r + 1])
    units: np.ndarray  # int32 unit ids (FTS5 rowids), ascending within a row
    impacts: np.ndarray  # float64: bincount sums in float64 anyway, and float64 keeps bm25()'s ties exact
    size: int  # largest unit id + 1
    context_weight: float
    tokenize: str

    def search(self, words: Sequence[str], limit: int, allowed: Collection[int] | None = None,
               context_weight: float = 0.5) -> list[tuple[int, float]] | None:
        """(unit id, bm25 score) best first, ties by unit id; None where only FTS5 can be exact.

        words: the query's phrases, each one FTS5 phrase (see store.query_words).
        """
        rows = self.rows(words, context_weight)
        if rows is None:
            return None
        if not rows or limit <= 0:
            return []
        # Phrase order kept: bincount adds in input order, as bm25() sums its phrases.
        spans = [slice(self.indptr[r], self.indptr[r + 1]) for r in rows]
        units = np.concatenate([self.units[s] for s in spans])
        weights = np.concatenate([self.impacts[s] for s in spans])
        scores = np.bincount(units, weights, minlength=self.size)
        matched = np.flatnonzero(scores > 0)
        if allowed is not None:
            keep = np.fromiter(allowed, dtype=np.int64, count=len(allowed))
            matched = matched[np.isin(matched, keep)]
        return _top(matched, scores[matched], limit)

    def rows(self, words: Sequence[str], context_weight: float = 0.5) -> list[int] | None:
        """The term rows a query adds, in phrase order (a term twice where two phrases stem to it, as bm25() adds
        it twice); None where only FTS5 can be exact. A keyword list in another store (index/milvus.py) is the
        same sum over these rows."""
        # With a weight <= 0 a unit matched only in its context would score <= 0, yet FTS5 returns it.
        if context_weight != self.context_weight or context_weight <= 0:
            return None
        rows: list[int] = []
        for word in words:
            tokens = query_tokens(self.tokenize, word)
            if len(tokens) > 1 and any(t not in self.terms for t in tokens):
                continue  # a phrase with a token no unit holds matches nothing ("贩 运" in English text): adds nothing
            if len(tokens) != 1:  # a multi-token phrase needs positions; an empty one FTS5's own reading
                return None
            row = self.terms.get(tokens[0])
            if row is not None:  # a term no unit holds adds nothing, as in bm25()
                rows.append(row)
        return rows

    def by_unit(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The postings regrouped by unit: (unit ids ascending, offsets into the next two, term rows, impacts);
        unit i's terms are [offsets[i], offsets[i + 1]). What a store that keeps one row a unit writes."""
        term_of = np.repeat(np.arange(len(self.indptr) - 1, dtype=np.int64), np.diff(self.indptr))
        order = np.lexsort((term_of, self.units))
        units = self.units[order].astype(np.int64)
        starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]]) if len(units) else np.zeros(0, np.int64)
        offsets = np.r_[starts, len(units)].astype(np.int64)
        return units[starts], offsets, term_of[order], self.impacts[order]

    def postings(self, word: str) -> np.ndarray | None:
        """The unit ids holding a word (stemmed as the index stems it); None when the word is not one token."""
        tokens = query_tokens(self.tokenize, word)
        if len(tokens) != 1:
            return None
        row = self.terms.get(tokens[0])
        return self.units[self.indptr[row]: self.indptr[row + 1]] if row is not None else np.zeros(0, np.int32)

    def save(self, path: Path) -> None:
        blob = np.frombuffer("\n".join(self.terms).encode("utf-8"), dtype=np.uint8)
        with path.open("wb") as f:
            np.savez(f, terms=blob, indptr=self.indptr, units=self.units, impacts=self.impacts,
                     meta=np.array([FORMAT, self.size, self.context_weight, len(self.terms)], dtype=np.float64),
                     tokenize=np.frombuffer(self.tokenize.encode("utf-8"), dtype=np.uint8))

    @classmethod
    def load(cls, path: Path) -> Impacts:
        """Read a saved file; IndexCorruptError when it is not one this version wrote."""
        try:
            with np.load(path, allow_pickle=False) as data:
                fmt, size, weight, count = data["meta"].tolist()
                text = data["terms"].tobytes().decode("utf-8")
                terms = text.split("\n") if count else []
                impacts = cls({t: i for i, t in enumerate(terms)}, data["indptr"], data["units"], data["impacts"],
                              int(size), float(weight), data["tokenize"].tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as e:
            raise IndexCorruptError(f"{path} is unreadable ({e.__class__.__name__}): run `tipsearch build`") from e
        if fmt != FORMAT or len(terms) != count or len(impacts.indptr) != count + 1 or \
                len(impacts.units) != len(impacts.impacts) or int(impacts.indptr[-1]) != len(impacts.units):
            raise IndexCorruptError(f"{path} does not hold consistent keyword impacts: run `tipsearch build`")
        return impacts


def _top(units: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The `limit` best (unit, score), best first; among equal scores the lower unit id first."""
    if len(units) > limit:
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        above = scores > kth
        tied = np.flatnonzero(scores == kth)[: limit - int(above.sum())]  # units are ascending: lowest ids
        pick = np.concatenate([np.flatnonzero(above), tied])
        units, scores = units[pick], scores[pick]
    order = np.lexsort((units, -scores))
    return [(int(u), float(s)) for u, s in zip(units[order], scores[order])]


def compute(conn: sqlite3.Connection, table: str, text_column: str, tokenize: str,
            context_weight: float) -> Impacts:
    """Impacts of every (term, unit) in an FTS5 table of two columns (text, then context)."""
    rows, total = _averages(conn, table)
    terms, codes, per_term = _instances(conn, table, text_column)
    term_of = np.repeat(np.arange(len(terms), dtype=np.int64), per_term)
    docs, in_context = codes >> 1, (codes & 1).astype(bool)
    size = int(docs.max()) + 1 if len(docs) else 1
    length = np.bincount(docs, minlength=size)  # D: every token of the row, all columns
    if int(length.sum()) != total:
        raise IndexCorruptError(
            f"{table} holds {int(length.sum())} token instances, its totals say {total}: run `tipsearch build`")
    # One posting per (term, unit): instances arrive sorted by term, then unit.
    key = term_of * size + docs
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    post = np.cumsum(np.r_[False, key[1:] != key[:-1]])
    text = np.bincount(post, weights=~in_context, minlength=len(first))
    context = np.bincount(post, weights=in_context, minlength=len(first))
    units = docs[first]
    f = text * 1.0 + context * context_weight  # as bm25() adds each instance's column weight
    n = np.bincount(term_of[first], minlength=len(terms))  # rows holding the term
    idf = np.array([_idf(rows, int(k)) for k in n], dtype=np.float64)
    avgdl = float(total) / float(rows) if rows else 1.0
    d = length[units].astype(np.float64)
    impacts = idf[term_of[first]] * ((f * (K1 + 1.0)) / (f + K1 * (1 - B + B * d / avgdl)))
    indptr = np.r_[0, np.cumsum(n)].astype(np.int64)
    return Impacts({t: i for i, t in enumerate(terms)}, indptr, units.astype(np.int32), impacts, size,
                   float(context_weight), tokenize)


def _idf(rows: int, hits: int) -> float:
    idf = math.log((rows - hits + 0.5) / (hits + 0.5))  # libm's log, as fts5_aux.c calls
    return idf if idf > 0.0 else 1e-6


def _averages(conn: sqlite3.Connection, table: str) -> tuple[int, int]:
    """(rows, tokens in all columns) from FTS5's averages record: the N and avgdl bm25() reads."""
    found = conn.execute(f"SELECT block FROM {table}_data WHERE id = 1").fetchone()
    if found is None:  # nothing inserted yet
        return 0, 0
    blob = found[0]
    values, at = [], 0
    while at < len(blob):
        value, at = _varint(blob, at)
        values.append(value)
    return values[0], sum(values[1:])


def _varint(blob: bytes, at: int) -> tuple[int, int]:
    """SQLite's varint: 7 bits a byte, high bit set means more; the ninth byte carries 8 bits."""
    value = 0
    for i in range(9):
        byte = blob[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise AssertionError("unreachable")


def _instances(conn: sqlite3.Connection, table: str, text_column: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(terms, one code per instance = unit * 2 + in context, instances per term), term-sorted.

    fts5vocab delivers terms in order, so GROUP BY term needs no sort; one string per term
    parsed by numpy is ~4x faster than a Python tuple per instance.
    """
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.tipsearch_instances USING fts5vocab(main, '{table}', "
                 "'instance')")
    try:
        rows = conn.execute(
            "SELECT term, count(*), group_concat(doc * 2 + (col != ?), ',') FROM temp.tipsearch_instances"
            " GROUP BY term ORDER BY term", (text_column,)
        ).fetchall()
    finally:
        conn.execute("DROP TABLE temp.tipsearch_instances")
    if not rows:
        return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes = np.fromstring(",".join(r[2] for r in rows), dtype=np.int64, sep=",")
    return [r[0] for r in rows], codes, np.array([r[1] for r in rows], dtype=np.int64)


_TOKENIZER_LOCK = threading.Lock()
_TOKENIZERS: dict[str, sqlite3.Connection] = {}


@lru_cache(maxsize=65536)
def query_tokens(tokenize: str, word: str) -> tuple[str, ...]:
    """The tokens FTS5 makes of one word with this tokenizer: an in-memory FTS5 table reads it."""
    with _TOKENIZER_LOCK:  # one connection for every thread (the keyword worker pool)
        conn = _TOKENIZERS.get(tokenize)
        if conn is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            quoted = tokenize.replace("'", "''")
            conn.execute(f"CREATE VIRTUAL TABLE q USING fts5(t, tokenize='{quoted}')")
            conn.execute("CREATE VIRTUAL TABLE q_instances USING fts5vocab(q, 'instance')")
            _TOKENIZERS[tokenize] = conn
        conn.execute("INSERT INTO q (rowid, t) VALUES (1, ?)", (word,))
        try:
            found = conn.execute("SELECT term, offset FROM q_instances").fetchall()
        finally:
            conn.execute("DELETE FROM q WHERE rowid = 1")
    return tuple(term for term, _ in sorted(found, key=lambda x: x[1]))
