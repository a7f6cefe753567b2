"""Every quote of the real-corpus question sets is in its document, word for word.

The documents are ../shared/real-corpus (or the folder TIPSEARCH_REAL_CORPUS names), batch 2 in its
"batch-2" folder as tests/data/real_corpus/expected.json records ("folder"). A quote must occur, case-sensitive,
in the document's text as extracted: pypdf's extract_text of every page (a .txt as it is, a .docx's paragraphs
and table cells), with line-end hyphenation ("-" + newline) removed and whitespace collapsed. The tests that
need the documents skip, saying why, where the folder is absent; the shape of the files is checked everywhere.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

from tipsearch.search.evaluation import read_questions

from conftest import DATA, ROOT

REAL = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))
SETS = DATA / "real_corpus"
EXPECTED = json.loads((SETS / "expected.json").read_text(encoding="utf-8"))
QUESTION_FILES = ("questions.jsonl", "questions_batch2.jsonl")


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (SETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def quotes(name: str) -> list[tuple[str, str, str]]:
    """(file, unit, quote) of every gold and also entry of a question file."""
    return [(e["file"], e["unit"], e["quote"]) for r in rows(name) for e in [*r["gold"], *r.get("also", [])]]


def path_of(file: str) -> Path:
    return REAL / EXPECTED[file].get("folder", "") / file


def flat(text: str) -> str:
    return " ".join(text.replace("-\n", "").split())


@cache
def text_of(file: str) -> str:
    path = path_of(file)
    if not path.exists():
        pytest.skip(f"real corpus not found at {REAL} (set TIPSEARCH_REAL_CORPUS): {path} is not there")
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return flat("\n".join(page.extract_text() or "" for page in PdfReader(path).pages))
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
        return flat("\n".join([p.text for p in d.paragraphs] + cells))
    return flat(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", QUESTION_FILES)
def test_question_file_reads_and_names_known_files(name: str):
    assert len(read_questions(SETS / name)) == len(rows(name))  # the evaluation code accepts every line
    for file, unit, quote in quotes(name):
        assert file in EXPECTED, f"{name}: {file} has no entry in expected.json"
        assert "/" not in file, f"{name}: {file}: name the file as the index does (no folder)"
        assert quote == " ".join(quote.split()) and quote.strip(), (name, file, unit)


def test_batch2_set_size_spread_and_quote_lengths():
    qs = rows("questions_batch2.jsonl")
    assert len(qs) >= 60
    on_batch2 = [r for r in qs if any("folder" in EXPECTED[g["file"]] for g in r["gold"])]
    assert len(on_batch2) >= 45
    batch2_files = {f for f, e in EXPECTED.items() if "folder" in e}
    assert {g["file"] for r in on_batch2 for g in r["gold"]} == batch2_files  # every batch-2 document is asked
    assert all(30 <= len(quote) <= 120 for _, _, quote in quotes("questions_batch2.jsonl"))
    assert len({r["q"] for r in qs}) == len(qs)


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the real UN documents are not at {REAL} (set TIPSEARCH_REAL_CORPUS)")
@pytest.mark.parametrize("name", QUESTION_FILES)
def test_every_quote_is_in_its_document(name: str):
    missing = [(file, unit, quote) for file, unit, quote in quotes(name) if quote not in text_of(file)]
    assert not missing, f"{name}: quotes not found in the extracted text: {missing}"


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the real UN documents are not at {REAL} (set TIPSEARCH_REAL_CORPUS)")
def test_every_batch2_sample_quote_is_in_its_document():
    missing = [(f, s["unit"], s["quote"]) for f, e in EXPECTED.items() if "folder" in e
               for s in e["samples"] if s["quote"] not in text_of(f)]
    assert not missing, missing
