"""Markdown (a .md file, or a text file written in Markdown): lines with the heading level each heading has.

markdown-it-py parses the file, so a heading is what Markdown says it is ("### Article 4"), not a guess from its
wording; the marks themselves ("###", "**", "[text](link)") never reach the text. A treaty database's export
often writes "####Use of terms" with no space after the marks: read as the heading it is meant to be.
Ordered list items keep their printed number ("1. ..."), so a treaty's numbered paragraphs stay numbered.
"""

from __future__ import annotations

import re

from tipsearch.ingest.docx_reader import TABLE_SEPARATOR
from tipsearch.records import PLAIN, Page, Style

# An ATX heading, with or without the space CommonMark asks for after the marks.
_HEADING = re.compile(r"^( {0,3}#{1,6})(?=[^\s#])", re.M)
_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}\s*\S", re.M)
MIN_HEADINGS = 2  # a text file with this many Markdown headings is read as Markdown


def looks_like_markdown(text: str) -> bool:
    """A text file written in Markdown: several "#" headings at line starts."""
    return len(_MARKDOWN_HEADING.findall(text[:200_000])) >= MIN_HEADINGS


def _inline(token) -> tuple[str, bool, bool]:
    """An inline token's text without its marks; whether all of it is bold, all of it italic."""
    parts: list[str] = []
    depth = {"strong": 0, "em": 0}
    plain = {"strong": False, "em": False}  # some text outside bold / italic
    for child in token.children or []:
        kind = child.type
        if kind in ("strong_open", "em_open", "strong_close", "em_close"):
            depth[kind.split("_")[0]] += 1 if kind.endswith("open") else -1
            continue
        if kind in ("softbreak", "hardbreak"):
            parts.append("\n")
            continue
        if kind == "image":
            text = child.content or ""
        elif kind in ("text", "code_inline"):
            text = child.content
        else:
            continue  # link marks, inline HTML
        if text.strip():
            for mark in depth:
                plain[mark] = plain[mark] or depth[mark] == 0
        parts.append(text)
    text = "".join(parts)
    has_text = bool(text.strip())
    return text, has_text and not plain["strong"], has_text and not plain["em"]


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.styles: list[Style] = []

    def add(self, text: str, style: Style = PLAIN) -> None:
        for line in text.split("\n"):
            self.lines.append(line)
            self.styles.append(style)

    def gap(self) -> None:
        if self.lines and self.lines[-1]:
            self.add("")


def _walk(tokens) -> _Lines:
    out = _Lines()
    prefixes: list[str] = []  # the marker of the list item being read: "1.", "-"
    row: list[str] = []
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "list_item_open":
            marker = f"{token.info}{token.markup}" if token.info else token.markup
            prefixes.append(marker + " ")
        elif kind == "list_item_close":
            prefixes.pop()
            out.gap()
        elif kind == "inline" and tokens[i - 1].type == "heading_open":
            text, _, italic = _inline(token)
            out.add(" ".join(text.split()), Style(level=int(tokens[i - 1].tag[1]), bold=True, italic=italic))
            out.gap()
        elif kind == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            row.append(" ".join(_inline(token)[0].split()).replace("|", "\u00a6"))
        elif kind == "inline":
            text, bold, italic = _inline(token)
            if prefixes and prefixes[-1]:
                text, prefixes[-1] = prefixes[-1] + text, ""  # the marker opens the item's first line only
            out.add(text, Style(bold=bold, italic=italic))
            closes_item = i + 2 < len(tokens) and tokens[i + 2].type == "list_item_close"
            if i + 1 < len(tokens) and tokens[i + 1].type == "paragraph_close" and not (prefixes and closes_item):
                out.gap()
        elif kind == "tr_close":
            out.add("| " + " | ".join(row) + " |")
            row = []
        elif kind == "thead_close":
            out.add(TABLE_SEPARATOR)
        elif kind == "table_close":
            out.gap()
        elif kind in ("fence", "code_block", "html_block"):
            out.add(token.content.rstrip("\n"))
            out.gap()
    return out


def markdown_pages(text: str) -> list[Page]:
    """Markdown text -> one page of lines with their styles (headings by level, wholly bold or italic lines)."""
    from markdown_it import MarkdownIt

    source = _HEADING.sub(r"\1 ", text)
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    out = _walk(tokens)
    return [Page(None, tuple(out.lines), styles=tuple(out.styles))]
