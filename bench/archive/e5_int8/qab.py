import sys, time, statistics
sys.path.insert(0, "bench")
import numpy as np
from pathlib import Path
from e5_engines import questions
from tipsearch.models import e5_graph
from tipsearch.models.e5_file import E5File
from tipsearch.models.e5_tokens import E5Tokenizer, QUERY
from tipsearch.models.question_encoder import QuestionEncoder, prepare, session
root = Path("/tmp/e5-int8-qab"); root.mkdir(exist_ok=True)
p = e5_graph.prepare(root); prepare(root)
f = E5File(); tok = E5Tokenizer(f.vocabulary)
plain = e5_graph.E5Graph(p, f, tok)
fused = e5_graph.E5Graph(p, f, tok); fused.session = session(p)  # the optimizer fuses the norms back
minilm = QuestionEncoder.open(root)
asked = questions()[::4]
runs = {"e5, plain norms": plain.reader(1).encode, "e5, fused norms": fused.reader(1).encode,
        "MiniLM": lambda xs, _=None: minilm.embed(xs)}
times = {k: [] for k in runs}
for q in asked[:20]:
    for f_ in runs.values(): f_([q], QUERY)
for q in asked:
    for k, f_ in runs.items():
        t = time.perf_counter(); f_([q], QUERY); times[k].append(time.perf_counter() - t)
for k, v in times.items(): print(f"{k}: p50 {1000*statistics.median(v):.2f} ms")
a = plain.reader(1).encode(asked[:200], QUERY); b = fused.reader(1).encode(asked[:200], QUERY)
print("plain vs fused cos min", float((a*b).sum(1).min()))
