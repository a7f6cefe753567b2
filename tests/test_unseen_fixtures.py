"""Structures the reader has not been tuned on (fictional fixtures in tests/data/unseen): the reading a UN lawyer
expects of each file (tests/data/unseen/expected.json, described in its README.md).

Each file is parsed with parse.parse_file and checked for its kind, symbol, title and date, for every expected
unit (found by its citation, holding its quote), for the units' section paths and order, and for the text that
must be in no unit (vote lines, meeting lines, State names set as headings, headings, masthead, page noise).
The first tests check the fixtures themselves (each quote and forbidden string is in the file), so a failure
further down is the reader's, not a typo in expected.json.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from tipsearch.citations import cite, document_name
from tipsearch.ingest import parse

from conftest import DATA

UNSEEN = DATA / "unseen"
_RAW = json.loads((UNSEEN / "expected.json").read_text(encoding="utf-8"))


def _resolve(name: str) -> dict:
    """A file's expectations; "same_as" takes another file's (the PDF of a .txt), its own keys added."""
    spec = _RAW[name]
    if "same_as" in spec:
        return {**_resolve(spec["same_as"]), **{k: v for k, v in spec.items() if k != "same_as"}}
    return spec


EXPECTED = {name: _resolve(name) for name in _RAW}
FILES = sorted(EXPECTED)
UNITS = [(name, i) for name in FILES for i in range(len(EXPECTED[name]["units"]))]
CITED = [(name, i) for name, i in UNITS if EXPECTED[name]["units"][i]["citation"]]


def _unit_id(case: tuple[str, int]) -> str:
    name, i = case
    u = EXPECTED[name]["units"][i]
    return f"{name}::{u['citation'] or u['quote'][:40]}"


def words(text: str) -> str:
    return " ".join(text.split())


@functools.lru_cache(maxsize=None)
def parsed(name: str) -> parse.ParsedFile:
    return parse.parse_file(UNSEEN / name)


@functools.lru_cache(maxsize=None)
def source_text(name: str) -> str:
    return _text_of(UNSEEN / name)


def _text_of(path: Path) -> str:
    """What the file itself says, independent of tipsearch's readers: text as written, the PDF's text layer,
    the Word file's paragraphs (with their style) and page header."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        header = [p.text for s in d.sections for p in s.header.paragraphs]
        body = [p.text for p in d.paragraphs]
        styles = [f"<{p.style.name}{' bold' if any(r.bold for r in p.runs) else ''}>" for p in d.paragraphs]
        return "\n".join([*header, *body, d.core_properties.comments or "", *styles])
    return path.read_text(encoding="utf-8")


def holding(name: str, quote: str) -> list:
    return [u for u in parsed(name).units if words(quote) in words(u.text)]


# -- the fixtures themselves (these pass whatever the reader does) ---------------------------------------------
@pytest.mark.parametrize("name", FILES)
def test_fixture_is_marked_fictional(name):
    text = source_text(name)
    assert "Fictional text for tests" in text or "Fictional (tests)" in text, name


@pytest.mark.parametrize("name", FILES)
def test_fixture_holds_every_quote_and_forbidden_string(name):
    spec, text = EXPECTED[name], words(source_text(name))
    for u in spec["units"]:
        for quote in [u["quote"], *u.get("also", [])]:
            assert 20 <= len(quote) <= 80 or quote in u.get("also", []), (name, quote)
            assert words(quote) in text, (name, quote)
        assert text.count(words(u["quote"])) == 1, (name, "the quote must pick one unit", u["quote"])
    for noise in spec["not_in_units"]:
        assert words(noise) in text, (name, noise)
    for u in spec["units"]:
        if u["citation"] and spec["cited_as"]:
            assert u["citation"].startswith(spec["cited_as"] + ", "), (name, u["citation"])


def _script(stem: str):
    spec = importlib.util.spec_from_file_location(stem, UNSEEN / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_fixtures_match_their_scripts(tmp_path, monkeypatch):
    """The committed .txt, .pdf and .docx are what make_*.py write now: the .txt byte for byte, the .pdf and .docx
    by their text (fpdf2 and python-docx versions may change the bytes, not the text)."""
    monkeypatch.syspath_prepend(str(UNSEEN))
    _script("make_session_report").build(tmp_path)
    _script("make_sc_resolution").build(tmp_path)
    _script("make_questions_by_state").build(tmp_path / "questions_by_state.docx")
    for name in ("session_report.txt", "sc_resolution.txt"):
        assert (tmp_path / name).read_bytes() == (UNSEEN / name).read_bytes(), name
    for name in ("session_report.pdf", "sc_resolution.pdf", "questions_by_state.docx"):
        assert _text_of(tmp_path / name) == _text_of(UNSEEN / name), name
    with zipfile.ZipFile(UNSEEN / "questions_by_state.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(2099, 1, 1, 0, 0, 0)}


# -- the document ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FILES)
def test_document_kind(name):
    spec, got = EXPECTED[name], parsed(name).document.kind
    assert got in [spec["kind"], *spec.get("kind_also", [])], f"{name}: kind {got!r}, expected {spec['kind']!r}"


@pytest.mark.parametrize("name", FILES)
def test_document_symbol(name):
    got, want = parsed(name).document.symbol, EXPECTED[name]["symbol"]
    assert got == want, f"{name}: symbol {got!r}, expected {want!r}"


@pytest.mark.parametrize("name", FILES)
def test_document_title(name):
    spec = EXPECTED[name]
    accepted = {words(t).casefold() for t in [spec["title"], *spec.get("title_also", [])]}
    got = parsed(name).document.title
    assert words(got).casefold() in accepted, f"{name}: title {got!r}, expected {spec['title']!r}"


@pytest.mark.parametrize("name", FILES)
def test_document_date(name):
    """The date a lawyer cites: the adoption (resolution, treaty), the opening for signature, else the masthead's."""
    spec, got = EXPECTED[name], parsed(name).document.date
    assert got == spec["date"], f"{name}: date {got!r}, expected {spec['date']!r} ({spec['date_is']})"


@pytest.mark.parametrize("name", [n for n in FILES if EXPECTED[n]["cited_as"]])
def test_citations_name_the_document(name):
    got, want = document_name(parsed(name).document), EXPECTED[name]["cited_as"]
    assert got == want, f"{name}: cited as {got!r}, expected {want!r}"


# -- the units -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CITED, ids=_unit_id)
def test_expected_unit_cited_with_its_quote(case):
    """A unit with exactly this citation exists and holds the quote (and the sub-items that stay in it)."""
    name, i = case
    want = EXPECTED[name]["units"][i]
    doc = parsed(name).document
    found = [u for u in parsed(name).units if cite(doc, u) == want["citation"]]
    holders = [cite(doc, u) for u in holding(name, want["quote"])]
    assert len(found) == 1, f"{len(found)} units cited {want['citation']!r}; the quote is in: {holders}"
    text = words(found[0].text)
    for quote in [want["quote"], *want.get("also", [])]:
        assert words(quote) in text, (want["citation"], quote, text[:160])


@pytest.mark.parametrize("name", [n for n in FILES if EXPECTED[n]["cited_as"]])
def test_unit_references_whatever_the_document_name(name):
    """The part after the document's name ("resolution 99/1, para. 2", "art. 2, para. 1"), in order: a failure
    here is the segmentation's, where test_citations_name_the_document's is the metadata's."""
    spec, result = EXPECTED[name], parsed(name)
    prefix = document_name(result.document) + ", "
    got = [cite(result.document, u).removeprefix(prefix) for u in result.units]
    want = [u["citation"].removeprefix(spec["cited_as"] + ", ") for u in spec["units"]]
    assert got == want, f"{name}: got {got}"


@pytest.mark.parametrize("case", UNITS, ids=_unit_id)
def test_unit_section_path(case):
    """The headings above the unit (article title, resolution title, chapter, questioning State), in order."""
    name, i = case
    want = EXPECTED[name]["units"][i]
    if "section" not in want:
        pytest.skip("no section expected")
    units = holding(name, want["quote"])
    assert len(units) == 1, f"{len(units)} units hold {want['quote']!r}"
    path = [words(s).casefold() for s in units[0].section]
    at = 0
    for heading in want["section"]:
        heading = words(heading).casefold()
        hits = [k for k in range(at, len(path)) if heading in path[k]]
        assert hits, (name, want["quote"], want["section"], units[0].section)
        at = hits[0] + 1


@pytest.mark.parametrize("name", FILES)
def test_all_units_in_order_none_missing_none_extra(name):
    """Every unit of the file, in order: the i-th unit holds the i-th quote."""
    spec, units = EXPECTED[name], parsed(name).units
    got = [next((j for j, w in enumerate(spec["units"]) if words(w["quote"]) in words(u.text)), None) for u in units]
    want = list(range(len(spec["units"])))
    assert got == want, f"{name}: parsed units hold expected units {got}, expected {want}; " + \
        f"units: {[words(u.text)[:50] for u in units]}"


@pytest.mark.parametrize("name", FILES)
def test_forbidden_text_in_no_unit(name):
    """Vote and meeting lines, chapeaux, headings, State names set as headings, masthead and page noise."""
    leaks = {noise: [words(u.text)[:60] for u in parsed(name).units if words(noise) in words(u.text)]
             for noise in EXPECTED[name]["not_in_units"]}
    leaks = {k: v for k, v in leaks.items() if v}
    assert not leaks, f"{name}: in units: {leaks}"


@pytest.mark.parametrize("name", FILES)
def test_no_unit_is_only_a_heading(name):
    """A heading line read as a unit of its own (a State in capitals, "Trafficking in persons") is wrong even
    where the expected units are all there."""
    texts = {words(u.text).casefold() for u in parsed(name).units}
    alone = texts & {words(n).casefold() for n in EXPECTED[name]["not_in_units"]}
    assert not alone, f"{name}: units that are only a heading: {sorted(alone)}"
