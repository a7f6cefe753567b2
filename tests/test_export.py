"""Reading packs: resolution against the index, the three renderings, and `tipsearch export`."""

import csv
import io
import json
from pathlib import Path

import pytest
from docx import Document as Docx

from tipsearch import Library, NotFoundError
from tipsearch import export
from tipsearch.cli import main

SEED = "wg-tip-2022-report.txt"
CITE_9 = "Report of the Working Group on Trafficking in Persons, 14 July 2022, para. 9"


@pytest.fixture(scope="module")
def lib(hash_index: Path) -> Library:
    return Library.open(hash_index)


@pytest.fixture(scope="module")
def items(lib: Library) -> list[export.PackItem]:
    refs = [export.parse_cite("wg-tip-2022-report rec:7"), export.PackRef(citation=CITE_9, note="=SUM(A1) <b>x</b>")]
    return export.resolve(lib, refs)


def test_every_way_of_naming_a_paragraph_resolves(lib: Library):
    refs = [export.parse_cite(CITE_9), export.parse_cite("wg-tip-2022-report 9"),
            export.parse_cite(f"{SEED} para. 9"), export.PackRef(document=SEED, paragraph="9")]
    assert {i.citation for i in export.resolve(lib, refs)} == {CITE_9}
    recs = [export.parse_cite("wg-tip-2022-report rec:7"), export.parse_cite("wg-tip-2022-report Recommendation 7"),
            export.PackRef(document=SEED, paragraph="Recommendation 7")]
    assert {i.label for i in export.resolve(lib, recs)} == {"Recommendation 7"}
    # para. 4 holds Recommendations 1-7 but "4" is the paragraph itself, not one of them
    assert export.resolve(lib, [export.parse_cite("wg-tip-2022-report 4")])[0].label is None


def test_an_unknown_citation_names_the_item_and_the_way_to_cite(lib: Library):
    with pytest.raises(NotFoundError, match=r"pack item 2: 'wg-tip-2022-report 999'.*DOCUMENT PARAGRAPH"):
        export.resolve(lib, [export.parse_cite("wg-tip-2022-report 9"), export.parse_cite("wg-tip-2022-report 999")])


def test_markdown_has_citations_notes_sources_and_no_live_markup(items):
    md = export.markdown(items, "Module 2: non-punishment")
    assert md.startswith("# Module 2: non-punishment\n")
    assert md.index("## 1. Report") < md.index("Recommendation 7") < md.index(f"## 2. {CITE_9}")
    assert "**Note:** =SUM(A1) \\<b\\>x\\</b\\>" in md and "<b>" not in md
    assert md.rstrip().endswith(f"({SEED})")
    assert md.count("\n- ") == 1  # one source document, listed once


def test_csv_rows_are_items_then_sources_and_formulas_are_defused(items):
    rows = list(csv.reader(io.StringIO(export.csv_text(items))))
    assert rows[0] == list(export.CSV_COLUMNS)
    assert rows[1][1].endswith("Recommendation 7") and rows[2][1] == CITE_9
    assert rows[2][-1] == "'=SUM(A1) <b>x</b>"  # a spreadsheet shows it, never runs it
    assert rows[4] == ["sources"] and SEED in rows[5][0]


def test_docx_has_title_items_notes_and_sources(items):
    doc = Docx(io.BytesIO(export.render(items, "docx", "Training pack")))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "Training pack"
    assert f"2. {CITE_9}" in text and "Sources" in text
    assert any("free legal assistance" in t for t in text)
    assert text[-1].endswith(f"({SEED})")


def test_saved_pack_round_trips(lib: Library, items):
    again = export.resolve(lib, export.parse_pack(export.pack_json(items)))
    assert again == items


@pytest.mark.parametrize("text, message", [
    ("{not json", "is not JSON"),
    ('{"a": 1}', "must be a JSON list"),
    ('[{"note": "x"}]', "item 1 has neither a citation nor a document and paragraph"),
])
def test_bad_pack_files_say_what_is_wrong(text: str, message: str):
    with pytest.raises(export.PackError, match=message):
        export.parse_pack(text, "pack.json")


def test_cli_export_writes_each_format(hash_index: Path, tmp_path: Path, capsys):
    pack = tmp_path / "pack.json"
    pack.write_text(json.dumps([{"citation": CITE_9, "note": "start here"}]), encoding="utf-8")
    for fmt in export.FORMATS:
        out = tmp_path / f"pack.{fmt}"
        code = main(["export", str(pack), "--cite", "wg-tip-2022-report rec:1", "-o", str(out),
                     "--index", str(hash_index)])
        assert code == 0 and out.stat().st_size > 0
    assert "start here" in (tmp_path / "pack.md").read_text(encoding="utf-8")
    assert (tmp_path / "pack.docx").read_bytes()[:2] == b"PK"
    assert "wrote 2 item(s)" in capsys.readouterr().err


def test_cli_export_prints_markdown_and_errors_are_one_line(hash_index: Path, tmp_path: Path, capsys):
    assert main(["export", "--cite", "wg-tip-2022-report 9", "--index", str(hash_index)]) == 0
    assert capsys.readouterr().out.startswith("# Reading pack")
    assert main(["export", str(tmp_path / "missing.json"), "--index", str(hash_index)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no pack file" in err
    assert main(["export", "--cite", "wg-tip-2022-report 9", "--format", "docx", "--index", str(hash_index)]) == 1
    assert "-o FILE.docx" in capsys.readouterr().err
