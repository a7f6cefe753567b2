"""Reading: token-level MaxSim over the pieces the build kept re-orders the first stage's top k (hybrid only)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tipsearch import Library, build
from tipsearch.models.embedders import HashingEmbedder, Pieces
from tipsearch.errors import IndexCorruptError
from tipsearch.index.generation import Generation
from tipsearch.models.embedders import MINILM
from tipsearch.index.layout import PIECE_OFFSETS, PIECES, IndexLayout
from tipsearch.index.pieces import PieceStore, pack, unpack, voting
from tipsearch.models.embedders import can_read
from tipsearch.search.rerank import maxsim, question_pieces, reread
from tipsearch.search.retrieve import Candidate
from tipsearch.index.store import Store

_PIECE = re.compile(r"\w+|[^\w\s]")


class Reader(HashingEmbedder):
    """Each word or punctuation mark is a piece; its vector is a random unit vector seeded by the word
    (no context): the same word in two texts matches, two different words hardly do."""

    def _piece(self, word: str) -> np.ndarray:
        seed = int.from_bytes(word.encode()[:8].ljust(8, b"\0"), "little") ^ len(word)
        v = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
        return v / np.linalg.norm(v)

    def embed_pieces(self, texts: Sequence[str]) -> tuple[np.ndarray, list[Pieces]]:
        read = []
        for t in texts:
            found = [(m.group().lower(), m.span()) for m in _PIECE.finditer(t)]
            vectors = np.stack([self._piece(w) for w, _ in found]) if found else np.zeros((0, self.dimension))
            read.append(Pieces(vectors, [w for w, _ in found], [s for _, s in found]))
        return self.embed(texts), read


def pieces_of(text: str) -> Pieces:
    return Reader().embed_pieces([text])[1][0]


@pytest.fixture(scope="module")
def read_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("read")
    shutil.copytree(Path(__file__).resolve().parent.parent / "corpus", base / "corpus")
    build(base / "corpus", base / "index", embedder=Reader(), progress=False)
    return base / "index"


def test_maxsim_is_the_mean_of_each_question_piece_best_match():
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    unit = np.array([[1.0, 0.0], [0.6, 0.8]])
    # piece 1 best 1.0 (first), piece 2 best 0.8 (second): mean 0.9
    assert maxsim(q, unit) == pytest.approx(0.9)
    assert maxsim(q, np.zeros((0, 2))) == 0.0


def test_question_words_punctuation_and_the_context_prefix_do_not_vote():
    p = pieces_of("what victims ? compensation")
    np.testing.assert_array_equal(question_pieces(p), p.vectors[[1, 3]])
    only = pieces_of("what")
    np.testing.assert_array_equal(question_pieces(only), only.vectors)  # nothing left: keep all
    text = "Recommendation 7 Access to justice\nVictims receive compensation."
    kept = voting(pieces_of(text), skip_chars=text.index("\n") + 1)
    assert [pieces_of(text).tokens[i] for i in kept] == ["victims", "receive", "compensation"]


def test_packed_signs_come_back_as_unit_rows_of_the_same_signs():
    v = np.random.default_rng(1).standard_normal((5, 384)).astype(np.float32)
    bits = pack(v)
    assert bits.shape == (5, 48) and bits.dtype == np.uint8
    back = unpack(bits, 384)
    np.testing.assert_array_equal(np.sign(back), np.sign(v))
    np.testing.assert_allclose(np.linalg.norm(back, axis=1), 1.0, atol=1e-5)


def test_piece_store_keeps_each_chunk_apart(tmp_path: Path):
    rng = np.random.default_rng(2)
    chunks = [pack(rng.standard_normal((n, 384))) for n in (3, 0, 5)]
    PieceStore.of(chunks, 384).save(tmp_path)
    store = PieceStore.load(tmp_path, 384)
    for i, c in enumerate(chunks):
        np.testing.assert_array_equal(store.chunk(i), c)
    assert store.read([0, 2]).shape == (8, 384)
    assert store.read([1]).shape == (0, 384)


def test_reread_moves_the_candidate_that_holds_every_question_word_to_the_top():
    texts = ["Victims may seek compensation from the assets of traffickers.",
             "Victims were discussed at length by the delegations."]
    first = [Candidate(2, 1.0, {}), Candidate(1, 0.9, {})]  # the first stage put the weaker one first
    units = [unpack(pack(pieces_of(t).vectors), 384) for t in texts[::-1]]
    out = reread(question_pieces(pieces_of("compensation for victims from traffickers' assets?")), first, units, 0.5)
    assert [c.unit_id for c in out] == [1, 2]
    assert out[0].scores["reading"] > out[1].scores["reading"]
    assert out[0].score == pytest.approx(0.9 + 0.5)  # the best reading adds the whole weight


def test_reread_leaves_the_order_alone_without_weight():
    first = [Candidate(2, 1.0, {}), Candidate(1, 0.9, {})]
    units = [np.ones((1, 384)) / np.sqrt(384)] * 2
    assert reread(np.ones((1, 384)), first, units, 0.0) == first
    assert not can_read(HashingEmbedder()) and can_read(Reader())


def test_a_reading_build_keeps_every_chunks_pieces(read_index: Path):
    layout = IndexLayout(read_index)
    manifest = layout.read_manifest()
    assert {PIECES, PIECE_OFFSETS} <= set(manifest.files)
    store = PieceStore.load(layout.generation_dir(manifest.generation), 384)
    assert len(store.offsets) == manifest.vectors + 1
    lib = Library.open(read_index)
    try:
        unit = lib.unit("wg-tip-2022-report.txt", "Recommendation 7")
        read = store.read(lib.generation.store.chunks_by_unit([unit.id])[unit.id])
        words = {w for w in re.findall(r"\w+", unit.paragraph.text.lower()) if w not in {"the", "of", "and"}}
        assert 0 < len(read) <= len(unit.paragraph.text.split()) + 5
        assert len(read) >= len(words) // 2  # the words kept; question words and punctuation dropped
    finally:
        lib.close()


def test_library_reads_in_hybrid_mode_only(read_index: Path):
    lib = Library.open(read_index, Reader())
    try:
        hybrid = lib.pipeline.rank("free legal assistance for victims", 5)
        assert all("reading" in c.scores for c in hybrid)
        assert [c.score for c in hybrid] == sorted((c.score for c in hybrid), reverse=True)
        assert all("reading" not in c.scores for c in lib.pipeline.rank("free legal assistance", 5, "keyword"))
        assert lib.pipeline.rank("", 5) == [] and lib.pipeline.rank("victims", 0) == []
    finally:
        lib.close()


def test_an_index_without_pieces_is_searched_without_reading(hash_index: Path):
    lib = Library.open(hash_index, Reader())
    try:
        assert lib.generation.pieces is None
        assert all("reading" not in c.scores for c in lib.pipeline.rank("free legal assistance for victims", 5))
    finally:
        lib.close()


def test_an_update_reuses_unchanged_pieces_and_an_old_index_gains_them(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    build(corpus, index, embedder=Reader(), progress=False)
    layout = IndexLayout(index)
    before = layout.read_manifest()
    old = PieceStore.load(layout.generation_dir(before.generation), 384)
    old_chunks = chunk_ids(layout, before)
    (corpus / "extra.txt").write_text("1. Victims of trafficking need shelters and legal aid.\n")
    report = build(corpus, index, embedder=Reader(), progress=False)
    assert report.embedded == 1 and report.reused == before.vectors
    after = layout.read_manifest()
    new = PieceStore.load(layout.generation_dir(after.generation), 384)
    new_chunks = chunk_ids(layout, after)
    assert len(new_chunks) == before.vectors + 1
    for text_hash, i in old_chunks.items():  # the same text's chunk, wherever it now stands
        np.testing.assert_array_equal(new.chunk(new_chunks[text_hash]), old.chunk(i))
    # An index of an all-MiniLM-L6-v2 model without pieces is refused; the next build embeds it again.
    manifest = json.loads(layout.manifest_path.read_text())
    for name in (PIECES, PIECE_OFFSETS):
        del manifest["files"][name]
    manifest["model"] = MINILM
    layout.manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="run `tipsearch build`"):
        Generation.open(index)
    manifest["model"] = Reader().name
    layout.manifest_path.write_text(json.dumps(manifest))
    report = build(corpus, index, embedder=Reader(), progress=False, force=True)
    assert report.embedded == after.vectors  # nothing in the previous generation was taken on trust
    assert PIECES in layout.read_manifest().files


def chunk_ids(layout: IndexLayout, manifest) -> dict[str, int]:  # noqa: ANN001
    store = Store.open(layout.database(manifest.generation))
    try:
        return store.chunk_hashes()
    finally:
        store.close()


@pytest.mark.model
def test_the_model_reads_each_piece_in_context_in_the_pass_that_embeds(minilm):
    texts = ["victims of trafficking", "victims of trafficking in court"]
    vectors, (a, b) = minilm.embed_pieces(texts)
    np.testing.assert_allclose(vectors, minilm.embed(texts), atol=1e-5)
    assert a.tokens == ["victims", "of", "trafficking"] and a.spans[2] == (11, 22)
    assert a.vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(a.vectors, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(a.vectors[0], b.vectors[0], atol=1e-3)  # the same word, another context, another vector


def test_damaged_pieces_are_refused_on_open_and_the_next_build_repairs_them(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    build(corpus, index, embedder=Reader(), progress=False)
    layout = IndexLayout(index)
    path = layout.generation_dir(layout.read_manifest().generation) / PIECES
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # one bit pattern changed, same size
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="pieces.npy"):
        Library.open(index, Reader())
    report = build(corpus, index, embedder=Reader(), progress=False)
    assert report.reused == 0 and report.embedded > 0  # nothing of the damaged generation is trusted
    lib = Library.open(index, Reader())
    try:
        assert all("reading" in c.scores for c in lib.pipeline.rank("victims of trafficking", 3))
    finally:
        lib.close()
