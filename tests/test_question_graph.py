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
        q, scale, zero = question_graph.per_column_int8(data, 127)  # the whole range, where VNNI sums in 32 bits
        for c in range(data.shape[1]):
            ref_zero, ref_scale, ref_q = quantize_data(data[:, c], TensorProto.INT8, True, reduce_range=False)
            assert q[:, c].tobytes() == ref_q.tobytes(), c
            assert scale[c] == ref_scale and zero[c] == ref_zero, c


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


def _outlying_layer():  # noqa: ANN202 - (weights named as a BERT encoder's, the torch encoder, its input and mask)
    """One random BERT layer whose inputs have a few channels 30-60x the rest, as trained transformers' have."""
    import torch

    from tipsearch.models.bert import Encoder

    torch.manual_seed(5)
    cfg = {"hidden_size": 384, "num_attention_heads": 12, "num_hidden_layers": 1, "intermediate_size": 1536,
           "layer_norm_eps": 1e-12}
    encoder = Encoder(cfg).eval()
    with torch.no_grad():
        for name, p in encoder.named_parameters():
            p.copy_(torch.randn_like(p) * (0.05 if p.dim() == 2 else 0.02))
        for norm in (encoder.layer[0].attention.output.LayerNorm, encoder.layer[0].output.LayerNorm):
            norm.weight.fill_(1.0)
            norm.weight[[7, 100, 250]] = 40.0  # the attention's output, `up`'s input, has outlying channels
    weights = {f"encoder.{k}": v.numpy().copy() for k, v in encoder.state_dict().items()}
    for layer in encoder.layer:
        layer.attention.self.fuse()
    x = torch.randn(2, 24, 384)
    x[:, :, [3, 200]] *= 60.0  # and so has the first product's input
    return weights, encoder, x, torch.ones(2, 24, dtype=torch.int64)


def test_smoothing_moves_outlying_channels_into_the_weights():
    import onnxruntime as ort
    import torch

    from tipsearch.models.e5_calibration import product_inputs

    weights, encoder, x, mask = _outlying_layer()
    with torch.inference_mode():
        exact = encoder(x, mask).numpy()
    inputs = product_inputs(encoder, lambda: encoder(x, mask))
    assert set(inputs) == {f"layer0.{part}" for part in question_graph.PARTS}
    assert inputs["layer0.qkv"][[3, 200]].min() > 10 * np.median(inputs["layer0.qkv"])

    def error(smoothing: dict | None) -> float:
        model = question_graph.build_layers(weights, 1, smoothing=smoothing, top=127)
        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        [got] = session.run(None, {"embedded": x.numpy(), "mask_index": np.array([24, 24], dtype=np.int32)})
        return float(np.abs(got - exact).mean())

    plain, smoothed = error(None), error(question_graph.smoothing_factors(weights, inputs, 1, 0.7))
    assert smoothed < 0.5 * plain, (smoothed, plain)


def test_smoothing_factors_follow_smoothquant():
    weights, _, _, _ = _outlying_layer()
    inputs = {f"layer0.{part}": np.full(1536 if part == "down" else 384, 4.0) for part in question_graph.PARTS}
    factors = question_graph.smoothing_factors(weights, inputs, 1, 0.5)
    w = np.abs(weights["encoder.layer.0.output.dense.weight"]).max(axis=0)  # [out, in]: each input channel's max
    assert np.allclose(factors["layer0.down"], np.clip(2.0 / np.sqrt(w), 1e-3, 1e3))
