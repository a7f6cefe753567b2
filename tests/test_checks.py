"""A reading that checks itself (ingest/checks.py): each warning on a fixture that deserves it, none on a clean one
or on the real documents read right; the warnings in the index, `documents` (plain and --json) and the app.

Every fixture here is FICTIONAL, written for these tests in tmp_path: the symbols (CTOC/COP/WG.4/2097/2), dates
(2097), meetings and sentences are invented; none is a United Nations document.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import DATA, ROOT
from tipsearch import build
from tipsearch.cli import main
from tipsearch.ingest import checks
from tipsearch.ingest.parse import ParsedFile, parse_file
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.records import Document, Paragraph

REAL = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))
NO_REAL = f"the real UN documents are not at {REAL} (set TIPSEARCH_REAL_CORPUS)"

# Fictional sentences, English and French, a numbered paragraph made of a few of them.
ENGLISH = ("States parties should protect the victims of trafficking in persons and ensure their access to justice.",
           "The Working Group recalled that victims must not be punished for acts they were compelled to commit.",
           "It recommended that national rapporteurs collect data on the forms of exploitation they detect.",
           "Cooperation between the countries of origin, transit and destination remains essential to this work.")
FRENCH = ("Les États parties devraient protéger les victimes de la traite des personnes et leur accès au droit.",
          "Le Groupe de travail a rappelé que les victimes ne doivent pas être punies pour des actes commis sous la "
          "contrainte.",
          "Il a recommandé que les rapporteurs nationaux recueillent des données sur les formes d'exploitation.",
          "La coopération entre les pays d'origine, de transit et de destination reste essentielle à ce travail.")
SYMBOL = "CTOC/COP/WG.4/2097/2"
TITLE = "Report on the meeting of the Working Group on Trafficking in Persons held in Vienna"


def paragraph(n: int, sentences: int = 3, words: tuple[str, ...] = ENGLISH) -> str:
    return f"{n}. " + " ".join(words[(n + i) % len(words)] for i in range(sentences))


def report(paragraphs: list[str], symbol: str | None = SYMBOL, date: str | None = "14 July 2097",
           title: str | None = TITLE) -> str:
    """A fictional report as a plain-text extraction gives it: masthead, title, numbered paragraphs."""
    head = [symbol, "Distr.: General", date, "Original: English", "Working Group on Trafficking in Persons", title,
            "I. Introduction"]
    return "\n\n".join([*(h for h in head if h), *paragraphs]) + "\n"


def numbered(count: int, sentences: int = 3) -> list[str]:
    return [paragraph(n, sentences) for n in range(1, count + 1)]


def read(tmp_path: Path, text: str, name: str = "report.txt", row: dict[str, str] | None = None) -> ParsedFile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path, catalog_row=row)


def only(parsed: ParsedFile, start: str) -> str:
    """The one warning, which must start as given."""
    assert len(parsed.warnings) == 1, parsed.warnings
    assert parsed.warnings[0].startswith(start), parsed.warnings
    assert parsed.document.warnings == parsed.warnings
    return parsed.warnings[0]


# -- one fixture a flag -------------------------------------------------------------------------

def test_a_clean_report_raises_no_warning(tmp_path: Path):
    parsed = read(tmp_path, report(numbered(12)))
    assert (parsed.document.symbol, parsed.document.date, len(parsed.units)) == (SYMBOL, "2097-07-14", 12)
    assert parsed.warnings == () and parsed.document.warnings == ()


def test_a_unit_over_6000_characters(tmp_path: Path):
    parsed = read(tmp_path, report([*numbered(4), paragraph(5, sentences=70), *numbered(12)[5:]]))
    line = only(parsed, "para. 5 is ")
    assert f"{len(parsed.units[4].text):,} characters" in line and "run together" in line


def test_far_fewer_units_than_the_text_suggests(tmp_path: Path):
    parsed = read(tmp_path, report(numbered(5, sentences=30)))
    line = only(parsed, "5 units for ")
    assert "a unit, over 2,000" in line and all(len(u.text) < checks.MAX_UNIT_CHARS for u in parsed.units)


def test_treaty_articles_out_of_order(tmp_path: Path):
    treaty = (DATA / "kinds" / "treaty.txt").read_text(encoding="utf-8")  # fictional (tests/data/kinds/README.md)
    assert read(tmp_path, treaty, "treaty.txt").warnings == ()
    parsed = read(tmp_path, treaty.replace("\nArticle 3\n", "\n", 1), "treaty.txt")
    assert only(parsed, "art. 2 is followed by art. 4: art. 3 may have been run into art. 2")


def test_no_symbol(tmp_path: Path):
    assert "column symbol" in only(read(tmp_path, report(numbered(12), symbol=None)), "no symbol found")


def test_no_date(tmp_path: Path):
    assert "column date" in only(read(tmp_path, report(numbered(12), date=None)), "no date found")


def test_no_title(tmp_path: Path):
    parsed = read(tmp_path, report(numbered(12), title=None), "unnamed-report.txt")
    assert parsed.document.title == "unnamed report"
    assert "column title" in only(parsed, "no title found")


def test_a_second_language(tmp_path: Path):
    french = [paragraph(n, words=FRENCH) for n in range(21, 29)]
    parsed = read(tmp_path, report([*numbered(20), *french]))
    assert parsed.document.language == "en"
    line = only(parsed, "")
    assert "reads as French, the document as English" in line and "para. 28" in line and "split it" in line


# -- what does not deserve a warning ------------------------------------------------------------

def test_the_catalog_silences_what_it_fills_in(tmp_path: Path):
    text = report(numbered(12), symbol=None, date=None)
    assert [w[:15] for w in read(tmp_path, text).warnings] == ["no symbol found", "no date found: "]
    parsed = read(tmp_path, text, row={"date": "2097-07-14", "short_title": "Report of the Working Group 2097"})
    assert parsed.warnings == ()  # a short title and a date cite it as DESIGN.md says


def test_a_treaty_or_publication_needs_no_symbol_and_a_year_is_date_enough():
    publication = Document("glotip.pdf", "0" * 64, "Fictional Global Report 2097", kind="publication", year=2097)
    assert list(checks.missing_metadata(publication)) == []
    treaty = Document("protocol.txt", "0" * 64, "Fictional Protocol", kind="treaty")
    assert [w[:13] for w in checks.missing_metadata(treaty)] == ["no date found"]


def units(*specs: tuple[str, str, tuple[str, ...]], kind: str = "paragraph", label: str | None = None
          ) -> list[Paragraph]:
    return [Paragraph(number, f"Text of {number}.", i, kind, label, section)
            for i, (number, _, section) in enumerate(specs)]


def run(numbers: str, section: tuple[str, ...] = ()) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(n, "", section) for n in numbers.split()]


def test_numbering_gaps_and_restarts_in_the_same_part():
    gap = units(*run("1 2 3 6 7"))
    assert list(checks.numbering(gap)) == [
        "para. 3 is followed by para. 6: paras. 4-5 may have been run into para. 3 or taken for headings; "
        "check it with `tipsearch show`"]
    # a list inside para. 3 read as paragraphs: one warning, not a second one when 4 takes up the run again
    [restart] = checks.numbering(units(*run("1 2 3 1 2 4 5")))
    assert restart.startswith("para. 1 follows para. 3 in the same part: a list inside para. 3")
    [late] = checks.numbering(units(*run("3 4 5")))
    assert late.startswith("the numbered paragraphs start at para. 3")


def test_numbering_restarts_in_an_annex_or_a_new_part_are_the_documents_own():
    resolution = units(*run("1 2 3"), *run("1 2", ("Annex", "Declaration")), *run("1 2 3", ("Annex II",)))
    assert list(checks.numbering(resolution)) == []
    compound = units(*run("1 2", ("Draft resolution III", "A")), *run("1 2 3", ("Draft resolution III", "B")))
    assert list(checks.numbering(compound)) == []
    review = [Paragraph(n, "A recommendation (Fictionland);", i, "recommendation") for i, n in
              enumerate(["90.1", "90.2", "90.3", "91.1", "91.2", "91.4"])]
    [line] = checks.numbering(review)
    assert line.startswith("para. 91.2 is followed by para. 91.4: para. 91.3 may have been run into")


def test_many_numbering_problems_are_summed_up():
    lines = list(checks.check(Document("x.txt", "0" * 64, "A title", "X/1", date="2097-01-01", kind="report"),
                              units(*run("1 3 5 7 9 11")), 0))
    assert len(lines) == checks.MAX_LINES + 1 and lines[-1] == "... and 2 more numbering problems"


# -- the real documents -------------------------------------------------------------------------

# Batch 1 read right raises only what its files deserve: file -> the start of each warning, and why.
DESERVED = {
    # the Protocol's text carries no date of adoption (only the signature period); a treaty needs no symbol
    "Trafficking_in_Persons_Protocol_2000_en.txt": ["no date found"],
    # the thematic lists carry no date or year anywhere in them; a table needs no symbol
    "UPR20_Slovenia_Thematic_List_of_Recommendations_2014.docx": ["no date found"],
    "UPR34_Slovenia_Thematic_List_of_Recommendations_2019.docx": ["no date found"],
    "UPR48_Slovenia_Thematic_List_of_Recommendations_2025.docx": ["no date found"],
}


def _real_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


@pytest.mark.skipif(not REAL.is_dir(), reason=NO_REAL)
def test_batch_1_raises_only_the_warnings_it_deserves():
    files = _real_files(REAL)
    assert len(files) == 20
    raised = {p.name: parse_file(p).warnings for p in files}
    for name, warnings in raised.items():
        expected = DESERVED.get(name, [])
        assert len(warnings) == len(expected) and all(w.startswith(e) for w, e in zip(warnings, expected)), \
            (name, warnings)


# Batch 2 read as the reader reads it now: file -> the start of each warning it deserves, and why.
DESERVED_2 = {
    # two-column tables of JIU recommendations read as long blocks of text; the cover names no title line
    "E_ICEF_2025_14.pdf": ["block 1 (p. 7) is", "block 2 (p. 9) is", "28 units for", "no title found"],
    # the report prints its year ("Geneva 2025"), no day
    "JIU_REP_2025_2.pdf": ["no date found"],
}


@pytest.mark.skipif(not (REAL / "batch-2").is_dir(), reason=NO_REAL)
def test_batch_2_raises_only_the_warnings_it_deserves():
    """Compound documents, a Security Council resolution, today's mastheads, long sub-itemised paragraphs: read
    right, they raise nothing; what is still read wrong says so."""
    for path in _real_files(REAL / "batch-2"):
        warnings = parse_file(path).warnings
        expected = DESERVED_2.get(path.name, [])
        assert all(w.strip() and "\n" not in w for w in warnings)
        assert len(warnings) == len(expected) and all(w.startswith(e) for w, e in zip(warnings, expected)), \
            (path.name, warnings)


# -- where the warnings show --------------------------------------------------------------------

@pytest.fixture
def flagged_index(tmp_path: Path) -> Path:
    """A fictional clean report and a fictional one without a title, built with the hashing embedder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "clean.txt").write_text(report(numbered(12)), encoding="utf-8")
    (corpus / "untitled.txt").write_text(report(numbered(12), symbol="CTOC/COP/WG.4/2097/3", title=None),
                                         encoding="utf-8")
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    return tmp_path / "index"


def test_documents_json_and_plain_carry_the_warnings(flagged_index: Path, capsys):
    assert main(["documents", "--json", "--index", str(flagged_index)]) == 0
    docs = {d["file"]: d for d in json.loads(capsys.readouterr().out)}
    assert docs["clean.txt"]["warnings"] == []
    [line] = docs["untitled.txt"]["warnings"]
    assert line.startswith("no title found")
    assert main(["documents", "--index", str(flagged_index)]) == 0
    out = capsys.readouterr().out.splitlines()
    at = next(i for i, row in enumerate(out) if "[untitled.txt]" in row)
    assert out[at + 1].strip() == f"! {line}"
    assert not any(row.strip().startswith("!") for row in out[: at])  # the clean report, listed first, has none


def test_the_build_table_shows_the_warnings_under_each_file(tmp_path: Path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "untitled.txt").write_text(report(numbered(12), title=None), encoding="utf-8")
    args = ["build", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "--model", "hashing-384", "-q"]
    assert main(args) == 0
    err = capsys.readouterr().err.splitlines()
    at = next(i for i, row in enumerate(err) if row.startswith("untitled.txt"))
    assert err[at + 1].startswith("  ! no title found")
    assert "1 with warnings (!) to look at" in err[-1]
    assert main(args) == 0
    assert "1 files have warnings: `tipsearch documents` lists them" in capsys.readouterr().err


def test_the_library_page_shows_the_warnings(flagged_index: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIPSEARCH_INDEX", str(flagged_index))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "library"
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    flags = dict(zip(table["file"], table["warnings"]))
    assert flags["clean.txt"] == "" and flags["untitled.txt"].endswith(" 1")
    [shown] = at.warning
    text = shown.value.replace("\\", "")  # the page shows the lines as inert Markdown: punctuation escaped
    assert "untitled.txt" in text and "- no title found: the file name stands in" in text and shown.icon
    assert "1 to look at" in at.caption[0].value


def test_an_unchanged_build_reports_the_warnings_it_kept(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "untitled.txt").write_text(report(numbered(12), title=None), encoding="utf-8")
    first = build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    again = build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    assert again.up_to_date and again.files[0].warnings == first.files[0].warnings
    assert isinstance(again.files[0].warnings, tuple) and again.files[0].warnings[0].startswith("no title found")
