"""The compare page: two documents of a series side by side, each unit with its counterpart, changes marked."""

from __future__ import annotations

import html

import streamlit as st

from tipsearch.app import state as ui_state
from tipsearch.citations import document_name
from tipsearch.library import Library
from tipsearch.search.compare import Pair

SHOWN = {"every unit": None, "only changed and new": ("changed", "new", "dropped")}


def _side(pair: Pair, old_side: bool) -> str:
    """One side of a pair as safe HTML: the old text with deletions struck, the new with insertions underlined."""
    unit = pair.old if old_side else pair.new
    if unit is None:
        return ""
    if pair.status != "changed":
        style = ("s" if old_side else "u") if pair.status in ("new", "dropped") else None
        text = html.escape(unit.paragraph.text)
        return f"<{style}>{text}</{style}>" if style else text
    keep = "-" if old_side else "+"
    tag = "s" if old_side else "u"
    return "".join(html.escape(text) if op == "=" else f"<{tag}>{html.escape(text)}</{tag}>"
                   for op, text in pair.diff if op in ("=", keep))


def _choose(lib: Library) -> tuple[str, str] | None:
    docs = lib.documents()
    if len(docs) < 2:
        st.info("Comparing needs two documents: add another on the Library page.")
        return None
    files = [d.file for d in docs]
    names = {d.file: f"{document_name(d)} \u2014 {d.file}" for d in docs}
    state = st.session_state

    def position(ref: str | None, default: int) -> int:
        for d in docs:
            if ref in (d.file, d.symbol, str(d.id)):
                return files.index(d.file)
        return default

    left, right = st.columns(2)
    old = left.selectbox("Old", files, index=position(state.get("compare_old"), 0), format_func=names.get)
    new = right.selectbox("New", files, index=position(state.get("compare_new"), len(files) - 1),
                          format_func=names.get)
    state.compare_old, state.compare_new = old, new
    return old, new


def page(lib: Library) -> None:
    st.title("Compare")
    chosen = _choose(lib)
    if chosen is None:
        return
    old, new = chosen
    ui_state.set_url(view="compare", old=old, new=new)
    c = lib.compare(old, new)
    counts = {s: sum(p.status == s for p in c.pairs) for s in ("same", "changed", "new", "dropped")}
    st.caption(", ".join(f"{n} {s}" for s, n in counts.items()) + " \u00b7 insertions underlined, deletions struck")
    if c.note:
        st.warning(c.note)
    shown = SHOWN[st.radio("Show", list(SHOWN), horizontal=True, key="compare-shown")]
    from tipsearch import redline  # python-docx, only here

    pairs = [p for p in c.pairs if shown is None or p.status in shown]
    st.download_button("Download as Word", redline.docx_bytes(c, pairs), file_name="comparison.docx",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    for pair in pairs:
        with st.container(border=True):
            st.caption(html.escape(redline.heading(pair)))
            left, right = st.columns(2)
            # Our own <s>/<u> tags around text escaped by html.escape: document text is never markup.
            left.markdown(_side(pair, True), unsafe_allow_html=True)
            right.markdown(_side(pair, False), unsafe_allow_html=True)
