import sys, time, random
sys.argv = [sys.argv[0], "__none__"]
exec(open("bench/archive/e5_int8/smooth.py").read().split('print("| graph |')[0])  # calibration and build()
from bench.synthetic import paragraphs
import onnxruntime as ort
from tipsearch.models.e5_tokens import PASSAGE
paras = paragraphs(300)
rng2 = random.Random(1)
real = rng2.sample([t for t in texts if 50 < len(t) < 3000], 300)
m = build(bits=8, alpha=0.7); onnx.save_model(m, "/tmp/e5-int8-p8.onnx")
q = E5Questions.__new__(E5Questions); E5Questions.__init__(q, __import__("pathlib").Path("/tmp/e5-int8-p8.onnx"), f, tok)
def sess(threads):
    o = ort.SessionOptions(); o.intra_op_num_threads = threads; o.inter_op_num_threads = 1
    o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL; o.log_severity_level = 3
    return ort.InferenceSession("/tmp/e5-int8-p8.onnx", o, providers=["CPUExecutionProvider"])
bf = E5Model(f).to(torch.bfloat16).eval(); bf_reader = E5Reader(tok, torch_run(bf), 512, 384)
for name, xs in (("synthetic", paras), ("real units", real)):
    with torch.inference_mode():
        ref = ref_reader.encode(xs, PASSAGE)
        t = time.perf_counter(); vb = bf_reader.encode(xs, PASSAGE); tb = time.perf_counter() - t
    ntok = sum(len(e) + 2 for e in tok.encode(xs, PASSAGE))
    print(f"{name}: {len(xs)} texts {ntok} pieces; torch bf16 {tb:.1f}s {ntok/tb:.0f} tok/s cos min {(vb*ref).sum(1).min():.4f}")
    for threads in (1, 2):
        q.session = sess(threads)
        for budget in (1, 8192):  # 1: one text a batch
            t = time.perf_counter(); vq = q.reader.encode(xs, PASSAGE, batch_tokens=budget); tq = time.perf_counter() - t
            c = (vq * ref).sum(1)
            print(f"   ort int8 threads={threads} budget={budget}: {tq:.1f}s {ntok/tq:.0f} tok/s cos min {c.min():.4f} mean {c.mean():.5f} below {(c<0.995).sum()}", flush=True)
