"""A series across years: compare two documents unit by unit, and follow a unit back through its series.

Fictional fixtures (tests/data/kinds: a draft resolution and its adopted text, gold written with them); the
real series (../shared/real-corpus) against alignment gold written by reading both texts."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tipsearch import Library, NotFoundError, build
from tipsearch.cli import main
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.search.compare import word_diff
from tipsearch.text import unit_key

KINDS = Path(__file__).resolve().parent / "data" / "kinds"
GOLD = json.loads((KINDS / "expected.json").read_text())


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("series")
    (base / "corpus").mkdir()
    for name in ("resolution.txt", "draft_resolution.txt", "treaty.txt"):
        shutil.copy(KINDS / name, base / "corpus")
    build(base / "corpus", base / "index", embedder=HashingEmbedder(), progress=False)
    return base / "index"


def _gold_pairs() -> list[list]:
    found = [v["draft"] for v in GOLD.values() if isinstance(v, dict) and "draft" in v]
    return found[0]["pairs"]


def test_a_draft_and_its_adopted_text_pair_as_the_gold_says(index: Path):
    lib = Library.open(index)
    c = lib.compare("draft_resolution.txt", "resolution.txt")
    got = [(unit_key(p.old.paragraph) if p.old else None, unit_key(p.new.paragraph), p.status)
           for p in c.pairs if p.new is not None]
    assert got == [tuple(g) for g in _gold_pairs()]
    assert c.note is None  # one series: the same title once the resolution number is stripped
    for p in c.pairs:
        if p.status == "changed":  # the diff rebuilds both texts
            assert "".join(t for op, t in p.diff if op != "+") == p.old.paragraph.text
            assert "".join(t for op, t in p.diff if op != "-") == p.new.paragraph.text
    lib.close()


def test_a_document_compared_with_itself_is_all_same_and_another_series_says_so(index: Path):
    lib = Library.open(index)
    assert {p.status for p in lib.compare("resolution.txt", "resolution.txt").pairs} == {"same"}
    other = lib.compare("treaty.txt", "resolution.txt")
    assert other.note and "different series" in other.note
    assert sum(p.status in ("new", "dropped") for p in other.pairs) > len(other.pairs) / 2
    with pytest.raises(NotFoundError, match="name a document by its id, symbol"):
        lib.compare("no-such.txt", "resolution.txt")
    lib.close()


def test_compare_json_contract_and_word_output(index: Path, capsys, tmp_path: Path):
    assert main(["compare", "draft_resolution.txt", "resolution.txt", "--json", "--index", str(index)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"old", "new", "pairs"} and data["new"]["file"] == "resolution.txt"
    for pair in data["pairs"]:
        assert pair["status"] in ("same", "changed", "new", "dropped") and 0 <= pair["similarity"] <= 1
        for side in ("old", "new"):
            assert pair[side] is None or {"citation", "paragraph", "kind", "text"} <= set(pair[side])
        assert all(op in ("=", "+", "-") for op, _ in pair["diff"])
    assert main(["compare", "draft_resolution.txt", "resolution.txt", "--changes", "-o", str(tmp_path / "c.docx"),
                 "--index", str(index)]) == 0
    import docx

    runs = [r for p in docx.Document(str(tmp_path / "c.docx")).paragraphs for r in p.runs]
    assert any(r.font.underline for r in runs) and any(r.font.strike for r in runs)
    capsys.readouterr()
    assert main(["compare", "x", "resolution.txt", "--index", str(index)]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_history_goes_back_through_the_series_oldest_first(index: Path, capsys):
    lib = Library.open(index)
    steps = lib.history("resolution.txt", "8")
    assert [s.unit.document.file for s in steps] == ["draft_resolution.txt", "resolution.txt"]
    assert steps[0].status == "first" and steps[1].status == "changed" and steps[1].diff
    lib.close()
    assert main(["history", "resolution.txt", "8", "--json", "--index", str(index)]) == 0
    assert [s["status"] for s in json.loads(capsys.readouterr().out)] == ["first", "changed"]


def test_word_diff_marks_insertions_and_deletions():
    assert word_diff("welcoming the twentieth anniversary", "welcoming the twenty-fifth anniversary") == (
        ("=", "welcoming the "), ("-", "twentieth"), ("+", "twenty-fifth"), ("=", " anniversary"))


REAL = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "real-corpus"))
ALIGNMENT = Path(__file__).resolve().parent / "data" / "real_corpus" / "alignment"


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the real UN documents are not at {REAL} (set TIPSEARCH_REAL_CORPUS)")
@pytest.mark.parametrize("gold", sorted(ALIGNMENT.glob("*.json")) if ALIGNMENT.is_dir() else [], ids=lambda p: p.stem)
def test_the_real_series_pairs_as_read_by_hand(gold: Path, tmp_path: Path):
    truth = json.loads(gold.read_text())
    (tmp_path / "corpus").mkdir()
    for name in (truth["old"], truth["new"]):
        shutil.copy(REAL / name, tmp_path / "corpus")
    build(tmp_path / "corpus", tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    lib = Library.open(tmp_path / "index")
    c = lib.compare(truth["old"], truth["new"])
    got = {unit_key(p.new.paragraph): {unit_key(u.paragraph) for u in (p.old, *p.also_old) if u}
           for p in c.pairs if p.new}
    # a gold entry's "old": null (new), one key, or the keys a merged unit took in
    want = {p["new"]: set([p["old"]] if isinstance(p["old"], str) else p["old"] or []) for p in truth["pairs"]}
    right = sum(got.get(k) == v for k, v in want.items())
    assert right / len(want) >= 0.95, [(k, v, got.get(k)) for k, v in want.items() if got.get(k) != v]
    lib.close()


def test_the_compare_page_opens_from_its_link_side_by_side_with_changes_marked(index: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TIPSEARCH_INDEX", str(index))
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    app.query_params.update({"view": "compare", "old": "draft_resolution.txt", "new": "resolution.txt"})
    app.run()
    assert not app.exception
    assert app.sidebar.radio[0].value == "Compare"
    assert [s.value for s in app.selectbox][:2] == ["draft_resolution.txt", "resolution.txt"]
    shown = [m.value for m in app.markdown]
    assert any("<u>" in m for m in shown) and any("<s>" in m for m in shown)
    headings = [c.value for c in app.caption if "\u2190" in c.value]
    assert len(headings) == len(Library.open(index).compare("draft_resolution.txt", "resolution.txt").pairs)
    app.radio(key="compare-shown").set_value("only changed and new").run()
    fewer = [c.value for c in app.caption if "\u2190" in c.value]
    assert 0 < len(fewer) < len(headings) and not any("(same)" in c for c in fewer)
    assert app.get("download_button")


def test_history_under_a_hit_shows_its_lineage(index: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    lib = Library.open(index)
    unit = lib.unit("resolution.txt", "8")
    lib.close()
    monkeypatch.setenv("TIPSEARCH_INDEX", str(index))
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    app.query_params["q"] = unit.paragraph.text[:200]
    app.run()
    toggle = next(t for t in app.toggle if t.key == f"history-{unit.id}")
    toggle.set_value(True).run()
    assert not app.exception
    lines = [c.value.replace("\\", "") for c in app.caption]
    assert any("A/C.3/99/L.9" in line and "first appears" in line for line in lines)  # the draft came first
    assert any("changed (" in line for line in lines)


def test_documents_name_each_ones_series_and_predecessor(index: Path, capsys):
    assert main(["documents", "--json", "--index", str(index)]) == 0
    docs = {d["file"]: d for d in json.loads(capsys.readouterr().out)}
    assert docs["resolution.txt"]["predecessor"]["file"] == "draft_resolution.txt"  # the draft came first
    assert docs["resolution.txt"]["series"] == docs["draft_resolution.txt"]["series"]
    assert docs["draft_resolution.txt"]["predecessor"] is None and docs["treaty.txt"]["predecessor"] is None
