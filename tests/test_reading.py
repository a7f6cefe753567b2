"""Reading: token-level MaxSim re-orders the first stage's top k (hybrid only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from tipsearch import Library
from tipsearch.embedding import HashingEmbedder
from tipsearch.reading import can_read, maxsim, question_pieces, reread
from tipsearch.search import Candidate


def test_maxsim_is_the_mean_of_each_question_piece_best_match():
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    unit = np.array([[1.0, 0.0], [0.6, 0.8]])
    # piece 1 best 1.0 (first), piece 2 best 0.8 (second): mean 0.9
    assert maxsim(q, unit) == pytest.approx(0.9)
    assert maxsim(q, np.zeros((0, 2))) == 0.0


def test_question_words_and_punctuation_do_not_vote():
    vectors = np.eye(4)
    kept = question_pieces(vectors, ["what", "victims", "?", "compensation"])
    np.testing.assert_array_equal(kept, vectors[[1, 3]])
    np.testing.assert_array_equal(question_pieces(vectors[:1], ["what"]), vectors[:1])  # nothing left: keep all


class Reader(HashingEmbedder):
    """Each word is a piece; its vector is the hashing vector of the word alone (no context)."""

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[np.ndarray, list[str]]]:
        out = []
        for t in texts:
            words = t.lower().replace("?", " ?").split()
            out.append((self.embed(words) if words else np.zeros((0, self.dimension)), words))
        return out


def test_reread_moves_the_candidate_that_holds_every_question_word_to_the_top():
    texts = ["Victims may seek compensation from the assets of traffickers.",
             "Victims were discussed at length by the delegations."]
    first = [Candidate(2, 1.0, {}), Candidate(1, 0.9, {})]  # the first stage put the weaker one first
    out = reread("compensation for victims from traffickers' assets?", first, texts[::-1], Reader(), 0.5)
    assert [c.unit_id for c in out] == [1, 2]
    assert out[0].scores["reading"] > out[1].scores["reading"]
    assert out[0].score == pytest.approx(0.9 + 0.5)  # the best reading adds the whole weight


def test_reread_leaves_the_order_alone_without_token_vectors_or_weight():
    first = [Candidate(2, 1.0, {}), Candidate(1, 0.9, {})]
    assert not can_read(HashingEmbedder())
    assert reread("q", first, ["a", "b"], HashingEmbedder(), 0.5) == first
    assert reread("q", first, ["a", "b"], Reader(), 0.0) == first


def test_library_reads_in_hybrid_mode_only(hash_index):
    lib = Library.open(hash_index, Reader())
    try:
        hybrid = lib.rank("free legal assistance for victims", 5)
        assert all("reading" in c.scores for c in hybrid)
        assert [c.score for c in hybrid] == sorted((c.score for c in hybrid), reverse=True)
        assert all("reading" not in c.scores for c in lib.rank("free legal assistance", 5, "keyword"))
    finally:
        lib.close()


@pytest.mark.model
def test_the_model_reads_each_piece_in_context(minilm):
    (a, pieces_a), (b, _) = minilm.token_vectors(["victims of trafficking", "victims of trafficking in court"])
    assert pieces_a == ["victims", "of", "trafficking"]
    assert a.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(a[0], b[0], atol=1e-3)  # the same word, another context, another vector
