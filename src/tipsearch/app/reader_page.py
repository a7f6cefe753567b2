"""The document reader: a document in full, with numbers and headings, opened at a paragraph."""

from __future__ import annotations

import re

import streamlit as st

from tipsearch.app import state as ui_state
from tipsearch.citations import document_name, paragraph_ref
from tipsearch.app.display import inert
from tipsearch.errors import NotFoundError
from tipsearch.export import match_paragraph
from tipsearch.library import Library
from tipsearch.ingest.dates import human_date
from tipsearch.records import Paragraph, Unit

WINDOW = 200  # paragraphs drawn at once: a whole report is fine, a 5,000-unit compilation is paged


def anchor(ref: str) -> str:
    return "p-" + re.sub(r"[^A-Za-z0-9]+", "-", ref).strip("-").lower()


def _ref(p: Paragraph) -> str:
    """The unit's number as the reader shows it: "PP 3" for a preambular paragraph, so that it is never taken for
    operative paragraph 3; a part's units ("resolution 99/2") and a translation's carry it in their anchor."""
    if p.kind == "article":  # "art. 2, para. 1", "art. 1 (a)": an article's paragraphs apart
        return paragraph_ref(p)
    return f"PP {p.number}" if p.kind == "preamble" else p.label or p.number


def _anchor_of(p: Paragraph) -> str:
    return anchor(" ".join(x for x in (p.part, _ref(p), p.language) if x))


def _unit(unit: Unit, target: Unit | None) -> None:
    p = unit.paragraph
    ref = _ref(p)
    # Our own anchor tag; the ref comes from the index but is reduced to [a-z0-9-] first.
    st.markdown(f'<a id="{_anchor_of(p)}"></a>', unsafe_allow_html=True)
    text = f"**{inert(ref)}**\u2003{inert(p.text)}"
    if target is not None and unit.id == target.id:
        with st.container(border=True):
            st.caption("You opened the document here")
            st.markdown(text)
            st.code(unit.citation, language=None, wrap_lines=True)
            st.button("Add to pack", key=f"reader-pack-{unit.id}", disabled=ui_state.in_pack(unit),
                      on_click=ui_state.add_to_pack, args=(unit,))
    else:
        st.markdown(text)


def page(lib: Library) -> None:
    docs = lib.documents()
    if not docs:
        st.info("The index has no documents yet: add some on the Library page.")
        return
    files = [d.file for d in docs]
    state = st.session_state
    try:
        current = lib.document(state.get("reader_doc") or files[0])[0].file
    except NotFoundError:
        st.warning(f"No document {state.reader_doc!r} in the index; showing the first one.")
        current, state.reader_para = files[0], None
    names = {d.file: f"{document_name(d)} \u2014 {d.file}" for d in docs}
    chosen = st.selectbox("Document", files, index=files.index(current), format_func=names.get)
    if chosen != current:
        state.reader_para = None
    state.reader_doc = chosen
    doc, units = lib.document(chosen)
    para = state.get("reader_para")
    target = match_paragraph(units, para) if para else None
    ui_state.set_url(view="reader", doc=doc.file, para=para)

    st.title(document_name(doc))
    meta = [doc.title, doc.body, human_date(doc.date), f"{len(units)} paragraphs", doc.file]
    st.caption(inert(" \u00b7 ".join(m for m in meta if m)))
    if para and target is None:
        st.warning(f"No paragraph {para!r} in this document; showing it from the start.")
    elif target is not None:
        st.markdown(f"Opened at **{inert(target.citation)}**. [Go to it](#{_anchor_of(target.paragraph)})")

    at = units.index(target) if target is not None else 0
    start = max(0, at - 10) if len(units) > WINDOW else 0
    if len(units) > WINDOW:
        start = st.number_input("Show from unit", 1, len(units), start + 1) - 1
    last: tuple[str, ...] = ()
    for unit in units[start:start + WINDOW]:
        section = unit.paragraph.section
        for depth, heading in enumerate(section):
            if section[: depth + 1] != last[: depth + 1]:
                st.markdown(f"{'#' * min(depth + 3, 5)} {inert(heading)}")
        last = section
        _unit(unit, target)
