"""What the app's pages share: where the index is, the cached library, the reading pack, navigation."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import streamlit as st

from tipsearch.models.embedders import Embedder, load_embedder
from tipsearch.export import PackItem, item
from tipsearch.index.layout import IndexLayout
from tipsearch.library import Library
from tipsearch.records import Unit

VIEWS = ("Search", "Timeline", "Reader", "Library", "Reading pack")
_URL_VIEW = {"search": "Search", "timeline": "Timeline", "compare": "Compare", "reader": "Reader", "library": "Library",
             "pack": "Reading pack"}
# Widget values that outlive a page switch (Streamlit drops a widget's state when it is not drawn).
KEPT = ("question", "f-years", "f-docs", "f-body", "f-kind", "f-lang", "f-group-on", "f-group")

STYLE = """
<style>
.stMarkdown p, .stMarkdown li { font-family: Georgia, 'Times New Roman', serif; font-size: 1.03rem; line-height: 1.62; }
.stMarkdown mark { background: #fff1b8; padding: 0 .1em; border-radius: 2px; }
.stMarkdown b { color: #123c69; }
[data-testid="stCaptionContainer"] p { font-family: inherit; }
/* The citation is a code block for its copy button, but it reads as the hit's heading. */
[data-testid="stCode"] pre, [data-testid="stCode"] code { font-family: Georgia, serif !important; font-weight: 600;
  font-size: 1.02rem; color: #123c69; background: #eef3f9; }
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; }
/* Related units sit under their hit, set off by a rule on the left. */
[class*="st-key-rel-list-"] { border-left: 3px solid #c9d6e6; padding-left: .9rem; }
[class*="st-key-rel-list-"] [data-testid="stCode"] code { font-size: .95rem; }
</style>
"""


def index_dir() -> Path:
    return Path(os.environ.get("TIPSEARCH_INDEX", "index"))


def corpus_dir() -> Path:
    return Path(os.environ.get("TIPSEARCH_CORPUS", "corpus"))


@st.cache_resource(show_spinner="Loading the model...")
def _embedder(model: str, precision: str) -> Embedder:
    embedder = load_embedder(model, precision=precision)
    embedder.embed(["warm up"])  # the first call pays for lazy set-up; pay it here, not on the first question
    return embedder


@st.cache_resource(show_spinner="Opening the index...")
def _library(index: str) -> Library:
    # The model is kept across reopenings after an upload, at the precision the index was built with.
    # TIPSEARCH_STORE: where the index's vectors are (`--store`), when not where it was built.
    return Library.open(index, load=_embedder, store=os.environ.get("TIPSEARCH_STORE") or None)


def library() -> Library:
    lib = _library(str(index_dir()))
    if lib.preparing_multilingual and _live_generation() not in (None, lib.manifest.generation):
        reopen()  # the build's multilingual pass has switched in: open what it made
        lib = _library(str(index_dir()))
    return lib


def _live_generation() -> str | None:
    manifest = IndexLayout(index_dir()).manifest_or_none()
    return manifest.generation if manifest is not None else None


def reopen() -> None:
    """After the index changed on disk: drop the open library; the model stays loaded."""
    _library.clear()


# -- navigation ----------------------------------------------------------------------------

def start() -> None:
    """Once per session: take the view, question and reader position from the URL."""
    state = st.session_state
    if "view" in state:
        return
    params = st.query_params
    state.question = params.get("q", "")
    # `doc` is the reader's document, or on a search or timeline link a document filter.
    reading = params.get("doc") and not state.question
    state.view = _URL_VIEW.get(params.get("view", ""), "Reader" if reading else "Search")
    state.reader_doc = params.get("doc") if state.view == "Reader" else None
    state.reader_para = params.get("para") if state.view == "Reader" else None
    state.compare_old = params.get("old") if state.view == "Compare" else None
    state.compare_new = params.get("new") if state.view == "Compare" else None
    state.url_filters = (
        {name: params.get_all(name) for name in ("from", "to", "doc", "body", "kind", "state", "lang", "group")}
        if state.view in ("Search", "Timeline") else {}
    )
    state.pack = []


def keep() -> None:
    """Every run: re-assign the kept widget values, so that a page switch does not drop them."""
    state = st.session_state
    for name in KEPT:
        if name in state:
            state[name] = state[name]


def set_url(**params: str | list[str] | None) -> None:
    """Make the page a link: the URL carries exactly these parameters."""
    st.query_params.from_dict({k: v for k, v in params.items() if v})


def open_reader(document: str, paragraph: str | None = None) -> None:
    """A button callback: show the reader at a paragraph (runs before the next script run)."""
    st.session_state.view = "Reader"
    st.session_state.reader_doc = document
    st.session_state.reader_para = paragraph


# -- the reading pack ------------------------------------------------------------------------

def pack() -> list[PackItem]:
    return st.session_state.setdefault("pack", [])


def key(i: PackItem) -> str:
    return f"{i.file}#{i.ref}"


def in_pack(unit: Unit) -> bool:
    return key(item(unit)) in {key(i) for i in pack()}


def add_to_pack(unit: Unit) -> None:
    if not in_pack(unit):
        pack().append(item(unit))


def move(position: int, step: int) -> None:
    items = pack()
    target = position + step
    if 0 <= target < len(items):
        items[position], items[target] = items[target], items[position]


def drop(position: int) -> None:
    del pack()[position]


def set_note(position: int, widget_key: str) -> None:
    items = pack()
    items[position] = replace(items[position], note=st.session_state[widget_key])


def replace_pack(items: list[PackItem]) -> None:
    st.session_state.pack = list(items)
