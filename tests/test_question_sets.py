"""The hand-written question sets beyond the English retrieval ones: translations and answer sentences."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tipsearch.ingest.parse import parse_file, sha256_file
from tipsearch.search.answers import spans_of
from tipsearch.text import unit_key

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
REAL = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))
SCRIPTS = {"ru": r"[\u0400-\u04ff]", "ar": r"[\u0600-\u06ff]", "zh": r"[\u4e00-\u9fff]", "fr": r"[a-zà-ÿ]",
           "es": r"[a-záéíóúñ]"}


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("language", sorted(SCRIPTS))
@pytest.mark.parametrize("source", ["dev_qa", "qa_2022_heldout"])
def test_each_translation_keeps_its_source_lines_gold_and_is_in_its_script(source: str, language: str):
    english = lines(DATA / f"{source}.jsonl")
    translated = lines(DATA / "multilingual" / f"{source}.{language}.jsonl")
    assert len(translated) == len(english)
    for theirs, ours in zip(english, translated):
        assert ours["en"] == theirs["q"] and ours["gold"] == theirs["gold"] and ours.get("also") == theirs.get("also")
        assert ours["q"] != theirs["q"] and re.search(SCRIPTS[language], ours["q"].lower()), ours["q"]


def units_by_key(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in parse_file(path, sha256_file(path)).units:
        out.setdefault(unit_key(p), []).append(p.text)
    return out


def check_answers(rows: list[dict], units: dict[str, dict[str, list[str]]], file_of) -> None:  # noqa: ANN001
    for row in rows:
        file, key = file_of(row["unit"])
        texts = units[file].get(key, [])
        # The answer is one whole span of a unit of two or more: choosing it is the thing measured.
        assert any(row["answer"] in spans_of(t) and len(spans_of(t)) > 1 for t in texts), row


def test_every_seed_answer_is_one_span_of_a_many_span_unit():
    rows = lines(DATA / "answers" / "seed.jsonl")
    assert len(rows) >= 100
    seed = next((ROOT / "corpus").glob("*.txt"))
    check_answers(rows, {seed.name: units_by_key(seed)}, lambda unit: (seed.name, unit))


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the real UN documents are not at {REAL} (set TIPSEARCH_REAL_CORPUS)")
def test_every_real_corpus_answer_is_one_span_of_a_many_span_unit():
    rows = lines(DATA / "answers" / "real.jsonl")
    files = {row["unit"].split("#")[0] for row in rows}
    check_answers(rows, {f: units_by_key(REAL / f) for f in files}, lambda unit: tuple(unit.split("#", 1)))
