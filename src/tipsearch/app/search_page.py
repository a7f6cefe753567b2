"""The search page: a question, its cited paragraphs, context and related units in place, where the matches sit."""

from __future__ import annotations

import html

import altair as alt
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from tipsearch.app import sidebar as ui_filters

from tipsearch.app import state as ui_state
from tipsearch.app.display import excerpt, inert, marked
from tipsearch.errors import TipsearchError
from tipsearch.search.filters import Filters
from tipsearch.library import PREPARING, Library
from tipsearch.search.overview import spread
from tipsearch.records import Hit, Unit
from tipsearch.search.repeats import also_line
from tipsearch.text import reference_key

CHART_MATCHES = 50
RELATED = 5
# Questions may be in any UN language: each named in itself, so a reader of it recognises it.
PLACEHOLDER = ("e.g. Do victims have a right to free legal assistance? Ask in any UN language: English, français, "
               "español, русский, العربية, 中文")


def _ref(unit: Unit) -> str:
    """How the unit is named to the reader and the lineage: read back to this unit whatever its kind."""
    p = unit.paragraph
    if p.kind == "paragraph":
        return p.number  # a report's paragraph, as people write it in a link (para=9)
    return p.label if p.kind == "recommendation" and p.label else reference_key(p)


def snippet(hit: Hit, question: str, limit: int = 320) -> str:
    """Inert Markdown of a short excerpt of the hit around its answer, answer and question words marked."""
    answer = " ".join(hit.answer.split())
    return marked(excerpt(hit.text, answer, limit), answer, question)


def unit_actions(unit: Unit, prefix: str, where: DeltaGenerator, stacked: bool = False) -> None:
    """"Open in reader" and "add to pack" for a unit shown outside the results list (related, timeline)."""
    read, add = (where, where) if stacked else where.columns(2)
    read.button("Open in reader", key=f"{prefix}-read-{unit.id}", on_click=ui_state.open_reader,
                args=(unit.document.file, _ref(unit)))
    in_pack = ui_state.in_pack(unit)
    add.button("In pack \u2713" if in_pack else "Add to pack", key=f"{prefix}-pack-{unit.id}", disabled=in_pack,
               on_click=ui_state.add_to_pack, args=(unit,))


def related_slot(lib: Library, hit: Hit, filters: Filters) -> None:
    """The units on the hit's subject in other documents, best first, each with year, excerpt and actions."""
    unit = hit.unit
    try:
        related = lib.related(unit.document.file, _ref(unit), k=RELATED, filters=filters)
    except TipsearchError as e:
        st.warning(str(e))
        return
    if not related:
        where = " within these filters" if not filters.empty else ""
        st.caption(f"Nothing on this subject in the other documents{where}.")
        return
    with st.container(key=f"rel-list-{unit.id}"):
        st.caption(f"Same subject in other documents, closest first ({len(related)})")
        for r in related:
            with st.container(border=True):
                text, actions = st.columns([6, 1.3], vertical_alignment="center")
                text.markdown(f"**{r.unit.document.year or 'undated'}**")
                text.code(r.citation, language=None, wrap_lines=True)
                text.caption(inert(excerpt(r.text, limit=260)))
                unit_actions(r.unit, f"rel-{unit.id}", actions, stacked=True)


def _context_line(unit: Unit) -> str:
    p = unit.paragraph
    return f"**{inert(p.label or p.number)}** {inert(p.text)}"


def _hit(lib: Library, hit: Hit, question: str, filters: Filters) -> None:
    unit, p = hit.unit, hit.unit.paragraph
    with st.container(border=True):
        st.code(hit.citation, language=None, wrap_lines=True)  # the copy button is one click
        if p.section:
            st.caption(inert(" \u203a ".join(p.section)))
        before, body, after = st.container(), st.container(), st.container()
        body.markdown(marked(p.text, hit.answer, question), unsafe_allow_html=True)
        if hit.also_in:  # the same text in other documents of its series: one answer, several sources
            body.caption(inert(also_line(hit)))
        show, related, add, read, history = st.columns([1.3, 1.6, 1.2, 1.4, 1.5], vertical_alignment="center")
        if show.toggle("Show context", key=f"context-{unit.id}"):
            units = lib.context(unit.id, before=1, after=1)
            at = next(i for i, u in enumerate(units) if u.id == unit.id)
            for u in units[:at]:
                before.caption(_context_line(u))
            for u in units[at + 1:]:
                after.caption(_context_line(u))
        show_related = related.toggle("Related", key=f"related-{unit.id}",
                                      help="The paragraphs on the same subject in the other documents and years")
        in_pack = ui_state.in_pack(unit)
        add.button("In pack \u2713" if in_pack else "Add to pack", key=f"pack-{unit.id}", disabled=in_pack,
                   on_click=ui_state.add_to_pack, args=(unit,))
        read.button("Open in reader", key=f"read-{unit.id}", on_click=ui_state.open_reader,
                    args=(unit.document.file, _ref(unit)))
        show_history = history.toggle("History", key=f"history-{unit.id}",
                                      help="This paragraph back through the earlier documents of its series")
        if show_related:
            related_slot(lib, hit, filters)
        if show_history:
            history_slot(lib, unit)


def history_slot(lib: Library, unit: Unit) -> None:
    """The unit's lineage, oldest first: where its wording first appeared and each change, marked."""
    steps = lib.history(unit.document.file, _ref(unit))
    if len(steps) == 1:
        st.caption("No earlier document of its series holds this paragraph.")
        return
    what = {"first": "first appears", "same": "same wording"}
    for step in steps:
        label = what.get(step.status, f"changed ({step.similarity:.0%} of the words kept)")
        st.caption(inert(f"{step.unit.document.year or 'undated'} \u00b7 {step.unit.citation} \u00b7 {label}"))
        if step.diff:  # our own <u>/<s> around escaped text
            st.markdown("".join(html.escape(t) if op == "=" else f"<{'u' if op == '+' else 's'}>{html.escape(t)}"
                                f"</{'u' if op == '+' else 's'}>" for op, t in step.diff), unsafe_allow_html=True)


def _chart(lib: Library, question: str, filters: Filters) -> None:
    rows = spread(lib.matches(question, k=CHART_MATCHES, filters=filters))
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


def _nothing(chosen: ui_filters.Chosen) -> None:
    if chosen.filters.empty:
        st.info("No paragraph matches. Try other words.")
        return
    st.info(f"No paragraph matches within these filters ({chosen.summary}). "
            "Widen the years, pick other documents, or clear the filters.")
    st.button("Clear filters", key="clear-filters-empty", on_click=ui_filters.clear)


def _summary(hits: list[Hit], chosen: ui_filters.Chosen, group: int | None) -> None:
    years = sorted({h.unit.document.year for h in hits if h.unit.document.year})
    docs = {h.unit.document.file for h in hits}
    parts = [f"{len(hits)} paragraph(s) from {len(docs)} document(s)"]
    if years:
        parts.append(str(years[0]) if len(years) == 1 else f"{years[0]}\u2013{years[-1]}")
    if group:
        parts.append(f"at most {group} per document")
    if chosen.summary:
        parts.append(f"filtered: {chosen.summary}")
    st.caption(inert(" \u00b7 ".join(parts)))


def page(lib: Library) -> None:
    st.title("Search")
    question = st.text_input(
        "Question", key="question",
        placeholder=PLACEHOLDER,
    )
    k = st.sidebar.slider("Paragraphs to show", 1, 30, 10)
    chosen = ui_filters.sidebar(lib)
    group = ui_filters.group()
    # A filter on a document without a question would read as a reader link: say which page it is.
    view = "search" if "doc" in chosen.params and not question else None
    ui_state.set_url(view=view, q=question, **chosen.params, group=str(group) if group else None)
    if not question:
        docs = lib.documents()
        st.write(f"{sum(d.units for d in docs)} paragraphs from {len(docs)} document(s) are indexed. "
                 "Ask in plain language; every answer is a cited paragraph.")
        return
    if lib.preparing_multilingual:
        st.info(PREPARING)
    hits = lib.search(question, k=k, filters=chosen.filters, group=group)
    if not hits:
        _nothing(chosen)
        return
    _summary(hits, chosen, group)
    best = hits[0]  # the best hit's answer span, cited, before the paragraphs
    st.markdown(f"**Answer:** {inert(best.answer)} ({inert(best.citation)})")
    # Lazy: the chart runs a second search and loads the charting code in the browser, which slowed
    # every results page by ~0.1-0.6 s (bench/app_speed.py), so only an opened expander draws it.
    with st.expander("Where the matches sit, by year and document", key="chart-open", on_change="rerun") as where:
        if where.open:
            _chart(lib, question, chosen.filters)
    for hit in hits:
        _hit(lib, hit, question, chosen.filters)
