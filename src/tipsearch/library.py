"""The facade: open an index and hand questions to its query pipeline; list and show documents; build, add and
remove files. The CLI, the app and the notebooks call this and nothing below it."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from tipsearch.errors import NotFoundError, UnreadableFileError
from tipsearch.index.build import BuildReport, FileReport, build_index
from tipsearch.index.generation import Generation
from tipsearch.index.layout import PENDING, Manifest
from tipsearch.ingest.parse import ParsedFile, parse_file
from tipsearch.models.embedders import Embedder
from tipsearch.records import Document, Hit, Unit
from tipsearch.search.compare import Comparison, Step, compare, lineage, predecessors, series_key
from tipsearch.search.filters import Filters
from tipsearch.search.pipeline import EmbedderLoader, Pipeline
from tipsearch.search.related import TimelineEntry, find_unit

DEFAULT_INDEX = Path("index")
DEFAULT_CORPUS = Path("corpus")


PREPARING = ("Multilingual search is still being prepared (a build is embedding with multilingual-e5-small): "
             "until it ends, questions in other languages are searched by their words and all-MiniLM-L6-v2.")


class Library:
    """An open index: search it, follow a unit or a topic across documents, read its documents."""

    def __init__(self, generation: Generation, pipeline: Pipeline) -> None:
        self.generation = generation
        self.pipeline = pipeline

    @classmethod
    def open(cls, index_dir: Path | str = DEFAULT_INDEX, embedder: Embedder | None = None,
             precision: str | None = None, load: EmbedderLoader | None = None, store: str | None = None) -> Library:
        """Open a built index; the model is loaded on the first search (see Pipeline for precision, load).

        store: where its vectors are (`local`, `milvus-lite:PATH.db`, `http://HOST:19530`); default: where it was
        built."""
        generation = Generation.open(index_dir, store=store)
        try:
            return cls(generation, Pipeline(generation, embedder, precision, load))
        except Exception:
            generation.close()
            raise

    @property
    def manifest(self) -> Manifest:
        return self.generation.manifest

    @property
    def preparing_multilingual(self) -> bool:
        """A build has made keyword and MiniLM search live and is still embedding with the multilingual model:
        questions in other languages are searched by keywords and MiniLM until it switches."""
        return self.manifest.extra.get("multilingual") == PENDING

    @property
    def embedder(self) -> Embedder:
        """The index's model, loaded on first use: the app builds its uploads with the one it already has."""
        return self.pipeline.embedder

    def search(self, question: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               group: int | None = None, collapse: bool = True) -> list[Hit]:
        """The k units that best answer the question, best first, each with its answer span.

        filters: only units that satisfy them, applied before the top k is taken.
        group: at most this many units per document.
        collapse: the same text in several documents is one hit (the newest), the others in `also_in`.
        """
        return self.pipeline.search(question, k, mode, filters, group, collapse)

    def related(self, document: str, paragraph: str, k: int = 10, filters: Filters | None = None,
                same_document: bool = False, mode: str = "hybrid") -> list[Hit]:
        """The k units on the same subject as one unit, best first; never the unit itself.

        Other documents only, unless same_document. Ranks by the unit's text embedded and its words.
        """
        return self.pipeline.related(self.unit(document, paragraph), k, filters, same_document, mode)

    def timeline(self, question: str, filters: Filters | None = None) -> list[TimelineEntry]:
        """For each document in date order, its unit nearest the question, with a strength 0..1 for dimming."""
        return self.pipeline.timeline(question, filters)

    def matches(self, question: str, k: int = 50, filters: Filters | None = None) -> list[Unit]:
        """The k best units for a question without answer spans: cheap enough to chart many."""
        return self.pipeline.matches(question, k, filters)

    def unit(self, document: str, paragraph: str) -> Unit:
        """One unit by document (id, symbol or file) and its number or label ("9", "Recommendation 1", "art. 3 (a)")."""
        return find_unit(self.generation.store, document, paragraph)

    def compare(self, old: str, new: str) -> Comparison:
        """Every unit of NEW paired with its counterpart in OLD (same or changed, with a word diff) or new; OLD's
        units without one, dropped (search/compare.py). OLD and NEW: id, symbol or file name."""
        (old_doc, old_units), (new_doc, new_units) = self.document(old), self.document(new)
        return compare(old_doc, old_units, new_doc, new_units)

    def history(self, document: str, paragraph: str) -> list[Step]:
        """A unit's counterparts back through the earlier documents of its series, oldest first."""
        unit = self.unit(document, paragraph)
        key = series_key(unit.document)
        earlier = [d for d in self.documents() if d.id != unit.document.id and series_key(d) == key
                   and (d.date or "") <= (unit.document.date or "")]
        earlier.sort(key=lambda d: (d.date or "", d.file), reverse=True)
        return lineage(unit, [self.document(d.file) for d in earlier])

    def predecessors(self) -> dict[int, Document | None]:
        """Each document's predecessor in its series (the same title without its resolution number), or None."""
        return predecessors(self.documents())

    def documents(self) -> list[Document]:
        return self.generation.store.documents()

    def document(self, ref: str) -> tuple[Document, list[Unit]]:
        """A document (by id, symbol or file name) and its units in order."""
        doc = self.generation.store.document(ref)
        return doc, self.generation.store.document_units(doc.id)

    def context(self, unit_id: int, before: int = 1, after: int = 1) -> list[Unit]:
        """The unit with up to `before` units ahead of it and `after` units behind it, in document order."""
        found = self.generation.store.units([unit_id])
        if not found:
            raise NotFoundError(f"no unit {unit_id} in the index: search again, the index may have been rebuilt")
        units = self.generation.store.document_units(found[0].document.id)
        at = next(i for i, u in enumerate(units) if u.id == unit_id)
        return units[max(0, at - before): at + after + 1]

    def close(self) -> None:
        self.generation.close()


def build(corpus_dir: Path | str = DEFAULT_CORPUS, index_dir: Path | str = DEFAULT_INDEX, **options) -> BuildReport:
    """Build or update the index from a corpus folder (options: index.build.BuildOptions; an all-MiniLM-L6-v2
    index also gets its ONNX question encoder, under a second once, unless question_encoder=False)."""
    return build_index(Path(corpus_dir), Path(index_dir), **options)


def add(files: list[Path], corpus_dir: Path | str = DEFAULT_CORPUS, index_dir: Path | str = DEFAULT_INDEX,
        **options) -> BuildReport:
    """Copy readable files into the corpus folder, then update the index; each file is parsed once.

    Unreadable files are reported and not copied, so the corpus stays clean.
    """
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    refused: list[FileReport] = []
    parsed: dict[Path, ParsedFile] = {}
    for path in map(Path, files):
        try:
            if not path.is_file():
                raise UnreadableFileError(path.name, "no such file")
            item = parse_file(path)
        except UnreadableFileError as e:
            refused.append(FileReport(path.name, "skipped", 0, e.reason))
            continue
        target = corpus_dir / path.name
        if path.resolve() != target.resolve():
            shutil.copy2(path, target)
        parsed[target] = replace(item, path=target)
    report = build_index(corpus_dir, Path(index_dir), parsed=parsed, **options)
    return replace(report, files=report.files + tuple(refused))


def remove(file: str, corpus_dir: Path | str = DEFAULT_CORPUS, index_dir: Path | str = DEFAULT_INDEX,
           **kwargs) -> BuildReport:
    """Delete a document's file from the corpus folder, then rebuild the index without it.

    `file` is a bare file name as listed by `documents()`; anything with a path in it is refused,
    so this can never delete outside the corpus folder.
    """
    corpus_dir = Path(corpus_dir)
    target = corpus_dir / file
    if Path(file).name != file or file in ("", ".", "..") or not target.is_file():
        raise NotFoundError(f"no file {file!r} in {corpus_dir}/: see `tipsearch documents` for file names")
    target.unlink()
    return build_index(corpus_dir, Path(index_dir), **kwargs)

