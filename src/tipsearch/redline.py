"""A comparison as Word's compare shows it: insertions underlined, deletions struck through, both citations for
each pair; as Markdown or as a Word document. Made at the edge (CLI, app) from search/compare.py's pairs."""

from __future__ import annotations

import io
from collections.abc import Sequence

from tipsearch.citations import document_name
from tipsearch.search.compare import Comparison, Pair

STATUS = {"same": "same", "changed": "changed", "new": "new", "dropped": "dropped"}


def heading(pair: Pair) -> str:
    """ "A/RES/99/901, para. 7 \u2190 A/RES/97/901, para. 7 (changed, 0.93)" for a pair, either side may be missing;
    a merge names all its old units ("... \u2190 A/RES/97/901, para. 3 + A/RES/97/901, para. 4 (changed, merged,
    0.81)")."""
    new = pair.new.citation if pair.new else "(not in the new text)"
    old = pair.old.citation if pair.old else "(not in the old text)"
    old += "".join(f" + {u.citation}" for u in pair.also_old)
    extra = (f", {pair.how}" if pair.how else "") + (f", {pair.similarity:.2f}" if pair.status == "changed" else "")
    return f"{new} \u2190 {old} ({pair.status}{extra})"


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("~", "\\~").replace("<", "&lt;")


def _md_body(pair: Pair) -> str:
    if pair.status == "new":
        return f"<u>{_md_escape(pair.new.paragraph.text)}</u>"
    if pair.status == "dropped":
        return f"~~{_md_escape(pair.old.paragraph.text)}~~"
    if pair.status == "same":
        return _md_escape(pair.new.paragraph.text)
    marks = {"=": "{}", "+": "<u>{}</u>", "-": "~~{}~~"}
    return "".join(marks[op].format(_md_escape(text)) if text.strip() else text for op, text in pair.diff)


def markdown(c: Comparison, pairs: Sequence[Pair] | None = None) -> str:
    """The comparison as Markdown: a heading with both documents, then each pair with its citations and text."""
    lines = [f"# {document_name(c.old)} \u2192 {document_name(c.new)}", ""]
    counts = {s: sum(p.status == s for p in c.pairs) for s in STATUS}
    lines += [", ".join(f"{n} {s}" for s, n in counts.items()) + " (insertions underlined, deletions struck through)", ""]
    if c.note:
        lines += [f"> {c.note}", ""]
    for pair in c.pairs if pairs is None else pairs:
        lines += [f"### {heading(pair)}", "", _md_body(pair), ""]
    return "\n".join(lines)


def docx_bytes(c: Comparison, pairs: Sequence[Pair] | None = None) -> bytes:
    """The comparison as a Word document: underlined insertions, struck deletions, both citations per pair."""
    import docx

    document = docx.Document()
    document.add_heading(f"{document_name(c.old)} -> {document_name(c.new)}", level=1)
    if c.note:
        document.add_paragraph(c.note)
    for pair in c.pairs if pairs is None else pairs:
        document.add_heading(heading(pair), level=3)
        para = document.add_paragraph()
        runs = pair.diff if pair.status == "changed" else (
            [("+", pair.new.paragraph.text)] if pair.status == "new" else
            [("-", pair.old.paragraph.text)] if pair.status == "dropped" else [("=", pair.new.paragraph.text)])
        for op, text in runs:
            run = para.add_run(text)
            run.font.underline = op == "+"
            run.font.strike = op == "-"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
