"""Window vectors of the multilingual model: embedded (today) vs made from the sentence vectors."""
import sys, time
from pathlib import Path
import numpy as np
sys.path.insert(0, "bench")
from multilingual import sets
from tipsearch.index.generation import Generation
from tipsearch.index.vectors import VectorIndex
from tipsearch.index.chunks import embedding_texts, context_prefix
from tipsearch.index.multilingual import unit_sentences
from tipsearch.index.spans import span_key
from tipsearch.models.embedders import load_embedder
from tipsearch.models.e5 import E5Embedder
from tipsearch.search.pipeline import Pipeline
from tipsearch.search.evaluation import evaluate, read_questions

index = Path(sys.argv[1]); which = sys.argv[2]  # seed | real
gen = Generation.open(index)
n = gen.manifest.units
units = gen.store.units(list(range(1, n + 1)))
cbu = gen.store.chunks_by_unit([u.id for u in units])
minilm = load_embedder("all-MiniLM-L6-v2")
e5 = E5Embedder()
ctx_tokens = {}
built = gen.multilingual.all_vectors()
per_unit = gen.sentences.of_units([u.id for u in units])
contexts = sorted({context_prefix(u.paragraph) for u in units} - {""})
t = time.perf_counter(); cvec = dict(zip(contexts, e5.embed_passages(contexts))); print("contexts", len(contexts), time.perf_counter() - t)
V = {k: np.array(built) for k in ("mean", "weighted", "mean+context")}
for u in units:
    p = u.paragraph
    windows = embedding_texts(p, minilm, ctx_tokens)
    rows = cbu[u.id]
    assert len(rows) == len(windows), (u.id, len(rows), len(windows))
    vecs = per_unit[u.id - 1] if False else None
    sv = gen.sentences.of_units([u.id])[0]
    sents = unit_sentences(p.text)
    skip = len(context_prefix(p))
    for row, w in zip(rows, windows):
        inside = [s for s in sents if s in w[skip:]] or sents
        m = np.stack([sv[span_key(s)] for s in inside])
        wts = np.array([len(s) for s in inside], dtype=np.float32)
        ctx = context_prefix(p)
        V["mean"][row] = m.mean(0)
        V["weighted"][row] = (m * wts[:, None]).sum(0) / wts.sum()
        V["mean+context"][row] = (m.sum(0) + (cvec[ctx] if ctx else 0)) / (len(m) + (1 if ctx else 0))
for k in V:
    V[k] /= np.linalg.norm(V[k], axis=1, keepdims=True)
    print(k, "cos to built: mean", float((V[k] * built).sum(1).mean()))

class SentOnly(Pipeline):
    def multilingual_ranking(self, query, n, allowed):
        vector = query.multilingual
        s = self.generation.sentences.best(vector, None if allowed is None else allowed.units)
        return {"multilingual": sorted(s.items(), key=lambda x: -x[1])[:n]}

pipes = {"embedded (today)": Pipeline(gen)}
for k, v in V.items():
    g2 = Generation(gen.layout, gen.manifest, gen.store, gen.vectors, gen.pieces, gen.spans,
                    VectorIndex.build(v, v.shape[1], kind=gen.multilingual.kind), gen.sentences)
    pipes[k] = Pipeline(g2)
pipes["best sentence only"] = SentOnly(gen)
if which == "seed":
    qsets = sets()
else:
    qsets = {p.stem: read_questions(p) for p in Path("tests/data/real_corpus").glob("questions*.jsonl")}
print("\n| set | n | " + " | ".join(pipes) + " |\n|---|---|" + "---|" * len(pipes))
for name, qs in qsets.items():
    cells = []
    for pipe in pipes.values():
        [s] = evaluate(pipe, qs, modes=["hybrid"])
        cells.append(f"{s.hit1:.3f} / {s.hit5:.3f} / {s.ndcg10:.3f}")
    print(f"| {name} | {len(qs)} | " + " | ".join(cells) + " |", flush=True)
