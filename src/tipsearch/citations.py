"""Citations as a UN lawyer writes them: the document by symbol (or short title and date), then the unit.

    CTOC/COP/WG.4/2010/6, para. 4, Recommendation 1      a report's paragraph and the recommendation in it
    A/RES/99/901, preambular para. 3                       a resolution's preamble
    Trafficking in Persons Protocol, art. 6, para. 3       a treaty article's paragraph (art. 3 (a), art. 1)
    A/HRC/99/15, para. 115.120                             a review recommendation
    UNODC, Global Report ..., p. 71 ("Victims detected")  an unnumbered publication, by page and heading
    A/HRC/99/15 thematic list, row 12                      a table row

One form in every language: a French or Spanish document is cited as an English one ("para. 12", not "par. 12" or
"párr. 12"; its "Recommandation 1" is "Recommendation 1", its "Article premier" "art. 1"; dates "14 July 2022"),
so a reading pack or a brief that quotes documents in several languages cites them all alike.
"""

from __future__ import annotations

from tipsearch.ingest.dates import human_date
from tipsearch.ingest.language import LANGUAGES
from tipsearch.records import Document, Paragraph


def document_name(doc: Document) -> str:
    if doc.symbol:
        return doc.symbol
    if doc.kind == "treaty":  # a treaty is known by its name alone: "Trafficking in Persons Protocol, art. 6"
        return doc.short_title or doc.title
    parts = [doc.short_title or doc.title, human_date(doc.date)]
    return ", ".join(p for p in parts if p)


def article_ref(p: Paragraph) -> str:
    """`art. 6, para. 3`, `art. 3 (a)` or `art. 1`: the article from the label "Article 6", then the number."""
    article = f"art. {(p.label or '').removeprefix('Article').strip()}"
    if not p.number:
        return article
    return f"{article} {p.number}" if p.number.startswith("(") else f"{article}, para. {p.number}"


def paragraph_ref(p: Paragraph) -> str:
    if p.kind == "preamble":
        return f"preambular para. {p.number}"
    if p.kind == "article":
        return article_ref(p)
    if p.kind == "row":
        return f"row {p.number}"
    if p.kind == "block":
        if p.page is not None:
            heading = f' ("{p.section[-1]}")' if p.section else ""
            return f"p. {p.page}{heading}"
        return f"block {p.number} (unnumbered text)"
    if not p.number and p.label:  # a labelled unit outside any numbered paragraph: "Action 6"
        return p.label
    ref = f"para. {p.number}"
    return f"{ref}, {p.label}" if p.label else ref


def cite(doc: Document, p: Paragraph) -> str:
    """`CTOC/COP/WG.4/2010/6, para. 4` or `Title, 14 July 2022, para. 4, Recommendation 1` (see above); a unit of
    a part of a compound document names the part: `A/HRC/99/9, resolution 99/2, para. 4`, `SYMBOL, annex, art. 5`."""
    part = f"{p.part}, " if p.part else ""
    translation = f" ({LANGUAGES.get(p.language, p.language)} text)" if p.language else ""
    return f"{document_name(doc)}, {part}{paragraph_ref(p)}{translation}"
