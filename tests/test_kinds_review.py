"""Review reports, unnumbered publications and table documents: the fictional fixtures in tests/data/kinds."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from tipsearch.citations import cite
from tipsearch.ingest.parse import ParsedFile, parse_file
from tipsearch.ingest.structure.review import recommending_states

KINDS = Path(__file__).resolve().parent / "data" / "kinds"
EXPECTED = json.loads((KINDS / "expected.json").read_text(encoding="utf-8"))


def _flat(text: str) -> str:
    return " ".join(text.split())


@cache
def parsed(name: str) -> ParsedFile:
    return parse_file(KINDS / name)


@pytest.mark.parametrize("name", ["review.txt", "publication.pdf", "recommendations_table.docx"])
def test_document(name: str):
    p, e = parsed(name), EXPECTED[name]
    assert p.document.kind == e["kind"]
    assert p.document.symbol == e["symbol"]
    assert p.document.title == e["title"]
    assert p.document.year == e["year"]
    assert p.coverage >= 0.99
    assert len(p.units) == len(e["units"])


@pytest.mark.parametrize("name", ["review.txt", "publication.pdf", "recommendations_table.docx"])
def test_units_in_order(name: str):
    p, e = parsed(name), EXPECTED[name]
    for unit, want in zip(p.units, e["units"]):
        assert _flat(unit.text).startswith(want["starts"]), (want["unit"], unit.text[:80])
        if "ends" in want:  # the cleaning stage takes a note's mark out of the text ("regions.1"): either is right
            ends = want["ends"].rstrip("".join(want.get("footnotes", {})))
            assert _flat(unit.text).endswith(ends), (want["unit"], unit.text[-80:])
        if "heading" in want:
            assert unit.section and unit.section[-1].endswith(want["heading"]), (want["unit"], unit.section)
        if want.get("page") is not None:
            assert unit.page == want["page"], want["unit"]
        assert list(unit.states) == want.get("states", []), want["unit"]
        assert {n.split(" ", 1)[0]: n.split(" ", 1)[1] for n in unit.footnotes} == want.get("footnotes", {})


@pytest.mark.parametrize("name", ["review.txt", "publication.pdf", "recommendations_table.docx"])
def test_layout_is_in_no_unit(name: str):
    p, e = parsed(name), EXPECTED[name]
    for text in e["not_in_units"]:
        assert not any(text in u.text for u in p.units), text


def test_review_units_numbers_and_citations():
    p = parsed("review.txt")
    units = {(u.kind, u.number): u for u in p.units}
    assert [u.number for u in p.units if u.kind == "paragraph"] == [str(n) for n in range(1, 92)]
    recs = [u for u in p.units if u.kind == "recommendation"]
    assert [u.number for u in recs] == [f"90.{n}" for n in range(1, 13)]
    assert all(u.label is None for u in recs)
    assert cite(p.document, units["recommendation", "90.7"]) == "A/HRC/99/15, para. 90.7"
    assert "(a)" in units["paragraph", "3"].text and "(c)" in units["paragraph", "3"].text
    annex = p.units[-1]
    assert annex.kind == "block" and annex.section == ("Annex", "Composition of the delegation")
    assert "Composition of the delegation" not in units["paragraph", "91"].text


def test_table_of_contents_is_no_heading():
    p = parsed("review.txt")
    sections = {s for u in p.units for s in u.section}
    assert not any("...." in s or s.startswith(("Contents", "Paragraphs")) for s in sections)
    assert p.units[0].section == ("Introduction",)
    assert "II. Conclusions and/or recommendations" in sections  # its note mark "**" is not in the heading


@pytest.mark.parametrize("text, states", [
    ("Ratify the Convention (FCMW) (Arcadia);", ["Arcadia"]),
    ("Consider it (Arcadia) (Utopia);", ["Arcadia", "Utopia"]),
    ("Adopt a plan (Erewhon (Federated States of), Ruritania, Zembla);", ["Erewhon (Federated States of)",
                                                                          "Ruritania", "Zembla"]),
    ("Ratify (Venezuela (Bolivarian Republic of));", ["Venezuela (Bolivarian Republic of)"]),
    ("Continue (Armenia); continue (Costa Rica); take steps (Uzbekistan);", ["Armenia", "Costa Rica", "Uzbekistan"]),
    ("To join (Algeria)/sign (Egypt) the Convention (Algeria, Egypt);", ["Algeria", "Egypt"]),
    ("Ratify the Council of Europe Convention (Istanbul Convention) (Turkey);", ["Turkey"]),
    ("Implement the programme of 2013–2016 (see para. 4) in full;", []),
])
def test_recommending_states(text: str, states: list[str]):
    assert list(recommending_states(text)) == states


def test_publication_pages_headings_and_citation():
    p = parsed("publication.pdf")
    assert {u.page for u in p.units} == {1, 2, 3, 4}
    assert all(u.kind == "block" for u in p.units)
    figures = [u for u in p.units if u.text.startswith("Fig.")]
    assert len(figures) == 3 and all(u.text.endswith("Source: fictional data.") for u in figures)
    victims = next(u for u in p.units if u.text.startswith("In 2098"))
    assert cite(p.document, victims) == 'Fictional Report on Trafficking in Persons 2099, p. 1 ("Victims detected")'


def test_table_rows():
    p, e = parsed("recommendations_table.docx"), EXPECTED["recommendations_table.docx"]
    assert [u.kind for u in p.units] == ["row"] * 11
    for unit, want in zip(p.units, e["units"]):
        assert unit.number == want["unit"].removeprefix("row:")
        assert unit.label == want["recommendation"]
        assert want["position"] in unit.text.split("\n")
    assert not any(t in u.text for u in p.units for t in ("Theme: D27", "Recommendation\n", "Position\n"))
    assert cite(p.document, p.units[8]).endswith(", row 9")
