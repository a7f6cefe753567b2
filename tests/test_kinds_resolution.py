"""Resolutions, drafts and treaties (fictional fixtures in tests/data/kinds): units, numbers, citations, metadata."""

from __future__ import annotations

import json
import re

import pytest

from tipsearch.citations import cite
from tipsearch.ingest import cleaning, parse, readers
from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.words import repair_split_words
from tipsearch.records import Page

from conftest import DATA, SEED
from unit_keys import unit_key

KINDS = DATA / "kinds"
EXPECTED = json.loads((KINDS / "expected.json").read_text(encoding="utf-8"))
FILES = ["resolution.txt", "draft_resolution.txt", "treaty.txt"]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=FILES)
def parsed(request):
    return request.param, parse.parse_file(KINDS / request.param), EXPECTED[request.param]


def test_units_in_order_with_their_keys(parsed):
    name, result, expected = parsed
    assert [unit_key(u) for u in result.units] == [u["unit"] for u in expected["units"]], name


def test_each_unit_starts_and_ends_as_printed(parsed):
    name, result, expected = parsed
    for unit, want in zip(result.units, expected["units"]):
        text = words(unit.text)
        if unit.kind == "article" and unit.number.startswith("("):  # the letter stays as printed; "starts" follows it
            text = re.sub(r"^\(?[a-z]\)\s+", "", text)
        assert text.startswith(want["starts"]), (name, want["unit"], text[:80])
        ends = want["ends"]
        marks = {n.split()[0] for n in unit.footnotes}
        m = re.search(r"(?<=[^\d\s])(\d{1,3})$", ends)
        if m and m.group(1) in marks:
            ends = ends[: m.start()]  # the footnote mark is out of the text, the note kept apart
        assert text.endswith(ends), (name, want["unit"], text[-80:])
        if want.get("page") is not None:
            assert unit.page == want["page"], (name, want["unit"])


def test_footnotes_attached_to_their_unit_and_out_of_its_text(parsed):
    name, result, expected = parsed
    for unit, want in zip(result.units, expected["units"]):
        notes = want.get("footnotes", {})
        assert unit.footnotes == tuple(f"{mark} {note}" for mark, note in notes.items()), (name, want["unit"])
        for note in notes.values():
            assert note not in unit.text


def test_layout_noise_headings_and_closing_lines_are_in_no_unit(parsed):
    name, result, expected = parsed
    for noise in expected["not_in_units"]:
        leaks = [unit_key(u) for u in result.units if noise in u.text]
        assert not leaks, (name, noise, leaks)


def test_section_path_holds_article_title_and_chapter(parsed):
    name, result, expected = parsed
    for unit, want in zip(result.units, expected["units"]):
        if "heading" in want:
            assert unit.section and unit.section[-1].endswith(want["heading"]), (name, want["unit"], unit.section)
        if "chapter" in want:
            assert unit.section[0] == want["chapter"], (name, want["unit"], unit.section)


def test_document_kind_symbol_title_and_dates(parsed):
    name, result, expected = parsed
    doc = result.document
    kind = "resolution" if expected["kind"] == "draft_resolution" else expected["kind"]
    assert (doc.kind, doc.symbol, doc.title) == (kind, expected["symbol"], expected["title"]), name
    dated = expected["adopted"] or expected["distributed"]  # a draft: its distribution date
    assert (doc.date, doc.distributed, doc.year) == (dated, expected["distributed"], expected["year"])
    assert result.coverage >= 0.99


def test_citations_of_preamble_operative_and_article_units():
    res = parse.parse_file(KINDS / "resolution.txt")
    by_key = {unit_key(u): u for u in res.units}
    assert cite(res.document, by_key["pp:3"]) == "A/RES/99/901, preambular para. 3"
    assert cite(res.document, by_key["para:2"]) == "A/RES/99/901, para. 2"
    treaty = parse.parse_file(KINDS / "treaty.txt")
    by_key = {unit_key(u): u for u in treaty.units}
    name = treaty.document.title  # a treaty is cited by its name alone (DESIGN.md "Trafficking in Persons Protocol")
    assert treaty.document.date == "2098-11-15"
    assert cite(treaty.document, by_key["art:2(a)"]) == f"{name}, art. 2 (a)"
    assert cite(treaty.document, by_key["art:3"]) == f"{name}, art. 3"
    assert cite(treaty.document, by_key["art:4.2"]) == f"{name}, art. 4, para. 2"


def test_operative_subparagraphs_stay_in_their_paragraph():
    res = parse.parse_file(KINDS / "resolution.txt")
    para2 = next(u for u in res.units if unit_key(u) == "para:2")
    assert [ln[:3] for ln in para2.text.split("\n")[1:]] == ["(a)", "(b)", "(c)"]
    treaty = parse.parse_file(KINDS / "treaty.txt")
    art42 = next(u for u in treaty.units if unit_key(u) == "art:4.2")
    assert "(c) Organizing or directing" in art42.text and "3. Each State" not in art42.text


def test_glued_footnote_marks_leave_the_text():
    res = parse.parse_file(KINDS / "resolution.txt")
    pp2 = next(u for u in res.units if unit_key(u) == "pp:2")
    assert "Organized Crime, and" in pp2.text and "Crime,1" not in pp2.text and "it,2" not in pp2.text


def test_detached_footnote_mark_below_a_rule():
    page = Page(1, ("1. Recalling the 2030 Agenda for Sustainable Development, 1 and its", "Goals on 19 December 2017.",
                    "_______________", " 1 Resolution 70/1."))
    lines = cleaning.clean([page])
    assert lines[0].text == "1. Recalling the 2030 Agenda for Sustainable Development, and its"
    assert [ln.text for ln in lines if ln.footnote] == ["1 Resolution 70/1."]


def test_split_words_join_where_the_document_shows_the_word():
    texts = ["the Tr afficking of", "trafficking in persons, principle s and principles", "due diligence an d to",
             "and not in to", "into a broad range", "the World Bank and worldbank data"]
    lines = repair_split_words([Line(t, 1) for t in texts])
    assert [ln.text for ln in lines] == ["the Trafficking of", "trafficking in persons, principles and principles",
                                          "due diligence and to", "and not in to", "into a broad range",
                                          "the World Bank and worldbank data"]


def test_non_breaking_and_loose_hyphens_are_plain_hyphens():
    assert (cleaning.clean_line("non\u2011prosecution and non \u2011 refoulement")
            == "non-prosecution and non-refoulement")
    lines = repair_split_words([Line("technology -based and gender- and age-sensitive", 1)])
    assert lines[0].text == "technology-based and gender- and age-sensitive"


def test_split_word_repair_leaves_the_seed_report_alone():
    pages = readers.read(SEED)
    assert cleaning.clean(pages) == cleaning.clean(pages, split_words=False)
    assert parse.parse_file(SEED).document.kind == "report"
