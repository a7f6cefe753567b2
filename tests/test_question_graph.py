"""question_graph.py writes the question encoder that ONNX Runtime's tools made: same weights, same outputs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from onnx import TensorProto

from tipsearch.models import question_graph
from tipsearch.models.question_encoder import QuestionEncoder, model_path, write_graph


def _samples() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    weight = rng.normal(0, 0.05, size=(48, 20)).astype(np.float32)
    weight[:, 3] = 0.0  # an all-zero column: scale 1, as ONNX Runtime does
    weight[:, 5] = np.abs(weight[:, 5])  # one sign only
    weight[:, 6] = -np.abs(weight[:, 6])
    return [weight, rng.uniform(0.2, 1.4, size=(30, 7)).astype(np.float32)]


def test_the_quantizers_keep_to_onnxruntimes_arithmetic():
    from onnxruntime.quantization.quant_utils import quantize_data

    for data in _samples():
        q, scale, zero = question_graph.per_tensor_uint8(data)
        ref_zero, ref_scale, ref_q = quantize_data(data.flatten(), TensorProto.UINT8, False, reduce_range=False)
        assert q.tobytes() == ref_q.tobytes() and scale == ref_scale and zero == ref_zero
        q, scale, zero = question_graph.per_column_int8(data)
        for c in range(data.shape[1]):
            ref_zero, ref_scale, ref_q = quantize_data(data[:, c], TensorProto.INT8, True, reduce_range=True)
            assert q[:, c].tobytes() == ref_q.tobytes(), c
            assert scale[c] == ref_scale and zero[c] == ref_zero, c
        assert q.min() >= -64 and q.max() <= 64  # 7-bit


@pytest.mark.model
def test_the_written_graph_is_the_one_onnxruntimes_tools_make(tmp_path: Path):
    import onnx
    from onnx import numpy_helper

    from onnx_reference import export

    ours, theirs = tmp_path / "ours.onnx", tmp_path / "theirs.onnx"
    write_graph(model_path(), ours)
    export(model_path(), theirs)
    a, b = onnx.load(str(ours)).graph, onnx.load(str(theirs)).graph

    def weights(graph: onnx.GraphProto) -> list[tuple]:
        return sorted((str(w.dtype), w.shape, w.tobytes()) for w in map(numpy_helper.to_array, graph.initializer))

    assert weights(a) == weights(b)  # every weight, scale and zero point, bit for bit
    assert Counter(n.op_type for n in a.node) == Counter(n.op_type for n in b.node)
    mine, ref = QuestionEncoder(ours, model_path()), QuestionEncoder(theirs, model_path())
    rng = np.random.default_rng(0)
    for length in (4, 19, 130):
        ids = rng.integers(1000, 30000, size=(3, length))
        ids[:, 0] = 101
        mask = np.ones_like(ids)
        mask[1, length // 2:] = 0  # a padded row
        feed = {"ids": ids, "mask": mask}
        assert np.array_equal(mine.session.run(None, feed)[0], ref.session.run(None, feed)[0])
