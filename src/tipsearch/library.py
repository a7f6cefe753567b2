"""The facade: open an index, search it, list and show documents; build and add files."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from .answers import best_spans
from .embedding import HASHING, MINILM, Embedder, load_embedder
from .errors import IndexCorruptError, UnreadableFileError
from .indexing import BuildReport, FileReport, build_index, parse_file, sha256_file
from .layout import DATABASE, VECTORS, IndexLayout, Manifest
from .records import Document, Hit, Unit
from .search import clip, retrieve
from .store import Store
from .vectors import VectorIndex

DEFAULT_INDEX = Path("index")
DEFAULT_CORPUS = Path("corpus")


class Library:
    """An open index: search it, read its documents."""

    def __init__(self, layout: IndexLayout, manifest: Manifest, store: Store, vectors: VectorIndex,
                 embedder: Embedder | None = None) -> None:
        self.layout = layout
        self.manifest = manifest
        self.store = store
        self.vectors = vectors
        self._embedder = embedder
        self._embedder_lock = threading.Lock()

    @classmethod
    def open(cls, index_dir: Path | str = DEFAULT_INDEX, embedder: Embedder | None = None) -> Library:
        """Open a built index; the model is loaded on the first search."""
        layout = IndexLayout(Path(index_dir))
        manifest = layout.read_manifest()
        if manifest.model not in (MINILM, HASHING):
            raise IndexCorruptError(
                f"{layout.manifest_path} names model {manifest.model!r}, which this tipsearch does not know "
                f"({MINILM}, {HASHING}): run `tipsearch build`"
            )
        if embedder is not None:
            check_embedder(manifest, embedder, layout.manifest_path)
        layout.check_file(manifest, DATABASE)
        vectors = VectorIndex.load(layout.vectors(manifest.generation), manifest.dimension, manifest.vectors,
                                   manifest.files[VECTORS])
        store = Store.open(layout.database(manifest.generation))
        try:
            store.check_counts(manifest.units, manifest.vectors)
        except IndexCorruptError:
            store.close()
            raise
        return cls(layout, manifest, store, vectors, embedder)

    @property
    def embedder(self) -> Embedder:
        with self._embedder_lock:  # two first searches at once must not load the model twice
            if self._embedder is None:
                embedder = load_embedder(self.manifest.model)
                check_embedder(self.manifest, embedder, self.layout.manifest_path)
                self._embedder = embedder
        return self._embedder

    def search(self, question: str, k: int = 10, mode: str = "hybrid") -> list[Hit]:
        """The k units that best answer the question, best first, each with its answer span."""
        candidates = retrieve(self.store, self.vectors, self.embedder, question, k, mode)
        units = self.store.units([c.unit_id for c in candidates])
        answers = best_spans(clip(question), [u.paragraph.text for u in units], self.embedder)
        return [
            Hit(rank, c.score, unit, answer, c.scores)
            for rank, (c, unit, answer) in enumerate(zip(candidates, units, answers), start=1)
        ]

    def documents(self) -> list[Document]:
        return self.store.documents()

    def document(self, ref: str) -> tuple[Document, list[Unit]]:
        """A document (by id, symbol or file name) and its units in order."""
        doc = self.store.document(ref)
        return doc, self.store.document_units(doc.id)

    def close(self) -> None:
        self.store.close()


def check_embedder(manifest: Manifest, embedder: Embedder, manifest_path: Path) -> None:
    """Vectors from one model are meaningless to another: refuse instead of ranking noise."""
    if embedder.name != manifest.model or embedder.dimension != manifest.dimension:
        raise IndexCorruptError(
            f"{manifest_path} says the index was built with {manifest.model} ({manifest.dimension} dimensions), "
            f"not {embedder.name} ({embedder.dimension}): run `tipsearch build --model {embedder.name}`"
        )


def build(corpus_dir: Path | str = DEFAULT_CORPUS, index_dir: Path | str = DEFAULT_INDEX, **kwargs) -> BuildReport:
    """Build or update the index from a corpus folder (see indexing.build_index)."""
    return build_index(Path(corpus_dir), Path(index_dir), **kwargs)


def add(files: list[Path], corpus_dir: Path | str = DEFAULT_CORPUS, index_dir: Path | str = DEFAULT_INDEX,
        **kwargs) -> BuildReport:
    """Copy readable files into the corpus folder, then update the index.

    Unreadable files are reported and not copied, so the corpus stays clean.
    """
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    refused: list[FileReport] = []
    for path in map(Path, files):
        try:
            if not path.is_file():
                raise UnreadableFileError(path.name, "no such file")
            parse_file(path, sha256_file(path))
        except UnreadableFileError as e:
            refused.append(FileReport(path.name, "skipped", 0, e.reason))
            continue
        if path.resolve() != (corpus_dir / path.name).resolve():
            shutil.copy2(path, corpus_dir / path.name)
    report = build_index(corpus_dir, Path(index_dir), **kwargs)
    return BuildReport(report.index_dir, report.files + tuple(refused), report.units, report.embedded,
                       report.reused, report.seconds, report.up_to_date)
