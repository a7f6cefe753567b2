"""The Streamlit app, driven by AppTest on an index built with the hashing embedder."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def app(hash_index: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TIPSEARCH_INDEX", str(hash_index))
    return AppTest.from_file(APP, default_timeout=60)


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_question_from_the_url_renders_a_citation(app: AppTest):
    app.query_params["q"] = "list of participants contained in document"
    app.run()
    assert not app.exception
    assert "para\\. 46" in markdown(app)
    assert "<mark>A list of participants" in markdown(app)


def test_typed_question_renders_citations_and_sets_the_url(app: AppTest):
    app.run()
    app.text_input[0].input("free legal assistance for victims").run()
    assert not app.exception
    assert "Recommendation 7" in markdown(app)
    assert app.query_params["q"] == ["free legal assistance for victims"] or app.query_params["q"] == "free legal assistance for victims"


def test_missing_index_is_an_error_message_not_a_traceback(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_INDEX", str(tmp_path / "none"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "tipsearch build" in at.error[0].value
