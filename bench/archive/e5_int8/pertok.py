import sys, time, random
sys.argv = [sys.argv[0]]
exec(open("bench/archive/e5_int8/smooth.py").read().split('print("| graph |')[0].replace("calib = rng.sample([s for s in sents if 20 < len(s) < 300], 1000)", "calib = rng.sample([s for s in sents if 20 < len(s) < 300], 10)").replace("ref = ref_reader.encode(asked, QUERY)", "ref = None"))
from bench.synthetic import paragraphs
from tipsearch.models.e5_calibration import input_maxima
from tipsearch.models.e5_tokens import PASSAGE
from pathlib import Path
amax_ship = input_maxima()
smooth = QG.smoothing_factors(W, amax_ship, 12, 0.7)
rng2 = random.Random(1)
real = rng2.sample([t for t in texts if 50 < len(t) < 3000], 200)
paras = paragraphs(200)
class PT(QG._Graph):
    per_token = ()
    def dense(self, x, name, weight):
        part = name.rpartition(".")[2]
        if part not in self.per_token:
            return super().dense(x, name, weight)
        x, weight = self.smoothed(x, name, weight)
        q, scale, zero = self.quantized(name, weight)
        n = name
        self.node("ReduceMax", [self.abs_(x, n)], [f"{n}_rmax"], axes=[-1], keepdims=1)
        self.node("Div", [f"{n}_rmax", self.constant(f"{n}_127", np.array(127.0, np.float32))], [f"{n}_rs0"])
        self.node("Max", [f"{n}_rs0", self.constant(f"{n}_tiny", np.array(1e-12, np.float32))], [f"{n}_rs"])
        self.node("Div", [x, f"{n}_rs"], [f"{n}_xs"])
        self.node("QuantizeLinear", [f"{n}_xs", self.constant(f"{n}_one", np.array(1.0, np.float32)), self.constant(f"{n}_zp", np.array(0, np.int8))], [f"{n}_xq"])
        self.node("MatMulInteger", [f"{n}_xq", q, "", zero], [f"{n}_int"])
        self.node("Cast", [f"{n}_int"], [f"{n}_float"], to=1)
        self.node("Mul", [f"{n}_float", f"{n}_rs"], [f"{n}_a"])
        self.node("Mul", [f"{n}_a", scale], [f"{n}_out"])
        return f"{n}_out"
    def abs_(self, x, n):
        self.node("Abs", [x], [f"{n}_abs"]); return f"{n}_abs"
def make(per_token, top=127):
    from onnx import TensorProto, helper
    g = PT((), smooth, top); g.per_token = per_token
    inputs = [helper.make_tensor_value_info("embedded", TensorProto.FLOAT, ["batch", "length", 384]),
              helper.make_tensor_value_info("mask_index", TensorProto.INT32, ["batch"])]
    return QG._model(g, W, 12, "embedded", inputs)
from concurrent.futures import ThreadPoolExecutor
for label, pt in (("per tensor (today)", ()), ("per token: attention_out, up, down", ("attention_out", "up", "down"))):
    m = make(pt); onnx.save_model(m, "/tmp/e5-int8-pt.onnx")
    q = E5Questions.__new__(E5Questions); E5Questions.__init__(q, Path("/tmp/e5-int8-pt.onnx"), f, tok)
    r = q.reader if hasattr(q, "reader") else None
    from tipsearch.models.e5_reader import E5Reader
    rd = E5Reader(tok, q._run, 512, 384, batch_tokens=1, workers=2)
    for name, xs in (("synthetic", paras), ("real", real)):
        with torch.inference_mode():
            ref = ref_reader.encode(xs, PASSAGE)
        ntok = sum(len(e) + 2 for e in tok.encode(xs, PASSAGE))
        t = time.perf_counter(); v = rd.encode(xs, PASSAGE); dt = time.perf_counter() - t
        c = (v * ref).sum(1)
        print(f"{label} {name}: cos min {c.min():.5f} mean {c.mean():.5f}; {ntok/dt:.0f} tok/s", flush=True)
