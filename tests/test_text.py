"""The shared text rules: words, stopwords, and the grammar of unit references and question-file keys."""

from __future__ import annotations

import pytest

from tipsearch.records import Paragraph
from tipsearch.text import Reference, keyword_text, matches, parse_reference, references, unit_key


def test_references_in_questions_name_every_kind_of_unit():
    assert references("What does article 3 (a) of the Protocol say?") == [Reference("article", "3", "(a)")]
    assert references("article 6, paragraph 3 and art. 5") == [Reference("article", "6", "3"),
                                                               Reference("article", "5")]
    assert references("preambular paragraph 3 of 80/228, and PP 4") == [Reference("preamble", "3"),
                                                                        Reference("preamble", "4")]
    assert references("Was recommendation 115.120 supported?") == [Reference("paragraph", "115.120")]
    assert references("what does 115.120 ask?") == [Reference("paragraph", "115.120")]
    assert references("1.5 million victims in 2022") == []  # a decimal is not a review recommendation


@pytest.mark.parametrize("typed, ref", [
    ("9", Reference("paragraph", "9")), ("para. 9", Reference("paragraph", "9")),
    ("para:9", Reference("paragraph", "9")),
    ("rec:7", Reference("recommendation", "7")), ("Recommendation 7", Reference("recommendation", "7")),
    ("PP 3", Reference("preamble", "3")), ("pp:3", Reference("preamble", "3")),
    ("preambular para. 3", Reference("preamble", "3")),
    ("art. 3 (a)", Reference("article", "3", "(a)")), ("art:3(a)", Reference("article", "3", "(a)")),
    ("art. 6, para. 3", Reference("article", "6", "3")), ("art:6.3", Reference("article", "6", "3")),
    ("Article 1", Reference("article", "1")), ("115.120", Reference("paragraph", "115.120")),
    ("row 12", Reference("row", "12")), ("block:2", Reference("block", "2")),
])
def test_parse_reference_reads_what_users_type(typed: str, ref: Reference):
    assert parse_reference(typed) == ref


def test_parse_reference_refuses_what_names_no_unit():
    assert parse_reference("the victims") is None
    assert parse_reference("Recommendation") is None


def test_matches_and_unit_key_agree_for_every_kind():
    cases = [
        (Paragraph("9", "t", 0), "para:9", "9"),
        (Paragraph("4", "t", 0, "recommendation", "Recommendation 1"), "rec:1", "rec:1"),
        (Paragraph("3", "t", 0, "preamble"), "pp:3", "PP 3"),
        (Paragraph("3", "t", 0, "article", "Article 6"), "art:6.3", "art. 6, para. 3"),
        (Paragraph("(a)", "t", 0, "article", "Article 3"), "art:3(a)", "art. 3 (a)"),
        (Paragraph("", "t", 0, "article", "Article 1"), "art:1", "art. 1"),
        (Paragraph("115.120", "t", 0, "recommendation", states=("Philippines",)), "para:115.120", "115.120"),
        (Paragraph("12", "t", 0, "row"), "row:12", "row 12"),
    ]
    for p, key, typed in cases:
        assert unit_key(p) == key
        assert matches(parse_reference(typed), p), typed
    # a report's paragraph 4 is not its Recommendation 1, and a preambular paragraph 3 is not paragraph 3
    assert not matches(Reference("paragraph", "4"), cases[1][0])
    assert not matches(Reference("paragraph", "3"), cases[2][0])
    assert not matches(Reference("article", "6", "2"), cases[3][0])


def test_keyword_text_drops_question_words_unless_nothing_is_left():
    assert keyword_text("What is the non-punishment principle?") == "non punishment principle"
    assert keyword_text("what is it") == "what is it"


def test_names_document_reads_symbols_and_resolution_numbers():
    from tipsearch.text import names_document

    assert names_document("preambular paragraph 3 of resolution 80/228", "A/RES/80/228", "80/228. Improving ...")
    assert names_document("What does A/HRC/59/15 recommend?", "A/HRC/59/15", "Report of the Working Group")
    assert names_document("resolution 80/9", None, "80/9. Political Declaration")
    assert not names_document("resolution 80/9", "A/RES/80/90", "80/90. Something else")
    assert not names_document("what is new since 2017?", "A/RES/72/195", "72/195. Improving ...")


def test_reference_key_reads_back_to_the_same_unit_for_every_kind():
    from tipsearch.text import reference_key

    units = [Paragraph("9", "t", 0), Paragraph("3", "t", 0, "preamble"), Paragraph("3", "t", 0, "article", "Article 6"),
             Paragraph("(a)", "t", 0, "article", "Article 3"), Paragraph("", "t", 0, "article", "Article 1"),
             Paragraph("115.120", "t", 0, "recommendation"), Paragraph("12", "t", 0, "row"),
             Paragraph("4", "t", 0, "block", page=30)]
    for p in units:
        ref = parse_reference(reference_key(p))
        assert ref is not None and matches(ref, p), (p, reference_key(p))
        assert sum(matches(ref, q) for q in units) == 1  # and to no other
