"""Building, updating and searching an index with the hashing embedder."""

import json
import shutil
from pathlib import Path

import pytest

from tipsearch import IndexCorruptError, IndexMissingError, Library, build
from tipsearch.models.embedders import HashingEmbedder, windows
from tipsearch.index.store import fts_query


def test_manifest_records_model_dimension_schema_and_hashes(hash_index: Path):
    manifest = json.loads((hash_index / "manifest.json").read_text())
    assert manifest["model"] == "hashing-384"
    assert manifest["dimension"] == 384
    assert manifest["schema_version"] == 8
    assert set(manifest["files"]) == {"units.sqlite", "vectors.faiss", "keywords.npz"}
    assert manifest["units"] == 62
    [doc] = manifest["documents"]
    assert doc["file"] == "wg-tip-2022-report.txt" and len(doc["sha256"]) == 64
    gen = hash_index / manifest["generation"]
    assert (gen / "units.sqlite").is_file() and (gen / "vectors.faiss").is_file() and (gen / "keywords.npz").is_file()


def test_rebuild_with_nothing_changed_embeds_nothing(corpus: Path, tmp_path: Path):
    emb = HashingEmbedder()
    first = build(corpus, tmp_path / "index", embedder=emb, progress=False)
    assert first.embedded > 0 and emb.texts_embedded == first.embedded
    emb.texts_embedded = 0
    again = build(corpus, tmp_path / "index", embedder=emb, progress=False)
    assert again.up_to_date and again.embedded == 0 and emb.texts_embedded == 0
    forced = build(corpus, tmp_path / "index", embedder=emb, progress=False, force=True)
    assert forced.embedded == 0 and forced.reused == first.embedded and emb.texts_embedded == 0


def test_adding_a_document_embeds_only_its_text(corpus: Path, tmp_path: Path):
    emb = HashingEmbedder()
    first = build(corpus, tmp_path / "index", embedder=emb, progress=False)
    (corpus / "note.txt").write_text("1. A new paragraph on forced labour.\n\n2. Another one on JITs.\n")
    second = build(corpus, tmp_path / "index", embedder=emb, progress=False)
    assert second.embedded == 2 and second.reused == first.embedded
    assert Library.open(tmp_path / "index", emb).generation.store.unit_count() == 64


def test_removed_file_leaves_the_index(corpus: Path, tmp_path: Path):
    emb = HashingEmbedder()
    (corpus / "note.txt").write_text("1. A paragraph.\n\n2. Another.\n")
    build(corpus, tmp_path / "index", embedder=emb, progress=False)
    (corpus / "note.txt").unlink()
    build(corpus, tmp_path / "index", embedder=emb, progress=False)
    lib = Library.open(tmp_path / "index", emb)
    assert [d.file for d in lib.documents()] == ["wg-tip-2022-report.txt"]


def test_same_document_under_two_names_is_indexed_once(corpus: Path, tmp_path: Path):
    shutil.copy(corpus / "wg-tip-2022-report.txt", corpus / "copy-of-report.txt")
    report = build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    statuses = {f.file: f.status for f in report.files}
    assert sorted(statuses.values()) == ["duplicate", "indexed"]
    assert report.units == 62


def test_bad_files_are_reported_and_the_rest_indexed(corpus: Path, tmp_path: Path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "slides.pptx").write_bytes(b"PK\x03\x04")
    report = build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    reasons = {f.file: f.reason for f in report.skipped}
    assert set(reasons) == {"empty.txt", "junk.txt", "slides.pptx"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["junk.txt"]
    assert "unsupported" in reasons["slides.pptx"]
    assert report.units == 62


def test_keyword_search_finds_the_paragraph(hash_index: Path):
    hits = Library.open(hash_index).search("list of participants", k=3, mode="keyword")
    assert hits[0].unit.paragraph.number == "46"


def test_hits_carry_citation_section_and_a_verbatim_answer(hash_index: Path):
    hits = Library.open(hash_index).search("free legal assistance to trafficking victims", k=5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert hits[0].scores and hits[0].score >= hits[-1].score
    for h in hits:
        assert h.answer and h.answer in h.text
        assert h.citation.startswith("Report of the Working Group on Trafficking in Persons, 14 July 2022, para.")
    top = hits[0]
    assert top.unit.paragraph.label == "Recommendation 7"
    assert "free legal assistance" in top.answer


@pytest.mark.parametrize("question", [
    '"unbalanced', "NOT", "a AND (b OR", "col:umn^2 *", "", " ", "x" * 5000, "人口贩运 \U0001f600", "NEAR(a b)",
    "AND OR NOT", '""', "^", "*", "text:victims", "-victims", "\U0001f600\U0001f47f", "الاتجار بالبشر",
    "торговля людьми", "What is it?", "JIT AND NRM OR (TIP", "CTOC/COP/WG.4/2022/INF/1/Rev.1", "\x00\t\n",
    "victims " * 1000,
])
@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_any_question_is_safe(hash_index: Path, question: str, mode: str):
    hits = Library.open(hash_index).search(question, k=5, mode=mode)
    assert isinstance(hits, list) and len(hits) <= 5
    assert all(h.answer in h.text for h in hits)


def test_fts_query_quotes_every_word():
    assert fts_query('victims AND "legal" OR x*') == '"victims" OR "and" OR "legal" OR "or" OR "x"'
    assert fts_query("!!!") is None


def test_long_text_is_cut_into_windows_that_reach_its_end():
    emb = HashingEmbedder()
    text = " ".join(f"Sentence number {i} is about topic {i}." for i in range(200)) + " The end is here."
    parts = windows(text, emb)
    assert len(parts) >= 4
    assert all(emb.count_tokens(p) <= emb.max_tokens - 8 for p in parts)
    assert parts[-1].endswith("The end is here.") and parts[0].startswith("Sentence number 0 ")


def test_one_endless_sentence_is_still_cut():
    emb = HashingEmbedder()
    text = "Represented: " + ", ".join(f"Country{i}" for i in range(600)) + "."
    parts = windows(text, emb)
    assert len(parts) >= 3 and parts[-1].endswith("Country599.")


def test_open_without_an_index_says_to_build(tmp_path: Path):
    with pytest.raises(IndexMissingError, match="tipsearch build"):
        Library.open(tmp_path / "nowhere")


def test_vectors_that_disagree_with_the_manifest_are_refused(corpus: Path, tmp_path: Path):
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    (tmp_path / "index" / manifest["generation"] / "vectors.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="vectors.faiss"):
        Library.open(tmp_path / "index")
