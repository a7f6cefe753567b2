
from tipsearch.ingest import cleaning

from tipsearch.ingest import structure as paragraphs

from tipsearch.ingest import readers
from tipsearch.records import Page

from conftest import SEED


def seed_units():
    return paragraphs.segment(cleaning.clean(readers.read(SEED)))


def units_of(text: str):
    return paragraphs.segment(cleaning.clean([Page(None, tuple(text.split("\n")))]))


def test_seed_has_48_paragraphs_and_14_recommendations():
    units = seed_units()
    assert len(units) == 62
    numbered = [u.number for u in units if u.kind == "paragraph"]
    assert numbered == [str(n) for n in range(1, 49)]
    recs = [u.label for u in units if u.kind == "recommendation"]
    assert recs == [f"Recommendation {n}" for n in range(1, 15)]


def test_recommendations_keep_their_enclosing_paragraph():
    enclosing = {u.label: u.number for u in seed_units() if u.label}
    assert {enclosing[f"Recommendation {n}"] for n in range(1, 8)} == {"4"}
    assert {enclosing[f"Recommendation {n}"] for n in range(8, 14)} == {"5"}
    assert enclosing["Recommendation 14"] == "6"


def test_agenda_items_stay_inside_paragraph_40():
    by_number = {u.number: u for u in seed_units() if u.kind == "paragraph"}
    p40 = by_number["40"].text
    assert p40.startswith("At its 1st meeting, on 29 June 2022")
    for item in ("1. Organizational matters:", "(b) Adoption of the agenda", "6. Adoption of the report."):
        assert item in p40
    assert by_number["41"].text.startswith("The following parties to the Trafficking in Persons Protocol")


def test_paragraphs_are_whole_across_page_breaks():
    units = seed_units()
    p10 = next(u for u in units if u.number == "10" and u.kind == "paragraph").text
    assert "it should be applied at all stages of the criminal justice process and that" in p10
    assert p10.endswith("the imposition of an \u201cappropriate\u201d punishment.")
    rec1 = next(u for u in units if u.label == "Recommendation 1").text
    assert "or that they committed as a direct consequence of being trafficked" in rec1
    assert rec1.endswith("espouse these principles.")


def test_recommendation_7_keeps_its_sub_items_on_their_own_lines():
    rec7 = next(u for u in seed_units() if u.label == "Recommendation 7").text
    lines = rec7.split("\n")
    assert lines[0].endswith("should:")
    assert [ln[:3] for ln in lines[1:]] == ["(a)", "(b)", "(c)"]


def test_headings_become_the_section_path():
    units = {(u.number, u.label): u for u in seed_units()}
    assert units[("5", "Recommendation 10")].section == (
        "II. Recommendations",
        "B. Recommendations on best practices in joint investigations and specialized prosecutions",
    )
    assert units[("29", None)].section == ("IV. Organization of the meeting", "A. Opening of the meeting")
    assert units[("48", None)].section == ("V. Adoption of the report",)
    assert units[("1", None)].section == ("I. Introduction",)


def test_no_heading_or_front_matter_leaks_into_a_unit():
    for u in seed_units():
        assert "Distr.: Limited" not in u.text
        assert not u.text.startswith(("II. ", "A. Recommendations"))
        assert "](#)" not in u.text


def test_numbers_only_go_up_by_one():
    units = units_of("1. First paragraph lists:\n3. not a paragraph\n2. Second paragraph.\n2. again not")
    assert [u.number for u in units] == ["1", "2"]
    assert "3. not a paragraph" in units[0].text
    assert units[1].text.endswith("2. again not")


def test_hyphenation_at_line_end_is_joined():
    units = units_of("1. The traf-\nficking of persons.\n2. Next.")
    assert units[0].text == "The trafficking of persons."


def test_text_without_numbers_falls_back_to_blocks():
    units = units_of("Press release\n\nThe first block of text\ncontinues here.\n\nA second block.")
    assert [u.kind for u in units] == ["block", "block", "block"]
    assert [u.number for u in units] == ["1", "2", "3"]
    assert units[1].text == "The first block of text continues here."


def test_roman_heading_wins_when_it_is_the_next_chapter():
    units = units_of("I. Introduction\n1. One.\nA. Sub\n2. Two.\nII. Next\n3. Three.\nV. Letter V heading\n4. Four.")
    assert units[2].section == ("II. Next",)
    assert units[3].section == ("II. Next", "V. Letter V heading")


def test_roman_value():
    assert [paragraphs.roman_value(t) for t in ("I", "IV", "IX", "XIV", "A")] == [1, 4, 9, 14, None]


def test_text_between_a_heading_and_the_next_number_is_kept_as_a_block():
    text = "1. One.\n2. Two.\n\nA. Annex\n\nUnnumbered annex text\nover two lines.\n\n3. Three."
    units = units_of(text)
    assert [(u.kind, u.number) for u in units] == [("paragraph", "1"), ("paragraph", "2"), ("block", "1"),
                                                  ("paragraph", "3")]
    assert units[2].text == "Unnumbered annex text over two lines." and units[2].section == ("A. Annex",)


def test_front_matter_and_trailing_headings_are_reported_not_lost():
    lines = cleaning.clean([Page(None, ("Distr.: General", "Summary of the report", "", "1. One.", "2. Two.",
                                        "", "I. Closing heading"))])
    result = paragraphs.segment_all(lines)
    assert result.front_matter == ("Distr.: General", "Summary of the report")
    assert result.headings == ("I. Closing heading",)
    assert [u.number for u in result.units] == ["1", "2"]


def test_an_empty_numbered_paragraph_is_dropped_and_the_next_keeps_its_own_number():
    units = paragraphs.segment(cleaning.clean([Page(1, ("1.", "2. The Working Group met in Vienna."))]))
    assert [(u.number, u.text) for u in units] == [("2", "The Working Group met in Vienna.")]
