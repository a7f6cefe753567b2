"""The facade: open an index, search it (filtered, grouped), follow related units and a topic in time;
list and show documents; build and add files."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np

from tipsearch.search.answers import best_spans
from tipsearch.models.embedders import HASHING, MINILM, PRECISIONS, Embedder, Pieces, load_embedder, question_precision
from tipsearch.errors import IndexCorruptError, NotFoundError, UnreadableFileError
from tipsearch.search.filters import Allowed, Filters, allowed, per_document
from tipsearch.index.build import BuildReport, FileReport, build_index
from tipsearch.ingest.parse import parse_file, sha256_file
from tipsearch.index.keyword_impacts import Impacts
from tipsearch.index.layout import DATABASE, KEYWORDS, PIECE_OFFSETS, PIECES, VECTORS, IndexLayout, Manifest
from tipsearch.records import Document, Hit, Unit
from tipsearch.search.related import TimelineEntry, best_per_document, date_order, find_unit, related_candidates, unit_vector
from tipsearch.models.question_encoder import QuestionEncoder
from tipsearch.models.question_encoder import prepare as prepare_questions
from tipsearch.search.rerank import PieceStore, can_read, question_pieces, reread
from tipsearch.search.retrieve import RANKING, Candidate, Ranking, retrieve
from tipsearch.text import clip
from tipsearch.index.store import Store
from tipsearch.index.vectors import VectorIndex

DEFAULT_INDEX = Path("index")
DEFAULT_CORPUS = Path("corpus")


class Library:
    """An open index: search it, read its documents."""

    def __init__(self, layout: IndexLayout, manifest: Manifest, store: Store, vectors: VectorIndex,
                 embedder: Embedder | None = None, precision: str | None = None,
                 pieces: PieceStore | None = None) -> None:
        self.layout = layout
        self.manifest = manifest
        self.store = store
        self.vectors = vectors
        self.pieces = pieces  # the units' word pieces for reading (reading.py); None: not read
        self._embedder = embedder
        # The torch model (answer spans; questions without the ONNX encoder) at the index's precision
        # (bf16 halves its work on a CPU with native bf16; bench/quality.py: the ranking unchanged).
        self.precision = precision or question_precision(manifest.extra.get("precision"))
        self._embedder_lock = threading.Lock()
        # Questions on ONNX Runtime (questions.py) when the index has the encoder and no precision was asked.
        self._questions: QuestionEncoder | None = None
        self._questions_wanted = precision is None and manifest.model == MINILM

    @classmethod
    def open(cls, index_dir: Path | str = DEFAULT_INDEX, embedder: Embedder | None = None,
             precision: str | None = None) -> Library:
        """Open a built index; the model is loaded on the first search.

        precision: embed questions on torch at this precision (fp32, bf16, int8, auto) instead of on the
        index's ONNX question encoder (questions.py); default: the encoder, or without one torch at the
        precision the index was built with. Answer spans always run on torch at this precision.
        """
        if precision is not None and precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
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
        keyword_impacts = None  # an index built before keywords.npz: FTS5 scores every keyword query
        if KEYWORDS in manifest.files:
            layout.check_file(manifest, KEYWORDS)
            keyword_impacts = Impacts.load(layout.generation_dir(manifest.generation) / KEYWORDS)
        vectors = VectorIndex.load(layout.vectors(manifest.generation), manifest.dimension, manifest.vectors,
                                   manifest.files[VECTORS])
        pieces = None  # an index built before pieces.npy (or by a model that cannot read): not read
        if PIECES in manifest.files:
            for name in (PIECES, PIECE_OFFSETS):
                layout.check_file(manifest, name)
            pieces = PieceStore.load(layout.generation_dir(manifest.generation), manifest.dimension)
        store = Store.open(layout.database(manifest.generation))
        try:
            store.check_counts(manifest.units, manifest.vectors)
        except IndexCorruptError:
            store.close()
            raise
        store.impacts = keyword_impacts
        return cls(layout, manifest, store, vectors, embedder, precision, pieces)

    @property
    def embedder(self) -> Embedder:
        with self._embedder_lock:  # two first searches at once must not load the model twice
            if self._embedder is None:
                embedder = load_embedder(self.manifest.model, precision=self.precision)
                check_embedder(self.manifest, embedder, self.layout.manifest_path)
                self._embedder = embedder
        return self._embedder

    def search(self, question: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               group: int | None = None) -> list[Hit]:
        """The k units that best answer the question, best first, each with its answer span.

        filters: only units that satisfy them, applied before the top k is taken.
        group: at most this many units per document.
        """
        limit = allowed(self.store, filters)
        if group is None:
            candidates = self.rank(question, k, mode, allowed=limit)
        else:
            candidates = self._grouped(question, k, mode, limit, group)
        return self._hits(question, candidates)

    def rank(self, question: str, k: int = 10, mode: str = "hybrid", ranking: Ranking = RANKING,
             allowed: Allowed | None = None) -> list[Candidate]:
        """The k best candidates: retrieved (search.retrieve), then in hybrid mode read (reading.reread).

        The question is embedded once (encode_question): its vector ranks, its word pieces read.
        """
        question = clip(question)
        if not question or k <= 0 or (allowed is not None and not allowed):
            return []
        vector, read = self.encode_question(question) if mode != "keyword" else (None, None)
        if ranking.expand_semantic:
            vector = None  # the expanded text is embedded apart, by retrieve
        candidates = retrieve(self.store, self.vectors, self.embedder, question, k, mode, ranking, allowed,
                              vector=vector)
        if mode != "hybrid" or ranking.reading_weight <= 0 or self.pieces is None or read is None:
            return candidates
        head = candidates[: ranking.reading_depth]  # read ones only gain, so they stay above the rest
        chunks = self.store.chunks_by_unit([c.unit_id for c in head])
        units = [self.pieces.read(chunks[c.unit_id]) for c in head]
        return reread(question_pieces(read), head, units, ranking.reading_weight) + candidates[len(head):]

    def encode_question(self, question: str) -> tuple[np.ndarray, Pieces | None]:
        """The question's unit vector and, where the model gives them, its word pieces; on ONNX
        Runtime when the index has a question encoder (questions.py), else on the embedder."""
        with self._embedder_lock:
            if self._questions_wanted:  # a MiniLM index, no precision asked (check_embedder: same model)
                self._questions_wanted = False  # looked for once
                self._questions = QuestionEncoder.open(self.layout.root)
        if self._questions is not None:
            vectors, (read,) = self._questions.encode_pieces([question])
            return vectors[0], read
        if can_read(self.embedder):
            vectors, (read,) = self.embedder.embed_pieces([question])
            return vectors[0], read
        return self.embedder.embed([question])[0], None

    def _grouped(self, question: str, k: int, mode: str, limit: Allowed | None, group: int) -> list[Candidate]:
        """Top k with at most `group` per document: widen the ranking until k survive or it runs out."""
        n = 4 * k
        while True:
            candidates = self.rank(question, n, mode, allowed=limit)
            document = {u.id: u.document.id for u in self.store.units([c.unit_id for c in candidates])}
            kept = per_document(candidates, lambda c: document[c.unit_id], group)
            if len(kept) >= k or len(candidates) < n:
                return kept[:k]
            n *= 4

    def _hits(self, question: str, candidates: list[Candidate]) -> list[Hit]:
        units = self.store.units([c.unit_id for c in candidates])
        answers = best_spans(clip(question), [u.paragraph.text for u in units], self.embedder)
        return [
            Hit(rank, c.score, unit, answer, c.scores)
            for rank, (c, unit, answer) in enumerate(zip(candidates, units, answers), start=1)
        ]

    def unit(self, document: str, paragraph: str) -> Unit:
        """One unit by document (id, symbol or file) and paragraph number or label ("Recommendation 1")."""
        return find_unit(self.store, document, paragraph)

    def related(self, document: str, paragraph: str, k: int = 10, filters: Filters | None = None,
                same_document: bool = False, mode: str = "hybrid") -> list[Hit]:
        """The k units on the same subject as one unit, best first; never the unit itself.

        Other documents only, unless same_document. Ranks by the unit's text embedded and its words.
        """
        unit = self.unit(document, paragraph)
        limit = allowed(self.store, filters, exclude_units=[unit.id],
                        exclude_documents=[] if same_document else [unit.document.id])
        vector = unit_vector(self.embedder, unit)
        candidates = related_candidates(self.store, self.vectors, unit, vector, k, mode, limit)
        return self._hits(unit.paragraph.text, candidates)

    def timeline(self, question: str, filters: Filters | None = None) -> list[TimelineEntry]:
        """For each document in date order, its unit nearest the question, with a strength 0..1 for dimming."""
        best = best_per_document(self.store, self.vectors, self.embedder, question, allowed(self.store, filters))
        if not best:
            return []
        top = max(best[0][2], 1e-9)
        hits = self._hits(question, [Candidate(unit, score, {"semantic": score}) for _, unit, score in best])
        entries = [TimelineEntry(h.unit.document, h, min(1.0, max(0.0, h.score / top))) for h in hits]
        return sorted(entries, key=lambda e: date_order(e.document))

    def documents(self) -> list[Document]:
        return self.store.documents()

    def document(self, ref: str) -> tuple[Document, list[Unit]]:
        """A document (by id, symbol or file name) and its units in order."""
        doc = self.store.document(ref)
        return doc, self.store.document_units(doc.id)

    def close(self) -> None:
        self.store.close()

    def context(self, unit_id: int, before: int = 1, after: int = 1) -> list[Unit]:
        """The unit with up to `before` units ahead of it and `after` units behind it, in document order."""
        found = self.store.units([unit_id])
        if not found:
            raise NotFoundError(f"no unit {unit_id} in the index: search again, the index may have been rebuilt")
        units = self.store.document_units(found[0].document.id)
        at = next(i for i, u in enumerate(units) if u.id == unit_id)
        return units[max(0, at - before): at + after + 1]

    def matches(self, question: str, k: int = 50, filters: Filters | None = None) -> list[Unit]:
        """The k best units for a question without answer spans: cheap enough to chart many."""
        limit = allowed(self.store, filters)
        return self.store.units(
            [c.unit_id for c in retrieve(self.store, self.vectors, self.embedder, question, k, allowed=limit)]
        )


def check_embedder(manifest: Manifest, embedder: Embedder, manifest_path: Path) -> None:
    """Vectors from one model are meaningless to another: refuse instead of ranking noise."""
    if embedder.name != manifest.model or embedder.dimension != manifest.dimension:
        raise IndexCorruptError(
            f"{manifest_path} says the index was built with {manifest.model} ({manifest.dimension} dimensions), "
            f"not {embedder.name} ({embedder.dimension}): run `tipsearch build --model {embedder.name}`"
        )


def build(corpus_dir: Path | str = DEFAULT_CORPUS, index_dir: Path | str = DEFAULT_INDEX,
          question_encoder: bool = True, **kwargs) -> BuildReport:
    """Build or update the index from a corpus folder (see indexing.build_index).

    question_encoder: for an all-MiniLM-L6-v2 index, also make its ONNX question encoder if it is
    missing (questions.py; about 10 s once).
    """
    report = build_index(Path(corpus_dir), Path(index_dir), **kwargs)
    manifest = IndexLayout(Path(index_dir)).manifest_or_none()
    if question_encoder and manifest is not None and manifest.model == MINILM:
        prepare_questions(Path(index_dir), progress=kwargs.get("progress", True))
    return report


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

