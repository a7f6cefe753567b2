"""The question encoder as ONNX Runtime's own tools make it: the reference question_graph.py is checked against.

transformers' BertModel exported by torch.onnx (TorchScript exporter), fused by ONNX Runtime's BERT optimizer,
its weights quantized by `quantize_dynamic` (int8, per channel, 7-bit). This is how tipsearch made the encoder
until question_graph.py wrote the same graph directly; it takes ~10 s and needs torch and transformers.
bench/question_encode.py uses it for its fp32 variant (int8=False).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from pathlib import Path

HEADS, HIDDEN = 12, 384


def export(model: Path, dest: Path, int8: bool = True) -> None:
    """Write the encoder (ids, mask -> last hidden state) for the weights in model to dest."""
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

    with tempfile.TemporaryDirectory(prefix="tipsearch-export-") as work:
        raw, fused = str(Path(work) / "raw.onnx"), str(Path(work) / "fused.onnx")
        example = torch.ones((2, 8), dtype=torch.int64)
        axes = {"ids": {0: "batch", 1: "length"}, "mask": {0: "batch", 1: "length"},
                "hidden": {0: "batch", 1: "length"}}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Hidden(), (example, example), raw, input_names=["ids", "mask"],
                              output_names=["hidden"], dynamic_axes=axes, opset_version=17, dynamo=False)
        optimizer.optimize_model(raw, model_type="bert", num_heads=HEADS, hidden_size=HIDDEN,
                                 opt_level=0).save_model_to_file(fused)
        if int8:
            _quantize(fused, str(dest))
        else:
            shutil.copyfile(fused, dest)


def _quantize(source: str, dest: str) -> None:
    """int8 weights, one scale per output channel, 7-bit (reduce_range)."""
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
