"""SQLite: documents, units, chunks and an FTS5 keyword index over units."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tipsearch.errors import IndexCorruptError, NotFoundError
from tipsearch.index.keyword_impacts import Impacts
from tipsearch.records import Document, Paragraph, Unit
from tipsearch.text import CJK, Reference, fts_form, matches, words

_CJK_OR_NOT = re.compile(f"{CJK.pattern}+|(?:(?!{CJK.pattern}).)+")

TOKENIZE = "porter unicode61 remove_diacritics 2"
CONTEXT_WEIGHT = 0.5  # bm25() weight of the context column (label + headings); text is 1
_SCHEMA = f"""
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL UNIQUE,
    symbol TEXT, title TEXT NOT NULL, short_title TEXT,
    date TEXT, year INTEGER, body TEXT, language TEXT, distribution TEXT, session TEXT,
    kind TEXT, distributed TEXT, original TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',  -- JSON array: what looks wrong in how it was read (ingest/checks.py)
    dated_by TEXT                -- what the date is: "adoption", "opened for signature", "distribution"; NULL: masthead
);
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    ord INTEGER NOT NULL,
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT,
    section TEXT NOT NULL,       -- JSON array of headings, outermost first
    text TEXT NOT NULL,
    page INTEGER,
    citation TEXT NOT NULL,
    footnotes TEXT NOT NULL DEFAULT '[]',  -- JSON array of the footnotes the unit cites
    states TEXT NOT NULL DEFAULT '[]',     -- JSON array: a review recommendation's recommending States
    part TEXT,                   -- the part of a compound document: "resolution 99/2", "annex"; NULL: its own
    language TEXT                -- a translation's units in the same file: their language; NULL: the file's text
);
CREATE INDEX units_by_document ON units(document_id, ord);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,      -- row number in vectors.faiss
    unit_id INTEGER NOT NULL REFERENCES units(id),
    text_hash TEXT NOT NULL      -- sha256 of the embedded text: reuse its vector when unchanged
);
CREATE INDEX chunks_by_unit ON chunks(unit_id);
CREATE INDEX chunks_by_hash ON chunks(text_hash);
CREATE VIRTUAL TABLE units_fts USING fts5(
    text, context, content='', tokenize='{TOKENIZE}'
);
"""

_DOC_COLUMNS = ("id, file, sha256, symbol, title, short_title, date, year, body, language, distribution, session, "
                "kind, distributed, original, warnings, dated_by")


def query_words(question: str, max_terms: int = 64) -> list[str]:
    """The distinct words of any text, lower-cased, in order: each is one phrase of fts_query.

    A run of Chinese characters becomes its overlapping pairs, "贩运人口" -> "贩 运", "运 人", "人 口": the index holds
    Chinese one character a token (text.fts_form), so each pair is a two-token phrase, as a CJK bigram index reads.
    """
    out: list[str] = []
    for word in words(question):
        if word.isascii():
            out.append(word.lower())
            continue
        for piece in _CJK_OR_NOT.findall(word):
            if CJK.match(piece):
                out.extend([f"{a} {b}" for a, b in zip(piece, piece[1:])] or [piece])
            else:
                out.append(piece.lower())
    return list(dict.fromkeys(out))[:max_terms]


def fts_query(question: str, max_terms: int = 64) -> str | None:
    """Any text -> a safe FTS5 query: each word quoted, OR-ed. FTS5 syntax becomes words."""
    return " OR ".join(f'"{w}"' for w in query_words(question, max_terms)) or None


@dataclass(frozen=True)
class Selection:
    """What a search is restricted to, as fields every store keeps (Store.select_chunks' conditions and the
    exclusions): a store that filters inside its engine (index/milvus.py) reads this, the local one the ids."""

    year_from: int | None = None
    year_to: int | None = None
    document_ids: frozenset[int] = frozenset()
    body: str | None = None
    kind: str | None = None
    state: str | None = None
    language: str | None = None
    exclude_units: frozenset[int] = field(default_factory=frozenset)
    exclude_documents: frozenset[int] = field(default_factory=frozenset)


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = threading.Lock()
        self._docs: dict[int, Document] | None = None
        # FTS5's bm25() precomputed (impacts.py): keyword_search uses it where it is exact.
        self.impacts: Impacts | None = None

    @classmethod
    def create(cls, path: Path) -> Store:
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.executescript(_SCHEMA)
        return cls(conn, path)

    @classmethod
    def open(cls, path: Path) -> Store:
        if not path.exists():
            raise IndexCorruptError(f"{path} is missing: run `tipsearch build`")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM units").fetchone()
        except sqlite3.DatabaseError as e:
            conn.close()
            raise IndexCorruptError(f"{path} is not a readable index database ({e}): run `tipsearch build`") from e
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    # -- writing -----------------------------------------------------------------
    def add_document(self, doc: Document) -> int:
        cur = self.conn.execute(
            "INSERT INTO documents (file, sha256, symbol, title, short_title, date, year, body, language,"
            " distribution, session, kind, distributed, original, warnings, dated_by)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.file, doc.sha256, doc.symbol, doc.title, doc.short_title, doc.date, doc.year, doc.body, doc.language,
             doc.distribution, doc.session, doc.kind, doc.distributed, doc.original,
             json.dumps(doc.warnings, ensure_ascii=False), doc.dated_by),
        )
        return int(cur.lastrowid)

    def add_unit(self, document_id: int, p: Paragraph, citation: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO units (document_id, ord, number, kind, label, section, text, page, citation, footnotes,"
            " states, part, language) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (document_id, p.order, p.number, p.kind, p.label, json.dumps(p.section, ensure_ascii=False),
             p.text, p.page, citation, json.dumps(p.footnotes, ensure_ascii=False),
             json.dumps(p.states, ensure_ascii=False), p.part, p.language),
        )
        unit_id = int(cur.lastrowid)
        context = " ".join([p.part or "", p.label or "", *p.section])
        self.conn.execute("INSERT INTO units_fts (rowid, text, context) VALUES (?,?,?)",
                          (unit_id, fts_form(p.text), fts_form(context)))
        return unit_id

    def add_chunks(self, rows: Iterable[tuple[int, int, str]]) -> None:
        self.conn.executemany("INSERT INTO chunks (id, unit_id, text_hash) VALUES (?,?,?)", rows)

    def commit(self) -> None:
        self.conn.commit()

    # -- reading -----------------------------------------------------------------
    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        # One connection serves every thread (Streamlit sessions); the lock keeps its cursors apart.
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as e:  # damage past the pages the open check read
                raise IndexCorruptError(f"{self.path} is damaged ({e}): run `tipsearch build`") from e

    def check_counts(self, units: int, chunks: int) -> None:
        """Raise IndexCorruptError unless the database holds as many units and chunks as the manifest says."""
        have_units = self.unit_count()
        have_chunks = int(self._query("SELECT count(*) FROM chunks")[0][0])
        if (have_units, have_chunks) != (units, chunks):
            raise IndexCorruptError(
                f"{self.path} holds {have_units} units and {have_chunks} chunks, the manifest says {units} and "
                f"{chunks}: run `tipsearch build`"
            )

    def chunk_hashes(self) -> dict[str, int]:
        """text hash -> chunk id, to reuse vectors of unchanged text."""
        return {h: i for i, h in self._query("SELECT id, text_hash FROM chunks")}

    def unit_chunk_hashes(self) -> dict[tuple[str | None, str, str], tuple[str, ...]]:
        """(label, section JSON, text) of each unit -> its chunks' text hashes, in chunk order.

        Lets a rebuild skip windowing and token counting for units whose text did not change.
        """
        out: dict[tuple[str | None, str, str], list[str]] = {}
        rows = self._query(
            "SELECT u.label, u.section, u.text, c.text_hash FROM chunks c JOIN units u ON u.id = c.unit_id ORDER BY c.id"
        )
        for label, section, text, text_hash in rows:
            out.setdefault((label, section, text), []).append(text_hash)
        return {k: tuple(v) for k, v in out.items()}

    def chunk_units(self, chunk_ids: list[int]) -> dict[int, int]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        return dict(self._query(f"SELECT id, unit_id FROM chunks WHERE id IN ({marks})", tuple(chunk_ids)))

    def unit_chunks(self, unit_ids: list[int]) -> list[int]:
        """The chunk ids (vector rows) of these units."""
        if not unit_ids:
            return []
        marks = ",".join("?" * len(unit_ids))
        return [i for (i,) in self._query(f"SELECT id FROM chunks WHERE unit_id IN ({marks}) ORDER BY id", tuple(unit_ids))]

    def chunks_by_unit(self, unit_ids: list[int]) -> dict[int, list[int]]:
        """Each of these units' chunk ids, in chunk order."""
        out: dict[int, list[int]] = {u: [] for u in unit_ids}
        if not unit_ids:
            return out
        marks = ",".join("?" * len(unit_ids))
        for chunk, unit in self._query(f"SELECT id, unit_id FROM chunks WHERE unit_id IN ({marks}) ORDER BY id",
                                       tuple(unit_ids)):
            out[unit].append(chunk)
        return out

    def units_by_reference(self, refs: Iterable[Reference]) -> list[int]:
        """Unit ids each reference names (text.matches), in every document, in reference order."""
        out: list[int] = []
        for ref in refs:
            if ref.kind == "recommendation":
                where, params = "lower(label) = ?", (f"recommendation {ref.number}",)
            elif ref.kind == "article":
                where, params = "label = ?", (f"Article {ref.number}",)
            else:
                where, params = "number = ?", (ref.number,)
            rows = self._query(f"SELECT {_UNIT_COLUMNS} FROM units u WHERE {where} ORDER BY id", params)
            docs = self._documents_by_id()
            out.extend(u.id for u in (_unit(r, docs) for r in rows) if matches(ref, u.paragraph) and u.id not in out)
        return out

    def holds(self, word: str) -> bool:
        """Whether some unit holds the word, stemmed as the index stems it."""
        postings = self.impacts.postings(word) if self.impacts is not None else None
        if postings is not None:
            return len(postings) > 0
        return bool(self.keyword_search(word, 1, use_impacts=False))

    def term_matches(self, words: Sequence[str], unit_ids: Collection[int]) -> dict[int, int]:
        """unit id -> how many of the distinct words (stemmed as the index stems them) it contains."""
        counts: dict[int, int] = {}
        ids = json.dumps(sorted(unit_ids))
        for word in dict.fromkeys(w.lower() for w in words):
            query = fts_query(word)
            if query is None:
                continue
            rows = self._query("SELECT rowid FROM units_fts WHERE units_fts MATCH ? AND rowid IN "
                               "(SELECT value FROM json_each(?))", (query, ids))
            for (unit,) in rows:
                counts[unit] = counts.get(unit, 0) + 1
        return counts

    def keyword_search(self, question: str, limit: int, allowed: Collection[int] | None = None,
                       context_weight: float = CONTEXT_WEIGHT, use_impacts: bool = True,
                       selection: Selection | None = None) -> list[tuple[int, float]]:
        """(unit id, BM25 score, higher is better) best first; only units in `allowed` when given.

        The restriction is inside the query, before LIMIT, so it never hides a better allowed unit.
        The same scores come from the precomputed impacts when loaded and exact for this query
        (use_impacts=False asks FTS5 itself). selection: what `allowed` was made from (read by stores that
        filter inside their engine; here the ids serve).
        """
        query = fts_query(question)
        if query is None:
            return []
        if use_impacts and self.impacts is not None:
            found = self.impacts.search(query_words(question), limit, allowed, context_weight)
            if found is not None:
                return found
        where, params = "units_fts MATCH ?", [query]
        if allowed is not None:
            # One JSON parameter instead of one `?` per id: no variable limit at any collection size.
            where += " AND rowid IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(allowed)))
        rows = self._query(
            f"SELECT rowid, bm25(units_fts, 1.0, ?) AS r FROM units_fts WHERE {where} ORDER BY r LIMIT ?",
            (float(context_weight), *params, limit),
        )
        return [(int(rowid), -float(r)) for rowid, r in rows]

    def select_chunks(
        self,
        year_from: int | None = None,
        year_to: int | None = None,
        document_ids: Collection[int] = (),
        body: str | None = None,
        kind: str | None = None,
        state: str | None = None,
        language: str | None = None,
    ) -> list[tuple[int, int, int]]:
        """(chunk id, unit id, document id) of every unit that meets all the conditions given.

        A year bound excludes documents of unknown year: they cannot be shown to be in range.
        kind is "recommendation" or "other" (everything that is not a recommendation); state keeps the review
        recommendations one of whose recommending States contains it (case-insensitive); language keeps the
        documents written in it ("fr"), so it leaves out those whose language is unknown.
        """
        conditions: list[str] = []
        params: list[object] = []
        if year_from is not None:
            conditions.append("d.year >= ?")
            params.append(year_from)
        if year_to is not None:
            conditions.append("d.year <= ?")
            params.append(year_to)
        if document_ids:
            conditions.append("d.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(document_ids)))
        if body:
            conditions.append("instr(lower(coalesce(d.body, '')), lower(?)) > 0")
            params.append(body)
        if kind == "recommendation":
            conditions.append("u.kind = 'recommendation'")
        elif kind == "other":
            conditions.append("u.kind != 'recommendation'")
        if state:
            conditions.append("EXISTS (SELECT 1 FROM json_each(u.states) WHERE instr(lower(value), lower(?)) > 0)")
            params.append(state)
        if language:
            conditions.append("d.language = ?")
            params.append(language)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        return self._query(
            "SELECT c.id, u.id, d.id FROM chunks c JOIN units u ON u.id = c.unit_id"
            f" JOIN documents d ON d.id = u.document_id {where} ORDER BY c.id",
            tuple(params),
        )

    def documents(self) -> list[Document]:
        rows = self._query(
            f"SELECT {', '.join('d.' + c.strip() for c in _DOC_COLUMNS.split(','))}, count(u.id)"
            " FROM documents d LEFT JOIN units u ON u.document_id = d.id GROUP BY d.id ORDER BY d.date, d.file"
        )
        return [_document(row) for row in rows]

    def _documents_by_id(self) -> dict[int, Document]:
        if self._docs is None:  # the index is read-only once built
            self._docs = {d.id: d for d in self.documents()}
        return self._docs

    def document(self, ref: str) -> Document:
        """A document by id, symbol or file name."""
        for doc in self.documents():
            if ref in (str(doc.id), doc.symbol, doc.file, Path(doc.file).stem):
                return doc
        raise NotFoundError(f"no document {ref!r} in the index: name a document by its id, symbol (A/RES/99/901) or "
                            "file name, as `tipsearch documents` lists them")

    def units(self, ids: list[int]) -> list[Unit]:
        """Units by id, in the order asked."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._query(f"SELECT {_UNIT_COLUMNS} FROM units u WHERE u.id IN ({marks})", tuple(ids))
        docs = self._documents_by_id()
        by_id = {row[0]: _unit(row, docs) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def document_units(self, document_id: int) -> list[Unit]:
        rows = self._query(f"SELECT {_UNIT_COLUMNS} FROM units u WHERE u.document_id = ? ORDER BY u.ord", (document_id,))
        docs = self._documents_by_id()
        return [_unit(row, docs) for row in rows]

    def unit_documents(self) -> dict[int, int]:
        """unit id -> document id, for every unit."""
        return dict(self._query("SELECT id, document_id FROM units"))

    def unit_count(self) -> int:
        return int(self._query("SELECT count(*) FROM units")[0][0])


_UNIT_COLUMNS = (
    "u.id, u.document_id, u.ord, u.number, u.kind, u.label, u.section, u.text, u.page, u.citation, u.footnotes,"
    " u.states, u.part, u.language"
)


def _document(row: tuple) -> Document:
    id_, file, sha, symbol, title, short_title, date, year, body, language, distribution, session, kind, \
        distributed, original, warnings, dated_by, units = row
    return Document(file, sha, title, symbol, short_title, date, year, body, language, id_, units, distribution,
                    session, kind, distributed, original, tuple(json.loads(warnings)), dated_by)


def _unit(row: tuple, docs: dict[int, Document]) -> Unit:
    id_, doc_id, order, number, kind, label, section, text, page, citation, footnotes, states, part, lang = row
    p = Paragraph(number, text, order, kind, label, tuple(json.loads(section)), page, tuple(json.loads(footnotes)),
                  tuple(json.loads(states)), part, lang)
    return Unit(id_, docs[doc_id], p, citation)
