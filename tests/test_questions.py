"""Questions on ONNX Runtime (questions.py): made once per index, close to the torch vectors, optional."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from tipsearch import Library
from tipsearch.models.question_encoder import PREFIX, QuestionEncoder, graph_path, model_path, prepare

pytestmark = pytest.mark.model

QUESTIONS = ["Should victims be punished for crimes they were forced to commit?",
             "JIT cooperation between prosecutors", "¿Qué es la trata de personas? 🙂"]


def test_the_build_makes_the_encoder_once_and_it_reads_as_torch_does(model_index: Path, minilm):
    path = graph_path(model_index, model_path())
    assert path.exists() and path.stat().st_size > 1_000_000
    made = path.stat().st_mtime_ns
    assert prepare(model_index) == path and path.stat().st_mtime_ns == made  # there already: not made again
    encoder = QuestionEncoder.open(model_index)
    vectors, read = encoder.encode_pieces(QUESTIONS)
    torch_vectors, torch_read = minilm.embed_pieces(QUESTIONS)
    assert vectors.shape == torch_vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.all(np.sum(vectors * torch_vectors, axis=1) > 0.98)  # int8 weights: close, not equal
    for ours, theirs in zip(read, torch_read):
        assert ours.tokens == theirs.tokens and ours.spans == theirs.spans
        assert np.all(np.sum(ours.vectors * theirs.vectors, axis=1) > 0.9)


def test_a_search_embeds_its_question_on_the_encoder_not_on_torch(model_index: Path, minilm):
    lib = Library.open(model_index, embedder=minilm)
    try:
        before = minilm.calls
        ranked = lib.pipeline.rank(QUESTIONS[0], 5)
        assert minilm.calls == before  # the question went to ONNX Runtime, and reading used pieces
        assert "reading" in ranked[0].scores
    finally:
        lib.close()
    asked = Library.open(model_index, embedder=minilm, precision="fp32")  # a precision asked for: torch
    try:
        before = minilm.calls
        asked.pipeline.rank(QUESTIONS[0], 5)
        assert minilm.calls == before + 1
    finally:
        asked.close()


def test_a_damaged_encoder_falls_back_to_torch_and_the_next_build_makes_it_again(
    model_index: Path, minilm, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    index = tmp_path / "index"
    shutil.copytree(model_index, index)
    path = graph_path(index, model_path())
    path.write_bytes(b"not a graph")
    stale = index / f"{PREFIX}0000000000000000.onnx"  # another export version's file
    stale.write_bytes(b"old")
    with caplog.at_level(logging.WARNING):
        assert QuestionEncoder.open(index) is None
    assert "torch path" in caplog.text
    lib = Library.open(index, embedder=minilm)
    try:
        before = minilm.calls
        assert lib.search(QUESTIONS[0], k=3)
        assert minilm.calls > before  # answered on torch
    finally:
        lib.close()
    assert prepare(index) == path and QuestionEncoder.open(index) is not None  # the damaged file made again
    assert not stale.exists()


def test_a_graph_that_fails_to_be_written_leaves_no_file_and_questions_on_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    def broken(model: Path, dest: str) -> None:
        Path(dest).write_bytes(b"half a graph")
        raise RuntimeError("writer unavailable")

    monkeypatch.setattr("tipsearch.models.question_graph.write", broken)
    with caplog.at_level(logging.WARNING):
        assert prepare(tmp_path) is None
    assert "writer unavailable" in caplog.text and "torch path" in caplog.text
    assert list(tmp_path.iterdir()) == [] and QuestionEncoder.open(tmp_path) is None
