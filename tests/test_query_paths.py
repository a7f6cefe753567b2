"""The query-latency paths: questions at the index's precision, keyword query beside the encode, FAISS threads."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import faiss
import numpy as np
import pytest

from tipsearch import Library, build


from tipsearch.search import retrieve as search
from tipsearch.models.embedders import HashingEmbedder, question_precision, resolve_precision
from tipsearch.errors import BadOptionError, IndexCorruptError
from tipsearch.search.retrieve import retrieve
from tipsearch.index.vectors import VectorIndex

DATA = Path(__file__).resolve().parent / "data"


class Bf16HashingEmbedder(HashingEmbedder):
    """Stands in for a bf16 build: the manifest records the embedder's precision."""

    precision = "bf16"


def test_question_precision_follows_the_build() -> None:
    assert question_precision("fp32") == "fp32"
    assert question_precision("int8") == "int8"
    assert question_precision(None) == "fp32"  # an index from before precision was recorded
    assert question_precision("bf16") == resolve_precision("auto", "cpu")


def test_bf16_index_on_a_cpu_without_bf16_asks_in_fp32(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tipsearch.models.embedders.cpu_has_bf16", lambda: False)
    assert question_precision("bf16") == "fp32"
    monkeypatch.setattr("tipsearch.models.embedders.cpu_has_bf16", lambda: True)
    assert question_precision("bf16") == "bf16"


def test_library_loads_the_question_model_at_the_index_precision(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(corpus, tmp_path / "index", embedder=Bf16HashingEmbedder(), progress=False)
    monkeypatch.setattr("tipsearch.models.embedders.cpu_has_bf16", lambda: True)
    loaded: list[str] = []

    def recording_load(name: str, precision: str = "fp32") -> HashingEmbedder:
        loaded.append(precision)
        return HashingEmbedder()

    assert Library.open(tmp_path / "index", load=recording_load).search("legal assistance", k=2)
    assert Library.open(tmp_path / "index", precision="fp32", load=recording_load).search("legal assistance", k=2)
    assert loaded == ["bf16", "fp32"]
    with pytest.raises(BadOptionError, match="precision must be one of"):
        Library.open(tmp_path / "index", precision="fp16")


def _questions() -> list[str]:
    return [json.loads(line)["q"] for line in (DATA / "dev_qa.jsonl").read_text().splitlines() if line.strip()]


def test_concurrent_hybrid_ranks_exactly_as_in_turn(hash_index: Path) -> None:
    lib = Library.open(hash_index)
    for question in _questions():
        together = retrieve(lib.generation.store, lib.generation.vectors, lib.embedder, question, 10)
        in_turn = retrieve(lib.generation.store, lib.generation.vectors, lib.embedder, question, 10, concurrent=False)
        assert together == in_turn, question
        assert together


def test_keyword_query_runs_beside_the_encode(hash_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = Library.open(hash_index)
    threads: list[str] = []
    real = search.keyword

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "keyword", recording)
    retrieve(lib.generation.store, lib.generation.vectors, lib.embedder, "legal assistance", 5)
    retrieve(lib.generation.store, lib.generation.vectors, lib.embedder, "legal assistance", 5, concurrent=False)
    retrieve(lib.generation.store, lib.generation.vectors, lib.embedder, "legal assistance", 5, mode="keyword")
    main = threading.current_thread().name
    assert threads[0] != main and threads[0].startswith("tipsearch-keyword")
    assert threads[1:] == [main, main]


def test_keyword_failure_on_the_worker_reaches_the_caller(hash_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = Library.open(hash_index)

    def damaged(*args, **kwargs):
        raise IndexCorruptError("units.sqlite is damaged: run `tipsearch build`")

    monkeypatch.setattr(search, "keyword", damaged)
    with pytest.raises(IndexCorruptError, match="damaged"):
        retrieve(lib.generation.store, lib.generation.vectors, lib.embedder, "legal assistance", 5)


def test_vector_search_leaves_the_thread_setting_as_it_was() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    index = VectorIndex.build(vectors, 16, kind="flat")
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        ids, _ = index.search(vectors[7], 3)
        assert ids[0] == int(np.argmax(vectors @ vectors[7]))
        assert faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(before)


def test_a_search_reads_its_question_once_and_runs_each_model_once(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tipsearch.models import e5
    from tipsearch.search import pipeline, query

    class Second(HashingEmbedder):
        name = e5.E5

        def embed_passages(self, texts):  # noqa: ANN001, ANN201
            return self.embed(texts)

        def embed_queries(self, texts):  # noqa: ANN001, ANN201
            return self.embed(texts)

    shutil.copytree(DATA.parent.parent / "corpus", tmp_path / "corpus")
    question = "non-punishment of victims of trafficking"
    asked = {"first": 0, "second": 0}

    class Counting(HashingEmbedder):
        def embed(self, texts):  # noqa: ANN001, ANN201
            asked["first"] += question in texts
            return super().embed(texts)

    class CountingSecond(Second):
        def embed_queries(self, texts):  # noqa: ANN001, ANN201
            asked["second"] += question in texts
            return super().embed_queries(texts)

    second, first = CountingSecond(), Counting()
    build(tmp_path / "corpus", tmp_path / "index", embedder=first, multilingual=second, progress=False)
    reads: list[str] = []
    real_read = query.read
    monkeypatch.setattr(pipeline, "read", lambda q, *a, **k: reads.append(q) or real_read(q, *a, **k))
    lib = Library.open(tmp_path / "index", embedder=first)
    lib.pipeline._multilingual, lib.pipeline._multilingual_wanted = second, False  # the stand-in answers queries
    for mode in ("hybrid", "semantic", "keyword"):
        reads.clear()
        hits = lib.search(question, k=5, mode=mode, group=1)
        assert hits and reads == [question], mode  # read once, grouping and answer spans included
    # each search embeds the question once by each model, for the ranking and the answer spans alike
    assert asked == {"first": 3, "second": 3}
    assert not any(name.startswith("_last") for name in vars(lib.pipeline))
