"""The real General Assembly resolutions, drafts and the Protocol (../shared/real-corpus) read as the gold says."""

from __future__ import annotations

import re

import json
import os
from pathlib import Path

import pytest

from tipsearch.ingest import parse

from conftest import DATA, ROOT
from unit_keys import unit_key

REAL = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))
EXPECTED = json.loads((DATA / "real_corpus" / "expected.json").read_text(encoding="utf-8"))
# Batch 2 entries name their folder ("batch-2"): the file is REAL/folder/name.
FILES = [name for name, e in EXPECTED.items() if e["kind"] in ("resolution", "treaty")]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=FILES)
def parsed(request):
    path = REAL / EXPECTED[request.param].get("folder", "") / request.param
    if not path.exists():
        pytest.skip(f"real corpus not found at {REAL} (set TIPSEARCH_REAL_CORPUS); see shared/REAL-CORPUS.md")
    return request.param, parse.parse_file(path), EXPECTED[request.param]


def test_kind_symbol_title_and_dates(parsed):
    name, result, expected = parsed
    doc = result.document
    assert (doc.kind, doc.symbol, doc.title) == (expected["kind"], expected["symbol"], expected["title"]), name
    # a draft, adopted by no one yet, is dated by its distribution
    assert (doc.date, doc.distributed) == (expected["adopted"] or expected["distributed"],
                                           expected["distributed"]), name


def test_operative_preambular_and_article_counts(parsed):
    name, result, expected = parsed
    kinds = [u.kind for u in result.units if u.part is None]  # the main text: an annex's or a draft's are its own
    assert kinds.count("preamble") == expected["preambular"], name
    if "operative" in expected:
        # a long paragraph read as its lettered sub-items ("6 (a)", "6 (b)") is one operative paragraph
        own = [u for u in result.units if u.kind == "paragraph" and u.number]
        # a declaration adopted by a one-clause resolution: its annex holds the numbered paragraphs
        own = [u for u in own if u.part is None] or [u for u in own if (u.part or "").startswith("annex")]
        numbers = list(dict.fromkeys(int(u.number.split()[0]) for u in own))
        assert numbers == list(range(1, expected["operative"] + 1)), name
    if "articles" in expected:
        assert len({u.label for u in result.units if u.kind == "article"}) == expected["articles"], name


def test_each_sample_quote_is_in_its_unit(parsed):
    name, result, expected = parsed
    by_key: dict[str, list[str]] = {}
    for u in result.units:
        by_key.setdefault(unit_key(u), []).append(words(u.text))
        if " (" in u.number:  # a long paragraph's sub-item: its paragraph's key finds it too
            by_key.setdefault(re.sub(r"\([a-z]{1,2}\)$", "", unit_key(u)), []).append(words(u.text))
    for sample in expected["samples"]:
        if "pending" in sample:  # a structure not read yet, said in expected.json (README there)
            continue
        texts = by_key.get(sample["unit"], [])
        assert any(words(sample["quote"]) in t for t in texts), (name, sample["unit"], [t[:120] for t in texts])


def test_nothing_of_the_text_is_lost(parsed):
    name, result, _ = parsed
    assert result.coverage >= 0.99, name


def test_no_running_header_plenary_line_or_rule_in_a_unit(parsed):
    name, result, expected = parsed
    for u in result.units:
        assert "___" not in u.text and "plenary meeting\n" not in u.text, (name, unit_key(u))
        if expected["symbol"]:
            assert expected["symbol"] not in u.text, (name, unit_key(u))
