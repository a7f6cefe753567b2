"""tipsearch in the browser: ask a question, read the cited paragraphs. Thin: calls the library only."""

from __future__ import annotations

import os

import streamlit as st

from tipsearch import Library, TipsearchError
from tipsearch.display import highlighted, inert

INDEX = os.environ.get("TIPSEARCH_INDEX", "index")

st.set_page_config(page_title="tipsearch", page_icon="\U0001f50e", layout="wide")


@st.cache_resource(show_spinner="Opening the index and the model...")
def open_library(index: str) -> Library:
    library = Library.open(index)
    library.search("warm up", k=1)  # loads the model once, not on the first question
    return library


st.title("tipsearch")
st.caption("Ask a question about anti-trafficking reports; every answer is a cited paragraph.")

try:
    lib = open_library(INDEX)
except TipsearchError as e:
    st.error(str(e))
    st.stop()

question = st.text_input(
    "Question", value=st.query_params.get("q", ""),
    placeholder="e.g. Do victims have a right to free legal assistance?",
)
k = st.sidebar.slider("Paragraphs to show", 1, 30, 10)
if question:
    st.query_params["q"] = question  # the search is now a shareable link
    try:
        hits = lib.search(question, k=k)
    except TipsearchError as e:  # e.g. the index damaged under a running app
        st.error(str(e))
        st.stop()
    if not hits:
        st.info("No paragraph matches. Try other words.")
    for hit in hits:
        with st.container(border=True):
            st.markdown(f"**{inert(hit.citation)}**")
            section = " \u203a ".join(hit.unit.paragraph.section)
            if section:
                st.caption(section)
            st.markdown(highlighted(hit.text, hit.answer), unsafe_allow_html=True)
else:
    docs = lib.documents()
    st.write(f"{sum(d.units for d in docs)} paragraphs from {len(docs)} document(s) are indexed.")
