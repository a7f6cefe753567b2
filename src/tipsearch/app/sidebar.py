"""The sidebar filters shared by the Search and Timeline pages, and their form in the URL.

Widget values live in session state under the keys in FILTER_KEYS (kept across pages by
`ui_state.keep`); the URL carries them as `from`, `to`, `doc` (repeatable), `body`, `kind`, `state`, `lang`
and `group`, so a filtered search is still a link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import streamlit as st

from tipsearch.citations import document_name
from tipsearch.errors import NotFoundError
from tipsearch.ingest.language import LANGUAGES
from tipsearch.search.filters import Filters
from tipsearch.library import Library
from tipsearch.records import Document

ANY_BODY = "All bodies"
ANY_LANGUAGE = "any"
KINDS = {"any": None, "recommendations": "recommendation", "other": "other"}
URL_KIND = {v: k for k, v in KINDS.items() if v}
FILTER_KEYS = ("f-years", "f-docs", "f-body", "f-kind", "f-lang")
GROUP_KEYS = ("f-group-on", "f-group")
MAX_GROUP = 5


@dataclass(frozen=True)
class Chosen:
    """What the sidebar chose: the library's Filters and the same choice as URL parameters."""

    filters: Filters = field(default_factory=Filters)
    params: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """A short line naming the active filters ("2010-2015 · recommendations"), empty when none."""
        f, parts = self.filters, []
        if f.year_from is not None:
            parts.append(str(f.year_from) if f.year_from == f.year_to else f"{f.year_from}\u2013{f.year_to}")
        if f.documents:
            parts.append(f"{len(f.documents)} document(s)")
        if f.body:
            parts.append(f.body)
        if f.kind:
            parts.append(URL_KIND[f.kind])
        if f.state:
            parts.append(f"recommended by {f.state}")
        if f.language:
            parts.append(f"in {LANGUAGES[f.language]}")
        return " \u00b7 ".join(parts)


def year_range(docs: Sequence[Document]) -> tuple[int, int] | None:
    """The indexed documents' first and last year; None when there is nothing to choose between."""
    years = sorted({d.year for d in docs if d.year is not None})
    return (years[0], years[-1]) if len(years) > 1 else None


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(high, max(low, int(value))) if value else default
    except ValueError:
        return default


def initial(url: Mapping[str, list[str]], docs: Sequence[Document], lib: Library) -> tuple[dict, list[str]]:
    """Widget values from the URL the session was opened with; and the document refs it names that are unknown."""
    first = {name: values[0] if values else None for name, values in url.items()}
    values: dict = {"f-kind": URL_KIND.get(first.get("kind") or "", "any"), "f-body": first.get("body") or ANY_BODY,
                    "f-state": first.get("state") or ""}
    lang = (first.get("lang") or "").lower()
    values["f-lang"] = lang if lang in LANGUAGES else ANY_LANGUAGE
    span = year_range(docs)
    if span:
        low, high = span
        start = _int(first.get("from"), low, low, high)
        values["f-years"] = (start, max(start, _int(first.get("to"), high, low, high)))
    files, unknown = [], []
    for ref in url.get("doc", []):
        try:
            files.append(lib.document(ref)[0].file)  # a symbol in the link is fine too
        except NotFoundError:
            unknown.append(ref)
    values["f-docs"] = list(dict.fromkeys(files))
    group = first.get("group")
    values["f-group-on"] = bool(group)
    values["f-group"] = _int(group, 1, 1, MAX_GROUP)
    return values, unknown


def _ensure(lib: Library, docs: Sequence[Document]) -> None:
    """Once per session: set the widgets from the URL, and say which linked documents are not indexed."""
    state = st.session_state
    if "f-kind" in state:
        return
    values, unknown = initial(state.get("url_filters", {}), docs, lib)
    for key, value in values.items():
        state.setdefault(key, value)
    if unknown:
        state.unknown_docs = unknown


def clear() -> None:
    """A button callback: back to everything."""
    state = st.session_state
    span = state.get("year-span")
    if span:
        state["f-years"] = tuple(span)
    state["f-docs"], state["f-body"], state["f-kind"], state["f-state"] = [], ANY_BODY, "any", ""
    state["f-lang"] = ANY_LANGUAGE


def sidebar(lib: Library) -> Chosen:
    """Draw the filters in the sidebar; return the Filters and their URL form."""
    docs = lib.documents()
    _ensure(lib, docs)
    state, bar = st.session_state, st.sidebar
    if unknown := state.pop("unknown_docs", None):
        st.warning(f"Not in the index, so not filtered on: {', '.join(unknown)}. See the Library page for the documents.")
    bar.markdown("#### Filters")
    params: dict[str, str | list[str]] = {}
    year_from = year_to = None
    span = year_range(docs)
    state["year-span"] = span
    if span:
        years = state.get("f-years")
        if not (isinstance(years, (tuple, list)) and len(years) == 2 and span[0] <= years[0] <= years[1] <= span[1]):
            state["f-years"] = span  # first use, or the index changed under the old choice
        chosen = bar.slider("Years", span[0], span[1], key="f-years")
        if tuple(chosen) != span:
            year_from, year_to = chosen
            params.update({"from": str(year_from), "to": str(year_to)})
    names = {d.file: f"{d.year or 'undated'} \u00b7 {document_name(d)}" for d in docs}
    state["f-docs"] = [f for f in state.get("f-docs", []) if f in names]  # a removed document drops out
    files = bar.multiselect("Documents", list(names), key="f-docs", format_func=names.get,
                            placeholder="All documents")
    if files:
        params["doc"] = list(files)
    bodies = sorted({d.body for d in docs if d.body} | ({state["f-body"]} - {ANY_BODY}))
    body = bar.selectbox("Body", [ANY_BODY, *bodies], key="f-body")
    if body != ANY_BODY:
        params["body"] = body
    kind = bar.radio("Kind", list(KINDS), key="f-kind",
                     help="Recommendations are the numbered \u201cRecommendation N\u201d units; other is everything else.")
    if KINDS[kind]:
        params["kind"] = KINDS[kind]
    recommending = _state(bar, docs)
    if recommending:
        params["state"] = recommending
    language = _language(bar, docs)
    if language:
        params["lang"] = language
    filters = Filters(year_from, year_to, tuple(files), None if body == ANY_BODY else body, KINDS[kind], recommending,
                      language)
    if not filters.empty:
        bar.button("Clear filters", key="clear-filters", on_click=clear)
    return Chosen(filters, params)


def _state(bar, docs: Sequence[Document]) -> str | None:
    """The recommending-State box, shown where the index holds review reports or their tables."""
    if not any(d.kind in ("review", "table") for d in docs) and not st.session_state.get("f-state"):
        return None
    chosen = bar.text_input("Recommending State", key="f-state", placeholder="Any State",
                            help="Only review recommendations made by this State (part of its name is enough).")
    return chosen.strip() or None


def _language(bar, docs: Sequence[Document]) -> str | None:
    """The document-language box, shown where the index holds documents in more than one language."""
    present = [c for c in LANGUAGES if any(d.language == c for d in docs)]
    chosen = st.session_state.get("f-lang", ANY_LANGUAGE)
    if len(present) < 2 and chosen == ANY_LANGUAGE:
        return None
    options = [ANY_LANGUAGE, *dict.fromkeys([*present, *([chosen] if chosen != ANY_LANGUAGE else [])])]
    names = {ANY_LANGUAGE: "Any language", **LANGUAGES}
    picked = bar.selectbox("Document language", options, key="f-lang", format_func=names.get,
                           help="Only documents written in this language; a question may be in any of them.")
    return None if picked == ANY_LANGUAGE else picked


def group() -> int | None:
    """The "group by document" choice: at most this many paragraphs per document, or None."""
    bar = st.sidebar
    if not bar.checkbox("Group by document", key="f-group-on",
                        help="At most a few paragraphs per document, so one long report does not crowd out the rest."):
        return None
    return bar.slider("Paragraphs per document", 1, MAX_GROUP, key="f-group")
