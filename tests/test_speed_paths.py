"""The speed and scale code paths: index choice by size, batch vector reuse, device and precision flags."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tipsearch import Library, build
from tipsearch.cli import main
from tipsearch.models.embedders import HashingEmbedder, MiniLMEmbedder, resolve_device, resolve_precision
from tipsearch.errors import BadOptionError, TipsearchError
from tipsearch.index.vectors import FLAT, FLAT16, HNSW, VectorIndex, choose_kind


def _vectors(n: int, d: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_choose_kind_switches_at_the_threshold() -> None:
    assert choose_kind(99, threshold=100) == FLAT
    assert choose_kind(100, threshold=100) == HNSW
    assert choose_kind(10**9, kind="flat", threshold=100) == FLAT
    with pytest.raises(BadOptionError, match="ivf"):
        choose_kind(10, kind="ivf")


def test_hnsw_index_finds_each_vector_and_reconstructs_in_batch(tmp_path: Path) -> None:
    v = _vectors(300)
    index = VectorIndex.build(v, 16, threshold=200)
    assert index.kind == HNSW
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", 16, 300)
    assert loaded.kind == HNSW
    assert all(loaded.search(v[i], 1)[0][0] == i for i in (0, 150, 299))
    np.testing.assert_allclose(loaded.reconstruct([299, 0, 7]), v[[299, 0, 7]])
    assert VectorIndex.build(v, 16).kind == FLAT
    np.testing.assert_allclose(VectorIndex.build(v, 16).all_vectors(), v)


def test_build_records_the_vector_index_and_reuses_vectors_from_hnsw(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "index"
    build(corpus, index, embedder=HashingEmbedder(), progress=False, vector_index="hnsw")
    manifest = json.loads((index / "manifest.json").read_text())
    assert manifest["vector_index"] == "hnsw"
    lib = Library.open(index, embedder=HashingEmbedder())
    assert lib.generation.vectors.kind == HNSW
    assert lib.search("legal assistance for victims", k=3)
    lib.close()
    embedder = HashingEmbedder()
    report = build(corpus, index, embedder=embedder, progress=False, force=True)
    assert report.embedded == 0 and report.reused == manifest["vectors"] and embedder.texts_embedded == 0
    assert json.loads((index / "manifest.json").read_text())["vector_index"] == "flat"  # seed is small


def test_reused_vectors_equal_the_first_build(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "index"
    build(corpus, index, embedder=HashingEmbedder(), progress=False)
    first = Library.open(index, embedder=HashingEmbedder())
    before = first.generation.vectors.all_vectors()
    first.close()
    build(corpus, index, embedder=HashingEmbedder(), progress=False, force=True)
    again = Library.open(index, embedder=HashingEmbedder())
    np.testing.assert_array_equal(again.generation.vectors.all_vectors(), before)
    again.close()


def test_device_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    assert resolve_device("cpu") == "cpu"
    assert resolve_device(None) == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"
    with pytest.raises(TipsearchError, match="--device cpu"):
        resolve_device("cuda")
    with pytest.raises(TipsearchError, match="tpu"):
        resolve_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cuda") == "cuda"


def test_precision_resolution() -> None:
    assert resolve_precision("auto", "cuda") == "bf16"
    assert resolve_precision("int8", "cpu") == "int8"
    assert resolve_precision("auto", "cpu") in ("bf16", "fp32")
    with pytest.raises(TipsearchError, match="fp16"):
        resolve_precision("fp16", "cpu")


def test_build_flags_parse(tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "i"), "--model", "hashing-384", "-q",
                 "--device", "cpu", "--vector-index", "hnsw"]) == 0
    assert json.loads((tmp_path / "i" / "manifest.json").read_text())["vector_index"] == "hnsw"
    with pytest.raises(SystemExit) as e:
        main(["build", "--device", "gpu"])
    assert e.value.code == 2 and "invalid choice" in capsys.readouterr().err


@pytest.mark.model
def test_faster_encoders_stay_close_to_fp32(minilm: MiniLMEmbedder) -> None:
    texts = [
        "Victims should not be punished for offences they were compelled to commit.",
        "States parties are encouraged to provide free legal assistance to victims of trafficking.",
        "The meeting was opened by the Chair of the Working Group.",
        "Joint investigation teams help prosecute traffickers across borders.",
    ]
    reference = minilm.embed(texts)
    shuffled = minilm.embed(texts[::-1])[::-1]  # batch order and length sorting must not change vectors
    np.testing.assert_allclose(shuffled, reference, atol=1e-4)
    question = minilm.embed(["Can victims be prosecuted for crimes they were forced into?"])[0]
    for precision, floor in (("bf16", 0.99), ("int8", 0.93)):
        vectors = MiniLMEmbedder(precision=precision).embed(texts)
        assert vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert (vectors * reference).sum(axis=1).min() > floor, precision
        assert int(np.argmax(vectors @ question)) == int(np.argmax(reference @ question)) == 0


class _CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.counted: list[str] = []

    def count_tokens(self, text: str) -> int:
        self.counted.append(text)
        return super().count_tokens(text)


def test_unchanged_units_are_not_windowed_again(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "index"
    build(corpus, index, embedder=HashingEmbedder(), progress=False)
    (corpus / "note.txt").write_text("1. A new paragraph about labour inspections in agriculture.\n", encoding="utf-8")
    embedder = _CountingEmbedder()
    report = build(corpus, index, embedder=embedder, progress=False)
    assert report.embedded == 1 and report.reused > 50
    assert embedder.counted and all("labour inspections" in t for t in embedder.counted)
    hits = Library.open(index, embedder=HashingEmbedder()).search("labour inspections agriculture", k=1)
    assert hits[0].unit.document.file == "note.txt"
    # an index chunked another way is windowed again (its vectors are still reused by text hash)
    manifest = json.loads((index / "manifest.json").read_text())
    manifest["extra"]["chunking"] = "0"
    (index / "manifest.json").write_text(json.dumps(manifest))
    embedder = _CountingEmbedder()
    report = build(corpus, index, embedder=embedder, progress=False, force=True)
    assert report.embedded == 0 and len({t for t in embedder.counted}) > 50


def test_flat16_sits_between_flat_and_hnsw_and_keeps_the_exact_scan_ranking(tmp_path: Path) -> None:
    assert choose_kind(49, threshold=100, fp16_threshold=50) == FLAT
    assert choose_kind(50, threshold=100, fp16_threshold=50) == FLAT16
    assert choose_kind(100, threshold=100, fp16_threshold=50) == HNSW
    v = _vectors(2000, d=64, seed=3)
    q = _vectors(30, d=64, seed=4)
    flat = VectorIndex.build(v, 64, kind="flat")
    half = VectorIndex.build(v, 64, fp16_threshold=1000)
    assert half.kind == FLAT16
    half.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", 64, 2000)
    assert loaded.kind == FLAT16
    overlap = [len(set(flat.search(x, 10)[0]) & set(loaded.search(x, 10)[0])) / 10 for x in q]
    assert np.mean(overlap) >= 0.98
    ids, scores = loaded.search(q[0], 5)
    np.testing.assert_allclose(scores, v[ids] @ q[0], atol=1e-3)  # fp16: about 3 significant digits
    allowed = np.arange(100, 200)
    assert set(loaded.search(q[0], 10, allowed)[0]) <= set(allowed.tolist())
    assert np.abs(loaded.all_vectors() - v).max() < 1e-3
