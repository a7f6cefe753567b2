"""Web pages: the main text of a page, not its menus, scripts, styles, headers or footers."""

from __future__ import annotations

import re
from pathlib import Path

from tipsearch.errors import UnreadableFileError
from tipsearch.ingest.docx_reader import format_number
from tipsearch.records import PLAIN, Page, Style

_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "menu", "button",
              "select", "svg", "iframe", "template", "head"}
_SKIP_HINTS = re.compile(r"(^|[-_ ])(nav|navbar|menu|breadcrumbs?|footer|sidebar|cookie|banner|skip)($|[-_ ])", re.I)
_HEADING_TAG = re.compile(r"^h([1-6])$")
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "pre", "table", "tr", "td", "th", "dl", "dt", "dd", "figure", "figcaption", "body",
               "address", "hr", "br"}


def _skipped(tag) -> bool:
    if tag.name in _SKIP_TAGS:
        return True
    if tag.get("role") in ("navigation", "banner", "contentinfo", "search", "menu"):
        return True
    hints = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    return bool(hints and _SKIP_HINTS.search(hints))


def _list_label(li, n: int) -> str:
    kind = li.parent.get("type", "1") if li.parent is not None else "1"
    if kind in ("a", "A", "i", "I"):
        fmt = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}[kind]
        return f"({format_number(n, fmt)})"
    return f"{n}."


class _HtmlText:
    """Walks the DOM: inline text gathers into a line, each block element ends one."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.styles: list[Style] = []
        self.buffer: list[str] = []
        self.level = 0  # inside <h1>..<h6>: the heading's level

    def flush(self, gap: bool = True) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if text:
            self.lines.append(text)
            self.styles.append(Style(level=self.level, bold=bool(self.level)))
            if gap:
                self.lines.append("")
                self.styles.append(PLAIN)

    def walk(self, node) -> None:
        from bs4 import Comment, NavigableString, Tag

        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
            elif isinstance(child, Tag) and not _skipped(child):
                if child.name == "br":
                    self.flush(gap=False)
                elif child.name in _BLOCK_TAGS:
                    self.flush()
                    if child.name == "li" and child.parent is not None and child.parent.name == "ul":
                        self.buffer.append("\u2022 ")
                    if child.name == "li" and child.parent is not None and child.parent.name == "ol":
                        items = [c for c in child.parent.find_all("li", recursive=False)]
                        start = int(child.parent.get("start", "1")) if str(child.parent.get("start", "1")).isdigit() else 1
                        self.buffer.append(_list_label(child, start + items.index(child)) + " ")
                    heading = _HEADING_TAG.match(child.name)
                    if heading:
                        self.level = int(heading.group(1))
                    self.walk(child)
                    self.flush()
                    if heading:
                        self.level = 0
                else:
                    self.walk(child)


def read_html(path: Path) -> list[Page]:
    """The main text of a web page: not its menus, scripts, styles, headers or footers."""
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as e:
        raise UnreadableFileError(path.name, f"not readable as HTML ({e.__class__.__name__})")
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup
    walker = _HtmlText()
    walker.walk(root)
    walker.flush()
    return [Page(None, tuple(walker.lines), styles=tuple(walker.styles))]
