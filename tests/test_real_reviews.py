"""The real review reports, the UNODC chapter and the Word thematic lists read as tests/data/real_corpus says.

Reads ../shared/real-corpus (or TIPSEARCH_REAL_CORPUS); skips, saying why, where that folder is absent.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import pytest

from tipsearch.ingest.parse import ParsedFile, parse_file
from tipsearch.records import Paragraph

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))
EXPECTED = json.loads((ROOT / "tests" / "data" / "real_corpus" / "expected.json").read_text(encoding="utf-8"))
MINE = {"review", "publication", "table"}
FILES = sorted(f for f, e in EXPECTED.items() if e["kind"] in MINE and "folder" not in e)  # batch 2: not checked yet


def _flat(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


@cache
def parsed(name: str) -> ParsedFile:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"real corpus not found at {CORPUS} (set TIPSEARCH_REAL_CORPUS): {name} is not there")
    return parse_file(path)


def units_for(key: str, sample: dict, units: tuple[Paragraph, ...]) -> list[Paragraph]:
    """The units a gold key names: para:N, para:N.M, para:N with a "rec", page:N, row:N."""
    kind, _, number = key.partition(":")
    if kind == "page":
        return [u for u in units if u.kind == "block" and u.page == int(number)]
    if kind == "row":
        return [u for u in units if u.kind == "row" and u.number == number]
    if "rec" in sample:
        return [u for u in units if u.kind == "recommendation" and u.number == number
                and u.label == f"Recommendation {sample['rec']}"]
    want = "recommendation" if "." in number else "paragraph"
    return [u for u in units if u.kind == want and u.number == number]


@pytest.mark.parametrize("name", FILES)
def test_kind_symbol_title(name: str):
    p, e = parsed(name), EXPECTED[name]
    assert p.document.kind == e["kind"]
    assert p.document.symbol == e["symbol"]
    assert p.document.title == e["title"]
    if e.get("distributed") and not e.get("adopted"):
        assert p.document.date == e["distributed"]


@pytest.mark.parametrize("name", FILES)
def test_counts(name: str):
    p, e = parsed(name), EXPECTED[name]
    kinds = [u.kind for u in p.units]
    if "paragraphs" in e:
        assert kinds.count("paragraph") == e["paragraphs"]
    if "rows" in e:
        assert kinds.count("row") == e["rows"]
        assert [u.number for u in p.units if u.kind == "row"] == [str(n) for n in range(1, e["rows"] + 1)]
    if "recommendations" in e:
        recs = [u for u in p.units if u.kind == "recommendation"]
        r = e["recommendations"]
        assert len(recs) == r["count"]
        ref = (lambda u: u.label.removeprefix("Recommendation ")) if "within" in r else (lambda u: u.number)
        assert (ref(recs[0]), ref(recs[-1])) == (r["first"], r["last"])
        if "within" in r:
            assert {u.number for u in recs} == {r["within"].removeprefix("para:")}
        for series in r.get("series", []):
            inside = [u.number for u in recs if u.number.split(".")[0] == series["para"]]
            assert (len(inside), inside[0], inside[-1]) == (series["count"], series["first"], series["last"])
    if e["kind"] == "publication":
        assert len(p.units) > 5 * e["pages"]  # one unit a paragraph, not a handful
        assert all(u.page is not None and u.section for u in p.units)


@pytest.mark.parametrize("name", FILES)
def test_samples_hold_their_quotes(name: str):
    p, e = parsed(name), EXPECTED[name]
    for s in e["samples"]:
        found = [u for u in units_for(s["unit"], s, p.units) if _flat(s["quote"]) in _flat(u.text)]
        assert found, f"{name} {s['unit']}: no unit holds {s['quote']!r}"
        if "states" in s:
            assert list(found[0].states) == s["states"], f"{name} {s['unit']}"


@pytest.mark.parametrize("name", FILES)
def test_coverage_and_no_layout_in_units(name: str):
    p = parsed(name)
    assert p.coverage >= 0.99
    texts = [u.text for u in p.units]
    assert not any("have not been edited" in t for t in texts)
    assert not any(re.search(r"\.{6,}", t) for t in texts)  # no table of contents
    assert not any(re.search(r"\bGE\.\d{2}-\d{5}", t) for t in texts)  # no page footer


@pytest.mark.parametrize("name", [f for f in FILES if EXPECTED[f]["kind"] == "review"])
def test_review_annex_is_apart(name: str):
    p = parsed(name)
    last = [u for u in p.units if u.kind == "paragraph"][-1]
    assert "Composition of the delegation" not in last.text and "headed by" not in last.text
    annex = [u for u in p.units if u.section[:1] == ("Annex",)]
    assert annex and all(u.kind == "block" for u in annex)
    assert not any(h.startswith(("Contents", "Paragraphs")) for u in p.units for h in u.section)
