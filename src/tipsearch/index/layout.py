"""The index on disk: a folder you can `ls`.

    index/manifest.json          which generation is live, model, dimension, schema, documents
    index/gen-000003/units.sqlite    documents, units, chunks, FTS5
    index/gen-000003/vectors.faiss   one vector per chunk, in chunk id order
    index/gen-000003/vectors-e5.faiss   the same chunks by the multilingual model (when it was built with it)
    index/gen-000003/sentences-e5.npy, sentence-units-e5.npy, sentence-keys-e5.npy   and each unit's sentences
    index/gen-000003/keywords.npz    FTS5's BM25 per (term, unit), precomputed (impacts.py)
    index/gen-000003/pieces.npy, piece-offsets.npy   each chunk's word pieces as sign bits (reading.py)
    index/gen-000003/spans.npy, span-keys.npy, span-offsets.npy   a vector per sentence of each unit (spans.py)
    index/question-encoder-<key>.onnx  the model for questions on ONNX Runtime (questions.py; optional)

Built with `--store milvus-lite:PATH.db` or `--store http://HOST:19530` (index/milvus.py), a generation has no
.faiss files: its vectors and keyword lists are the Milvus collection the manifest names (extra.store,
extra.collection), switched with the manifest.

A build writes a new generation folder beside the live one and switches by replacing
manifest.json atomically, so a crash mid-build leaves the previous index as it was.
The manifest records each generation file's size and CRC-32, so a truncated or altered file
is refused on open instead of answering wrongly.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tipsearch.errors import IndexBusyError, IndexCorruptError, IndexMissingError
from tipsearch.index.store_uri import LOCAL

# 2: units.footnotes, file checks in the manifest; 3: documents.distribution, .session; 4: documents.kind,
# .distributed, units.states; 5: documents.language is the language the text is in ("fr"), documents.original
# the masthead's "Original: English"; 6: spans.npy, span-keys.npy, span-offsets.npy (answer spans from the
# build), vectors-e5.faiss and the manifest's `models`; 7: documents.warnings (ingest/checks.py).
# keywords.npz came later without a bump: an index without it is still correct (FTS5 scores its
# keyword queries), and the next build adds it reusing every vector instead of embedding them again.
SCHEMA_VERSION = 8
MANIFEST = "manifest.json"
BUILD_LOCK = ".build.lock"
DATABASE = "units.sqlite"
VECTORS = "vectors.faiss"
KEYWORDS = "keywords.npz"
# Written by a model that reads (reading.py); an index without them is searched without reading.
PIECES = "pieces.npy"  # every voting piece of every chunk, in chunk order: pieces x dimension/8 sign bits
PIECE_OFFSETS = "piece-offsets.npy"  # chunk i's pieces are rows offsets[i]:offsets[i + 1]
# Written by the same pass: each sentence's vector, for the answer span (spans.py).
SPANS = "spans.npy"
SPAN_KEYS = "span-keys.npy"
SPAN_OFFSETS = "span-offsets.npy"
# Where the multilingual model was run too (models/e5.py): every chunk's vector by it, in chunk order.
MULTILINGUAL_VECTORS = "vectors-e5.faiss"
# manifest extra["multilingual"] while a build has made keyword and MiniLM search live and the multilingual
# model's pass is still to come (index/build.py early_chunks)
PENDING = "pending"
# ... and every unit's sentences by it, apart (multilingual.py): float32 rows, each row's unit and sentence key
SENTENCE_VECTORS = "sentences-e5.npy"
SENTENCE_UNITS = "sentence-units-e5.npy"
SENTENCE_KEYS = "sentence-keys-e5.npy"
FILES = (DATABASE, VECTORS, KEYWORDS, PIECES, PIECE_OFFSETS, SPANS, SPAN_KEYS, SPAN_OFFSETS, MULTILINGUAL_VECTORS,
         SENTENCE_VECTORS, SENTENCE_UNITS, SENTENCE_KEYS)
_REQUIRED = (DATABASE, VECTORS)
_GENERATION = re.compile(r"^gen-\d{6}$")
_BLOCK = 1 << 20


@dataclass(frozen=True)
class FileCheck:
    """What a generation file must be: its size in bytes and the CRC-32 of its bytes."""

    bytes: int
    crc32: str

    @classmethod
    def of(cls, path: Path) -> FileCheck:
        crc = 0
        with path.open("rb") as f:
            for block in iter(lambda: f.read(_BLOCK), b""):
                crc = zlib.crc32(block, crc)
        return cls(path.stat().st_size, f"{crc:08x}")


@dataclass(frozen=True)
class DocumentEntry:
    file: str
    sha256: str
    units: int


@dataclass(frozen=True)
class Manifest:
    generation: str
    model: str
    dimension: int
    units: int
    vectors: int
    documents: tuple[DocumentEntry, ...]
    catalog_sha256: str | None = None
    schema_version: int = SCHEMA_VERSION
    vector_index: str = "flat"
    built_at: str = ""
    files: dict[str, FileCheck] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    # every model whose vectors the generation holds: `model` first, then the multilingual one if it ran
    models: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        data["documents"] = tuple(DocumentEntry(**d) for d in data["documents"])
        data["files"] = {name: FileCheck(**check) for name, check in data["files"].items()}
        data["models"] = tuple(data.get("models", ()))
        return cls(**data)


@dataclass(frozen=True)
class IndexLayout:
    root: Path

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def generation_dir(self, generation: str) -> Path:
        return self.root / generation

    def database(self, generation: str) -> Path:
        return self.generation_dir(generation) / DATABASE

    def vectors(self, generation: str) -> Path:
        return self.generation_dir(generation) / VECTORS

    def read_manifest(self) -> Manifest:
        if not self.manifest_path.exists():
            raise IndexMissingError(f"no index at {self.root}/: run `tipsearch build` first")
        try:
            manifest = Manifest.from_json(self.manifest_path.read_text(encoding="utf-8"))
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            version = _schema_version(self.manifest_path)
            if version is not None and version != SCHEMA_VERSION:
                raise IndexCorruptError(
                    f"{self.manifest_path} has schema version {version}, this tipsearch reads "
                    f"{SCHEMA_VERSION}: run `tipsearch build`"
                ) from e
            raise IndexCorruptError(
                f"{self.manifest_path} is unreadable ({e.__class__.__name__}): run `tipsearch build`"
            ) from e
        if manifest.schema_version != SCHEMA_VERSION:
            raise IndexCorruptError(
                f"{self.manifest_path} has schema version {manifest.schema_version}, this tipsearch reads "
                f"{SCHEMA_VERSION}: run `tipsearch build`"
            )
        # The generation names a folder: a hand-edited "../x" must not lead outside the index.
        if not isinstance(manifest.generation, str) or not _GENERATION.match(manifest.generation):
            raise IndexCorruptError(
                f"{self.manifest_path} names generation {manifest.generation!r}, not gen-NNNNNN: run `tipsearch build`"
            )
        # A generation whose vectors live in Milvus (index/milvus.py) has no FAISS file.
        required = _REQUIRED if manifest.extra.get("store", LOCAL) == LOCAL else (DATABASE,)
        if not set(required) <= set(manifest.files) <= set(FILES):
            raise IndexCorruptError(
                f"{self.manifest_path} lists files {sorted(manifest.files)}, expected {', '.join(_REQUIRED)} "
                f"(and {KEYWORDS}, {PIECES}, {PIECE_OFFSETS}, {SPANS}, ...): run `tipsearch build`"
            )
        return manifest

    def manifest_or_none(self) -> Manifest | None:
        try:
            return self.read_manifest()
        except (IndexMissingError, IndexCorruptError):
            return None

    def check_file(self, manifest: Manifest, name: str) -> None:
        """Raise IndexCorruptError unless the generation file has the size and checksum the manifest says."""
        path = self.generation_dir(manifest.generation) / name
        expected = manifest.files.get(name)
        if expected is None:  # an index from before keywords.npz: usable, but a build should add it
            raise IndexCorruptError(f"{self.manifest_path} lists no {name}: run `tipsearch build`")
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing: run `tipsearch build`")
        size = path.stat().st_size
        if size != expected.bytes:  # truncation shows without reading the file
            raise _mismatch(path, f"{size} bytes, the manifest says {expected.bytes}")
        actual = FileCheck.of(path)
        if actual.crc32 != expected.crc32:
            raise _mismatch(path, f"checksum {actual.crc32}, the manifest says {expected.crc32}")

    def next_generation(self) -> str:
        numbers = [int(p.name.split("-")[1].split(".")[0]) for p in self.root.glob("gen-*") if p.name[4:10].isdigit()]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Hold the index's build lock: one build at a time; readers never wait on it.

        flock is released by the kernel when the process dies, so a killed build leaves no stale lock.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / BUILD_LOCK).open("a") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise IndexBusyError(
                    f"another build is running on {self.root}/: wait for it to finish, then run the command again"
                ) from e
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    def write_manifest(self, manifest: Manifest) -> None:
        """Write aside, fsync, then rename over: readers see the old or the new, never half."""
        tmp = self.manifest_path.with_suffix(".json.tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.write(manifest.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.manifest_path)
        fsync_dir(self.root)


def _mismatch(path: Path, what: str) -> IndexCorruptError:
    return IndexCorruptError(f"{path} is damaged ({what}): run `tipsearch build`")


def _schema_version(path: Path) -> object:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("schema_version") if isinstance(data, dict) else None


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
