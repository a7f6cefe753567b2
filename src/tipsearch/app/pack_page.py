"""The reading pack: collected paragraphs, reordered and annotated, exported for training."""

from __future__ import annotations

import streamlit as st

from tipsearch import export

from tipsearch.app import state as ui_state
from tipsearch.app.display import inert
from tipsearch.library import Library

MIME = {
    "md": "text/markdown",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
LABEL = {"md": "Download Markdown", "docx": "Download Word", "csv": "Download CSV"}


def _item(position: int, i: export.PackItem, count: int) -> None:
    key = ui_state.key(i)
    with st.container(border=True):
        head, up, down, drop = st.columns([8, 1, 1, 1])
        head.markdown(f"**{position + 1}. {inert(i.citation)}**")
        up.button("\u2191", key=f"up-{key}", help="Move up", disabled=position == 0,
                  on_click=ui_state.move, args=(position, -1))
        down.button("\u2193", key=f"down-{key}", help="Move down", disabled=position == count - 1,
                    on_click=ui_state.move, args=(position, 1))
        drop.button("\u2715", key=f"drop-{key}", help="Remove from the pack", on_click=ui_state.drop, args=(position,))
        if i.section:
            st.caption(inert(" \u203a ".join(i.section)))
        st.markdown(inert(i.text))
        st.text_area("Note for this item", value=i.note, key=f"note-{key}", height=68,
                     on_change=ui_state.set_note, args=(position, f"note-{key}"))


def _load(lib: Library) -> None:
    saved = st.file_uploader("Load a saved pack (JSON)", type=["json"], key="pack-file")
    if saved is not None and st.button("Load this pack (replaces the current one)"):
        refs = export.parse_pack(saved.getvalue().decode("utf-8", errors="replace"), saved.name)
        ui_state.replace_pack(export.resolve(lib, refs))
        st.rerun()


def page(lib: Library) -> None:
    st.title("Reading pack")
    ui_state.set_url(view="pack")
    items = ui_state.pack()
    if not items:
        st.info("The pack is empty: use \u201cAdd to pack\u201d on a search result or in the reader.")
    else:
        title = st.text_input("Title", value=export.DEFAULT_TITLE, key="pack-title")
        columns = st.columns(4)
        for column, fmt in zip(columns, export.FORMATS):
            column.download_button(
                LABEL[fmt], export.render(items, fmt, title), file_name=f"reading-pack.{fmt}", mime=MIME[fmt],
                key=f"export-{fmt}",
            )
        columns[3].download_button("Save pack (JSON)", export.pack_json(items), file_name="reading-pack.json",
                                   mime="application/json", key="export-json")
        for position, i in enumerate(items):
            _item(position, i, len(items))
    with st.expander("Load a saved pack"):
        _load(lib)
