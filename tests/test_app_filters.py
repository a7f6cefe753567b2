"""The app's sidebar filters and grouping on the multi-year fixtures: applied, in the URL, kept across pages."""

from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from tipsearch import Library

APP = str(ROOT / "app.py")
QUESTION = "victims who were trafficked"


@pytest.fixture
def app(multiyear_app: AppTest) -> AppTest:
    return multiyear_app


@pytest.fixture(scope="module")
def where(multiyear_units) -> dict[str, tuple[int | None, str]]:
    """Every unit's citation -> (year, file) of its document."""
    return {c: (u.document.year, u.document.file) for c, u in multiyear_units.items()}


def citations(at: AppTest) -> list[str]:
    return [c.value for c in at.code]


def param(at: AppTest, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def search(app: AppTest, **params) -> AppTest:
    app.query_params.update({"q": QUESTION, **params})
    app.run()
    assert not app.exception
    return app


def test_without_filters_the_results_span_several_years(app: AppTest, where):
    years = {where[c][0] for c in citations(search(app))}
    assert len(years) >= 3  # so the filtered tests below could fail


def test_a_year_filter_in_the_link_shows_only_that_year(app: AppTest, where):
    search(app, **{"from": "2010", "to": "2010"})
    shown = citations(app)
    assert shown and {where[c][0] for c in shown} == {2010}
    assert app.sidebar.slider(key="f-years").value == (2010, 2010)
    assert (param(app, "from"), param(app, "to")) == ("2010", "2010")
    assert "filtered" in app.caption[0].value and "2010" in app.caption[0].value


def test_out_of_range_years_in_the_link_are_clamped(app: AppTest):
    search(app, **{"from": "1990", "to": "2012"})
    assert app.sidebar.slider(key="f-years").value == (2010, 2012)


def test_filters_chosen_in_the_sidebar_reach_results_and_url(app: AppTest, where):
    search(app)
    app.sidebar.radio(key="f-kind").set_value("recommendations").run()
    shown = citations(app)
    assert shown and all("Recommendation" in c for c in shown)
    assert param(app, "kind") == "recommendation"

    app.sidebar.radio(key="f-kind").set_value("any").run()
    app.sidebar.multiselect(key="f-docs").set_value(["wg-2023-report.txt", "wg-2010-report.txt"]).run()
    assert {where[c][1] for c in citations(app)} == {"wg-2023-report.txt", "wg-2010-report.txt"}
    assert sorted(app.query_params["doc"]) == ["wg-2010-report.txt", "wg-2023-report.txt"]
    assert "kind" not in app.query_params

    app.sidebar.multiselect(key="f-docs").set_value([]).run()
    app.sidebar.selectbox(key="f-body").set_value("National Rapporteur on Trafficking in Human Beings").run()
    assert {where[c][1] for c in citations(app)} == {"rapporteur-2019-annual.txt"}
    assert param(app, "body") == "National Rapporteur on Trafficking in Human Beings"


def test_a_document_in_the_link_may_be_a_symbol_and_an_unknown_one_is_named(app: AppTest, where):
    search(app, doc=["CTOC/COP/WG.4/2015/6", "no-such-report"])
    assert {where[c][1] for c in citations(app)} == {"wg-2015-report.txt"}
    assert "no-such-report" in app.warning[0].value
    assert param(app, "doc") == "wg-2015-report.txt"


def test_no_match_within_the_filters_is_a_friendly_message_with_a_way_out(app: AppTest):
    search(app, kind="recommendation", doc="rapporteur-2019-annual.txt")  # the rapporteur makes none
    assert citations(app) == []
    assert "within these filters" in app.info[0].value and "recommendations" in app.info[0].value
    app.button(key="clear-filters-empty").click().run()
    assert citations(app) and not app.info
    assert "kind" not in app.query_params and "doc" not in app.query_params


def test_group_by_document_keeps_at_most_n_per_document(app: AppTest, where):
    search(app)
    assert max(Counter(where[c][1] for c in citations(app)).values()) > 1  # so grouping has work to do
    app.sidebar.checkbox(key="f-group-on").check().run()
    per_doc = Counter(where[c][1] for c in citations(app))
    assert max(per_doc.values()) == 1 and len(per_doc) == 5
    assert param(app, "group") == "1"
    app.sidebar.slider(key="f-group").set_value(2).run()
    assert max(Counter(where[c][1] for c in citations(app)).values()) == 2
    assert param(app, "group") == "2"


def test_group_from_the_link(app: AppTest, where):
    search(app, group="1")
    assert app.sidebar.checkbox(key="f-group-on").value
    assert max(Counter(where[c][1] for c in citations(app)).values()) == 1


def test_question_and_filters_survive_a_visit_to_other_pages(app: AppTest, where):
    search(app, **{"from": "2015", "to": "2019"})
    app.sidebar.radio(key="f-kind").set_value("other").run()
    for view in ("Reading pack", "Timeline", "Search"):
        app.sidebar.radio[0].set_value(view).run()
        assert not app.exception
    assert app.text_input(key="question").value == QUESTION
    assert app.sidebar.slider(key="f-years").value == (2015, 2019)
    assert app.sidebar.radio(key="f-kind").value == "other"
    shown = citations(app)
    assert shown and all(2015 <= where[c][0] <= 2019 and "Recommendation" not in c for c in shown)


def test_a_filter_link_without_a_question_stays_on_search(app: AppTest):
    app.query_params.update({"view": "search", "doc": "wg-2010-report.txt"})
    app.run()
    assert app.sidebar.radio[0].value == "Search"
    assert app.sidebar.multiselect(key="f-docs").value == ["wg-2010-report.txt"]
    assert param(app, "view") == "search"


def test_a_single_year_index_has_no_year_slider(hash_index: Path, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_INDEX", str(hash_index))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"q": "free legal assistance", "from": "2020"})
    at.run()
    assert not at.exception
    assert [s.key for s in at.sidebar.slider] == [None]  # "Paragraphs to show" only
    assert citations(at)


def test_the_chart_of_matches_keeps_to_the_filters(multiyear_hash_index: Path):
    from tipsearch.search.filters import Filters

    lib = Library.open(multiyear_hash_index)
    assert len({u.document.year for u in lib.matches(QUESTION, k=20)}) >= 3
    kept = lib.matches(QUESTION, k=20, filters=Filters(year_from=2010, year_to=2010))
    assert kept and {u.document.year for u in kept} == {2010}
    lib.close()
