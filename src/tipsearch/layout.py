"""The index on disk: a folder you can `ls`.

    index/manifest.json          which generation is live, model, dimension, schema, documents
    index/gen-000003/units.sqlite    documents, units, chunks, FTS5
    index/gen-000003/vectors.faiss   one vector per chunk, in chunk id order

A build writes a new generation folder beside the live one and switches by replacing
manifest.json atomically, so a crash mid-build leaves the previous index as it was.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import IndexCorruptError, IndexMissingError

SCHEMA_VERSION = 2  # 2: units.footnotes
MANIFEST = "manifest.json"
DATABASE = "units.sqlite"
VECTORS = "vectors.faiss"


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
    extra: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        data["documents"] = tuple(DocumentEntry(**d) for d in data["documents"])
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
        except (ValueError, TypeError, KeyError) as e:
            raise IndexCorruptError(
                f"{self.manifest_path} is unreadable ({e.__class__.__name__}): run `tipsearch build`"
            ) from e
        if manifest.schema_version != SCHEMA_VERSION:
            raise IndexCorruptError(
                f"{self.manifest_path} has schema version {manifest.schema_version}, this tipsearch reads "
                f"{SCHEMA_VERSION}: run `tipsearch build`"
            )
        return manifest

    def manifest_or_none(self) -> Manifest | None:
        try:
            return self.read_manifest()
        except (IndexMissingError, IndexCorruptError):
            return None

    def next_generation(self) -> str:
        numbers = [int(p.name.split("-")[1].split(".")[0]) for p in self.root.glob("gen-*") if p.name[4:10].isdigit()]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def write_manifest(self, manifest: Manifest) -> None:
        """Write aside, fsync, then rename over: readers see the old or the new, never half."""
        tmp = self.manifest_path.with_suffix(".json.tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.write(manifest.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.manifest_path)
        _fsync_dir(self.root)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
