"""Build the index from a corpus folder: read, clean, segment, embed, store, switch.

Unchanged text is never embedded again: each chunk's vector is found by the hash of its
text in the previous generation. The new generation is written aside and made live by
replacing manifest.json, so an interrupted build leaves the previous index usable. One build
runs at a time (a lock file); the next build removes what an interrupted one left behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from tqdm import tqdm


from tipsearch.index import keyword_impacts as impacts

from tipsearch.ingest import metadata
from tipsearch.ingest.parse import ParsedFile, corpus_files, parse_file, sha256_file


from tipsearch.citations import cite
from tipsearch.models.embedders import MINILM, Embedder, load_embedder, windows
from tipsearch.errors import IndexCorruptError, TipsearchError, UnreadableFileError
from tipsearch.index.layout import (
    DATABASE, FILES, KEYWORDS, PIECE_OFFSETS, PIECES, VECTORS, DocumentEntry, FileCheck, IndexLayout, Manifest, fsync_dir,
)
from tipsearch.search.rerank import PieceStore, can_read, pack, voting
from tipsearch.records import Document, Paragraph
from tipsearch.index.store import CONTEXT_WEIGHT, TOKENIZE, Store
from tipsearch.index.vectors import VectorIndex

log = logging.getLogger(__name__)

EMBED_BATCH = 256
# Bump when embedding_texts or embedding.windows change what a unit is embedded as: a rebuild
# reuses an unchanged unit's chunk hashes only when the old index was chunked the same way.
CHUNKING = "1"

# Test-only fault injection (tests/test_crash.py): when TIPSEARCH_PAUSE_AT names a checkpoint,
# the build touches the file named by TIPSEARCH_PAUSE_FILE there and waits to be killed, so a
# test can interrupt a real build process at an exact point. Unset in normal use: a no-op.
PAUSE_AT = "TIPSEARCH_PAUSE_AT"
PAUSE_FILE = "TIPSEARCH_PAUSE_FILE"
CHECKPOINTS = ("reading", "embedding", "written", "renamed", "switched")


@dataclass(frozen=True)
class FileReport:
    file: str
    status: str  # "indexed", "unchanged", "skipped", "duplicate"
    units: int = 0
    reason: str | None = None


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


def context_prefix(p: Paragraph) -> str:
    """What leads each of a unit's embedded windows: its label and section heading and a line end
    ("" if it has neither)."""
    context = " ".join(x for x in (p.label, p.section[-1] if p.section else None) if x)
    return f"{context}\n" if context else ""


def embedding_texts(p: Paragraph, embedder: Embedder, context_tokens: dict[str, int] | None = None) -> list[str]:
    """The texts embedded for a unit: its windows, each led by its context_prefix.

    context_tokens: token counts of contexts seen so far (a build passes one dict: headings repeat).
    """
    prefix = context_prefix(p)
    counts = {} if context_tokens is None else context_tokens
    if prefix and prefix not in counts:
        counts[prefix] = embedder.count_tokens(prefix)
    budget = embedder.max_tokens - 8 - (counts[prefix] if prefix else 0)
    return [prefix + w for w in windows(p.text, embedder, max(budget, 64))]


def _text_hash(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


def _fingerprint(files: list[Path], hashes: dict[Path, str], corpus_dir: Path) -> dict[str, str]:
    return {str(p.relative_to(corpus_dir)): hashes[p] for p in files}


def _checkpoint(name: str) -> None:
    if os.environ.get(PAUSE_AT) == name:
        Path(os.environ[PAUSE_FILE]).touch()
        while True:
            time.sleep(0.05)


def _intact(layout: IndexLayout, manifest: Manifest) -> bool:
    """True when the generation's files match the manifest; a damaged index is rebuilt, not kept."""
    try:
        for name in manifest.files:
            layout.check_file(manifest, name)
    except IndexCorruptError as e:
        log.warning("%s", e)
        return False
    return True


def _up_to_date(old: Manifest | None, layout: IndexLayout, model: str, sources: dict[str, str], catalog: str | None) -> bool:
    return bool(
        old
        and old.model == model
        and old.catalog_sha256 == catalog
        and old.extra.get("sources") == sources
        and KEYWORDS in old.files  # an index from before keywords.npz is rebuilt, every vector reused
        and (PIECES in old.files or model != MINILM)  # one from before pieces.npy: embedded again, once
        and _intact(layout, old)
    )


@dataclass(frozen=True)
class _Previous:
    """What the live generation offers for reuse: vectors by text hash, chunk hashes by unit."""

    hashes: dict[str, int] = field(default_factory=dict)
    vectors: VectorIndex | None = None
    pieces: PieceStore | None = None
    unit_chunks: dict[tuple[str | None, str, str], tuple[str, ...]] = field(default_factory=dict)


def _previous(layout: IndexLayout, old: Manifest | None, model: str, reads: bool) -> _Previous:
    """The live generation's reusable parts; empty when unusable or damaged, or when it lacks the
    pieces a reading model must write (reading.py)."""
    if old is None or old.model != model:
        return _Previous()
    if reads and PIECES not in old.files:
        log.info("the index has no pieces.npy (built before reading): embedding everything again, once")
        return _Previous()
    try:
        layout.check_file(old, DATABASE)
        pieces = None
        if reads:
            for name in (PIECES, PIECE_OFFSETS):
                layout.check_file(old, name)
            pieces = PieceStore.load(layout.generation_dir(old.generation), old.dimension)
        store = Store.open(layout.database(old.generation))
        try:
            hashes = store.chunk_hashes()
            same_chunking = old.extra.get("chunking") == CHUNKING
            unit_chunks = store.unit_chunk_hashes() if same_chunking else {}
        finally:
            store.close()
        return _Previous(
            hashes, VectorIndex.load(layout.vectors(old.generation), old.dimension, old.vectors, old.files[VECTORS]),
            pieces, unit_chunks,
        )
    except TipsearchError as e:
        log.warning("previous index not reusable, embedding everything again: %s", e)
        return _Previous()


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    model: str = MINILM,
    embedder: Embedder | None = None,
    progress: bool = True,
    force: bool = False,
    on_file: Callable[[FileReport], None] | None = None,
    device: str | None = None,
    precision: str = "auto",
    vector_index: str = "auto",
) -> BuildReport:
    """Build or update index_dir from the files in corpus_dir; one build at a time per index.

    device (auto, cpu, cuda) and precision (auto, fp32, bf16, int8) choose how the model runs;
    vector_index (auto, flat, hnsw) the FAISS index, auto choosing by size.
    """
    layout = IndexLayout(index_dir)
    with layout.build_lock():
        return _build(corpus_dir, layout, model, embedder, progress, force, on_file, device, precision, vector_index)


def _build(
    corpus_dir: Path,
    layout: IndexLayout,
    model: str,
    embedder: Embedder | None,
    progress: bool,
    force: bool,
    on_file: Callable[[FileReport], None] | None,
    device: str | None,
    precision: str,
    vector_index: str,
) -> BuildReport:
    start = time.perf_counter()
    index_dir = layout.root
    model = embedder.name if embedder else model
    files = corpus_files(corpus_dir)
    hashes = {p: sha256_file(p) for p in files}
    sources = _fingerprint(files, hashes, corpus_dir)
    catalog_path = corpus_dir / metadata.CATALOG
    catalog_sha = sha256_file(catalog_path) if catalog_path.exists() else None
    old = layout.manifest_or_none()
    _remove_leftovers(layout, old)
    if not force and _up_to_date(old, layout, model, sources, catalog_sha):
        reports = tuple(FileReport(d.file, "unchanged", d.units) for d in old.documents) + tuple(
            FileReport(**s) for s in old.extra.get("skipped", [])
        )
        return BuildReport(index_dir, reports, old.units, 0, 0, time.perf_counter() - start, up_to_date=True)

    parsed, reports = _read_all(files, hashes, corpus_dir, progress, on_file)
    emb = embedder
    if emb is None and any(item.units for item in parsed):
        emb = load_embedder(model, device, precision)
    reads = emb is not None and can_read(emb)
    previous = _previous(layout, old, model, reads)
    generation = layout.next_generation()
    tmp = layout.root / f"{generation}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    store = Store.create(tmp / DATABASE)
    chunk_texts: list[str] = []
    chunk_skips: list[int] = []  # characters of each text's context prefix: its pieces do not vote
    chunk_rows: list[tuple[int, int, str]] = []
    context_tokens: dict[str, int] = {}
    for item in parsed:
        doc_id = store.add_document(item.document)
        for p in item.units:
            unit_id = store.add_unit(doc_id, p, cite(item.document, p))
            known = previous.unit_chunks.get((p.label, json.dumps(p.section, ensure_ascii=False), p.text))
            if known:  # unchanged unit: its vectors are reused, so its windows need not be recomputed
                first = len(chunk_rows)
                chunk_rows.extend([(first + j, unit_id, h) for j, h in enumerate(known)])
                chunk_texts.extend("" for _ in known)
                chunk_skips.extend(0 for _ in known)
                continue
            skip = len(context_prefix(p))
            for text in embedding_texts(p, emb, context_tokens):
                chunk_rows.append((len(chunk_rows), unit_id, _text_hash(model, text)))
                chunk_texts.append(text)
                chunk_skips.append(skip)
    store.add_chunks(chunk_rows)
    store.commit()
    # Recomputed in full each build, from FTS5's own index: ~5 s at 100k units (bench/results/scale.md).
    impacts.compute(store.conn, "units_fts", "text", TOKENIZE, CONTEXT_WEIGHT).save(tmp / KEYWORDS)
    store.close()

    vectors, pieces, embedded, reused = _embed_chunks(chunk_texts, chunk_skips, chunk_rows, emb, previous, progress)
    dimension = emb.dimension if emb else (old.dimension if old else 384)
    vector_store = VectorIndex.build(vectors, dimension, kind=vector_index)
    vector_store.save(tmp / VECTORS)
    if reads:
        PieceStore.of(pieces, dimension).save(tmp)
    _fsync_tree(tmp)
    checks = {name: FileCheck.of(tmp / name) for name in FILES if (tmp / name).exists()}
    _checkpoint("written")
    os.replace(tmp, layout.generation_dir(generation))
    fsync_dir(layout.root)
    _checkpoint("renamed")
    units = sum(len(p.units) for p in parsed)
    skipped = [r for r in reports if r.status == "skipped"]
    layout.write_manifest(
        Manifest(
            generation=generation,
            model=model,
            dimension=dimension,
            units=units,
            vectors=len(chunk_rows),
            documents=tuple(DocumentEntry(p.path.name, p.document.sha256, len(p.units)) for p in parsed),
            catalog_sha256=catalog_sha,
            vector_index=vector_store.kind,
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            files=checks,
            extra={"sources": sources, "skipped": [r.__dict__ for r in skipped],
                   "precision": getattr(emb, "precision", "fp32"), "chunking": CHUNKING},
        )
    )
    _checkpoint("switched")
    _remove_old_generations(layout, keep={generation, old.generation if old else generation})
    return BuildReport(index_dir, tuple(reports), units, embedded, reused, time.perf_counter() - start)


def _read_all(
    files: list[Path],
    hashes: dict[Path, str],
    corpus_dir: Path,
    progress: bool,
    on_file: Callable[[FileReport], None] | None,
) -> tuple[list[ParsedFile], list[FileReport]]:
    catalog = metadata.read_catalog(corpus_dir)
    parsed: list[ParsedFile] = []
    reports: list[FileReport] = []
    first_name: dict[str, str] = {}
    for path in tqdm(files, desc="Reading", unit="file", disable=not progress):
        sha = hashes[path]
        if sha in first_name:
            report = FileReport(path.name, "duplicate", 0, f"same content as {first_name[sha]}; indexed once")
        else:
            try:
                item = parse_file(path, sha, catalog.get(path.name))
                parsed.append(item)
                first_name[sha] = path.name
                report = FileReport(path.name, "indexed", len(item.units))
            except UnreadableFileError as e:
                report = FileReport(path.name, "skipped", 0, e.reason)
            except Exception as e:  # a reader bug must not sink the batch; it is reported by name
                log.debug("unexpected error reading %s", path, exc_info=True)
                report = FileReport(path.name, "skipped", 0, f"could not be read ({e.__class__.__name__}: {e})")
        reports.append(report)
        if on_file:
            on_file(report)
        _checkpoint("reading")
    return parsed, reports


def _embed_chunks(
    texts: list[str],
    skips: list[int],
    rows: list[tuple[int, int, str]],
    embedder: Embedder | None,
    previous: _Previous,
    progress: bool,
) -> tuple[np.ndarray, list[np.ndarray], int, int]:
    """Vectors for every chunk, and its packed voting pieces when the embedder reads (else []),
    reusing the previous generation's where the text is unchanged."""
    if not rows:
        return np.zeros((0, embedder.dimension if embedder else 384), dtype=np.float32), [], 0, 0
    reads = can_read(embedder)
    vectors = np.zeros((len(rows), embedder.dimension), dtype=np.float32)
    pieces: list[np.ndarray] = [np.zeros((0, embedder.dimension // 8), dtype=np.uint8)] * len(rows) if reads else []
    old = previous.vectors
    reuse = [(i, previous.hashes[h]) for i, _, h in rows if old is not None and h in previous.hashes]
    if reuse:
        vectors[[i for i, _ in reuse]] = old.reconstruct([j for _, j in reuse])
        if reads:
            for i, j in reuse:
                pieces[i] = previous.pieces.chunk(j)
    reused_ids = {i for i, _ in reuse}
    # longest first across the whole build, not per batch: each batch pads to similar lengths
    todo = sorted((i for i, _, _ in rows if i not in reused_ids), key=lambda i: -len(texts[i]))
    with tqdm(total=len(todo), desc="Embedding", unit="chunk", disable=not progress or not todo) as bar:
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            if reads:
                embedded, read = embedder.embed_pieces([texts[i] for i in batch])
                vectors[batch] = embedded
                for i, r in zip(batch, read):
                    pieces[i] = pack(r.vectors[voting(r, skips[i])])
            else:
                vectors[batch] = embedder.embed([texts[i] for i in batch])
            bar.update(len(batch))
            _checkpoint("embedding")
    return vectors, pieces, len(todo), len(reuse)


def _fsync_tree(path: Path) -> None:
    for p in path.iterdir():
        with p.open("rb") as f:
            os.fsync(f.fileno())
    fsync_dir(path)


def _remove_leftovers(layout: IndexLayout, live: Manifest | None) -> None:
    """Remove what an interrupted build left: `*.tmp` folders, a generation newer than the live one.

    Safe under the build lock: no other build is writing, and no manifest points to these.
    """
    live_number = _generation_number(live.generation) if live else 0
    for p in layout.root.glob("gen-*"):
        number = _generation_number(p.name)
        if p.name.endswith(".tmp") or (number is not None and number > live_number):
            log.info("removing %s, left by an interrupted build", p)
            shutil.rmtree(p, ignore_errors=True)
    layout.manifest_path.with_suffix(".json.tmp").unlink(missing_ok=True)


def _generation_number(name: str) -> int | None:
    digits = name[4:10]
    return int(digits) if name.startswith("gen-") and digits.isdigit() else None


def _remove_old_generations(layout: IndexLayout, keep: set[str]) -> None:
    """Drop generations no manifest points to; keep the previous one for readers still on it."""
    for p in layout.root.glob("gen-*"):
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
