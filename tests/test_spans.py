"""Answer spans from the build (index/spans.py): each sentence's vector stored, used by a search without torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tipsearch import IndexCorruptError, Library, build
from tipsearch.index.generation import Generation
from tipsearch.index.spans import SpanStore, locate, pool, span_key
from tipsearch.models.embedders import Pieces, sentences

ROOT = Path(__file__).resolve().parent.parent
TEXT = "States should act. Victims must be protected; they need shelter.\nAll of them."


def test_locate_finds_each_sentence_past_the_prefix_and_none_for_a_one_sentence_unit():
    prefix = "Recommendation 3 A. Heading\n"
    found = locate(TEXT, prefix + TEXT, len(prefix))
    assert (prefix + TEXT)[found[0][0] : found[0][1]] == "States should act."
    assert [k for *_, k in found] == [span_key(TEXT[a:b]) for a, b in sentences(TEXT)]
    assert all(start >= len(prefix) for start, _, _ in found)
    assert locate("Only one sentence here.", "x\nOnly one sentence here.", 2) == ()
    # a window holding only the second half: the first sentence is not there, the others are
    window = "Victims must be protected; they need shelter. All of them."
    assert [k for *_, k in locate(TEXT, window, 0)] == [span_key("Victims must be protected; they need shelter."),
                                                       span_key("All of them.")]


def test_pool_means_the_pieces_inside_each_sentence():
    text = "Ab cd. Ef gh."
    vectors = np.eye(4, dtype=np.float32)
    read = Pieces(vectors, ["ab", "cd", "ef", "gh"], [(0, 2), (3, 5), (7, 9), (10, 12)])
    keys, rows = pool(read, locate(text, text, 0))
    assert keys.tolist() == [span_key("Ab cd."), span_key("Ef gh.")]
    assert rows.dtype == np.float16
    np.testing.assert_allclose(rows.astype(np.float32), [[0.7071, 0.7071, 0, 0], [0, 0, 0.7071, 0.7071]], atol=1e-3)


def test_span_store_round_trips_and_a_unit_reads_its_chunks_sentences(tmp_path: Path):
    a = (np.array([1, 2], dtype=np.int64), np.ones((2, 4), dtype=np.float16) / 2)
    b = (np.array([2, 3], dtype=np.int64), np.zeros((2, 4), dtype=np.float16))
    SpanStore.of([a, b, (np.zeros(0, dtype=np.int64), np.zeros((0, 4), dtype=np.float16))], 4).save(tmp_path)
    store = SpanStore.load(tmp_path)
    assert store.chunk(2)[0].size == 0
    found = store.of_unit([0, 1])
    assert sorted(found) == [1, 2, 3]
    np.testing.assert_allclose(found[2], 0.5)  # the first window holding a sentence gives its vector


@pytest.mark.model
def test_the_build_stores_every_sentence_of_a_many_sentence_unit_close_to_it_embedded_alone(model_index: Path,
                                                                                           minilm):
    g = Generation.open(model_index)
    try:
        assert g.spans is not None
        units = [u for u in g.store.units(list(range(1, g.manifest.units + 1))) if len(sentences(u.paragraph.text)) > 1]
        assert len(units) >= 20
        chunks = g.store.chunks_by_unit([u.id for u in units])
        missing, cosines = 0, []
        for u in units:
            stored = g.spans.of_unit(chunks[u.id])
            texts = [u.paragraph.text[a:b] for a, b in sentences(u.paragraph.text)]
            alone = minilm.embed(texts)
            for text, v in zip(texts, alone):
                if span_key(text) not in stored:
                    missing += 1
                    continue
                cosines.append(float(stored[span_key(text)] @ v))
        assert missing == 0
        # read in its paragraph a sentence means what it meant alone, not the same vector (measured on the seed:
        # mean cosine 0.73; the lowest, 0.19, a two-word fragment)
        assert np.mean(cosines) > 0.65 and np.mean(np.asarray(cosines) > 0.5) > 0.8
    finally:
        g.close()


@pytest.mark.model
def test_search_related_and_timeline_run_no_torch_pass(model_index: Path, minilm):
    lib = Library.open(model_index, embedder=minilm)
    try:
        before = minilm.calls
        hits = lib.search("Can a victim be punished for crimes the trafficker forced on them?", k=5)
        lib.pipeline.related(hits[0].unit, k=3)
        lib.timeline("joint investigation teams")
        assert minilm.calls == before
        assert all(h.answer in h.unit.paragraph.text for h in hits)
    finally:
        lib.close()


@pytest.mark.model
def test_a_cold_cli_search_never_imports_torch(model_index: Path):
    code = ("import sys\nfrom tipsearch import cli\nrc = cli.main(['search', 'joint investigation teams', '-k', '3', "
            f"'--json', '--index', {str(model_index)!r}])\n"
            "print('\\nLOADED:' + ' '.join(m for m in ('torch', 'transformers', 'sentence_transformers') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")}).stdout
    body, loaded = out.rsplit("\nLOADED:", 1)
    assert json.loads(body)[0]["best"] is True
    assert loaded.strip() == ""


@pytest.mark.model
def test_a_rebuild_reuses_the_sentence_vectors_of_unchanged_text(tmp_path: Path, minilm):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    (tmp_path / "corpus" / "extra.txt").write_text(
        "A/HRC/99/15\n\n1. A fictional first paragraph. It has two sentences.\n", encoding="utf-8")
    build(tmp_path / "corpus", tmp_path / "index", embedder=minilm, progress=False, question_encoder=False)
    first = Generation.open(tmp_path / "index")
    old = {k: v for k, v in zip(first.spans.keys.tolist(), np.asarray(first.spans.vectors))}
    first.close()
    (tmp_path / "corpus" / "extra.txt").write_text(
        "A/HRC/99/15\n\n1. A fictional first paragraph, changed. It has two sentences.\n", encoding="utf-8")
    report = build(tmp_path / "corpus", tmp_path / "index", embedder=minilm, progress=False, question_encoder=False)
    assert report.embedded == 1 and report.reused > 60
    second = Generation.open(tmp_path / "index")
    try:
        new = {k: v for k, v in zip(second.spans.keys.tolist(), np.asarray(second.spans.vectors))}
        same = [k for k in new if k in old and k != span_key("It has two sentences.")]
        assert len(same) > 80 and all(np.array_equal(new[k], old[k]) for k in same)
        assert span_key("A fictional first paragraph, changed.") in new
    finally:
        second.close()


@pytest.mark.model
def test_a_damaged_span_file_is_refused(tmp_path: Path, model_index: Path):
    index = tmp_path / "index"
    shutil.copytree(model_index, index)
    manifest = json.loads((index / "manifest.json").read_text())
    assert {"spans.npy", "span-keys.npy", "span-offsets.npy"} <= set(manifest["files"])
    path = index / manifest["generation"] / "spans.npy"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IndexCorruptError, match="spans.npy"):
        Library.open(index)
