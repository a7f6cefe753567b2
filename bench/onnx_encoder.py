"""all-MiniLM-L6-v2 for a question or two, exported once to ONNX and run by ONNX Runtime (bench only).

Measured against tipsearch's torch path by bench/question_encode.py; not wired into tipsearch
because it did not clear the bar set for that (>= 1.5x the bf16 path at p50, question by question,
twice): see bench/results/question-encode-*.md. Kept so that the measurement can be repeated on
another CPU (one without native bf16, where the torch path is fp32, is where it should gain most).

The graph is made from the packaged weights (nothing is downloaded) into a cache folder, keyed
by the weights file, so a second load only opens it. Needs `pip install -e ".[bench]"`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tipsearch.minilm import RawPieces

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

# Bump when the export changes, so that caches made by an older export are not used.
EXPORT_VERSION = 1
HEADS, HIDDEN = 12, 384


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/tipsearch, else ~/.cache/tipsearch."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tipsearch"


def graph_path(model: Path, cache: Path | None = None) -> Path:
    """Where the graph for the weights under model is kept: named by the weights file's identity
    (path, size, modification time) and the export version, which is cheap to check at every start
    where hashing 90 MB would not be."""
    weights = (model / "model.safetensors").resolve()
    st = weights.stat()
    key = hashlib.sha256(f"{weights}|{st.st_size}|{st.st_mtime_ns}|{EXPORT_VERSION}".encode()).hexdigest()[:16]
    return (cache or cache_dir()) / f"minilm-{key}.onnx"


def export(model: Path, dest: Path) -> None:
    """Write the encoder (ids, mask -> last hidden state) of the model folder as a fused ONNX graph.

    transformers' BertModel is exported (not tipsearch.minilm): ONNX Runtime's optimizer recognises
    its attention and fuses it; the weights are the same file. Written to a temporary file in the
    same folder and renamed, so a reader never sees half a graph and two exports do not clash.
    """
    import warnings

    import torch
    from onnxruntime.transformers import optimizer
    from transformers import BertModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # its load report lists the unused pooler: expected, and noise here
    hf_logging.disable_progress_bar()

    dest.parent.mkdir(parents=True, exist_ok=True)
    bert = BertModel.from_pretrained(str(model), attn_implementation="eager", add_pooling_layer=False,
                                     local_files_only=True).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state

    fd, raw = tempfile.mkstemp(suffix=".raw.onnx", dir=dest.parent)
    os.close(fd)
    fd, fused = tempfile.mkstemp(suffix=".onnx.tmp", dir=dest.parent)
    os.close(fd)
    try:
        example = torch.ones((2, 8), dtype=torch.int64)
        axes = {"ids": {0: "batch", 1: "length"}, "mask": {0: "batch", 1: "length"},
                "hidden": {0: "batch", 1: "length"}}
        with warnings.catch_warnings(), torch.no_grad():
            # the TorchScript exporter: 1 s where torch.export takes 7, and its graph is the one that fuses
            warnings.simplefilter("ignore")
            torch.onnx.export(_Hidden(), (example, example), raw, input_names=["ids", "mask"],
                              output_names=["hidden"], dynamic_axes=axes, opset_version=17, dynamo=False)
        optimizer.optimize_model(raw, model_type="bert", num_heads=HEADS, hidden_size=HIDDEN,
                                 opt_level=0).save_model_to_file(fused)
        os.replace(fused, dest)
    finally:
        for leftover in (raw, fused):
            Path(leftover).unlink(missing_ok=True)


def session(path: Path) -> InferenceSession:
    """One thread, no spinning: a question is too little work to share, and the machine is shared."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # warnings about unused initializers are noise here
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class QuestionEncoder:
    """MiniLM.encode_pieces for a few short texts, on ONNX Runtime; tokenizer shared with the torch model."""

    def __init__(self, model: Path, tokenizer: Tokenizer, cache: Path | None = None) -> None:
        self.tokenizer = tokenizer
        path = graph_path(model, cache)
        self.path = path
        self.exported = False
        if path.exists():
            try:
                self.session = session(path)
                return
            except Exception as e:  # noqa: BLE001 - a damaged cache file: made again below
                log.warning("cached ONNX graph %s is unreadable (%s); exporting it again", path, e)
        export(model, path)
        self.exported = True
        self.session = session(path)

    def encode_pieces(self, texts: Sequence[str], pieces: bool = True) -> tuple[np.ndarray, list[RawPieces]]:
        """As MiniLM.encode_pieces: unit vectors (float32) and each text's word pieces without [CLS]/[SEP]."""
        encodings = self.tokenizer.encode_batch(list(texts))
        lengths = np.asarray([len(e.ids) for e in encodings])
        ids = np.zeros((len(texts), int(lengths.max())), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : lengths[row]] = e.ids
        mask = (np.arange(ids.shape[1])[None, :] < lengths[:, None]).astype(np.int64)
        hidden = self.session.run(None, {"ids": ids, "mask": mask})[0]
        # MiniLM.pool: mean over the real positions, normalised in float32
        pooled = (hidden * mask[:, :, None]).sum(1) / lengths[:, None]
        vectors = (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)
        read: list[RawPieces] = []
        if pieces:
            for row, e in enumerate(encodings):
                x = hidden[row, 1 : lengths[row] - 1]
                unit = (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)
                read.append((unit, e.tokens[1 : lengths[row] - 1], e.offsets[1 : lengths[row] - 1]))
        return vectors, read
