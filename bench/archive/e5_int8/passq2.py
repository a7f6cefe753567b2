import sys, time, random
sys.argv = [sys.argv[0]]
exec(open("bench/archive/e5_int8/smooth.py").read().split('print("| graph |')[0].replace("calib = rng.sample([s for s in sents if 20 < len(s) < 300], 1000)", "calib = rng.sample([s for s in sents if 20 < len(s) < 300], 300)").replace("ref = ref_reader.encode(asked, QUERY)", "ref = None"))
from bench.synthetic import paragraphs
import onnxruntime as ort
from concurrent.futures import ThreadPoolExecutor
from tipsearch.models.e5_tokens import PASSAGE
paras = paragraphs(300)
m = build(bits=8, alpha=0.7); onnx.save_model(m, "/tmp/e5-int8-p8.onnx")
def sess(threads):
    o = ort.SessionOptions(); o.intra_op_num_threads = threads; o.inter_op_num_threads = 1
    o.add_session_config_entry("session.intra_op.allow_spinning", "0")
    o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL; o.log_severity_level = 3
    return ort.InferenceSession("/tmp/e5-int8-p8.onnx", o, providers=["CPUExecutionProvider"])
qs = []
for _ in range(2):
    q = E5Questions.__new__(E5Questions); E5Questions.__init__(q, __import__("pathlib").Path("/tmp/e5-int8-p8.onnx"), f, tok); qs.append(q)
ntok = sum(len(e) + 2 for e in tok.encode(paras, PASSAGE))
xs = sorted(paras, key=len, reverse=True)
for threads in (1, 2):
  for q in qs: q.session = sess(threads)
  for budget in (1, 300, 1000):
    t = time.perf_counter(); qs[0].reader.encode(xs, PASSAGE, batch_tokens=budget); tq = time.perf_counter() - t
    print(f"threads={threads} budget={budget}: {ntok/tq:.0f} tok/s", flush=True)
for q in qs: q.session = sess(1)
with ThreadPoolExecutor(2) as pool:
    t = time.perf_counter()
    list(pool.map(lambda i: qs[i].reader.encode(xs[i::2], PASSAGE, batch_tokens=1), range(2)))
    tq = time.perf_counter() - t
print(f"two sessions x 1 thread, one text a run: {ntok/tq:.0f} tok/s")
