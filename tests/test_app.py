"""The Streamlit app, every page, driven by AppTest on indexes built with the hashing embedder."""

import io
import json
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from tipsearch import build
from tipsearch.models.embedders import HashingEmbedder

APP = str(ROOT / "app.py")
SEED = "wg-tip-2022-report.txt"

MARKUP_DOC = """Report with markup in it

1. Victims <script>document.title='pwned'</script> must be protected; <b id="injected">a bold tag</b> here.

2. See [the link](javascript:alert(1)) and **bold claims** about victims of trafficking.

3. A third paragraph on compensation for victims.
"""


@pytest.fixture
def app(hash_index: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TIPSEARCH_INDEX", str(hash_index))
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture
def writable(corpus: Path, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """A corpus and index of our own, for pages that change them."""
    index = tmp_path / "index"
    build(corpus, index, embedder=HashingEmbedder(), progress=False)
    monkeypatch.setenv("TIPSEARCH_INDEX", str(index))
    monkeypatch.setenv("TIPSEARCH_CORPUS", str(corpus))
    return corpus, index


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes behind every download button, by file name."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            seen[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return seen


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def citations(at: AppTest) -> list[str]:
    return [c.value for c in at.code]


def click(at: AppTest, prefix: str, n: int = 0) -> AppTest:
    keys = [b.key for b in at.button if b.key and b.key.startswith(prefix)]
    return at.button(key=keys[n]).click().run()


def go(at: AppTest, view: str) -> AppTest:
    return at.sidebar.radio[0].set_value(view).run()


# -- search ---------------------------------------------------------------------------------

def test_question_from_the_url_renders_a_citation_first(app: AppTest):
    app.query_params["q"] = "list of participants contained in document"
    app.run()
    assert not app.exception
    assert any(c.endswith("para. 46") for c in citations(app))
    assert "<mark>A <b>list</b> of <b>participants</b>" in markdown(app)


def test_typed_question_renders_citations_and_sets_the_url(app: AppTest):
    app.run()
    app.text_input(key="question").input("free legal assistance for victims").run()
    assert not app.exception
    assert citations(app)[0].endswith("Recommendation 7")
    assert app.query_params["q"] in (["free legal assistance for victims"], "free legal assistance for victims")


def test_show_context_puts_the_neighbouring_paragraphs_in_place(app: AppTest):
    app.query_params["q"] = "criminal records could disrupt lives"
    app.run()
    assert citations(app)[0].endswith("para. 9")
    assert "Ms\\. Axam" not in captions(app)
    app.toggle(key=[t.key for t in app.toggle][0]).set_value(True).run()
    shown = captions(app)
    assert "**8**" in shown and "**10**" in shown  # the paragraphs before and after para. 9


def test_open_in_reader_from_a_hit_lands_on_its_paragraph(app: AppTest):
    app.query_params["q"] = "criminal records could disrupt lives"
    app.run()
    click(app, "read-")
    assert not app.exception
    assert app.sidebar.radio[0].value == "Reader"
    assert app.query_params["doc"] in ([SEED], SEED) and app.query_params["para"] in (["9"], "9")
    assert "You opened the document here" in captions(app)
    assert any(c.endswith("para. 9") for c in citations(app))


def test_the_chart_of_where_matches_sit_is_drawn_once_its_expander_is_opened(app: AppTest):
    app.query_params["q"] = "victims"
    app.run()
    assert not app.get("vega_lite_chart")  # closed: no second search, no chart code in the browser
    assert [e.label for e in app.expander] == ["Where the matches sit, by year and document"]
    app.session_state["chart-open"] = True  # what opening it does (on_change="rerun")
    app.run()
    charts = app.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["encoding"]["color"]["field"] == "year"


# -- reader ---------------------------------------------------------------------------------

def test_reader_link_shows_the_whole_document_with_headings(app: AppTest):
    app.query_params["doc"] = SEED
    app.query_params["para"] = "Recommendation 7"
    app.run()
    assert not app.exception
    text = markdown(app)
    assert "### II\\. Recommendations" in text
    assert "**48**" in text and "**Recommendation 14**" in text  # the document in full
    assert "Opened at" in text and "(#p-recommendation-7)" in text
    assert any(c.endswith("Recommendation 7") for c in citations(app))


def test_reader_with_an_unknown_document_warns_and_shows_the_first(app: AppTest):
    app.query_params["doc"] = "no-such-report"
    app.run()
    assert not app.exception
    assert "no-such-report" in app.warning[0].value


# -- reading pack -----------------------------------------------------------------------------

def test_pack_collects_reorders_annotates_and_exports(app: AppTest, downloads: dict[str, bytes]):
    app.query_params["q"] = "free legal assistance for victims"
    app.run()
    first, second = citations(app)[:2]
    click(app, "pack-", 0)
    assert [b.label for b in app.button if b.key.startswith("pack-")][:2] == ["In pack \u2713", "Add to pack"]
    click(app, "pack-", 1)
    go(app, "Reading pack")
    assert not app.exception
    click(app, "down-", 0)
    app.text_area[0].input("Use in module 2").run()
    md = downloads["reading-pack.md"].decode()
    assert md.index(second) < md.index(first)
    assert "Use in module 2" in md and "## Sources" in md
    csv_text = downloads["reading-pack.csv"].decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith(f"1,{json.dumps(second)}") or second in csv_text.splitlines()[1]
    from docx import Document

    docx_text = "\n".join(p.text for p in Document(io.BytesIO(downloads["reading-pack.docx"])).paragraphs)
    assert first in docx_text and "Use in module 2" in docx_text
    saved = json.loads(downloads["reading-pack.json"])
    assert [s["paragraph"] for s in saved][1] == "Recommendation 7"


def test_a_saved_pack_loads_back(app: AppTest):
    app.run()
    go(app, "Reading pack")
    assert "empty" in app.info[0].value
    pack = [{"citation": "Report of the Working Group on Trafficking in Persons, 14 July 2022, para. 9", "note": "n1"},
            {"document": SEED, "paragraph": "rec:1", "note": ""}]
    app.file_uploader(key="pack-file").upload("p.json", json.dumps(pack).encode(), "application/json").run()
    app.button[-1].click().run()
    assert not app.exception
    text = markdown(app)
    assert "**1. Report of the Working Group" in text and "**2. " in text
    assert app.text_area[0].value == "n1"


# -- library ----------------------------------------------------------------------------------

def test_library_page_lists_documents(app: AppTest):
    app.query_params["view"] = "library"
    app.run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["file"]) == [SEED] and int(table["units"][0]) == 62


def test_upload_indexes_good_files_and_names_bad_ones(writable, tmp_path: Path):
    corpus, index = writable
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = "library"
    at.run()
    at.file_uploader[0].set_value([
        ("../../escape attempt.txt", MARKUP_DOC.encode(), "text/plain"),
        ("broken.txt", b"\x00\x01\x02" * 50, "text/plain"),
    ]).run()
    at.button[0].click().run()
    assert not at.exception
    assert "escape_attempt.txt: indexed, 3 paragraphs" in [s.value for s in at.success]
    assert any("broken.txt" in e.value and "binary" in e.value for e in at.error)
    assert (corpus / "escape_attempt.txt").is_file() and not (corpus / "broken.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index"]  # nothing written beside them
    assert not (index / ".uploads").exists()
    at.run()
    assert "escape_attempt.txt" in list(at.dataframe[0].value["file"])


def test_remove_deletes_the_file_and_reindexes(writable):
    corpus, _ = writable
    (corpus / "markup.txt").write_text(MARKUP_DOC, encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = "library"
    at.run()  # the cached index predates markup.txt; rebuild through the page below
    at.selectbox[0].set_value(SEED).run()
    at.checkbox[0].check().run()
    [b for b in at.button if b.label == "Remove"][0].click().run()
    assert not at.exception
    assert not (corpus / SEED).exists()
    assert list(at.dataframe[0].value["file"]) == ["markup.txt"]


# -- safe display ---------------------------------------------------------------------------------

def test_markup_in_a_document_is_shown_as_text(writable):
    corpus, index = writable
    (corpus / "markup.txt").write_text(MARKUP_DOC, encoding="utf-8")
    build(corpus, index, embedder=HashingEmbedder(), progress=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["q"] = "pwned injected javascript alert bold claims"
    at.run()
    assert citations(at)[0].startswith("Report with markup")
    shown = markdown(at)
    for raw in ("<script>", '<b id="injected">', "](javascript:", "**bold claims**"):
        assert raw not in shown
    assert "&lt;script&gt;" in shown and "\\*\\*<b>bold</b> <b>claim" in shown
    at.query_params.clear()
    at2 = AppTest.from_file(APP, default_timeout=60)
    at2.query_params["doc"] = "markup.txt"
    at2.run()
    read = markdown(at2)
    assert "<script>" not in read and "\\[the link\\]\\(javascript\\:alert\\(1\\)\\)" in read


def test_a_search_opens_with_the_best_answer_and_its_citation(app: AppTest):
    app.query_params["q"] = "criminal records could disrupt lives"
    app.run()
    assert not app.exception
    answers = [m.value for m in app.markdown if m.value.startswith("**Answer:**")]
    first = app.code[0].value  # the first hit's citation
    assert len(answers) == 1 and answers[0].replace("\\", "").endswith(f"({first})")
