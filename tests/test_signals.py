"""Round-two ranking signals: exact references, score normalisation, Rocchio feedback, word coverage."""

from pathlib import Path

import numpy as np
import pytest

from tipsearch import Library
from tipsearch.search.evaluation import unit_key
from tipsearch.search.retrieve import Ranking, coverage, feedback_vector, normalised, referenced, retrieve
from tipsearch.text import Reference, references


def test_references_reads_labels_and_numbers_the_way_people_type_them():
    assert references("What does recommendation 11 say?") == [Reference("recommendation", "11")]
    assert references("rec. 7 and para. 46, paragraph 9") == [
        Reference("recommendation", "7"), Reference("paragraph", "46"), Reference("paragraph", "9")]
    assert references("Recommendations 3") == [Reference("recommendation", "3")]
    assert references("in 2022, decision 4/4") == []  # bare numbers name nothing


def test_referenced_finds_the_named_units_and_keeps_recommendations_apart(hash_index: Path):
    lib = Library.open(hash_index)
    try:
        ids = [u for u, score in referenced(lib.generation.store, "recommendation 7 and paragraph 46")]
        assert sorted(unit_key(u) for u in lib.generation.store.units(ids)) == ["para:46", "rec:7"]
        # Recommendations sit in paragraph 4 but are cited by their own number: "paragraph 4" is the intro only.
        found = referenced(lib.generation.store, "paragraph 4")
        assert [unit_key(u) for u in lib.generation.store.units([u for u, _ in found])] == ["para:4"]
        assert referenced(lib.generation.store, "recommendation 99") == []
    finally:
        lib.close()


def test_a_named_recommendation_comes_first_in_hybrid(hash_index: Path):
    lib = Library.open(hash_index)
    try:
        question = "What does recommendation 13 ask for?"
        hits = retrieve(lib.generation.store, lib.generation.vectors, lib.embedder, question, 5)
        off = retrieve(lib.generation.store, lib.generation.vectors, lib.embedder, question, 5,
                       ranking=Ranking(reference_weight=0.0))
        assert unit_key(lib.generation.store.units([hits[0].unit_id])[0]) == "rec:13"
        assert hits[0].scores.get("reference") == 1.0 and all("reference" not in c.scores for c in off)
    finally:
        lib.close()


def test_normalised_scales():
    assert normalised([4.0, 2.0, 1.0]) == pytest.approx([1.0, 0.5, 0.25])
    assert normalised([4.0, 2.0, 1.0], "minmax") == pytest.approx([1.0, 1 / 3, 0.0])
    mean = 7 / 3
    assert normalised([4.0, 2.0, 1.0], "mean") == pytest.approx([1.0, 0.0, 0.0])  # below the mean: 0
    assert normalised([4.0, 2.0, 1.0], "zscore") == pytest.approx(
        list((np.array([4.0, 2.0, 1.0]) - mean) / np.std([4.0, 2.0, 1.0])))
    assert normalised([]) == [] and normalised([0.0, 0.0]) == [0.0, 0.0]


def test_feedback_moves_the_question_towards_the_feedback_units(hash_index: Path):
    lib = Library.open(hash_index)
    try:
        q = lib.embedder.embed(["joint investigation teams"])[0]
        [unit] = referenced(lib.generation.store, "paragraph 44")
        target = lib.generation.vectors.reconstruct(lib.generation.store.unit_chunks([unit[0]])).mean(axis=0)
        moved = feedback_vector(lib.generation.store, lib.generation.vectors, q, [unit[0]], 1.0)
        assert np.linalg.norm(moved) == pytest.approx(1.0, abs=1e-5)
        assert float(moved @ target) > float(q @ target)
        assert feedback_vector(lib.generation.store, lib.generation.vectors, q, [], 1.0) is q
    finally:
        lib.close()


def test_coverage_is_the_share_of_question_words_a_unit_contains(hash_index: Path):
    lib = Library.open(hash_index)
    try:
        every = [u.id for d in lib.documents() for u in lib.generation.store.document_units(d.id)]
        share = dict(coverage(lib.generation.store, "Did the Sovereign Order of Malta vote?", every))
        by_key = {unit_key(u): share.get(u.id, 0.0) for u in lib.generation.store.units(every)}
        # words: sovereign, order, malta, vote -> para. 44 has the first three (stemmed as the index stems)
        assert by_key["para:44"] == pytest.approx(3 / 4)
        assert max(by_key.values()) == by_key["para:44"]
        assert coverage(lib.generation.store, "Malta", []) == []
    finally:
        lib.close()
