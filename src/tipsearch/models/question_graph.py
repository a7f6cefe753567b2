"""The question encoder's ONNX graph, written straight from the packaged weights: no torch, no export.

The graph is the one ONNX Runtime's tools made from an export of all-MiniLM-L6-v2 (fused by its BERT
optimizer, weights quantized by `quantize_dynamic`, per channel, 7-bit): word-piece ids and mask in, the
last hidden state out, in ONNX Runtime's fused int8 operators (QEmbedLayerNormalization, QAttention,
MatMulInteger, SkipLayerNormalization, BiasGelu). Written here with numpy and onnx.helper, it takes well
under a second where the export took ~10 s of a build (importing transformers, tracing, fusing,
quantizing), and tests/test_question_graph.py checks it against that export, weight for weight and output
for output.

The quantization follows onnxruntime.quantization's arithmetic: embeddings and the embedding layer norm as
uint8, one scale and zero point per tensor, over 0..255; the dense weights as int8,
symmetric, one scale per output column, over -64..64 (7-bit, so that CPUs without VNNI do not saturate).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path

import numpy as np

LAYERS, HEADS, HIDDEN = 6, 12, 384
EPSILON = 1e-12  # BERT's layer norm
MS = "com.microsoft"  # ONNX Runtime's contrib operators
PARTS = ("qkv", "attention_out", "up", "down")  # a layer's products: attention, its output, the feed-forward pair


def per_tensor_uint8(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(quantized, scale, zero point): asymmetric uint8 over 0..255."""
    rmin = np.minimum(data.min(), np.float32(0))
    rmax = np.maximum(data.max(), np.float32(0))
    scale = (np.float64(rmax) - np.float64(rmin)) / 255.0
    zero_point = np.array(np.round(0 - rmin / scale), dtype=np.uint8)
    stored = np.array(scale, dtype=np.float32)
    quantized = np.clip((data.astype(np.float32) / stored).round() + zero_point, 0, 255).astype(np.uint8)
    return quantized, stored, zero_point


def per_column_int8(weight: np.ndarray, top: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(quantized, scales, zero points) of a MatMul weight [in, out]: symmetric int8 per column, -top..top
    (64: 7-bit, safe on every CPU; 127 where the CPU multiplies int8 with VNNI, see full_int8)."""
    absmax = np.maximum(np.abs(np.minimum(weight.min(axis=0), 0)), np.abs(np.maximum(weight.max(axis=0), 0)))
    scale = absmax.astype(np.float64) / top
    stored = scale.astype(np.float32)
    stored = np.where(scale < np.finfo(np.float32).tiny, np.float32(1.0), stored)  # an all-zero column
    quantized = np.clip((weight.astype(np.float32) / stored).round(), -128, 127).astype(np.int8)
    return quantized, stored, np.zeros(weight.shape[1], dtype=np.int8)


def full_int8() -> bool:
    """Whether int8 weights may use their whole range here: a CPU with VNNI (or an ARM one) sums uint8 x int8
    products in 32 bits. Without it ONNX Runtime pairs them in 16 bits, which saturate past 7-bit weights."""
    import platform

    from tipsearch.models.embedders import cpu_flags

    if platform.machine().lower() in ("arm64", "aarch64"):
        return True
    return not cpu_flags().isdisjoint({"avx512_vnni", "avx_vnni", "amx_int8"})


Quantizer = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
Smoothing = Mapping[str, np.ndarray]  # layerN.PART -> the per-channel factor s of that product's input


class _Graph:
    """Nodes and initializers as they are added; names are local to this file."""

    def __init__(self, exact: Collection[str] = (), smoothing: Smoothing | None = None, top: int = 64,
                 fused_norm: bool = True) -> None:
        self.nodes: list = []
        self.initializers: list = []
        self.exact = frozenset(exact)  # the parts of a layer in float32, not int8 (PARTS)
        self.smoothing = smoothing or {}
        self.top = top
        self.fused_norm = fused_norm  # SkipLayerNormalization, as ONNX Runtime's export has it (skip_norm)

    def constant(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], outputs: list[str], domain: str = "", **attributes: object) -> None:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, outputs, domain=domain or None, **attributes))

    def quantized(self, name: str, weight: np.ndarray, quantize: Quantizer | None = None) -> tuple[str, str, str]:
        """A weight quantized (default: a dense weight [in, out] as int8 per column): its three initializers'
        names, the quantized values, the scale(s) and the zero point(s)."""
        q, scale, zero = quantize(weight) if quantize else per_column_int8(weight, self.top)
        return (self.constant(f"{name}_quantized", q), self.constant(f"{name}_scale", scale),
                self.constant(f"{name}_zero_point", zero))

    def dense(self, x: str, name: str, weight: np.ndarray) -> str:
        """x @ weight on int8: x quantized on the fly, the product scaled back to float (no bias); in float32
        where the graph keeps this part exact (name: layerN.PART)."""
        if name.rpartition(".")[2] in self.exact:
            self.node("MatMul", [x, self.constant(f"{name}_weight", weight.astype(np.float32))], [f"{name}_out"])
            return f"{name}_out"
        x, weight = self.smoothed(x, name, weight)
        q, scale, zero = self.quantized(name, weight)
        self.node("DynamicQuantizeLinear", [x], [f"{name}_x", f"{name}_x_scale", f"{name}_x_zero"])
        self.node("Mul", [f"{name}_x_scale", scale], [f"{name}_scales"])
        self.node("MatMulInteger", [f"{name}_x", q, f"{name}_x_zero", zero], [f"{name}_int"])
        self.node("Cast", [f"{name}_int"], [f"{name}_float"], to=1)
        self.node("Mul", [f"{name}_float", f"{name}_scales"], [f"{name}_out"])
        return f"{name}_out"

    def skip_norm(self, x: str, residual: str, norm: Iterator[str], bias: str, out: str) -> None:
        """out = layer norm(x + bias + residual): ONNX Runtime's fused SkipLayerNormalization, or where the graph
        asks for plain operators, Add, Add and LayerNormalization (ONNX Runtime 1.32's CPU kernel for the fused
        one takes 47 us on 21 x 384 floats, the three 12 us)."""
        weight, shift = norm
        if self.fused_norm:
            self.node("SkipLayerNormalization", [x, residual, weight, shift, bias], [out], domain=MS, epsilon=EPSILON)
            return
        self.node("Add", [x, bias], [f"{out}_biased"])
        self.node("Add", [f"{out}_biased", residual], [f"{out}_sum"])
        self.node("LayerNormalization", [f"{out}_sum", weight, shift], [out], axis=-1, epsilon=EPSILON)

    def smoothed(self, x: str, name: str, weight: np.ndarray) -> tuple[str, np.ndarray]:
        """x / s and s * weight for the product name (layerN.PART) where the graph smooths it (SmoothQuant: the
        same product, with the input's outlying channels moved into the weight before both are quantized)."""
        s = self.smoothing.get(name)
        if s is None:
            return x, weight
        self.node("Mul", [x, self.constant(f"{name}_inverse_smoothing", (1 / s).astype(np.float32))],
                  [f"{name}_smoothed"])
        return f"{name}_smoothed", (weight * s[:, None]).astype(np.float32)


def _embeddings(g: _Graph, w: Mapping[str, np.ndarray]) -> str:
    """ids, mask -> the embedding layer's output; also the mask index every attention reads."""
    g.node("Shape", ["ids"], ["shape"])
    g.node("Cast", ["ids"], ["ids_int32"], to=6)
    g.node("Cast", ["mask"], ["mask_int32"], to=6)
    g.node("ConstantOfShape", ["shape"], ["types"], value=_int64_zero())
    g.node("Cast", ["types"], ["types_int32"], to=6)
    parts = ("word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
             "LayerNorm.weight", "LayerNorm.bias")
    names = [g.quantized(f"embeddings.{part}", w[f"embeddings.{part}"], per_tensor_uint8) for part in parts]
    quantized, scales, zeros = (list(column) for column in zip(*names))
    g.node("QEmbedLayerNormalization", ["ids_int32", "types_int32", *quantized, "mask_int32", *scales, *zeros],
           ["embedded", "mask_index"], domain=MS, epsilon=EPSILON)
    return "embedded"


def _int64_zero():  # noqa: ANN202 - an onnx TensorProto
    from onnx import TensorProto, helper

    return helper.make_tensor("value", TensorProto.INT64, [1], [0])


def _layer(g: _Graph, w: Mapping[str, np.ndarray], i: int, x: str, last: bool) -> str:
    """One encoder layer: attention, skip + layer norm, feed-forward (GELU), skip + layer norm."""
    p = f"encoder.layer.{i}."
    bias = np.concatenate([w[f"{p}attention.self.{h}.bias"] for h in ("query", "key", "value")])
    _attention(g, i, x, _product_weight(w, i, "qkv"), bias)
    out = g.dense(f"layer{i}.attention", f"layer{i}.attention_out", _product_weight(w, i, "attention_out"))
    dense_bias = g.constant(f"{p}attention.output.dense.bias", w[f"{p}attention.output.dense.bias"])
    g.skip_norm(out, x, _norm(g, w, f"{p}attention.output"), dense_bias, f"layer{i}.attended")
    up = g.dense(f"layer{i}.attended", f"layer{i}.up", _product_weight(w, i, "up"))
    g.node("BiasGelu", [up, g.constant(f"{p}intermediate.dense.bias", w[f"{p}intermediate.dense.bias"])],
           [f"layer{i}.gelu"], domain=MS)
    down = g.dense(f"layer{i}.gelu", f"layer{i}.down", _product_weight(w, i, "down"))
    result = "hidden" if last else f"layer{i}.out"
    g.skip_norm(down, f"layer{i}.attended", _norm(g, w, f"{p}output"),
                g.constant(f"{p}output.dense.bias", w[f"{p}output.dense.bias"]), result)
    return result


def _attention(g: _Graph, i: int, x: str, qkv: np.ndarray, bias: np.ndarray) -> None:
    """Self-attention of layer i over x into layer{i}.attention, in ONNX Runtime's fused operator."""
    bias_name = g.constant(f"layer{i}.qkv_bias", bias.astype(np.float32))
    if "qkv" in g.exact:
        g.node("Attention", [x, g.constant(f"layer{i}.qkv", qkv.astype(np.float32)), bias_name, "mask_index"],
               [f"layer{i}.attention"], domain=MS, num_heads=HEADS)
        return
    x, qkv = g.smoothed(x, f"layer{i}.qkv", qkv)
    q, scale, zero = g.quantized(f"layer{i}.qkv", qkv)
    g.node("DynamicQuantizeLinear", [x], [f"layer{i}.in_q", f"layer{i}.in_scale", f"layer{i}.in_zero"])
    g.node("QAttention", [f"layer{i}.in_q", q, bias_name, f"layer{i}.in_scale", scale,
                          "mask_index", f"layer{i}.in_zero", zero, ""], [f"layer{i}.attention"],
           domain=MS, num_heads=HEADS)


def _norm(g: _Graph, w: Mapping[str, np.ndarray], prefix: str) -> Iterator[str]:
    yield g.constant(f"{prefix}.LayerNorm.weight", w[f"{prefix}.LayerNorm.weight"])
    yield g.constant(f"{prefix}.LayerNorm.bias", w[f"{prefix}.LayerNorm.bias"])


def build(weights: Mapping[str, np.ndarray]):  # noqa: ANN201 - an onnx ModelProto
    """The encoder's model from all-MiniLM-L6-v2's weights (names as in its model.safetensors)."""
    from onnx import TensorProto, helper

    g = _Graph()
    x = _embeddings(g, weights)
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "length"]) for name in ("ids", "mask")]
    return _model(g, weights, LAYERS, x, inputs)


def build_layers(weights: Mapping[str, np.ndarray], layers: int, exact: Collection[str] = (),  # noqa: ANN201
                 smoothing: Smoothing | None = None, top: int = 64):
    """An encoder's layers alone (multilingual-e5-small's: its 250k-row word table stays outside, 4-bit):
    `embedded` (the embedding layer's output) and `mask_index` (each row's length, int32) in, the last hidden
    state out. weights: named as a BERT encoder's (E5File.bert_weights); exact: the PARTS kept in float32;
    smoothing: the int8 products' input factors (Smoothing); top: the weights' range (per_column_int8)."""
    from onnx import TensorProto, helper

    inputs = [helper.make_tensor_value_info("embedded", TensorProto.FLOAT, ["batch", "length", HIDDEN]),
              helper.make_tensor_value_info("mask_index", TensorProto.INT32, ["batch"])]
    return _model(_Graph(exact, smoothing, top, fused_norm=False), weights, layers, "embedded", inputs)


def smoothing_factors(weights: Mapping[str, np.ndarray], inputs: Mapping[str, np.ndarray], layers: int,
                      alpha: float) -> dict[str, np.ndarray]:
    """SmoothQuant's factors (Xiao et al. 2023): s_j = max|x_j|^alpha / max|w_j|^(1 - alpha) for each input
    channel j of each product, from the largest |input| each channel took on calibration text (inputs:
    layerN.PART -> that vector) and the weight's largest |row j|."""
    out = {}
    for i in range(layers):
        for part in PARTS:
            name = f"layer{i}.{part}"
            w = np.abs(_product_weight(weights, i, part)).max(axis=1).astype(np.float64)
            x = np.asarray(inputs[name], dtype=np.float64)
            out[name] = np.clip(x ** alpha / np.maximum(w, 1e-8) ** (1 - alpha), 1e-3, 1e3)
    return out


def _product_weight(w: Mapping[str, np.ndarray], i: int, part: str) -> np.ndarray:
    """Layer i's weight of a product [in, out], as the graph multiplies by it."""
    p = f"encoder.layer.{i}."
    if part == "qkv":
        return np.concatenate([w[f"{p}attention.self.{h}.weight"].T for h in ("query", "key", "value")], axis=1)
    name = {"attention_out": "attention.output.dense", "up": "intermediate.dense", "down": "output.dense"}[part]
    return w[f"{p}{name}.weight"].T


def _model(g: _Graph, weights: Mapping[str, np.ndarray], layers: int, x: str, inputs: list):  # noqa: ANN202
    from onnx import TensorProto, helper

    for i in range(layers):
        x = _layer(g, weights, i, x, last=i == layers - 1)
    output = helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", HIDDEN])
    graph = helper.make_graph(g.nodes, "question-encoder", inputs, [output], initializer=g.initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)],
                             ir_version=8, producer_name="tipsearch")


def write(model: Path, dest: str) -> None:
    """Read model/model.safetensors (numpy only) and write the encoder to dest."""
    import onnx
    from safetensors.numpy import load_file

    onnx.save_model(build(load_file(str(model / "model.safetensors"))), dest)
