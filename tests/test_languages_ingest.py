"""French and Spanish documents read like English ones (fictional fixtures in tests/data/languages)."""

from __future__ import annotations

import json

import pytest

from tipsearch.citations import cite
from tipsearch.ingest import cleaning, metadata, parse, structure
from tipsearch.ingest.cleaning import Line, is_masthead
from tipsearch.ingest.dates import human_date, iso_date
from tipsearch.records import Page
from tipsearch.text import Reference, matches

from conftest import DATA
from unit_keys import unit_key

LANGUAGES = DATA / "languages"
EXPECTED = json.loads((LANGUAGES / "expected.json").read_text(encoding="utf-8"))
DOCUMENT_FIELDS = ("kind", "language", "original", "symbol", "title", "date", "distributed", "year", "body",
                   "distribution", "session")


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def parsed(request):
    return request.param, parse.parse_file(LANGUAGES / request.param), EXPECTED[request.param]


def test_document_fields(parsed):
    name, result, expected = parsed
    doc = result.document
    assert {f: getattr(doc, f) for f in DOCUMENT_FIELDS} == {f: expected[f] for f in DOCUMENT_FIELDS}, name
    assert result.coverage >= 0.99, name


def test_units_in_order_with_kinds_and_labels(parsed):
    name, result, expected = parsed
    got = [(unit_key(u), u.kind, u.label) for u in result.units]
    assert got == [(u["unit"], u["kind"], u.get("label")) for u in expected["units"]], name


def test_each_unit_starts_and_ends_as_printed_on_its_page(parsed):
    name, result, expected = parsed
    for unit, want in zip(result.units, expected["units"]):
        text = words(unit.text)
        assert text.startswith(want["starts"]) and text.endswith(want["ends"]), (name, want["unit"], text)
        assert unit.page == want["page"], (name, want["unit"])


def test_section_footnotes_and_lettered_items(parsed):
    name, result, expected = parsed
    for unit, want in zip(result.units, expected["units"]):
        assert (unit.section[-1] if unit.section else None) == want.get("heading"), (name, want["unit"])
        notes = want.get("footnotes", {})
        assert unit.footnotes == tuple(f"{mark} {note}" for mark, note in notes.items()), (name, want["unit"])
        items = [ln.split()[0] for ln in unit.text.split("\n")[1:]]
        assert items == want.get("items", []), (name, want["unit"])


def test_citations_in_the_english_form(parsed):
    name, result, expected = parsed
    assert [cite(result.document, u) for u in result.units] == [u["citation"] for u in expected["units"]], name


def test_masthead_headings_labels_and_layout_are_in_no_unit(parsed):
    name, result, expected = parsed
    source = (LANGUAGES / name).read_text(encoding="utf-8")
    for noise in expected["not_in_units"]:
        assert noise in source, (name, noise)  # each trap is really in the file
        leaks = [unit_key(u) for u in result.units if noise in u.text]
        assert not leaks, (name, noise, leaks)


def test_a_french_recommendation_is_named_as_an_english_one():
    result = parse.parse_file(LANGUAGES / "fr_report.txt")
    named = [u for u in result.units if matches(Reference("recommendation", "3"), u)]
    assert [unit_key(u) for u in named] == ["rec:3"]
    assert "Recommandation 3" not in named[0].text  # the printed label is the label, not text


@pytest.mark.parametrize(("text", "iso"), [
    ("14 July 2022", "2022-07-14"), ("14 juillet 2022", "2022-07-14"), ("1er juillet 2022", "2022-07-01"),
    ("le 18 décembre 2098", "2098-12-18"), ("14 de julio de 2022", "2022-07-14"),
    ("1.º de julio de 2022", "2022-07-01"),
    ("el 3 de setiembre de 2021", "2021-09-03"), ("31 février 2022", None), ("14 juli 2022", None),
])
def test_dates_in_three_languages(text: str, iso: str | None):
    assert iso_date(text) == iso
    if iso:
        assert human_date(iso)[-4:] == iso[:4] and human_date(iso).split()[1].isascii()  # shown in English


@pytest.mark.parametrize("line", ["Nations Unies", "Naciones Unidas", "Distr. : générale", "Distr.\u00a0: générale",
                                  "Distr. générale", "Distr. general", "Distr.: General", "Original : anglais",
                                  "Original: inglés", "Français", "Español", "1er juillet 2099",
                                  "14 de julio de 2098"])
def test_masthead_lines_in_french_and_spanish(line: str):
    assert is_masthead(line)


def test_not_every_line_is_a_masthead():
    assert not any(is_masthead(t) for t in ["Distribution of the report", "Original findings", "Français et anglais"])


def lines(*texts: str) -> list[Line]:
    return cleaning.clean([Page(None, texts)])


def test_article_premier_is_article_1():
    seg = structure.segment_all(lines(
        "Protocole fictif relatif à la traite des personnes", "", "Préambule", "",
        "Les États Parties au présent Protocole,", "",
        "Déclarant qu'une action efficace est nécessaire, Convaincus qu'un instrument fictif sera utile,", "",
        "Sont convenus de ce qui suit :", "", "Article premier", "", "Objet", "",
        "Le présent Protocole complète la Convention fictive.", "", "Article 2", "", "Champ d'application", "",
        "1. Le présent Protocole s'applique à la prévention.", "2. Il s'applique aussi à la protection.", "",
        "EN FOI DE QUOI, les plénipotentiaires soussignés ont signé le présent Protocole."))
    assert seg.kind == "treaty"
    assert [(unit_key(u), u.label) for u in seg.units] == [
        ("pp:1", None), ("pp:2", None), ("art:1", "Article 1"), ("art:2.1", "Article 2"), ("art:2.2", "Article 2")]
    assert seg.units[1].text.startswith("Convaincus")  # the preamble on one line is split at the participle
    assert seg.units[2].section == ("Article premier. Objet",)  # the heading as printed
    assert not any("EN FOI DE QUOI" in u.text for u in seg.units)


def test_a_spanish_resolution_splits_its_preamble_at_the_gerund_across_a_page_break():
    read = lines(
        "A/RES/99/903", "Resolución aprobada por la Asamblea General el 18 de diciembre de 2098", "",
        "99/903. Resolución ficticia sobre la trata de personas", "", "La Asamblea General,", "",
        "Recordando su resolución 96/52, de 12 de diciembre de 2096, y sus demás resoluciones",
        "pertinentes,", "Profundamente preocupada por el número de víctimas,",
        "Reconociendo la labor de los órganos ficticios,", "",
        "1. Exhorta a los Estados Miembros a que ratifiquen el Protocolo ficticio;", "",
        "2. Decide seguir examinando la cuestión.", "", "66ª sesión plenaria", "18 de diciembre de 2098")
    seg = structure.segment_all(read)
    assert seg.kind == "resolution"
    assert [unit_key(u) for u in seg.units] == ["pp:1", "pp:2", "pp:3", "para:1", "para:2"]
    assert seg.units[0].text.endswith("resoluciones pertinentes,") and seg.units[2].text.startswith("Reconociendo")
    assert not any("sesión plenaria" in u.text for u in seg.units)
    doc = metadata.extract(read, "x.txt", "0", "resolution", seg.front_matter)
    assert (doc.symbol, doc.date, doc.title) == ("A/RES/99/903", "2098-12-18",
                                                 "99/903. Resolución ficticia sobre la trata de personas")


def test_a_french_review_report_title_names_the_state():
    front = ["Nations Unies A/HRC/99/16", "Assemblée générale Distr. générale", "12 janvier 2099", "",
             "Conseil des droits de l'homme", "", "Rapport du Groupe de travail sur l'Examen périodique universel*",
             "", "Fictionland", "", "Introduction", "1. Le Groupe de travail a tenu sa session.",
             "2. La délégation était dirigée par la ministre.", "3. Recommandations:",
             "3.1 Ratifier le Protocole (Utopia);",
             "3.2 Former les juges (Arcadia);", "3.3 Financer les foyers (Erewhon);"]
    seg = structure.segment_all(lines(*front))
    assert seg.kind == "review"
    result_units = {unit_key(u): u for u in seg.units}
    assert result_units["para:3.1"].states == ("Utopia",)
    doc = metadata.extract(lines(*front), "x.txt", "0", "review", seg.front_matter)
    assert (doc.symbol, doc.date, doc.body) == ("A/HRC/99/16", "2099-01-12", "Conseil des droits de l'homme")
    assert doc.title == "Rapport du Groupe de travail sur l'Examen périodique universel: Fictionland"
