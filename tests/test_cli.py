"""Every CLI command, in process, on an index built with the hashing embedder."""

import argparse
import json
from pathlib import Path

import pytest

from tipsearch.cli import _parser, main

HIT_FIELDS = {"rank", "score", "citation", "paragraph", "label", "section", "text", "answer", "document"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def index(corpus: Path, tmp_path: Path, capsys) -> Path:
    code, _, err = run(capsys, "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"),
                       "--model", "hashing-384", "--quiet")
    assert code == 0, err
    return tmp_path / "index"


def test_build_prints_a_report_and_is_idempotent(corpus: Path, tmp_path: Path, capsys):
    args = ("build", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "--model", "hashing-384", "-q")
    code, _, err = run(capsys, *args)
    assert code == 0
    assert "wg-tip-2022-report.txt" in err and "62" in err
    code, _, err = run(capsys, *args)
    assert code == 0 and "up to date" in err and "nothing embedded" in err


def test_build_exits_non_zero_when_a_file_is_skipped(corpus: Path, tmp_path: Path, capsys):
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    code, _, err = run(capsys, "build", "--corpus", str(corpus), "--index", str(tmp_path / "ix"),
                       "--model", "hashing-384", "-q")
    assert code == 3
    assert "skipped broken.txt: binary data" in err
    assert "Traceback" not in err


def test_search_json_has_the_contract_fields(index: Path, capsys):
    code, out, _ = run(capsys, "search", "free legal assistance for victims", "--json", "-k", "4",
                       "--index", str(index))
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 4 and [h["rank"] for h in hits] == [1, 2, 3, 4]
    for h in hits:
        assert HIT_FIELDS <= set(h)
        assert set(h["document"]) == {"symbol", "title", "date", "year", "file", "language"}
        assert h["document"]["language"] == "en"
        assert isinstance(h["paragraph"], str) and h["answer"] in h["text"]
    assert hits[0]["label"] == "Recommendation 7"
    assert hits[0]["document"]["year"] == 2022
    assert [h["best"] for h in hits] == [True, False, False, False] and hits[0]["also_in"] == []


def test_search_queries_file_prints_json_lines(index: Path, tmp_path: Path, capsys):
    questions = tmp_path / "q.txt"
    questions.write_text("list of participants contained in document\n\nIbero-American network of prosecutors\n")
    code, out, _ = run(capsys, "search", "--queries", str(questions), "-k", "3", "--index", str(index))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["query"] for r in lines] == ["list of participants contained in document",
                                           "Ibero-American network of prosecutors"]
    assert lines[0]["hits"][0]["paragraph"] == "46"
    assert lines[1]["hits"][0]["paragraph"] == "18"


def test_search_human_output_shows_citation_section_and_marked_answer(index: Path, capsys):
    code, out, _ = run(capsys, "search", "list of participants contained in document", "-k", "1", "--index", str(index))
    assert code == 0
    answer, _, rest = out.partition("\n\n")  # the answer span and its citation open the output
    assert answer.startswith("Answer: A list of participants") and answer.replace("\n", " ").endswith(
        "(Report of the Working Group on Trafficking in Persons, 14 July 2022, para. 46)")
    assert rest.startswith("1. Report of the Working Group on Trafficking in Persons, 14 July 2022, para. 46")
    assert "IV. Organization of the meeting > D. Attendance" in out
    assert "\u00bbA list of participants" in out


def test_documents_and_show(index: Path, capsys):
    code, out, _ = run(capsys, "documents", "--json", "--index", str(index))
    [doc] = json.loads(out)
    assert doc["id"] == 1 and doc["units"] == 62 and doc["date"] == "2022-07-14" and doc["symbol"] is None
    assert (doc["distribution"], doc["session"], doc["original"]) == (
        "Limited", "Vienna, 29 and 30 June 2022", "English")
    assert doc["language"] == "en"  # what the text is written in, read off the text
    for ref in ("1", "wg-tip-2022-report.txt", "wg-tip-2022-report"):
        code, out, _ = run(capsys, "show", ref, "--json", "--index", str(index))
        units = json.loads(out)["units"]
        assert len(units) == 62 and units[0]["paragraph"] == "1" and units[-1]["paragraph"] == "48"
    code, out, _ = run(capsys, "show", "1", "--index", str(index))
    assert "II. Recommendations" in out and "[Recommendation 7]" in out


def test_add_copies_into_the_corpus_and_indexes(index: Path, corpus: Path, tmp_path: Path, capsys):
    new = tmp_path / "statement.txt"
    new.write_text("1. Joint investigation teams were praised.\n\n2. Nothing else.\n")
    code, _, err = run(capsys, "add", str(new), "--corpus", str(corpus), "--index", str(index), "-q",
                       "--model", "hashing-384")
    assert code == 0, err
    assert (corpus / "statement.txt").exists()
    code, out, _ = run(capsys, "documents", "--json", "--index", str(index))
    assert sorted(d["file"] for d in json.loads(out)) == ["statement.txt", "wg-tip-2022-report.txt"]


def test_add_refuses_an_unreadable_file_without_copying(index: Path, corpus: Path, tmp_path: Path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    code, _, err = run(capsys, "add", str(empty), "--corpus", str(corpus), "--index", str(index), "-q",
                       "--model", "hashing-384")
    assert code == 3 and "skipped empty.txt: empty file" in err
    assert not (corpus / "empty.txt").exists()


def test_errors_are_one_line_with_the_next_step(tmp_path: Path, capsys):
    code, out, err = run(capsys, "search", "anything", "--index", str(tmp_path / "none"))
    assert code == 1 and out == ""
    assert err.strip().count("\n") == 0 and "tipsearch build" in err
    code, _, err = run(capsys, "show", "no-such-doc", "--index", str(tmp_path / "none"))
    assert code == 1


def test_show_unknown_document_is_a_clear_error(index: Path, capsys):
    code, _, err = run(capsys, "show", "A/HRC/1/1", "--index", str(index))
    assert code == 1 and "no document 'A/HRC/1/1'" in err and "tipsearch documents" in err


def test_every_command_has_help_with_an_example():
    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"build", "add", "search", "documents", "show", "related", "timeline"}
    for name, p in sub.choices.items():
        assert "Example: tipsearch" in p.format_help(), name


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    out, _ = capsys.readouterr()
    assert exit_.value.code == 0, argv
    return out


def test_every_subcommand_of_the_parser_has_full_help_ending_in_its_example(capsys):
    parser = _parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    listed = {a.dest: a.help for a in sub._choices_actions}
    assert len(sub.choices) >= 9 and _help(capsys).rstrip().splitlines()[-1].startswith("Example: tipsearch ")
    for name, p in sub.choices.items():
        assert listed.get(name) and p.description, f"{name}: no one-line help or description"
        undocumented = [a.option_strings or a.dest for a in p._actions if not a.help]
        assert not undocumented, f"{name}: no help for {undocumented}"
        last = _help(capsys, name).rstrip().splitlines()[-1]
        assert last == f"Example: tipsearch {name}" or last.startswith(f"Example: tipsearch {name} "), (name, last)


@pytest.fixture
def multiyear(multiyear_hash_index: Path) -> Path:
    return multiyear_hash_index


def test_related_json_has_the_hit_fields_and_leaves_out_the_source(multiyear: Path, capsys):
    code, out, err = run(capsys, "related", "CTOC/COP/WG.4/2023/4", "Recommendation 2", "-k", "5", "--json",
                         "--index", str(multiyear))
    assert code == 0, err
    hits = json.loads(out)
    assert len(hits) == 5 and [h["rank"] for h in hits] == [1, 2, 3, 4, 5]
    for h in hits:
        assert HIT_FIELDS <= set(h) and h["document"]["year"] and h["document"]["file"] != "wg-2023-report.txt"
    code, out, _ = run(capsys, "related", "wg-2023-report.txt", "rec:2", "--same-document", "-k", "50", "--json",
                       "--year-from", "2023", "--index", str(multiyear))
    files = {h["document"]["file"] for h in json.loads(out)}
    assert files == {"wg-2023-report.txt"}
    assert "CTOC/COP/WG.4/2023/4, para. 4, Recommendation 2" not in {h["citation"] for h in json.loads(out)}


def test_search_filters_and_group_on_the_command_line(multiyear: Path, capsys):
    code, out, _ = run(capsys, "search", "victims", "--json", "-k", "20", "--document", "wg-2010-report.txt",
                       "--document", "CTOC/COP/WG.4/2015/6", "--kind", "other", "--index", str(multiyear))
    hits = json.loads(out)
    assert code == 0 and hits
    assert {h["document"]["year"] for h in hits} <= {2010, 2015} and all(h["kind"] != "recommendation" for h in hits)
    code, out, _ = run(capsys, "search", "States parties", "--json", "-k", "6", "--group", "1", "--body",
                       "working group", "--index", str(multiyear))
    files = [h["document"]["file"] for h in json.loads(out)]
    assert len(files) == len(set(files)) == 4  # the four Working Group documents, one paragraph each
    assert "rapporteur-2019-annual.txt" not in files
    code, _, err = run(capsys, "search", "x", "--year-from", "2020", "--year-to", "2010", "--index", str(multiyear))
    assert code == 1 and err.startswith("error: year from 2020 is after year to 2010")


def test_timeline_json_and_text(multiyear: Path, capsys):
    code, out, _ = run(capsys, "timeline", "joint investigation teams", "--json", "--index", str(multiyear))
    entries = json.loads(out)
    assert code == 0 and [e["document"]["date"] for e in entries] == sorted(e["document"]["date"] for e in entries)
    assert len(entries) == 3 and all(HIT_FIELDS <= set(e) and 0 <= e["strength"] <= 1 for e in entries)
    code, out, _ = run(capsys, "timeline", "joint investigation teams", "--year-from", "2019",
                       "--index", str(multiyear))
    lines = [line for line in out.splitlines() if line[:4].isdigit()]
    assert [line[:10] for line in lines] == ["2019-03-11", "2023-07-05"]  # the rapporteur's 2019 report has none


def test_related_unknown_paragraph_is_one_line(multiyear: Path, capsys):
    code, out, err = run(capsys, "related", "wg-2010-report.txt", "Recommendation 7", "--index", str(multiyear))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "no paragraph 'Recommendation 7' in CTOC/COP/WG.4/2010/6" in err
