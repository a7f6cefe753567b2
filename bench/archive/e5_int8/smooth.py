"""e5 question graph: int8 variants (weight bits, SmoothQuant scales) vs torch fp32: min/mean cosine, p50 ms."""
import sys, time, statistics, random
sys.path.insert(0, "bench")
import numpy as np, torch
import onnx
from tipsearch.models import question_graph as QG
from tipsearch.models.e5_file import E5File
from tipsearch.models.e5_tokens import E5Tokenizer, QUERY
from tipsearch.models.e5_torch import E5Model, torch_run
from tipsearch.models.e5_reader import E5Reader
from tipsearch.models.e5_graph import E5Graph as E5Questions
from tipsearch.models.question_encoder import session
from tipsearch.models.embedders import sentences
from e5_engines import questions, units

f = E5File(); tok = E5Tokenizer(f.vocabulary); W = f.bert_weights()
model = E5Model(f).eval()
ref_reader = E5Reader(tok, torch_run(model), f.config.positions, f.config.hidden)
asked = questions()
# calibration: sentences of the documents as queries (not the question sets)
rng = random.Random(0)
texts = units()
sents = [t[a:b] for t in texts for a, b in sentences(t)]
calib = rng.sample([s for s in sents if 20 < len(s) < 300], 1000)
amax = {}
def hook(name):
    def h(mod, inp):
        x = inp[0].detach().float().reshape(-1, inp[0].shape[-1]).abs().amax(0)
        amax[name] = torch.maximum(amax[name], x) if name in amax else x
    return h
for i, layer in enumerate(model.encoder.layer):
    layer.attention.self.qkv.register_forward_pre_hook(hook(f"{i}.qkv"))
    layer.attention.output.dense.register_forward_pre_hook(hook(f"{i}.attention_out"))
    layer.intermediate.dense.register_forward_pre_hook(hook(f"{i}.up"))
    layer.output.dense.register_forward_pre_hook(hook(f"{i}.down"))
with torch.inference_mode():
    ref_reader.encode(calib, QUERY)
for h in [m for m in model.modules()]: h._forward_pre_hooks.clear()
with torch.inference_mode():
    ref = ref_reader.encode(asked, QUERY)
print("calibrated on", len(calib), "sentences;", len(asked), "questions")

def per_column(bits):
    top = 127 if bits == 8 else 64
    def q(w):
        absmax = np.abs(w).max(0)
        scale = np.where(absmax > 0, absmax / top, 1.0).astype(np.float32)
        return np.clip(np.round(w / scale), -top, top).astype(np.int8), scale, np.zeros(w.shape[1], np.int8)
    return q

def build(bits=7, alpha=None, parts=("qkv", "attention_out", "up", "down"), exact=()):
    quant = per_column(bits)
    def smooth(g, x, key, weight):
        if alpha is None or key.split(".")[1] not in parts:
            return x, weight
        a = amax[key].numpy().astype(np.float64)
        wmax = np.abs(weight).max(1).astype(np.float64)
        s = np.clip(a ** alpha / np.maximum(wmax, 1e-8) ** (1 - alpha), 1e-3, 1e3)
        name = g.constant(f"{key}_inv_smooth", (1 / s).astype(np.float32))
        g.node("Mul", [x, name], [f"{key}_smoothed"])
        return f"{key}_smoothed", (weight * s[:, None]).astype(np.float32)
    class G(QG._Graph):
        def quantized(self, name, weight, quantize=None):
            return super().quantized(name, weight, quantize or quant)
        def dense(self, x, name, weight):
            i = name.split(".")[0].removeprefix("layer")
            x, weight = smooth(self, x, f"{i}.{name.rpartition('.')[2]}", weight)
            return super().dense(x, name, weight)
    def attention(g, i, x, qkv, bias):
        if "qkv" not in g.exact:
            x, qkv = smooth(g, x, f"{i}.qkv", qkv)
        return orig_attention(g, i, x, qkv, bias)
    QG._attention = attention
    try:
        from onnx import TensorProto, helper
        inputs = [helper.make_tensor_value_info("embedded", TensorProto.FLOAT, ["batch", "length", 384]),
                  helper.make_tensor_value_info("mask_index", TensorProto.INT32, ["batch"])]
        return QG._model(G(exact), W, 12, "embedded", inputs)
    finally:
        QG._attention = orig_attention
orig_attention = QG._attention

def measure(name, m):
    path = f"/tmp/e5-int8-q-{abs(hash(name))}.onnx"; onnx.save_model(m, path)
    q = E5Questions.__new__(E5Questions)
    E5Questions.__init__(q, __import__("pathlib").Path(path), f, tok)
    vec = np.concatenate([q.embed_queries([x]) for x in asked])
    c = (vec * ref).sum(1)
    few = asked[::4]; ts = []
    for x in few:
        t = time.perf_counter(); q.embed_queries([x]); ts.append(time.perf_counter() - t)
    print(f"| {name} | {c.min():.4f} | {c.mean():.5f} | {(c < 0.995).sum()} | {1000*statistics.median(ts):.1f} |", flush=True)

print("| graph | min cos | mean | below 0.995 | p50 ms |\n|---|---|---|---|---|")
configs = {
  "today: int8 7-bit, down fp32": dict(bits=7, exact=("down",)),
  "all int8 7-bit": dict(bits=7),
  "all int8 8-bit": dict(bits=8),
  "all int8 7-bit, smooth a=0.5": dict(bits=7, alpha=0.5),
  "all int8 8-bit, smooth a=0.5": dict(bits=8, alpha=0.5),
  "all int8 8-bit, smooth down a=0.5": dict(bits=8, alpha=0.5, parts=("down",)),
  "all int8 7-bit, smooth a=0.7": dict(bits=7, alpha=0.7),
  "all int8 8-bit, smooth a=0.7": dict(bits=8, alpha=0.7),
  "all int8 8-bit, smooth a=0.8": dict(bits=8, alpha=0.8),
  "all int8 8-bit, smooth a=0.9": dict(bits=8, alpha=0.9),
  "all int8 8-bit, smooth down a=0.8": dict(bits=8, alpha=0.8, parts=("down",)),
  "all int8 8-bit, smooth qkv,up a=0.8": dict(bits=8, alpha=0.8, parts=("qkv","up")),
  "all int8 8-bit, smooth up,down a=0.8": dict(bits=8, alpha=0.8, parts=("up","down")),
  "all int8 7-bit, smooth a=0.8": dict(bits=7, alpha=0.8),
}
for k in (sys.argv[1:] or configs):
    measure(k, build(**configs[k]))
