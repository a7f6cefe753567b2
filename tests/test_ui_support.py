"""What the app's pages rely on: context, matches, remove, safe uploads, marked text, match spread."""

from pathlib import Path

import pytest

from tipsearch import Library, NotFoundError, build
from tipsearch.app.display import marked
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.library import remove
from tipsearch.search.overview import Spread, spread
from tipsearch.app.uploads import MAX_UPLOAD_BYTES, STAGING, Upload, UploadRefusedError, check, safe_name, stage

SEED = "wg-tip-2022-report.txt"


@pytest.fixture(scope="module")
def lib(hash_index: Path) -> Library:
    return Library.open(hash_index)


def _unit(lib: Library, number: str):
    return next(u for u in lib.document(SEED)[1] if u.paragraph.number == number and not u.paragraph.label)


def test_context_is_the_neighbours_in_document_order(lib: Library):
    assert [u.paragraph.number for u in lib.context(_unit(lib, "9").id)] == ["8", "9", "10"]
    assert [u.paragraph.number for u in lib.context(_unit(lib, "1").id, before=3, after=2)] == ["1", "2", "3"]
    assert lib.context(_unit(lib, "48").id, after=5)[-1].paragraph.number == "48"
    with pytest.raises(NotFoundError, match="search again"):
        lib.context(10**6)


def test_matches_are_the_search_ranking_without_answers(lib: Library):
    question = "free legal assistance for victims"
    assert [u.id for u in lib.matches(question, k=5)] == [h.unit.id for h in lib.search(question, k=5)]


def test_spread_counts_matches_per_document_oldest_first(lib: Library):
    units = lib.matches("victims", k=20)
    assert spread(units) == [Spread(2022, "Report of the Working Group on Trafficking in Persons, 14 July 2022", 20)]
    assert spread([]) == []


def test_remove_deletes_only_that_file_and_rebuilds(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    (corpus / "second.txt").write_text("A second report\n\n1. Victims need shelters.\n\n2. And lawyers.\n",
                                       encoding="utf-8")
    build(corpus, index, embedder=HashingEmbedder(), progress=False)
    assert len(Library.open(index).documents()) == 2
    report = remove("second.txt", corpus, index, embedder=HashingEmbedder(), progress=False)
    assert not (corpus / "second.txt").exists() and (corpus / SEED).exists()
    assert report.units == 62 and [d.file for d in Library.open(index).documents()] == [SEED]


@pytest.mark.parametrize("name", ["../catalog.csv", "nope.txt", "", ".."])
def test_remove_refuses_paths_and_unknown_files(corpus: Path, tmp_path: Path, name: str):
    with pytest.raises(NotFoundError, match="tipsearch documents"):
        remove(name, corpus / "sub" if name.startswith("..") else corpus, tmp_path / "index")
    assert (corpus / "catalog.csv").exists()


@pytest.mark.parametrize("raw, safe", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\x\\Report 2021 (final).PDF", "Report_2021_final.pdf"),
    (".hidden.docx", "hidden.docx"),
    ("Rapport \u00e9t\u00e9 \u2014 2021.html", "Rapport_ete_2021.html"),
    ("..", "upload"),
])
def test_safe_name_has_no_folders_or_odd_characters(raw: str, safe: str):
    assert safe_name(raw) == safe


def test_uploads_are_checked_for_type_size_and_emptiness():
    assert check(Upload("a.txt", b"x")) == "a.txt"
    for upload, reason in [(Upload("a.exe", b"x"), "not a supported type"), (Upload("a.txt", b""), "empty"),
                           (Upload("a.pdf", b"x" * 11), "over the 0 MB limit")]:
        with pytest.raises(UploadRefusedError, match=reason):
            check(upload, max_bytes=10 if upload.name == "a.pdf" else MAX_UPLOAD_BYTES)


def test_stage_writes_only_inside_the_index_folder(tmp_path: Path):
    index = tmp_path / "index"
    paths, refused = stage([Upload("../../x.txt", b"1. text"), Upload("y.sh", b"echo")], index)
    assert paths == [index / STAGING / "x.txt"] and refused[0][0] == "y.sh"
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["index", STAGING, "x.txt"])


def test_marked_marks_answer_and_question_words_and_escapes_the_rest():
    text = "Victims <script>x</script> are not **prosecuted**. Free legal aid [a](javascript:b)."
    out = marked(text, "Free legal aid [a](javascript:b).", "Should victims be prosecuted? legal aid")
    assert out.startswith("<b>Victims</b> &lt")
    assert "\\*\\*<b>prosecuted</b>\\*\\*" in out
    assert "<mark>Free <b>legal</b> <b>aid</b> \\[a\\]\\(javascript\\:b\\)\\.</mark>" in out
    assert "<script>" not in out and "<b>are</b>" not in out  # stop words are not marked
    assert marked("no span here", "missing", "") == "no span here"
