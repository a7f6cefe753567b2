"""Every hit's text is exactly the stored unit text, and its answer occurs verbatim inside it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tipsearch import Library

from conftest import DATA

QUESTIONS = [json.loads(line)["q"] for line in (DATA / "dev_qa.jsonl").read_text().splitlines() if line.strip()]


def stored_texts(index: Path) -> dict[int, str]:
    """The units table read straight from SQLite, not through the library."""
    manifest = json.loads((index / "manifest.json").read_text())
    with sqlite3.connect(f"file:{index / manifest['generation'] / 'units.sqlite'}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT id, text FROM units"))


def check(lib: Library, stored: dict[int, str], questions: list[str], modes: tuple[str, ...], k: int = 10) -> int:
    checked = 0
    for q in questions:
        for mode in modes:
            for h in lib.search(q, k=k, mode=mode):
                assert h.text == stored[h.unit.id], (q, h.citation)
                assert h.answer and h.answer in h.text, (q, h.citation, h.answer)
                checked += 1
    return checked


def test_citations_verified_over_many_queries(hash_index: Path):
    stored = stored_texts(hash_index)
    lib = Library.open(hash_index)
    # The dev questions, plus every unit's own opening words as a question: each unit gets asked for.
    questions = QUESTIONS + [" ".join(t.split()[:8]) for t in stored.values()]
    assert check(lib, stored, questions, ("hybrid", "keyword", "semantic")) > 1500


@pytest.mark.model
def test_citations_verified_with_the_real_model(model_index: Path, minilm):
    stored = stored_texts(model_index)
    lib = Library.open(model_index, embedder=minilm)
    assert check(lib, stored, QUESTIONS[:3], ("hybrid",), k=5) == 15
