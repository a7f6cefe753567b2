"""Fusion arithmetic, the keyword query, domain vocabulary, and vocabulary in a real search."""

from pathlib import Path

import pytest

from tipsearch import Library
from tipsearch.search.retrieve import Ranking, blend, fuse, rrf
from tipsearch.text import keyword_text
from tipsearch.search.vocabulary import expand, expansions


def test_blend_divides_each_ranking_by_its_best_and_sums():
    rankings = {"keyword": [(1, 10.0), (2, 5.0)], "semantic": [(2, 0.8), (3, 0.4)]}
    fused = blend(rankings, {"keyword": 1.0, "semantic": 1.0})
    assert fused == pytest.approx({1: 1.0, 2: 0.5 + 1.0, 3: 0.5})
    minmax = blend(rankings, {"keyword": 1.0, "semantic": 2.0}, normalise="minmax")
    assert minmax == pytest.approx({1: 1.0, 2: 0.0 + 2.0, 3: 0.0})


def test_rrf_adds_weight_over_k_plus_rank():
    fused = rrf({"keyword": [(1, 9.0), (2, 1.0)], "semantic": [(2, 0.9)]}, 60, {"keyword": 1.0, "semantic": 2.0})
    assert fused == pytest.approx({1: 1 / 61, 2: 1 / 62 + 2 / 61})


def test_fuse_orders_best_first_and_keeps_each_rankings_score():
    out = fuse({"keyword": [(1, 10.0), (2, 5.0)], "semantic": [(2, 0.8), (3, 0.4)]}, Ranking(fusion="blend"))
    assert [c.unit_id for c in out] == [2, 1, 3]
    assert out[0].scores == {"keyword": 5.0, "semantic": 0.8}


def test_keyword_text_drops_question_words_unless_nothing_is_left():
    assert keyword_text("What is the non-punishment principle?") == "non punishment principle"
    assert keyword_text("What is it?") == "What is it"
    assert keyword_text("") == ""


def test_acronyms_and_variants_expand_to_each_other():
    assert "joint investigation teams" in expansions("Are JITs useful?")
    assert "trafficking in persons" in expansions("human trafficking in Asia")
    assert "non-punishment" in expansions("non-criminalization of victims")
    assert "national referral mechanism" in expansions("Does Iceland have an NRM?")
    assert {"UNTOC", "Organized Crime Convention"} <= set(expansions("CTOC review"))
    assert "human trafficking" in expansions("Trafficking in Persons Protocol")  # the group still applies


def test_lower_case_words_and_document_symbols_are_not_acronyms():
    assert expansions("a tip for the cop") == []
    assert expand("document CTOC/COP/WG.4/2022/INF/1/Rev.1") == "document CTOC/COP/WG.4/2022/INF/1/Rev.1"
    assert expand("plain words") == "plain words"


def test_an_acronym_finds_the_spelled_out_recommendation(hash_index: Path):
    # "JIT" occurs nowhere in the report; the vocabulary makes it match "joint investigation teams".
    lib = Library.open(hash_index)
    top = {h.unit.paragraph.label for h in lib.search("JIT", k=3, mode="keyword")}
    assert top & {"Recommendation 10", "Recommendation 13"}
    assert lib.search("JIT", k=3, mode="keyword")[0].unit.paragraph.label in {"Recommendation 10", "Recommendation 13"}
