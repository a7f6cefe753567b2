"""Layout noise: running headers and footers, hyphenation, footnotes, page breaks."""

from __future__ import annotations

from tipsearch.ingest import cleaning

from tipsearch.ingest import metadata

from tipsearch.ingest import structure as paragraphs
from tipsearch.records import Page


def pages(*texts: str) -> list[Page]:
    return [Page(i, tuple(t.split("\n"))) for i, t in enumerate(texts, start=1)]


def units(*texts: str):
    return paragraphs.segment(cleaning.clean(pages(*texts)))


def test_running_header_page_numbers_job_numbers_and_barcodes_are_removed():
    us = units(
        "United Nations A/HRC/47/34\nDistr.: General\n1. The first paragraph runs\n"
        "V.21-04416 (E) 170521\n*2104416*\n1/4",
        "A/HRC/47/34\non to page two.\n2. Second\n2/4",
        "3/4 A/HRC/47/34\ncontinues.\n3. Third paragraph.\n- 3 -",
        "A/HRC/47/34\n4. Fourth.\n4/4",
    )
    assert [u.text for u in us] == [
        "The first paragraph runs on to page two.", "Second continues.", "Third paragraph.", "Fourth."]


def test_a_line_repeated_at_page_tops_is_a_running_header():
    body = ["Report of the Special Rapporteur\n{n}. Paragraph {n}.".format(n=n) for n in range(1, 5)]
    us = units("Front\n" + body[0].split("\n")[1], *body[1:])
    assert [u.text for u in us] == [f"Paragraph {n}." for n in range(1, 5)]


def test_soft_hyphens_join_and_compounds_keep_their_hyphen():
    us = units("1. A victim-centred approach and the traf-\nficking of persons, a victim-\ncentred one, Co-\nChairs.\n"
               "2. End.")
    assert us[0].text == "A victim-centred approach and the trafficking of persons, a victim-centred one, Co-Chairs."


def test_hyphenation_across_a_page_break():
    us = units("United Nations A/B/1\n1. The investi-\n1/2", "A/B/1\ngation went on.\n2. End.")
    assert us[0].text == "The investigation went on."


def test_footnotes_are_set_apart_and_attached_to_the_citing_paragraph():
    us = units(
        "1. First paragraph.\n2. States recalled the Protocol,3 and more\n"
        "3 See A/RES/55/25, annex II.\ntext of note.\n2/5",
        "continues here.\n3. Next paragraph.",
    )
    assert us[1].text == "States recalled the Protocol, and more continues here."
    assert us[1].footnotes == ("3 See A/RES/55/25, annex II. text of note.",)
    assert us[0].footnotes == () and us[2].footnotes == ()


def test_a_numbered_line_is_not_a_footnote_without_a_mark():
    us = units("1. First paragraph lists\n2 000 people in 2021.\n2. Second.")
    assert us[0].text == "First paragraph lists 2 000 people in 2021." and us[0].footnotes == ()


def test_justified_double_spaces_read_as_single():
    assert cleaning.clean_line("States  parties   should\u00a0\u00a0act") == "States parties should act"


def test_page_break_mid_sentence_does_not_split_a_block():
    us = units("A press release whose text\n1/2", "runs on.\n\nA second block.")
    assert [(u.kind, u.text) for u in us] == [("block", "A press release whose text runs on."),
                                              ("block", "A second block.")]


def test_masthead_is_not_a_block_in_unnumbered_documents():
    us = units("United Nations\nS/2023/123\nDistr.: General\n14 July 2022\n\nThe Council met.\n\nIt decided.")
    assert [u.text for u in us] == ["The Council met.", "It decided."]


def lines(text: str):
    return cleaning.clean([Page(1, tuple(text.split("\n")))])


def test_metadata_from_a_pdf_style_first_page():
    doc = metadata.extract(lines(
        "United Nations A/HRC/47/34\nGeneral Assembly Distr.: General\n17 May 2021\nOriginal: English\n"
        "Human Rights Council\nForty-seventh session\n21 June-9 July 2021\nAgenda item 3\n"
        "Report of the Special Rapporteur on trafficking in persons,\nespecially women and children, Siobhán Mullally\n"
        "Summary\nI. Introduction\n1. Text."), "x.pdf", "0")
    assert (doc.symbol, doc.date, doc.year, doc.distribution, doc.original) == (
        "A/HRC/47/34", "2021-05-17", 2021, "General", "English")
    assert doc.body == "Human Rights Council"
    assert doc.session == "Forty-seventh session"
    assert doc.title == ("Report of the Special Rapporteur on trafficking in persons, especially women and children, "
                         "Siobhán Mullally")


def test_symbols_of_several_bodies():
    for symbol in ("CTOC/COP/WG.4/2022/2", "A/HRC/47/34", "E/CN.15/2023/L.4", "CTOC/COP/2020/L.9/Rev.1"):
        doc = metadata.extract(lines(f"United Nations\n{symbol}\nDistr.: Limited\n1 March 2023\n1. Text."), "x", "0")
        assert doc.symbol == symbol
        assert doc.distribution == "Limited"
    assert not cleaning.is_symbol("COVID-19") and not cleaning.is_symbol("UNODC/UNICRI")
