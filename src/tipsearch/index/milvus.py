"""The index's retrieval side in Milvus (Milvus Lite embedded, or a standalone or cluster server by URI).

Each generation is two collections, each behind its alias: a build writes new ones, loads them, switches the
manifest and moves the aliases, then drops the older collections.

    ALIAS_gen_NNNNNN        (alias ALIAS)        one row a chunk, pk = chunk id: its MiniLM vector (`minilm`) and
                                                 the multilingual model's (`e5`, where it ran), its unit and
                                                 document, and every filter field
    ALIAS_gen_NNNNNN_units  (alias ALIAS_units)  one row a unit, pk = unit id: its keyword list (`keywords`), FTS5's
                                                 BM25 impact of each term, precomputed by keyword_impacts.py, as a
                                                 sparse vector over term rows; the same filter fields

Two collections, not one with two kinds of rows: a unit row would have to carry zero dense vectors (Milvus has
no empty vector), 3 KB a unit of nothing, loaded and indexed with the rest.

A keyword query is the sparse vector of its term rows (keyword_impacts.Impacts.rows), so Milvus' inner product
is the same sum bm25() makes: the keyword list is the local one (in float32). Filters are expressions on the
scalar fields (year, document_id, body, kind, language, states, unit_id), run inside Milvus before the top k.

What stays in the generation folder, beside the manifest: the units' rows (text, citation; SQLite + FTS5 for the
phrases impacts cannot score), the term dictionary, word pieces and sentence vectors (docs/scale.md says why).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tipsearch.errors import IndexMissingError, StoreUnavailableError
from tipsearch.index.keyword_impacts import Impacts
from tipsearch.index.store import CONTEXT_WEIGHT, Selection, Store, fts_query, query_words
from tipsearch.index.store_uri import MILVUS_LITE, StoreURI

log = logging.getLogger(__name__)

CHUNK_ROW = 0
UNIT_ROW = 1
UNITS = "_units"  # the units collection's (and its alias') suffix
MINILM_FIELD = "minilm"
E5_FIELD = "e5"
KEYWORDS_FIELD = "keywords"
# Milvus refuses an empty sparse vector: a unit without terms carries this one dimension, which no term reaches.
_NO_TERMS = {2**32 - 2: 1e-9}
MAX_TOP_K = 16384  # Milvus' largest limit for one search
_BATCH = 2000  # rows an insert sends
_GET_BATCH = 4096
_TEXT = 2048  # longest body / states / kind / language string kept for filtering
TIMEOUT = 10.0  # seconds a call waits for a server
# Milvus Lite keeps vectors flat (exact); a server gets HNSW with the local index's parameters (vectors.py).
_SERVER_INDEX = {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 32, "efConstruction": 80}}
_SERVER_SEARCH = {"metric_type": "IP", "params": {"ef": 128}}


def _pymilvus() -> Any:
    # gRPC's C core logs keepalive chatter with Milvus Lite's in-process server ("too_many_pings") to stderr on long
    # calls; the failures that matter reach us as exceptions
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    try:
        import pymilvus
    except ImportError as e:
        raise StoreUnavailableError(
            "a Milvus store needs pymilvus (and milvus-lite for milvus-lite:): pip install 'tipsearch[milvus]', "
            "or use --store local") from e
    return pymilvus


def _ascii_lower(text: str) -> str:
    """As SQLite's lower(): ASCII letters only, so a filter matches here exactly what it matches in SQLite."""
    return text.translate(_LOWER)


_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# Milvus Lite serves one process at a time: its server is started in this process on first connect and released
# when the last Milvus object on that file closes, so that another process (the next build, a search) can open it.
_LITE_LOCK = threading.Lock()
_LITE_USERS: dict[str, int] = {}


class Milvus:
    """A connection to the Milvus a store names, and the calls the index makes; every failure a typed error."""

    def __init__(self, uri: StoreURI) -> None:
        pymilvus = _pymilvus()
        # pymilvus logs each failed call with its traceback before raising, and Milvus Lite's in-process gRPC server
        # each call it does not implement (pymilvus asks, then does without); here every failure becomes one line
        for name in ("pymilvus", "milvus_lite", "grpc._server"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        self.uri = uri
        self._errors = (pymilvus.MilvusException,)
        if uri.kind == MILVUS_LITE:
            try:
                import milvus_lite  # noqa: F401  (pymilvus starts it for a .db path)
            except ImportError as e:
                raise StoreUnavailableError(
                    f"--store {uri.text} needs milvus-lite: pip install 'tipsearch[milvus]', or use --store local"
                ) from e
            Path(uri.address).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client = pymilvus.MilvusClient(uri.address, timeout=TIMEOUT)
        except Exception as e:  # pymilvus raises its own and grpc's; any of them means the same here
            raise self._unreachable(e) from e
        if uri.kind == MILVUS_LITE:
            with _LITE_LOCK:
                _LITE_USERS[uri.address] = _LITE_USERS.get(uri.address, 0) + 1
        self._closed = False

    def _unreachable(self, e: Exception) -> StoreUnavailableError:
        reason = str(getattr(e, "message", "") or e).splitlines()[0][:160] if str(e) else e.__class__.__name__
        if self.uri.kind == MILVUS_LITE:
            return StoreUnavailableError(
                f"Milvus Lite at {self.uri.address} cannot be opened ({reason}); it serves one process at a time: "
                "wait for the other build or search to finish, or serve it from a Milvus server (--store http://...)")
        return StoreUnavailableError(
            f"no Milvus answers at {self.uri.address} ({reason}): start it (e.g. Milvus standalone on port 19530), "
            "check the address, or use --store local")

    def call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """fn(*args, **kwargs); a Milvus or connection failure becomes one line that says what to do."""
        try:
            return fn(*args, **kwargs)
        except self._errors as e:
            message = (str(getattr(e, "message", "") or e).splitlines() or [e.__class__.__name__])[0]
            lowered = message.lower()
            if "not found" in lowered or "not exist" in lowered:
                raise IndexMissingError(
                    f"{what}: the collection is not in Milvus at {self.uri.address} ({message[:120]}): "
                    f"run `tipsearch build --store {self.uri.text}`") from e
            if any(w in lowered for w in ("connect", "unavailable", "deadline", "timeout", "closed")):
                raise self._unreachable(e) from e
            raise StoreUnavailableError(
                f"Milvus at {self.uri.address} could not {what} ({message[:160]}): run the command again; if it "
                f"fails again, build the index again with --store {self.uri.text}") from e
        except Exception as e:  # grpc's own errors when a server goes away mid-call
            if e.__class__.__module__.startswith(("grpc", "pymilvus")):
                raise self._unreachable(e) from e
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.client.close()
        except Exception:  # closing a connection to a server that went away: nothing left to release
            pass
        if self.uri.kind == MILVUS_LITE:
            with _LITE_LOCK:
                left = _LITE_USERS.get(self.uri.address, 1) - 1
                if left > 0:
                    _LITE_USERS[self.uri.address] = left
                    return
                _LITE_USERS.pop(self.uri.address, None)
            from milvus_lite.server_manager import server_manager_instance
            server_manager_instance.release_server(self.uri.address)

    # -- generations ----------------------------------------------------------------------------------
    def collection(self, generation: str) -> str:
        """A generation's chunks collection (its units collection: that name + UNITS)."""
        return f"{self.uri.alias}_{generation.replace('-', '_')}"

    def generations(self) -> list[str]:
        """This alias' generations (by chunks collection), oldest first; a units collection alone counts too."""
        prefix = f"{self.uri.alias}_gen_"
        names = self.call("list collections", self.client.list_collections)
        found = {n.removesuffix(UNITS) for n in names if n.startswith(prefix)}
        return sorted(n for n in found if n[len(prefix):].isdigit())

    def alias_target(self, suffix: str = "") -> str | None:
        alias = self.uri.alias + suffix
        aliases = self.call("list aliases", self.client.list_aliases).get("aliases", [])
        if alias not in aliases:
            return None
        return self.call("read the alias", self.client.describe_alias, alias)["collection_name"]

    def has(self, name: str) -> bool:
        return bool(self.call(f"look for {name}", self.client.has_collection, name))

    def create(self, name: str, dimension: int, multilingual: int | None) -> None:
        """A generation's two new, empty collections (any left by an interrupted build are dropped first)."""
        types = _pymilvus().DataType
        dense = {"index_type": "FLAT", "metric_type": "IP"} if self.uri.kind == MILVUS_LITE else _SERVER_INDEX
        for collection, row in ((name, CHUNK_ROW), (name + UNITS, UNIT_ROW)):
            if self.has(collection):
                self.call(f"drop {collection}", self.client.drop_collection, collection)
            schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field("pk", types.INT64, is_primary=True)
            schema.add_field("unit_id", types.INT64)
            schema.add_field("document_id", types.INT64)
            schema.add_field("year", types.INT64)  # -1: unknown
            for text_field in ("body", "kind", "language", "states"):
                schema.add_field(text_field, types.VARCHAR, max_length=_TEXT)
            index = self.client.prepare_index_params()
            if row == CHUNK_ROW:
                schema.add_field(MINILM_FIELD, types.FLOAT_VECTOR, dim=dimension)
                index.add_index(MINILM_FIELD, **dense)
                if multilingual:
                    schema.add_field(E5_FIELD, types.FLOAT_VECTOR, dim=multilingual)
                    index.add_index(E5_FIELD, **dense)
            else:
                schema.add_field(KEYWORDS_FIELD, types.SPARSE_FLOAT_VECTOR)
                index.add_index(KEYWORDS_FIELD, index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
            self.call(f"create {collection}", self.client.create_collection, collection, schema=schema,
                      index_params=index, consistency_level="Strong")

    def insert(self, name: str, row: int, rows: Iterator[dict], checkpoint: Callable[[], None] = lambda: None) -> int:
        """Rows of one kind (CHUNK_ROW, UNIT_ROW) into the generation's collection of that kind; how many."""
        collection = name if row == CHUNK_ROW else name + UNITS
        count = 0
        batch: list[dict] = []
        for item in rows:
            batch.append(item)
            if len(batch) >= _BATCH:
                self.call(f"write {collection}", self.client.insert, collection, batch)
                count += len(batch)
                batch = []
                checkpoint()
        if batch:
            self.call(f"write {collection}", self.client.insert, collection, batch)
            count += len(batch)
            checkpoint()
        return count

    def load(self, name: str) -> None:
        """Loaded for search (a server keeps them loaded; Milvus Lite loads them again in each process)."""
        for collection in (name, name + UNITS):
            self.call(f"load {collection}", self.client.load_collection, collection)

    def finish(self, name: str) -> None:
        """Flushed to storage and loaded for search: ready to be switched to."""
        for collection in (name, name + UNITS):
            self.call(f"flush {collection}", self.client.flush, collection)
        self.load(name)

    def switch(self, name: str) -> None:
        """Point the aliases at this generation's collections (units first: a reader on the chunks alias that
        then asks the units alias finds the new ones, or briefly newer ones, never older)."""
        for suffix in (UNITS, ""):
            alias = self.uri.alias + suffix
            if self.alias_target(suffix) is None:
                self.call(f"alias {name + suffix}", self.client.create_alias, name + suffix, alias)
            else:
                self.call(f"alias {name + suffix}", self.client.alter_alias, name + suffix, alias)

    def drop_except(self, keep: Collection[str]) -> None:
        """Drop this alias' generations other than `keep` (chunks collection names): older generations, or what
        an interrupted build left."""
        targets = {suffix: self.alias_target(suffix) for suffix in ("", UNITS)}
        for name in self.generations():
            if name in keep:
                continue
            log.info("dropping Milvus collections %s and %s", name, name + UNITS)
            for suffix in ("", UNITS):
                if targets[suffix] == name + suffix:  # Milvus keeps a collection an alias names
                    self.call(f"drop alias {self.uri.alias + suffix}", self.client.drop_alias, self.uri.alias + suffix)
                if self.has(name + suffix):
                    self.call(f"drop {name + suffix}", self.client.drop_collection, name + suffix)

    def count(self, name: str, row: int) -> int:
        collection = name if row == CHUNK_ROW else name + UNITS
        stats = self.call(f"count {collection}", self.client.get_collection_stats, collection)
        return int(stats.get("row_count", 0))

    # -- reading ----------------------------------------------------------------------------------------
    def dense(self, name: str, field: str, vector: np.ndarray, limit: int, where: str) -> tuple[np.ndarray, np.ndarray]:
        params = {"metric_type": "IP"} if self.uri.kind == MILVUS_LITE else _SERVER_SEARCH
        found = self.call(f"search {name}", self.client.search, name, data=[np.asarray(vector, np.float32).tolist()],
                          anns_field=field, limit=limit, filter=where, output_fields=["pk"], search_params=params)
        hits = found[0] if found else []
        ids = np.fromiter((int(h["id"] if "id" in h else h["pk"]) for h in hits), dtype=np.int64, count=len(hits))
        scores = np.fromiter((float(h["distance"]) for h in hits), dtype=np.float32, count=len(hits))
        return ids, scores

    def sparse(self, name: str, query: dict[int, float], limit: int, where: str) -> list[tuple[int, float]]:
        found = self.call(f"search {name + UNITS}", self.client.search, name + UNITS, data=[query],
                          anns_field=KEYWORDS_FIELD, limit=limit, filter=where, output_fields=["pk"],
                          search_params={"metric_type": "IP"})
        hits = found[0] if found else []
        return [(int(h["id"] if "id" in h else h["pk"]), float(h["distance"])) for h in hits]

    def vectors(self, name: str, field: str, ids: Sequence[int], dimension: int) -> np.ndarray:
        """The stored vectors of these chunk ids, in the order asked."""
        out = np.zeros((len(ids), dimension), dtype=np.float32)
        want = [int(i) for i in ids]
        got: dict[int, list[float]] = {}
        distinct = list(dict.fromkeys(want))
        for start in range(0, len(distinct), _GET_BATCH):
            rows = self.call(f"read {name}", self.client.get, name, ids=distinct[start:start + _GET_BATCH],
                             output_fields=[field])
            got.update({int(r["pk"]): r[field] for r in rows})
        for i, chunk in enumerate(want):
            if chunk in got:
                out[i] = got[chunk]
        return out


def restriction(selection: Selection | None, allowed: np.ndarray | Collection[int] | None, row: int) -> str:
    """A Milvus filter expression for the rows (chunks or units) that a search may return; "" for all.

    From the selection's fields where each can be said exactly; else (a selection that cannot, or ids alone)
    from the allowed ids themselves.
    """
    if allowed is None:
        return ""
    said = _expression(selection) if selection is not None else None
    if said is not None:
        return said
    return f"pk in [{','.join(str(int(i)) for i in allowed)}]"


def _quoted_part(text: str) -> str | None:
    """A `like "%...%"` pattern matching text anywhere, as SQLite's instr(lower(x), lower(text)); None where the
    text holds a character the pattern cannot say plainly."""
    lowered = _ascii_lower(text)
    if any(c in lowered for c in '"\\%_|\n'):
        return None
    return f'"%{lowered}%"'


def _ids(values: Collection[int]) -> str:
    return "[" + ",".join(str(int(v)) for v in sorted(values)) + "]"


def _expression(s: Selection) -> str | None:
    """The selection as an expression on the scalar fields ("" for none); None where it cannot be said exactly."""
    parts: list[str] = []
    if s.year_from is not None:
        parts.append(f"year >= {int(s.year_from)}")
    if s.year_to is not None:
        parts.append(f"year >= 0 and year <= {int(s.year_to)}")  # unknown years (-1) are not in any range
    if s.document_ids:
        parts.append(f"document_id in {_ids(s.document_ids)}")
    if s.body:
        pattern = _quoted_part(s.body)
        if pattern is None:
            return None
        parts.append(f"body like {pattern}")
    if s.kind == "recommendation":
        parts.append('kind == "recommendation"')
    elif s.kind == "other":
        parts.append('kind != "recommendation"')
    if s.state:
        pattern = _quoted_part(s.state)
        if pattern is None:
            return None
        parts.append(f"states like {pattern}")
    if s.language:
        if not s.language.isalpha():
            return None
        parts.append(f'language == "{s.language}"')
    if s.exclude_units:
        parts.append(f"unit_id not in {_ids(s.exclude_units)}")
    if s.exclude_documents:
        parts.append(f"document_id not in {_ids(s.exclude_documents)}")
    return " and ".join(parts)


class MilvusVectors:
    """One model's chunk vectors in a generation's collection: VectorIndex's reading interface."""

    def __init__(self, milvus: Milvus, name: str, field: str, dimension: int, count: int) -> None:
        self.milvus = milvus
        self.name = name
        self.field = field
        self.dimension = dimension
        self.count = count

    @property
    def kind(self) -> str:
        return "milvus"

    def __len__(self) -> int:
        return self.count

    def search(self, query: np.ndarray, n: int, allowed: np.ndarray | None = None,
               selection: Selection | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, scores) of the n nearest allowed chunks, best first: the filter runs inside Milvus."""
        n = min(n, len(self) if allowed is None else len(allowed), MAX_TOP_K)
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        # Equal scores (a paragraph repeated in many documents) as FAISS' flat scan gives them: of those straddling
        # the cut, the lowest ids; listed higher id first. So a pool's last units are the local store's. Milvus
        # returns an arbitrary few of them: fetched deeper while they straddle the cut.
        where = restriction(selection, allowed, CHUNK_ROW)
        limit = len(self) if allowed is None else len(allowed)
        depth = min(n + 1, limit, MAX_TOP_K)
        while True:
            ids, scores = self.milvus.dense(self.name, self.field, query, depth, where)
            if len(ids) <= n or depth >= min(limit, MAX_TOP_K) or scores[n - 1] > scores.min():
                break
            depth = min(4 * depth, limit, MAX_TOP_K)
        keep = np.lexsort((ids, -scores))[:n]
        ids, scores = ids[keep], scores[keep]
        order = np.lexsort((-ids, -scores))
        return ids[order], scores[order]

    def reconstruct(self, ids: list[int] | np.ndarray) -> np.ndarray:
        return self.milvus.vectors(self.name, self.field, list(np.asarray(ids, dtype=np.int64)), self.dimension)

    def all_vectors(self) -> np.ndarray:
        return self.reconstruct(np.arange(len(self)))


class MilvusStore(Store):
    """The units' rows from the generation's SQLite (as Store), the keyword list from Milvus' sparse vectors."""

    milvus: Milvus
    collection: str

    @classmethod
    def attach(cls, store: Store, milvus: Milvus, collection: str) -> MilvusStore:
        out = cls(store.conn, store.path)
        out.milvus, out.collection, out.impacts = milvus, collection, store.impacts
        return out

    def keyword_search(self, question: str, limit: int, allowed: Collection[int] | None = None,
                       context_weight: float = CONTEXT_WEIGHT, use_impacts: bool = True,
                       selection: Selection | None = None) -> list[tuple[int, float]]:
        """As Store.keyword_search, scored by Milvus over the units' impact vectors where the impacts are exact for
        the query (else FTS5 here, as the local store does). Ties in score: the lower unit id first, as locally."""
        rows = None
        if use_impacts and self.impacts is not None and fts_query(question) is not None:
            rows = self.impacts.rows(query_words(question), context_weight)
        if rows is None:
            return super().keyword_search(question, limit, allowed, context_weight, use_impacts=False)
        if not rows or limit <= 0 or (allowed is not None and not allowed):
            return []
        query: dict[int, float] = {}
        for r in rows:
            query[int(r)] = query.get(int(r), 0.0) + 1.0
        # Ordered as the local list: among equal scores the lower unit id first, also at the cut. Milvus returns
        # an arbitrary few of many equal scores (a paragraph repeated in many documents), so the list is fetched
        # deeper until the scores at the cut are all in it (or Milvus' limit is reached).
        where = restriction(selection, allowed, UNIT_ROW)
        depth = min(2 * limit, MAX_TOP_K)
        while True:
            found = sorted(((u, s) for u, s in self.milvus.sparse(self.collection, query, depth, where) if s > 0),
                           key=lambda x: (-x[1], x[0]))
            if len(found) < depth or depth >= MAX_TOP_K or found[limit - 1][1] > found[-1][1]:
                return found[:limit]
            depth = min(4 * depth, MAX_TOP_K)


def chunk_rows(store: Store, vectors: np.ndarray, multilingual: np.ndarray | None) -> Iterator[dict]:
    """Every chunk of a generation as a Milvus row: its vectors and its unit's filter fields."""
    for chunk, unit, fields in _rows(store, chunks=True):
        row = {"pk": chunk, "unit_id": unit, **fields, MINILM_FIELD: vectors[chunk].tolist()}
        if multilingual is not None:
            row[E5_FIELD] = multilingual[chunk].tolist()
        yield row


def unit_rows(store: Store, impacts: Impacts) -> Iterator[dict]:
    """Every unit as a Milvus row: its keyword impacts as a sparse vector over term rows, its filter fields."""
    units, offsets, terms, weights = impacts.by_unit()
    at = {int(u): i for i, u in enumerate(units.tolist())}
    for _, unit, fields in _rows(store, chunks=False):
        i = at.get(unit)
        sparse = _NO_TERMS if i is None else {
            int(t): float(w) for t, w in zip(terms[offsets[i]:offsets[i + 1]], weights[offsets[i]:offsets[i + 1]])}
        yield {"pk": unit, "unit_id": unit, **fields, KEYWORDS_FIELD: sparse}


def _rows(store: Store, chunks: bool) -> Iterator[tuple[int, int, dict]]:
    """(chunk id or 0, unit id, filter fields) of every chunk (or unit), in id order."""
    source = "chunks c JOIN units u ON u.id = c.unit_id" if chunks else "units u"
    first = "c.id" if chunks else "u.id"
    rows = store.conn.execute(
        f"SELECT {first}, u.id, d.id, d.year, d.body, u.kind, d.language, u.states FROM {source}"
        f" JOIN documents d ON d.id = u.document_id ORDER BY {first}")
    for chunk, unit, document, year, body, kind, language, states in rows:
        joined = "|".join(_ascii_lower(s) for s in json.loads(states))
        yield int(chunk), int(unit), {
            "document_id": int(document), "year": -1 if year is None else int(year),
            "body": _ascii_lower(body or "")[:_TEXT], "kind": (kind or "")[:_TEXT],
            "language": (language or "")[:_TEXT],
            "states": f"|{joined}|"[:_TEXT] if joined else ""}


def open_generation(uri: StoreURI, manifest: Any, rows: Store) -> tuple[MilvusStore, MilvusVectors,
                                                                         MilvusVectors | None]:
    """A generation's Milvus side: the collection the manifest names, checked to hold its chunks and units."""
    name = manifest.extra.get("collection")
    remote = Milvus(uri)
    try:
        if not name or not remote.has(name) or not remote.has(name + UNITS):
            raise IndexMissingError(
                f"collection {name!r} of {manifest.generation} (or its units) is not in Milvus at {uri.address}: run "
                f"`tipsearch build --store {uri.text}`")
        if remote.alias_target() != name:  # a build killed between its manifest and its alias: the manifest rules
            log.warning("alias %s does not name %s; searching the collection the manifest names", uri.alias, name)
        remote.load(name)
        chunks, units = remote.count(name, CHUNK_ROW), remote.count(name, UNIT_ROW)
        if (chunks, units) != (manifest.vectors, manifest.units):
            raise IndexMissingError(
                f"collection {name} in Milvus at {uri.address} holds {chunks} chunks and {units} units, the manifest "
                f"says {manifest.vectors} and {manifest.units}: run `tipsearch build --store {uri.text}`")
        e5 = len(manifest.models) > 1
        return (MilvusStore.attach(rows, remote, name),
                MilvusVectors(remote, name, MINILM_FIELD, manifest.dimension, manifest.vectors),
                MilvusVectors(remote, name, E5_FIELD, manifest.dimension, manifest.vectors) if e5 else None)
    except Exception:
        remote.close()
        raise


def write_generation(remote: Milvus, generation: str, folder: Path, embedded: Any, dimension: int,
                     checkpoint: Callable[[], None] = lambda: None) -> str:
    """A generation's collections from its folder's rows and keyword impacts and the build's vectors, flushed and
    loaded (not yet behind the aliases); the chunks collection's name."""
    from tipsearch.index.layout import DATABASE, KEYWORDS  # layout imports store_uri; here no cycle
    name = remote.collection(generation)
    multilingual = None if embedded.multilingual is None else int(embedded.multilingual.shape[1])
    remote.create(name, dimension, multilingual)
    rows = Store.open(folder / DATABASE)
    try:
        impacts = Impacts.load(folder / KEYWORDS)
        remote.insert(name, CHUNK_ROW, chunk_rows(rows, embedded.vectors, embedded.multilingual), checkpoint)
        remote.insert(name, UNIT_ROW, unit_rows(rows, impacts), checkpoint)
    finally:
        rows.close()
    remote.finish(name)
    return name
