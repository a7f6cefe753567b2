"""tipsearch in the browser: search, follow a subject over time, read, manage the library, build a reading pack.

Thin: pages call the library.
"""

from __future__ import annotations

import streamlit as st

from tipsearch import TipsearchError
from tipsearch.app import compare_page as ui_compare
from tipsearch.app import library_page as ui_library
from tipsearch.app import pack_page as ui_pack
from tipsearch.app import reader_page as ui_reader
from tipsearch.app import search_page as ui_search
from tipsearch.app import state as ui_state
from tipsearch.app import timeline_page as ui_timeline

st.set_page_config(page_title="tipsearch", page_icon="\U0001f50e", layout="wide")
st.markdown(ui_state.STYLE, unsafe_allow_html=True)  # our own stylesheet; no document text in it

PAGES = {"Search": ui_search.page, "Timeline": ui_timeline.page, "Compare": ui_compare.page, "Reader": ui_reader.page,
         "Library": ui_library.page, "Reading pack": ui_pack.page}

ui_state.start()
ui_state.keep()
st.sidebar.markdown("### tipsearch")
st.sidebar.caption("UN anti-trafficking reports; every answer a cited paragraph.")
st.sidebar.radio("Go to", list(PAGES), key="view")
st.sidebar.caption(f"{len(ui_state.pack())} item(s) in the reading pack")

try:
    lib = ui_state.library()
    PAGES[st.session_state.view](lib)
except TipsearchError as e:
    st.error(str(e))
