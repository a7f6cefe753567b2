"""Evaluation metrics on a hand-worked case, question files, and `tipsearch eval`."""

import json
import math
from pathlib import Path

import pytest

from tipsearch import Library, TipsearchError
from tipsearch.cli import main
from tipsearch.search.evaluation import Question, hit_at, ndcg, read_questions, reciprocal_rank, score, unit_key

DATA = Path(__file__).resolve().parent / "data"


def test_metrics_on_a_hand_worked_case():
    # Q1: gold rec:1 at rank 2, also para:9 at rank 1. Q2: gold para:5 absent, also para:6 at rank 3.
    q1 = Question("q1", ("rec:1",), ("para:9",))
    q2 = Question("q2", ("para:5",), ("para:6",))
    ranked = {"q1": ["para:9", "rec:1", "para:3"], "q2": ["para:1", "para:2", "para:6"]}
    s = score("hybrid", [q1, q2], lambda q: ranked[q])
    assert s.hit1 == 0.0 and s.hit5 == 0.5
    assert s.mrr10 == pytest.approx((1 / 2 + 0) / 2)
    # Q1: DCG = 1/log2(2) + 2/log2(3) = 1 + 1.26186; ideal = 2/1 + 1/log2(3) = 2.63093 -> 0.85972.
    # Q2: DCG = 1/log2(4) = 0.5; ideal = 2 + 1/log2(3) = 2.63093 -> 0.19005.
    q1_ndcg = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    q2_ndcg = 0.5 / (2 + 1 / math.log2(3))
    assert q1_ndcg == pytest.approx(0.85972, abs=1e-5) and q2_ndcg == pytest.approx(0.19005, abs=1e-5)
    assert s.ndcg10 == pytest.approx((q1_ndcg + q2_ndcg) / 2)
    assert [o.first_gold for o in s.outcomes] == [2, None]


def test_metric_edges():
    assert ndcg(["a", "b"], {"a": 2.0, "b": 1.0}) == pytest.approx(1.0)
    assert ndcg(["b", "a"], {"a": 2.0, "b": 1.0}) < 1.0
    assert ndcg(["x"], {}) == 0.0
    assert reciprocal_rank(["x"] * 10 + ["a"], ["a"]) == 0.0  # beyond depth 10
    assert hit_at(["x", "x", "x", "x", "a"], ["a"], 5) == 1.0 and hit_at(["x", "a"], ["a"], 1) == 0.0


QUESTION_FILES = ("dev_qa.jsonl", "qa_2022.jsonl", "qa_2022_heldout.jsonl", "qa_2022_heldout2.jsonl")


def test_question_files_parse_and_gold_is_well_formed(hash_index: Path):
    lib = Library.open(hash_index)
    try:
        seed_units = {unit_key(u) for d in lib.documents() for u in lib.document(d.file)[1]}
    finally:
        lib.close()
    seen: set[str] = set()
    for name in QUESTION_FILES:
        questions = read_questions(DATA / name)
        for q in questions:
            assert q.q.strip() and q.gold, (name, q.q)
            # A typo in a citation would silently score as a miss: every unit must exist in the seed.
            assert set(q.gold) | set(q.also) <= seed_units, (name, q.q)
            assert not set(q.gold) & set(q.also), (name, q.q)
            assert q.q.lower() not in seen, f"{name}: duplicate question {q.q!r}"
            seen.add(q.q.lower())
    assert len(read_questions(DATA / "qa_2022.jsonl")) >= 60
    assert len(read_questions(DATA / "qa_2022_heldout2.jsonl")) >= 70


@pytest.mark.parametrize("line", ['{"q": "x"}', "not json", '{"q": "x", "gold": ["para"]}',
                                  '{"q": 1, "gold": ["rec:1"]}'])
def test_a_bad_question_line_names_the_file_and_line(tmp_path: Path, line: str):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"q": "ok", "gold": ["rec:1"]}\n' + line + "\n")
    with pytest.raises(TipsearchError, match=r"bad.jsonl, line 2"):
        read_questions(path)


def test_eval_command_scores_three_modes(hash_index: Path, capsys):
    code = main(["eval", str(DATA / "dev_qa.jsonl"), "--index", str(hash_index), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)
    assert [r["mode"] for r in rows] == ["hybrid", "keyword", "semantic"]
    for r in rows:
        assert r["questions"] == 15
        assert 0.0 <= r["hit@1"] <= r["hit@5"] <= 1.0 and 0.0 < r["ndcg@10"] <= 1.0
    # The keyword ranking finds "list of participants" (para. 46) first, so hit@1 cannot be zero.
    assert rows[1]["hit@1"] > 0


def test_eval_command_reports_a_missing_file(tmp_path: Path, hash_index: Path, capsys):
    code = main(["eval", str(tmp_path / "none.jsonl"), "--index", str(hash_index)])
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("error: no question file") and "Traceback" not in err


def test_gold_naming_its_file_is_scored_on_file_and_unit(tmp_path: Path):
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"q": "definition?",
                                "gold": [{"file": "protocol.txt", "unit": "art:3(a)", "quote": "x"}],
                                "also": [{"file": "gr38.txt", "unit": "para:11"}]}) + "\n"
                    + json.dumps({"q": "old style", "gold": ["pp:3"]}) + "\n")
    first, second = read_questions(path)
    assert first.gold == ("protocol.txt#art:3(a)",) and first.also == ("gr38.txt#para:11",)
    ranked = {"definition?": ["other.txt#art:3(a)", "protocol.txt#art:3(a)"], "old style": ["a.pdf#pp:3"]}
    s = score("hybrid", [first, second], lambda q: ranked[q])
    # the same unit key in another file is not the answer; a question without files matches any file's unit
    assert [o.first_gold for o in s.outcomes] == [2, 1]


def test_a_key_of_an_unknown_kind_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"q": "x", "gold": ["chapter:3"]}) + "\n")
    with pytest.raises(TipsearchError, match="line 1"):
        read_questions(path)
