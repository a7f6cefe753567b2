"""The timeline: for a question, each document's closest paragraph in date order, weak matches dimmed."""

from __future__ import annotations

import altair as alt
import streamlit as st

from tipsearch.app import sidebar as ui_filters

from tipsearch.app import state as ui_state
from tipsearch.citations import document_name
from tipsearch.app.display import inert
from tipsearch.library import Library
from tipsearch.ingest.dates import human_date
from tipsearch.search.related import TimelineEntry
from tipsearch.app.search_page import snippet, unit_actions

WEAK = 0.5  # below this share of the best document's score an entry is called a weak match


def opacity(strength: float) -> float:
    """How strongly an entry is drawn: the best match in full, the weakest still readable."""
    return round(0.4 + 0.6 * min(1.0, max(0.0, strength)), 2)


def _style(entries: list[TimelineEntry]) -> None:
    # Our own CSS keyed on the entries' container keys; no document text goes into it.
    rules = "".join(f".st-key-timeline-{i} {{ opacity: {opacity(e.strength)}; }}" for i, e in enumerate(entries))
    st.markdown(f"<style>{rules}</style>", unsafe_allow_html=True)


def _chart(entries: list[TimelineEntry]) -> None:
    data = [{"year": str(e.document.year or "undated"), "document": document_name(e.document),
             "strength": round(e.strength, 3), "citation": e.hit.citation} for e in entries]
    chart = (
        alt.Chart(alt.Data(values=data), height=190)
        .mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3)
        .encode(
            x=alt.X("year:O", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("document:N", sort=None),
            y=alt.Y("strength:Q", title="match strength", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("strength:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), legend=None),
            tooltip=["document:N", "year:N", "citation:N", alt.Tooltip("strength:Q", format=".2f")],
        )
    )
    st.altair_chart(chart, width="stretch")


def _entry(i: int, entry: TimelineEntry, question: str) -> None:
    doc, hit = entry.document, entry.hit
    with st.container(border=True, key=f"timeline-{i}"):
        when, body = st.columns([1, 7])
        when.markdown(f"### {doc.year or 'undated'}")
        strength = "weak match" if entry.strength < WEAK else "match"
        when.caption(f"{strength} {entry.strength:.0%}")
        body.code(hit.citation, language=None, wrap_lines=True)
        meta = [document_name(doc), doc.body, human_date(doc.date)]
        body.caption(inert(" \u00b7 ".join(m for m in dict.fromkeys(meta) if m)))
        body.markdown(snippet(hit, question), unsafe_allow_html=True)
        unit_actions(hit.unit, "timeline", body.columns([2, 3])[0])


def page(lib: Library) -> None:
    st.title("Timeline")
    question = st.text_input(
        "Question", key="question", placeholder="e.g. Do victims have a right to free legal assistance?",
    )
    chosen = ui_filters.sidebar(lib)
    ui_state.set_url(view="timeline", q=question, **chosen.params)
    if not question:
        st.write("Ask a question to follow its subject through the documents: for each one, in date order, "
                 "the paragraph closest to it. Weak matches are dimmed.")
        return
    entries = lib.timeline(question, chosen.filters)
    if not entries:
        where = f" within these filters ({chosen.summary})" if chosen.summary else ""
        st.info(f"No document to show{where}. Widen the years or clear the filters.")
        if chosen.summary:
            st.button("Clear filters", key="clear-filters-empty", on_click=ui_filters.clear)
        return
    st.caption(f"{len(entries)} document(s), oldest first; each with its paragraph closest to the question. "
               "Strength is the match relative to the best document's; weak matches are dimmed.")
    _chart(entries)
    _style(entries)
    for i, entry in enumerate(entries):
        _entry(i, entry, question)
