"""Citations: the document by symbol (or short title and date), then the paragraph."""

from __future__ import annotations

from tipsearch.ingest.metadata import human_date
from tipsearch.records import Document, Paragraph


def document_name(doc: Document) -> str:
    if doc.symbol:
        return doc.symbol
    parts = [doc.short_title or doc.title, human_date(doc.date)]
    return ", ".join(p for p in parts if p)


def paragraph_ref(p: Paragraph) -> str:
    if p.kind == "block":
        return f"block {p.number} (unnumbered text)"
    ref = f"para. {p.number}"
    return f"{ref}, {p.label}" if p.label else ref


def cite(doc: Document, p: Paragraph) -> str:
    """`CTOC/COP/WG.4/2010/6, para. 4` or `Title, 14 July 2022, para. 4, Recommendation 1`."""
    return f"{document_name(doc)}, {paragraph_ref(p)}"
