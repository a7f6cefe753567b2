"""SQLite: documents, units, chunks and an FTS5 keyword index over units."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from .errors import IndexCorruptError, NotFoundError
from .records import Document, Paragraph, Unit

_SCHEMA = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL UNIQUE,
    symbol TEXT, title TEXT NOT NULL, short_title TEXT,
    date TEXT, year INTEGER, body TEXT, language TEXT
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
    citation TEXT NOT NULL
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
    text, context, content='', tokenize='porter unicode61 remove_diacritics 2'
);
"""

_WORD = re.compile(r"\w+", re.UNICODE)
_DOC_COLUMNS = "id, file, sha256, symbol, title, short_title, date, year, body, language"


def fts_query(question: str, max_terms: int = 64) -> str | None:
    """Any text -> a safe FTS5 query: each word quoted, OR-ed. FTS5 syntax becomes words."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(question)))[:max_terms]
    return " OR ".join(f'"{w}"' for w in words) or None


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = threading.Lock()
        self._docs: dict[int, Document] | None = None

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
            "INSERT INTO documents (file, sha256, symbol, title, short_title, date, year, body, language)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (doc.file, doc.sha256, doc.symbol, doc.title, doc.short_title, doc.date, doc.year, doc.body, doc.language),
        )
        return int(cur.lastrowid)

    def add_unit(self, document_id: int, p: Paragraph, citation: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO units (document_id, ord, number, kind, label, section, text, page, citation)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (document_id, p.order, p.number, p.kind, p.label, json.dumps(p.section, ensure_ascii=False),
             p.text, p.page, citation),
        )
        unit_id = int(cur.lastrowid)
        context = " ".join([p.label or "", *p.section])
        self.conn.execute("INSERT INTO units_fts (rowid, text, context) VALUES (?,?,?)", (unit_id, p.text, context))
        return unit_id

    def add_chunks(self, rows: Iterable[tuple[int, int, str]]) -> None:
        self.conn.executemany("INSERT INTO chunks (id, unit_id, text_hash) VALUES (?,?,?)", rows)

    def commit(self) -> None:
        self.conn.commit()

    # -- reading -----------------------------------------------------------------
    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

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

    def keyword_search(self, question: str, limit: int) -> list[tuple[int, float]]:
        """(unit id, BM25 score, higher is better) best first."""
        query = fts_query(question)
        if query is None:
            return []
        rows = self._query(
            "SELECT rowid, bm25(units_fts, 1.0, 0.5) AS r FROM units_fts WHERE units_fts MATCH ? ORDER BY r LIMIT ?",
            (query, limit),
        )
        return [(int(rowid), -float(r)) for rowid, r in rows]

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
        raise NotFoundError(f"no document {ref!r} in the index: see `tipsearch documents`")

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

    def unit_count(self) -> int:
        return int(self._query("SELECT count(*) FROM units")[0][0])


_UNIT_COLUMNS = "u.id, u.document_id, u.ord, u.number, u.kind, u.label, u.section, u.text, u.page, u.citation"


def _document(row: tuple) -> Document:
    id_, file, sha, symbol, title, short_title, date, year, body, language, units = row
    return Document(file, sha, title, symbol, short_title, date, year, body, language, id_, units)


def _unit(row: tuple, docs: dict[int, Document]) -> Unit:
    id_, doc_id, order, number, kind, label, section, text, page, citation = row
    p = Paragraph(number, text, order, kind, label, tuple(json.loads(section)), page)
    return Unit(id_, docs[doc_id], p, citation)
