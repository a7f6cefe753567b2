"""Merged and split paragraphs across a series: fictional fixtures (tests/data/series, README there), two texts
of one series where one operative paragraph takes in the next and another is cut in two."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tipsearch import Library, build
from tipsearch.cli import main
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.redline import markdown
from tipsearch.text import unit_key

SERIES = Path(__file__).resolve().parent / "data" / "series"
OLD, NEW = "A/RES/97/903", "A/RES/99/903"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("merge_split")
    (base / "corpus").mkdir()
    for name in ("resolution_2097.txt", "resolution_2099.txt"):
        shutil.copy(SERIES / name, base / "corpus")
    build(base / "corpus", base / "index", embedder=HashingEmbedder(), progress=False)
    return base / "index"


def _by_new(index: Path) -> dict:
    lib = Library.open(index)
    c = lib.compare(OLD, NEW)
    lib.close()
    return {unit_key(p.new.paragraph): p for p in c.pairs if p.new}, [p for p in c.pairs if not p.new]


def test_a_merged_paragraph_pairs_with_both_old_units_and_its_diff_runs_against_both(index: Path):
    pairs, dropped = _by_new(index)
    merged = pairs["para:2"]
    assert (merged.status, merged.how) == ("changed", "merged")
    assert unit_key(merged.old.paragraph) == "para:2"
    assert [unit_key(u.paragraph) for u in merged.also_old] == ["para:3"]
    assert "para:3" not in {unit_key(p.old.paragraph) for p in dropped}
    # the diff rebuilds the two old texts, in OLD's order, and the new one
    assert "".join(t for op, t in merged.diff if op != "+") == (
        merged.old.paragraph.text + "\n" + merged.also_old[0].paragraph.text)
    assert "".join(t for op, t in merged.diff if op != "-") == merged.new.paragraph.text
    assert "annual national report" in "".join(t for op, t in merged.diff if op == "=")


def test_a_split_paragraph_pairs_each_part_with_the_old_unit(index: Path):
    pairs, _ = _by_new(index)
    for part in ("para:3", "para:4"):
        got = (pairs[part].status, pairs[part].how, unit_key(pairs[part].old.paragraph))
        assert got == ("changed", "split", "para:4")
        assert pairs[part].also_old == ()
    assert "referral of identified victims" in "".join(t for op, t in pairs["para:4"].diff if op == "=")


def test_new_dropped_and_renumbered_units_beside_the_merge_and_the_split(index: Path):
    pairs, dropped = _by_new(index)
    assert {k for k, p in pairs.items() if p.status == "new"} == {"pp:3", "para:5"}
    assert [unit_key(p.old.paragraph) for p in dropped] == ["para:5"]
    assert (pairs["pp:4"].status, unit_key(pairs["pp:4"].old.paragraph)) == ("same", "pp:3")
    assert {k for k, p in pairs.items() if p.how} == {"para:2", "para:3", "para:4"}


def test_compare_json_keeps_its_contract_and_says_how(index: Path, capsys):
    assert main(["compare", OLD, NEW, "--json", "--index", str(index)]) == 0
    data = json.loads(capsys.readouterr().out)
    news = [p["new"]["paragraph"] if p["new"] else None for p in data["pairs"]]
    assert news == ["1", "2", "3", "4", "1", "2", "3", "4", "5", "6", None]  # NEW's order, then the dropped
    for pair in data["pairs"]:
        assert {"status", "old", "new", "similarity", "diff", "how", "also_old"} <= set(pair)
        assert 0 <= pair["similarity"] <= 1 and all(op in ("=", "+", "-") for op, _ in pair["diff"])
    merged = [p for p in data["pairs"] if p["how"] == "merged"]
    assert len(merged) == 1 and merged[0]["old"]["paragraph"] == "2"
    assert [u["paragraph"] for u in merged[0]["also_old"]] == ["3"]
    assert {"citation", "paragraph", "kind", "text"} <= set(merged[0]["also_old"][0])
    split = [p for p in data["pairs"] if p["how"] == "split"]
    got = [(p["new"]["paragraph"], p["old"]["paragraph"], p["also_old"]) for p in split]
    assert got == [("3", "4", []), ("4", "4", [])]
    assert all(p["how"] is None and p["also_old"] == [] for p in data["pairs"] if p not in merged + split)


def test_the_redline_names_both_old_units_of_a_merge(index: Path):
    lib = Library.open(index)
    text = markdown(lib.compare(OLD, NEW))
    lib.close()
    assert "A/RES/99/903, para. 2 \u2190 A/RES/97/903, para. 2 + A/RES/97/903, para. 3 (changed, merged," in text
    assert "A/RES/99/903, para. 4 \u2190 A/RES/97/903, para. 4 (changed, split," in text
