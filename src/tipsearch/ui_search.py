"""The search page: a question, its cited paragraphs, context in place, and where the matches sit."""

from __future__ import annotations

import altair as alt
import streamlit as st

from . import ui_state
from .display import inert, marked
from .library import Library
from .overview import spread
from .records import Hit, Unit

CHART_MATCHES = 50


def sidebar_filters() -> None:
    """The place for issue 5's filters (years, documents, body, kind); nothing to filter yet."""


def related_slot(lib: Library, hit: Hit) -> None:
    """The place for issue 5's related units across years, shown inline under a hit."""


def _context_line(unit: Unit) -> str:
    p = unit.paragraph
    return f"**{inert(p.label or p.number)}** {inert(p.text)}"


def _hit(lib: Library, hit: Hit, question: str) -> None:
    unit, p = hit.unit, hit.unit.paragraph
    with st.container(border=True):
        st.code(hit.citation, language=None, wrap_lines=True)  # the copy button is one click
        if p.section:
            st.caption(inert(" \u203a ".join(p.section)))
        before, body, after = st.container(), st.container(), st.container()
        body.markdown(marked(p.text, hit.answer, question), unsafe_allow_html=True)
        show, add, read, _ = st.columns([1.2, 1.2, 1.4, 3])
        if show.toggle("Show context", key=f"context-{unit.id}"):
            units = lib.context(unit.id, before=1, after=1)
            at = next(i for i, u in enumerate(units) if u.id == unit.id)
            for u in units[:at]:
                before.caption(_context_line(u))
            for u in units[at + 1:]:
                after.caption(_context_line(u))
        in_pack = ui_state.in_pack(unit)
        add.button("In pack \u2713" if in_pack else "Add to pack", key=f"pack-{unit.id}", disabled=in_pack,
                   on_click=ui_state.add_to_pack, args=(unit,))
        read.button("Open in reader", key=f"read-{unit.id}", on_click=ui_state.open_reader,
                    args=(unit.document.file, p.label or p.number))
        related_slot(lib, hit)


def _chart(lib: Library, question: str) -> None:
    rows = spread(lib.matches(question, k=CHART_MATCHES))
    data = [{"year": str(r.year or "undated"), "document": r.document, "matches": r.matches} for r in rows]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("document:N", sort=None, title=None, axis=alt.Axis(labelLimit=420)),
            x=alt.X("matches:Q", title=f"of the {CHART_MATCHES} best matches"),
            color=alt.Color("year:N", title="year"),
            tooltip=["document:N", "year:N", "matches:Q"],
        )
    )
    st.altair_chart(chart, width="stretch")


def page(lib: Library) -> None:
    st.title("Search")
    question = st.text_input(
        "Question", key="question", placeholder="e.g. Do victims have a right to free legal assistance?",
    )
    k = st.sidebar.slider("Paragraphs to show", 1, 30, 10)
    sidebar_filters()
    ui_state.set_url(q=question)  # the search is a shareable link
    if not question:
        docs = lib.documents()
        st.write(f"{sum(d.units for d in docs)} paragraphs from {len(docs)} document(s) are indexed. "
                 "Ask in plain language; every answer is a cited paragraph.")
        return
    hits = lib.search(question, k=k)
    if not hits:
        st.info("No paragraph matches. Try other words.")
        return
    with st.expander("Where the matches sit, by year and document"):
        _chart(lib, question)
    for hit in hits:
        _hit(lib, hit, question)
