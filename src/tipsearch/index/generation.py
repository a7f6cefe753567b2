"""One built generation, opened and checked once: the same code serves a search (Library.open) and a build
that reuses the live generation's vectors.

Every file the manifest lists is checked (size and CRC-32, index/layout.py) before anything is read; the
schema version says which files a generation has, so an index from an older tipsearch is refused with
"run `tipsearch build`" (and the build embeds it again) instead of being read in a mode of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tipsearch.errors import BadOptionError, IndexCorruptError
from tipsearch.index.keyword_impacts import Impacts
from tipsearch.index.layout import (
    DATABASE, KEYWORDS, MULTILINGUAL_VECTORS, PIECES, SENTENCE_VECTORS, SPANS, VECTORS, IndexLayout, Manifest,
)
from tipsearch.index.multilingual import SentenceStore
from tipsearch.index.pieces import PieceStore
from tipsearch.index.spans import SpanStore
from tipsearch.index.store import Store
from tipsearch.index.store_uri import StoreURI
from tipsearch.index.vectors import VectorIndex
from tipsearch.models.embedders import KNOWN_MODELS, READING_MODELS


@dataclass
class Generation:
    """An opened generation: its manifest, rows and keyword index, vectors and (for a model that reads) pieces
    and sentence vectors; the multilingual model's vectors where it ran."""

    layout: IndexLayout
    manifest: Manifest
    store: Store
    vectors: VectorIndex
    pieces: PieceStore | None
    spans: SpanStore | None = None
    multilingual: VectorIndex | None = None
    sentences: SentenceStore | None = None  # the multilingual model's, where it ran

    @classmethod
    def open(cls, root: Path | str, manifest: Manifest | None = None, store: str | None = None) -> Generation:
        """Open and check the live generation (or the one `manifest` names); IndexCorruptError if damaged.

        store: where its vectors are (store_uri.py), when not where the manifest says it was built (another
        address of the same Milvus); the kind must be the one it was built in.
        """
        layout = IndexLayout(Path(root))
        manifest = manifest or layout.read_manifest()
        check_manifest(layout, manifest)
        uri = store_of(layout, manifest, store)
        for name in manifest.files:
            layout.check_file(manifest, name)
        folder = layout.generation_dir(manifest.generation)
        pieces = PieceStore.load(folder, manifest.dimension) if PIECES in manifest.files else None
        spans = SpanStore.load(folder) if SPANS in manifest.files else None
        sentences = SentenceStore.load(folder) if SENTENCE_VECTORS in manifest.files else None
        if not uri.is_milvus:
            vectors = VectorIndex.load(folder / VECTORS, manifest.dimension, manifest.vectors)
            multilingual = VectorIndex.load(folder / MULTILINGUAL_VECTORS, manifest.dimension, manifest.vectors) \
                if MULTILINGUAL_VECTORS in manifest.files else None
        rows = Store.open(folder / DATABASE)
        try:
            rows.check_counts(manifest.units, manifest.vectors)
            rows.impacts = Impacts.load(folder / KEYWORDS)
            if uri.is_milvus:
                from tipsearch.index import milvus  # pymilvus only where a Milvus store is asked for
                rows, vectors, multilingual = milvus.open_generation(uri, manifest, rows)
        except Exception:
            rows.close()
            raise
        return cls(layout, manifest, rows, vectors, pieces, spans, multilingual, sentences)

    def close(self) -> None:
        self.store.close()
        remote = getattr(self.store, "milvus", None)
        if remote is not None:
            remote.close()


def store_of(layout: IndexLayout, manifest: Manifest, store: str | None = None) -> StoreURI:
    """The store a generation is read from: `store` where given (of the kind it was built in), else the
    manifest's."""
    built = StoreURI.parse(manifest.extra.get("store"))
    if store is None:
        return built
    asked = StoreURI.parse(store)
    if asked.is_milvus != built.is_milvus:
        raise BadOptionError(
            f"{layout.root}/ was built with --store {built.text}, not {asked.text}: pass --store {built.text}, "
            f"or build it again with --store {asked.text}")
    return asked


def check_manifest(layout: IndexLayout, manifest: Manifest) -> None:
    """The manifest names a model this tipsearch knows and lists the files that model's generation has."""
    where = layout.manifest_path
    if manifest.model not in KNOWN_MODELS:
        raise IndexCorruptError(
            f"{where} names model {manifest.model!r}, which this tipsearch does not know "
            f"({', '.join(KNOWN_MODELS)}): run `tipsearch build`"
        )
    if KEYWORDS not in manifest.files or (
            manifest.model in READING_MODELS and not {PIECES, SPANS} <= set(manifest.files)):
        raise IndexCorruptError(
            f"{where} lists files {sorted(manifest.files)}, not those a {manifest.model} index of schema "
            f"{manifest.schema_version} has: run `tipsearch build`"
        )
