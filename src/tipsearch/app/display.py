"""Show document text as text: escaped so that markup in a document is never rendered."""

from __future__ import annotations

import html
import re

from tipsearch.text import COMMON_WORDS, WORD

# Every ASCII punctuation character Markdown could act on; &, <, >, " and ' become HTML entities instead.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:=^%@/;,?])")


def inert(text: str) -> str:
    """Markdown source that displays text exactly, with its line breaks, and renders nothing."""
    # Markdown escapes first: done after, they would split the entities (`&lt\;` shows as "&lt;").
    # quote=False: the entities of quotes (&#x27;) would bring back a bare "#"; quotes are inert as text.
    escaped = html.escape(_MARKDOWN.sub(r"\\\1", text), quote=False)
    return escaped.replace("\n", "  \n")


def excerpt(text: str, span: str = "", limit: int = 320) -> str:
    """At most about `limit` characters of text, cut at words, around the span where it is in the text."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    span = " ".join(span.split())
    at = text.find(span) if span else -1
    start = 0 if at < 0 else max(0, min(at - limit // 4, len(text) - limit))
    end = start + limit
    if at >= 0 and at + len(span) > end and len(span) <= limit:
        start, end = at + len(span) - limit, at + len(span)
    head = text.rfind(" ", 0, start + 1) + 1 if start else 0  # whole words only
    tail = text.find(" ", end)
    tail = len(text) if tail < 0 else tail
    return ("\u2026 " if head else "") + text[head:tail] + (" \u2026" if tail < len(text) else "")


def highlighted(text: str, span: str) -> str:
    """Inert Markdown of text with the answer span wrapped in <mark> (needs unsafe_allow_html).

    Only the <mark> tags are markup; everything from the document is escaped first.
    """
    if not span or span not in text:
        return inert(text)
    start = text.index(span)
    before, after = text[:start], text[start + len(span):]
    return f"{inert(before)}<mark>{inert(span)}</mark>{inert(after)}"


def _stem(word: str) -> str:
    """A crude stem so that "victims" marks "victim" and "prosecuted" marks "prosecution"."""
    word = word.lower()
    for suffix in ("ations", "ation", "ions", "ion", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def question_stems(question: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in WORD.findall(question) if len(w) > 2 and w.lower() not in COMMON_WORDS)


def _bold_words(text: str, stems: frozenset[str]) -> str:
    out, pos = [], 0
    for m in WORD.finditer(text):
        if _stem(m.group()) in stems:
            out += [inert(text[pos:m.start()]), f"<b>{inert(m.group())}</b>"]
            pos = m.end()
    out.append(inert(text[pos:]))
    return "".join(out)


def marked(text: str, span: str, question: str) -> str:
    """Inert Markdown of text: the answer span in <mark>, the question's words in <b>.

    Everything from the document is escaped piece by piece; only the <mark> and <b> tags are markup.
    """
    stems = question_stems(question)
    if not span or span not in text:
        return _bold_words(text, stems)
    start = text.index(span)
    end = start + len(span)
    return (f"{_bold_words(text[:start], stems)}<mark>{_bold_words(span, stems)}</mark>"
            f"{_bold_words(text[end:], stems)}")
