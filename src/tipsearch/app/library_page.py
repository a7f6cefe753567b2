"""The library page: the indexed documents; upload files into the corpus; remove a document."""

from __future__ import annotations

import streamlit as st

from tipsearch import library as lib_ops
from tipsearch.app import state as ui_state
from tipsearch.app import uploads
from tipsearch.app.display import inert
from tipsearch.citations import document_name
from tipsearch.errors import TipsearchError
from tipsearch.index.build import BuildReport, FileReport
from tipsearch.ingest.parse import corpus_files
from tipsearch.library import Library
from tipsearch.records import Document

WARNING = "\u26a0\ufe0f"  # the warning sign, beside a document whose reading looks wrong somewhere


def _table(lib: Library) -> None:
    docs = lib.documents()
    st.dataframe(
        [{"symbol": d.symbol or "", "title": d.title, "date": d.date or "", "body": d.body or "",
          "units": d.units, "file": d.file, "warnings": f"{WARNING} {len(d.warnings)}" if d.warnings else ""}
         for d in docs],
        hide_index=True, width="stretch",
    )
    flagged = [d for d in docs if d.warnings]
    look = f" {WARNING} {len(flagged)} to look at: how they were read may be wrong somewhere." if flagged else ""
    st.caption(f"{len(docs)} document(s), {sum(d.units for d in docs)} paragraphs.{look}")
    for d in flagged:
        _warnings(d)


def _warnings(doc: Document) -> None:
    """A document's warnings (ingest/checks.py), a line each under its name."""
    lines = "\n".join(f"- {inert(w)}" for w in doc.warnings)
    st.warning(f"**{inert(document_name(doc))}** \u2014 {inert(doc.file)}\n\n{lines}", icon=WARNING)


def _report(report: BuildReport | None, names: set[str], refused: list[tuple[str, str]]) -> None:
    """One line per uploaded file: indexed with its units (and what looks wrong in its reading), or why not."""
    rows = [f for f in report.files if f.file in names] if report else []
    rows += [FileReport(name, "refused", 0, reason) for name, reason in refused]
    for f in rows:
        if f.status in ("indexed", "unchanged"):
            st.success(f"{f.file}: {f.status}, {f.units} paragraphs")
            if f.warnings:
                st.warning("\n".join(f"- {inert(w)}" for w in f.warnings), icon=WARNING)
        else:
            st.error(f"{f.file}: {f.status} \u2014 {f.reason or 'no reason given'}")


def _upload(lib: Library) -> None:
    st.subheader("Add documents")
    files = st.file_uploader(
        "PDF, DOCX, HTML or TXT", type=[s.lstrip(".") for s in uploads.ACCEPTED], accept_multiple_files=True,
        help=f"Up to {uploads.MAX_UPLOAD_BYTES // 2**20} MB a file. Names are made safe before saving.",
    )
    if not st.button("Add to the library", disabled=not files):
        return
    index, corpus = ui_state.index_dir(), ui_state.corpus_dir()
    staged, refused = uploads.stage([uploads.Upload(f.name, f.getvalue()) for f in files], index)
    report = None
    if staged:
        bar = st.progress(0.0, text="Reading files...")
        total = len(corpus_files(corpus)) + len(staged) if corpus.is_dir() else len(staged)
        done: list[FileReport] = []

        def on_file(f: FileReport) -> None:
            done.append(f)
            bar.progress(min(len(done) / max(total, 1), 1.0), text=f"Read {f.file}")

        try:
            report = lib_ops.add(staged, corpus, index, model=lib.manifest.model, embedder=lib.embedder,
                                 progress=False, on_file=on_file)
        finally:
            uploads.unstage(index)
        bar.progress(1.0, text="Index updated")
        ui_state.reopen()
    _report(report, {p.name for p in staged}, refused)


def _remove(lib: Library) -> None:
    st.subheader("Remove a document")
    docs = lib.documents()
    if not docs:
        return
    names = {d.file: f"{document_name(d)} \u2014 {d.file}" for d in docs}
    file = st.selectbox("Document to remove", [d.file for d in docs], format_func=names.get)
    sure = st.checkbox(f"Delete {file} from the corpus folder and the index")
    if st.button("Remove", disabled=not sure, type="primary"):
        lib_ops.remove(file, ui_state.corpus_dir(), ui_state.index_dir(), model=lib.manifest.model,
                       embedder=lib.embedder, progress=False)
        ui_state.reopen()
        st.success(f"Removed {file}.")
        st.rerun()


def page(lib: Library) -> None:
    st.title("Library")
    ui_state.set_url(view="library")
    _table(lib)
    try:
        _upload(lib)
        _remove(lib)
    except TipsearchError as e:
        st.error(str(e))
