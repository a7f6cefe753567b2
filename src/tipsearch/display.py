"""Show document text as text: escaped so that markup in a document is never rendered."""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character Markdown could act on; &, <, >, " and ' become HTML entities instead.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:=^%@/;,?])")


def inert(text: str) -> str:
    """Markdown source that displays text exactly, with its line breaks, and renders nothing."""
    escaped = _MARKDOWN.sub(r"\\\1", html.escape(text, quote=True))
    return escaped.replace("\n", "  \n")


def highlighted(text: str, span: str) -> str:
    """Inert Markdown of text with the answer span wrapped in <mark> (needs unsafe_allow_html).

    Only the <mark> tags are markup; everything from the document is escaped first.
    """
    if not span or span not in text:
        return inert(text)
    start = text.index(span)
    before, after = text[:start], text[start + len(span):]
    return f"{inert(before)}<mark>{inert(span)}</mark>{inert(after)}"
