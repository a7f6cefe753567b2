"""The document model every reader hands the structure stage: lines with the heading level and emphasis the file
itself gives (Markdown, HTML, Word; PDF fonts in test_pdf_styles.py), and the stages that read those signals:
headings set apart, a translation read apart, long paragraphs cited by their sub-items. Fictional texts only."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from tipsearch.citations import cite
from tipsearch.ingest import cleaning, parse_file, readers
from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.structure import segment_all, subitems, translations
from tipsearch.ingest.structure.numbered import SET_APART_LEVEL, set_apart_headings
from tipsearch.records import Paragraph, Style
from tipsearch.search.evaluation import _as_gold


def _styled(path: Path) -> list[tuple[str, Style]]:
    page = readers.read(path)[0]
    return [(text, page.style(i)) for i, text in enumerate(page.lines) if text]


def test_markdown_headings_keep_their_level_and_lose_their_marks(tmp_path: Path):
    path = tmp_path / "convention.md"
    path.write_text("# Fictional Convention\n\n### Article 1\n\n####Use of terms\n\n1. **Victim** means [a person](#x)"
                    ".\n2. *Child* means a minor.\n\n**All of this line is bold**\n", encoding="utf-8")
    lines = _styled(path)
    assert lines[:3] == [("Fictional Convention", Style(1, True)), ("Article 1", Style(3, True)),
                         ("Use of terms", Style(4, True))]  # "####Use": no space after the marks, still a heading
    assert [t for t, _ in lines[3:5]] == ["1. Victim means a person.", "2. Child means a minor."]
    assert lines[5] == ("All of this line is bold", Style(0, True))


def test_a_text_file_written_in_markdown_is_read_as_markdown(tmp_path: Path):
    path = tmp_path / "export.txt"
    path.write_text("# Title\n\n## Preamble\n\nPlain text.\n", encoding="utf-8")
    assert _styled(path)[1] == ("Preamble", Style(2, True))
    plain = tmp_path / "plain.txt"
    plain.write_text("# one hash line only\n\nText.\n", encoding="utf-8")
    assert [t for t, _ in _styled(plain)] == ["# one hash line only", "Text."]  # one "#" line is no Markdown


def test_html_headings_keep_their_level(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><main><h2>Article 4</h2><p>Text of it.</p></main></body></html>", encoding="utf-8")
    assert _styled(path) == [("Article 4", Style(2, True)), ("Text of it.", Style())]


def test_word_heading_styles_bold_paragraphs_and_list_restarts(tmp_path: Path):
    d = docx.Document()
    d.add_paragraph("Questions to Fictionland", style="Title")
    d.add_paragraph("NORTH RIVERIA", style="Heading 2")
    d.add_paragraph().add_run("Trafficking in persons").bold = True
    d.add_paragraph("An ordinary question?")
    path = tmp_path / "questions.docx"
    d.save(path)
    lines = _styled(path)
    assert [s.level for _, s in lines] == [1, 2, 0, 0]
    assert lines[2][1].bold and not lines[3][1].bold


def _lines(*texts: str, bold: frozenset[int] = frozenset()) -> list[Line]:
    return [Line(t, 1, style=Style(bold=i in bold)) for i, t in enumerate(texts)]


def test_a_bold_line_before_a_numbered_paragraph_is_a_heading_a_year_is_not():
    lines = _lines("4. The end of a paragraph.", "Afghanistan", "5. The next paragraph.",
                   "responses in due course, no later than June", "2010.", bold=frozenset({1, 3}))
    marked = set_apart_headings(lines)
    assert [ln.level for ln in marked] == [0, SET_APART_LEVEL, 0, 0, 0]


def _text(language: str, n: int) -> list[Line]:
    english = "The States Parties shall protect the victims of trafficking and assist them in their recovery."
    french = "Les États Parties protègent les victimes de la traite et les aident dans leur rétablissement."
    sentence = english if language == "en" else french
    return [Line(f"{i}. {sentence}", None) for i in range(1, n + 1)] + [Line("", None)]


def test_a_text_and_its_translation_are_read_apart_a_french_run_on_is_not():
    heading = [Line("Convention fictive", None, style=Style(level=1)), Line("", None)]
    parts = translations.split([*_text("en", 6), *heading, *_text("fr", 6)])
    assert [(code, len(lines)) for code, lines in parts] == [(None, 7), ("fr", 9)]
    seg = segment_all([*_text("en", 6), *heading, *_text("fr", 6)])
    assert [(u.number, u.language) for u in seg.units][5:8] == [("6", None), ("1", "fr"), ("2", "fr")]
    # paragraphs 7-12 carrying on the numbering in French are one text (checks.py flags its second language)
    run_on = [*_text("en", 6)[:-1], *[Line(f"{i}. Les États Parties protègent les victimes de la traite et les "
                                          "aident dans leur rétablissement.", None) for i in range(7, 13)]]
    assert len(translations.split(run_on)) == 1


def test_a_translation_is_cited_with_its_language(tmp_path: Path):
    path = tmp_path / "convention.md"
    english = "\n\n".join(f"### Article {n}\n\nEach State Party shall protect the victims of trafficking in persons "
                          f"and assist them in their recovery, rule {n}." for n in range(1, 4))
    french = "\n\n".join(f"### Article {n}\n\nChaque État Partie protège les victimes de la traite des personnes et "
                         f"les aide dans leur rétablissement, règle {n}." for n in range(1, 4))
    path.write_text(f"# Fictional Convention\n\n{english}\n\n# Convention fictive\n\n{french}\n", encoding="utf-8")
    parsed = parse_file(path)
    assert parsed.document.language == "en"
    assert [cite(parsed.document, u) for u in parsed.units][2:4] == [
        "Fictional Convention, art. 3", "Fictional Convention, art. 1 (French text)"]


def test_a_long_paragraph_is_cited_by_its_lettered_sub_items_roman_ones_stay_inside():
    items = "\n".join(f"({letter}) " + "Measures to protect victims and prosecute traffickers. " * 12
                      for letter in "abcdefgh")
    text = f"Decides that States shall take:\n{items}\n(i) The ninth item, a letter after (h);\n(j) The tenth."
    text = text.replace("(b) ", "(b) The second item with sub-items:\n(i) a roman one;\n(ii) another;\n", 1)
    units = subitems.split_long((Paragraph("6", text, 0),))
    assert [u.number for u in units] == ["6", *(f"6 ({c})" for c in "abcdefghij")]
    assert "(ii) another" in units[2].text and units[0].text == "Decides that States shall take:"
    short = Paragraph("7", "Decides:\n(a) one;\n(b) two;\n(c) three;\n(d) four.", 0)
    assert subitems.split_long((short,)) == (short,)  # a paragraph of ordinary length keeps its sub-items


def test_evaluation_counts_a_sub_item_of_a_gold_paragraph_once():
    ranked = ("f#para:6(b)", "f#para:6(c)", "f#para:7")
    assert _as_gold(ranked, ["f#para:6"]) == ("f#para:6", "f#para:6~1", "f#para:7")
    assert _as_gold(("f#art:3(a)",), ["f#art:3(a)"]) == ("f#art:3(a)",)


@pytest.mark.parametrize("masthead_last", [True, False])
def test_todays_masthead_at_the_foot_of_page_one_is_read_first(masthead_last: bool):
    body = ["Human Rights Council", "Fifty-ninth session", "Resolution adopted by the Human Rights Council",
            "on 8 July 2099", "99/25. Fictional rights", "The Human Rights Council,", "Recalling its work,",
            "1. Decides to go on."]
    masthead = ["United Nations A/HRC/RES/99/25", "General Assembly Distr.: General", "16 July 2099",
                "Original: English"]
    page = readers.Page(1, tuple([*body, *masthead] if masthead_last else [*masthead, *body]))
    lines = [ln.text for ln in cleaning.clean([page]) if ln.text]
    assert lines[0] == "United Nations A/HRC/RES/99/25" and lines[-1] == "1. Decides to go on."


def test_a_presidents_statement_in_a_session_report_is_cited_by_its_number(tmp_path: Path):
    source = (Path(__file__).parent / "data" / "unseen" / "session_report.txt").read_text(encoding="utf-8")
    at = source.index("        III.    Organization")
    statement = ("        PRST 99/1. Fictional statement on the protection of victims\n\n"
                 "        At the 41st meeting, on "
                 "5 April 2099, the President of the Human Rights Council made the following statement:\n\n"
                 "        1. "
                 "The Council reaffirms that victims shall be protected.\n\n"
                 "        41st meeting\n        5 April 2099\n\n")
    path = tmp_path / "session.txt"
    path.write_text(source[:at] + statement + source[at:], encoding="utf-8")
    parsed = parse_file(path)
    cited = {cite(parsed.document, u): u.text for u in parsed.units}
    assert "victims shall be protected" in cited["A/HRC/99/2, President's statement 99/1, para. 1"]
    assert not cited["A/HRC/99/2, President's statement 99/1, para. 1"].endswith("5 April 2099")  # its closing lines
    assert "A/HRC/99/2, para. 1" in cited  # the report's own paragraphs after it


def test_roman_article_headings_with_titles_run_in_and_parts(tmp_path: Path):
    path = tmp_path / "old_convention.md"
    path.write_text("# Fictional Convention of 1950\n\n## CHAPTER I – General provisions\n\n### Article I Purposes\n\n"
                    "The purpose is to suppress the fictional traffic.\n\n### Article II Definitions\n\n"
                    "1. A term means something.\n2. Another paragraph.\n\n## PART II: Final provisions\n\n### Article III Entry into "
                    "force\n\nThis Convention enters into force on the ninetieth day.\n", encoding="utf-8")
    parsed = parse_file(path)
    assert parsed.document.kind == "treaty"
    assert [(cite(parsed.document, u).split(", ", 1)[1], u.section[0]) for u in parsed.units] == [
        ("art. I", "CHAPTER I – General provisions"), ("art. II, para. 1", "CHAPTER I – General provisions"),
        ("art. II, para. 2", "CHAPTER I – General provisions"), ("art. III", "PART II: Final provisions")]


def test_a_part_is_named_before_its_paragraph_and_a_bare_number_finds_the_report_s_own():
    from tipsearch.records import Document, Unit
    from tipsearch.search.related import match_units

    doc = Document("r.txt", "0" * 64, "Report", "A/HRC/99/2")
    units = [Unit(i, doc, p, "") for i, p in enumerate([
        Paragraph("2", "resolution text", 0, part="resolution 99/1"), Paragraph("2", "the report's own", 1),
        Paragraph("2", "decision text", 2, part="decision 99/101")])]
    assert [u.paragraph.text for u in match_units(units, "para. 2")][0] == "the report's own"
    assert [u.paragraph.text for u in match_units(units, "resolution 99/1, para. 2")] == ["resolution text"]
    assert [u.paragraph.text for u in match_units(units, "decision  99/101,  2")] == ["decision text"]


def test_a_numbered_line_that_merely_mentions_a_decision_is_no_part_of_its_own():
    from tipsearch.ingest.structure import compound

    texts = ["1. The Committee met in Fictionville.", "2. It recalled Council resolution",
             "2019/23. Combating fictional crime, in which the Council decided to act,",
             "and the Committee decided to report on it.", "3. The Committee adopted the report."]
    assert compound.split([Line(t, 1) for t in texts]) == []


def test_a_decision_with_a_chapeau_under_the_decisions_heading_is_cited_as_a_decision(tmp_path: Path):
    source = (Path(__file__).parent / "data" / "unseen" / "session_report.txt").read_text(encoding="utf-8")
    at = source.index("        III.    Organization")
    outcome = ("  99/102.       Outcome of the universal periodic review: Fictionland\n\n"
               "                The Human Rights Council,\n\n"
               "                Acting in compliance with the fictional institution-building package,\n\n"
               "                Decides to adopt the outcome of the review of Fictionland.\n\n"
               "                41st meeting\n                5 April 2099\n\n")
    path = tmp_path / "session.txt"
    path.write_text(source[:at] + outcome + source[at:], encoding="utf-8")
    parsed = parse_file(path)
    cited = [cite(parsed.document, u) for u in parsed.units]
    assert "A/HRC/99/2, decision 99/102, preambular para. 1" in cited
    assert not any("resolution 99/102" in c for c in cited)
    assert "A/HRC/99/2, resolution 99/1, para. 1" in cited  # under "I. Resolutions" a resolution stays one
