from pathlib import Path

from tipsearch.ingest import cleaning

from tipsearch.ingest import metadata

from tipsearch.ingest import readers
from tipsearch.citations import cite
from tipsearch.records import Document, Page, Paragraph

from conftest import SEED

MASTHEAD = """United Nations
CTOC/COP/WG.4/2010/6
Conference of the Parties to the
Distr.: General
9 February 2010
Original: English
Working Group on Trafficking in Persons
Report on the meeting of the Working Group on Trafficking in Persons held in Vienna
I. Introduction
1. Text."""


def lines(text: str):
    return cleaning.clean([Page(1, tuple(text.split("\n")))])


def test_masthead_gives_symbol_date_body_original_language():
    doc = metadata.extract(lines(MASTHEAD), "x.txt", "0" * 64)
    assert doc.symbol == "CTOC/COP/WG.4/2010/6"
    assert doc.date == "2010-02-09" and doc.year == 2010
    assert doc.body == "Working Group on Trafficking in Persons"
    assert doc.original == "English"  # the masthead's "Original:"; the language read off the text is parse's
    assert doc.title.startswith("Report on the meeting")


def test_seed_has_no_symbol_and_the_catalog_fills_in():
    doc = metadata.extract(cleaning.clean(readers.read(SEED)), SEED.name, "0" * 64)
    assert doc.symbol is None
    assert doc.date == "2022-07-14"
    row = metadata.read_catalog(SEED.parent)[SEED.name]
    assert "symbol" not in row  # blank cells never override
    doc = metadata.apply_catalog(doc, row)
    assert doc.short_title == "Report of the Working Group on Trafficking in Persons"
    assert doc.body == "Working Group on Trafficking in Persons"
    assert doc.year == 2022


def test_catalog_overrides_the_text(tmp_path: Path):
    (tmp_path / "catalog.csv").write_text("file,symbol,date\nx.txt,A/HRC/47/34,2021-05-17\n", encoding="utf-8")
    doc = metadata.extract(lines(MASTHEAD), "x.txt", "0" * 64)
    doc = metadata.apply_catalog(doc, metadata.read_catalog(tmp_path)["x.txt"])
    assert (doc.symbol, doc.date, doc.year) == ("A/HRC/47/34", "2021-05-17", 2021)


def test_citations_by_symbol_or_by_title_and_date():
    para = Paragraph("4", "text", 0)
    rec = Paragraph("4", "text", 1, "recommendation", "Recommendation 1")
    with_symbol = Document("a.txt", "0", "Title", symbol="CTOC/COP/WG.4/2010/6")
    without = Document("b.txt", "0", "Long title", short_title="Report of the Working Group on Trafficking in Persons",
                       date="2022-07-14")
    assert cite(with_symbol, para) == "CTOC/COP/WG.4/2010/6, para. 4"
    assert cite(without, rec) == ("Report of the Working Group on Trafficking in Persons, 14 July 2022, "
                                  "para. 4, Recommendation 1")
    block = Paragraph("3", "text", 2, "block")
    assert cite(with_symbol, block) == "CTOC/COP/WG.4/2010/6, block 3 (unnumbered text)"
