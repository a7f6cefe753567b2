"""Related units under a hit and the Timeline page, on the multi-year fixtures (hashing embedder)."""

import json
import re

import pyarrow.ipc
import pytest
from streamlit.testing.v1 import AppTest

from tipsearch.app.display import excerpt
from tipsearch.app.timeline_page import opacity

# The 2010 report's paragraph on not punishing victims, in its own words (see tests/data/multiyear/README.md).
QUESTION = "persons trafficked should not be held criminally liable for unlawful acts"
SUBJECT = "CTOC/COP/WG.4/2010/6, para. 6"


@pytest.fixture
def app(multiyear_app: AppTest) -> AppTest:
    return multiyear_app


@pytest.fixture(scope="module")
def docs(multiyear_units) -> dict[str, object]:
    """Every unit's citation -> its Document."""
    return {c: u.document for c, u in multiyear_units.items()}


def citations(at: AppTest) -> list[str]:
    return [c.value for c in at.code]


def open_related(at: AppTest, citation: str) -> tuple[list[str], list[str]]:
    """Switch on "Related" under the hit with this citation; (the hits, the related citations shown)."""
    hits = citations(at)
    i = hits.index(citation)
    at.toggle(key=[t.key for t in at.toggle if t.key.startswith("related-")][i]).set_value(True).run()
    assert not at.exception
    shown = citations(at)
    extra = len(shown) - len(hits)
    assert shown[:i + 1] == hits[:i + 1] and shown[i + 1 + extra:] == hits[i + 1:]
    return hits, shown[i + 1:i + 1 + extra]


# -- related --------------------------------------------------------------------------------------

def test_related_under_a_hit_lists_the_subject_in_other_documents_never_the_unit_itself(app: AppTest, docs):
    app.query_params["q"] = QUESTION
    app.run()
    assert citations(app)[0] == SUBJECT
    _, related = open_related(app, SUBJECT)
    assert related and SUBJECT not in related
    assert all(docs[c].file != "wg-2010-report.txt" for c in related)  # other documents only
    # The same subject in other words in 2015, 2019 and 2023 (the fixture's README table).
    assert {"CTOC/COP/WG.4/2015/6, para. 5, Recommendation 1", "Background paper 2019, 11 March 2019, para. 4",
            "CTOC/COP/WG.4/2023/4, para. 4, Recommendation 2"} <= set(related)
    shown = "\n".join(m.value for m in app.markdown)
    for c in related:
        assert f"**{docs[c].year}**" in shown


def test_related_keeps_to_the_filters(app: AppTest, docs):
    app.query_params.update({"q": QUESTION, "doc": ["wg-2010-report.txt", "wg-2023-report.txt"]})
    app.run()
    _, related = open_related(app, SUBJECT)
    assert related and {docs[c].file for c in related} == {"wg-2023-report.txt"}


def test_related_with_nothing_left_says_so(app: AppTest):
    app.query_params.update({"q": QUESTION, "doc": "wg-2010-report.txt"})
    app.run()
    _, related = open_related(app, SUBJECT)
    assert related == []
    assert any("Nothing on this subject" in c.value and "within these filters" in c.value for c in app.caption)


def test_a_related_unit_opens_in_the_reader_and_goes_into_the_pack(app: AppTest):
    app.query_params["q"] = QUESTION
    app.run()
    _, related = open_related(app, SUBJECT)
    adds = [b for b in app.button if b.key.startswith("rel-") and "-pack-" in b.key]
    adds[0].click().run()
    assert any(c.value == "1 item(s) in the reading pack" for c in app.sidebar.caption)
    assert next(b for b in app.button if b.key == adds[0].key).label == "In pack \u2713"
    next(b for b in app.button if b.key.startswith("rel-") and "-read-" in b.key).click().run()
    assert app.sidebar.radio[0].value == "Reader"
    assert any(c.value == related[0] for c in app.code)  # the reader is open at that paragraph
    assert "You opened the document here" in [c.value for c in app.caption]


# -- timeline -------------------------------------------------------------------------------------

def _timeline(app: AppTest, question: str, **params) -> list[str]:
    app.query_params.update({"view": "timeline", "q": question, **params})
    app.run()
    assert not app.exception
    assert app.sidebar.radio[0].value == "Timeline"
    return citations(app)


def _opacities(app: AppTest) -> list[float]:
    style = next(m.value for m in app.markdown if ".st-key-timeline-0" in m.value)
    return [float(x) for x in re.findall(r"opacity: ([\d.]+)", style)]


def test_timeline_lists_each_document_that_treats_the_topic_once_in_date_order(app: AppTest, docs):
    shown = _timeline(app, "joint team of police and prosecutors from several countries")
    files = [docs[c].file for c in shown]
    assert len(files) == len(set(files)) == 4
    dates = [docs[c].date for c in shown]
    assert dates == sorted(dates)
    assert files[:2] == ["wg-2010-report.txt", "wg-2015-report.txt"]
    assert "rapporteur-2019-annual.txt" not in files  # it never treats joint teams
    assert param_view(app) == "timeline"


def param_view(app: AppTest) -> str:
    value = app.query_params["view"]
    return value[0] if isinstance(value, list) else value


def test_timeline_dims_weak_matches_and_charts_strength_by_year(app: AppTest):
    _timeline(app, "joint investigation teams sharing evidence")
    shades = _opacities(app)
    assert len(shades) == 3 and max(shades) == 1.0 and min(shades) < 0.8
    strengths = [int(m.group(1)) / 100 for c in app.caption if (m := re.fullmatch(r"(?:weak )?match (\d+)%", c.value))]
    assert [opacity(s) for s in strengths] == pytest.approx(shades, abs=0.011)
    chart = app.get("vega_lite_chart")[0].proto
    spec = json.loads(chart.spec)
    assert spec["encoding"]["x"]["field"] == "year" and spec["encoding"]["y"]["field"] == "strength"
    rows = pyarrow.ipc.open_stream(chart.data.data).read_all().to_pylist()  # Streamlit ships the data as Arrow
    assert [r["year"] for r in rows] == ["2010", "2019", "2023"]
    assert sorted(r["strength"] for r in rows) == pytest.approx(sorted(strengths), abs=0.006)


def test_timeline_keeps_to_the_year_filter(app: AppTest, docs):
    shown = _timeline(app, "joint team of police and prosecutors from several countries",
                      **{"from": "2015", "to": "2023"})
    assert len(shown) == 3 and all(docs[c].year >= 2015 for c in shown)


def test_timeline_keeps_to_the_kind_filter(app: AppTest):
    shown = _timeline(app, "joint team of police and prosecutors from several countries", kind="recommendation")
    assert len(shown) == 2 and all("Recommendation" in c for c in shown)  # only 2015 and 2023 make any


def test_timeline_with_nothing_in_the_filters_says_so(app: AppTest):
    assert _timeline(app, "joint investigation teams", kind="recommendation", doc="rapporteur-2019-annual.txt") == []
    assert "within these filters" in app.info[0].value
    app.button(key="clear-filters-empty").click().run()
    assert len(citations(app)) == 3  # 2010, 2019 and 2023 treat it in these words


def test_timeline_entry_opens_in_the_reader(app: AppTest, docs):
    shown = _timeline(app, "joint investigation teams sharing evidence")
    [b for b in app.button if b.key.startswith("timeline-read-")][-1].click().run()
    assert app.sidebar.radio[0].value == "Reader"
    assert shown[-1] in citations(app)


# -- pieces ---------------------------------------------------------------------------------------

def test_excerpt_is_short_cut_at_words_and_keeps_the_answer():
    text = " ".join(f"word{i}" for i in range(300))
    cut = excerpt(text, "word200 word201", limit=80)
    assert "word200 word201" in cut and len(cut) < 110
    assert cut.startswith("\u2026 word") and cut.endswith(" \u2026")
    assert excerpt("A short\nparagraph.", "x") == "A short paragraph."
    assert excerpt(text, "", limit=40).startswith("word0 ")


def test_opacity_dims_but_keeps_weak_matches_readable():
    assert opacity(1.0) == 1.0 and opacity(0.0) == 0.4 and opacity(0.5) < opacity(0.9)
