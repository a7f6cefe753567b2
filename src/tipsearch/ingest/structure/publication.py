"""Unnumbered publications (a UNODC report chapter): paragraphs as laid out, each with its page and heading.

No paragraph numbers, so a unit is a paragraph as printed (kind "block", page = the PDF page, section = the
heading above it), cited `p. 71 ("Victims detected")`. A PDF's text layer gives no blank line between
paragraphs: a paragraph ends on a line that ends a sentence and is shorter than the lines above it by more
than the next word (the line was broken on purpose); a last line that fills the column runs on, across a
page too. Figures ("Fig. 12 ... Source: ...") and the loose labels and axis numbers of charts are blocks of
their own, never glued to prose. Running headers and printed page numbers are layout noise; the cover lines
before the text are the front matter (the metadata stage reads the title there).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.structure.numbered import _PARA
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import Paragraph

_CAPTION = re.compile(r"^(Fig\.|Figure|Map\.?|Chart|Table|Box|Graph)\s*\d{1,3}\b")
_SOURCE = re.compile(r"^(Source|Sources|Note|Notes)\s*:")
_CHAPTER = re.compile(r"^chapter\s+(\d{1,3}|[IVXL]{1,6})\b", re.I)
_NUMBERS = re.compile(r"^[\d\s.,%\u2013\u2014+\-()$\u20ac*]+$")  # axis ticks and values: "0 500 1,000", "10% 4%"
# A sentence's end, with the note mark glued to it ("fisheries.5"), never a decimal ("of 1.4").
_SENTENCE_END = re.compile(r"\S[.!?:;]$|(?<![\d\s])[.!?:;]\d{1,3}$|[.!?][)\u201d\"\u2019](?:\d{1,3})?$")
_UPPER_START = re.compile(r"^[\"\u201c(]?[A-Z\u00c0-\u00de0-9\u2022]")
_EDGE = 3  # lines at the top and bottom of a page that may be running headers or page numbers
_RUNNING = 3  # pages a line must top to be a running header
_HEADING_CHARS = 90
_LABEL_WORDS = 4  # fewer words than this, and no sentence: a chart label, not prose
_PROSE_WORDS = 5
_NEAR = 10  # lines either side that tell a column's width


def looks_like(lines: list[Line]) -> bool:
    """A paged document whose paragraphs are not numbered (fewer numbered paragraphs than pages), laid out
    without blank lines between them (a PDF's text layer; text with blank lines reads as blank-line blocks)."""
    pages = {ln.page for ln in lines if ln.page is not None}
    blanks = sum(1 for ln in lines if not ln.text)
    if len(pages) < 2 or blanks > len(pages):  # cleaning leaves at most one blank line a page, at its end
        return False
    run = 0
    for ln in lines:
        if (m := _PARA.match(ln.text)) and int(m.group(1)) == run + 1:
            run += 1
    return run < len(pages) and _first_prose(lines, set()) < len(lines)


def _edges(lines: list[Line]) -> dict[int, list[int]]:
    """Indexes of the first and last few non-blank lines of each page."""
    by_page: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        if ln.text and not ln.footnote and ln.page is not None:
            by_page.setdefault(ln.page, []).append(i)
    return {p: ix[:_EDGE] + ix[-_EDGE:] for p, ix in by_page.items()}


def _layout(lines: list[Line]) -> tuple[set[int], set[int]]:
    """(noise, first) line indexes: running headers and printed page numbers; each header's first showing."""
    edges = _edges(lines)
    tops = Counter(lines[i].text for ix in edges.values() for i in set(ix))
    offsets = Counter(int(lines[i].text) - p for p, ix in edges.items() for i in set(ix)
                      if lines[i].text.isdigit() and len(lines[i].text) <= 4)
    offset, times = offsets.most_common(1)[0] if offsets else (None, 0)
    noise, first, seen = set(), set(), set()
    for p, ix in sorted(edges.items()):
        for i in sorted(set(ix)):
            text = lines[i].text
            if text.isdigit() and times >= _RUNNING and int(text) - p == offset:
                noise.add(i)  # the printed page number: PDF page plus the same offset throughout
            elif tops[text] >= _RUNNING or (text in seen and i == ix[0]):
                (noise if text in seen else first).add(i)
            seen.add(text)
    return noise, first


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def _is_label(text: str) -> bool:
    """A chart's label, value or axis tick rather than prose."""
    return bool(_NUMBERS.match(text)) or (len(text.split()) < _LABEL_WORDS and not _ends_sentence(text))


def _is_prose_start(text: str) -> bool:
    return len(text.split()) >= _PROSE_WORDS and bool(_UPPER_START.match(text))


@dataclass
class _Block:
    """A unit being assembled."""

    kind: str  # "prose", "figure", "labels", "note"
    page: int | None
    section: tuple[str, ...]
    lines: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    ended: bool = False  # a prose paragraph's last line was read
    width: int = 0  # longest line so far: the column's width

    def add(self, text: str) -> None:
        self.lines.append(text)
        self.width = max(self.width, len(text))

    def text(self) -> str:
        sep = "\n" if self.kind in ("figure", "labels") else " "
        return sep.join(self.lines).strip()


def _page_widths(lines: list[Line]) -> dict[int | None, int]:
    """Each page's usual prose line length (third quartile): the column width when a block is young."""
    by_page: dict[int | None, list[int]] = {}
    for ln in lines:
        if len(ln.text.split()) >= _PROSE_WORDS and not ln.footnote:
            by_page.setdefault(ln.page, []).append(len(ln.text))
    return {p: sorted(v)[3 * len(v) // 4] for p, v in by_page.items()}


class _Publication:
    """Reads body lines one at a time, with a look at the next ones for headings and paragraph ends."""

    def __init__(self, lines: list[Line], skip: set[int]) -> None:
        self.lines = lines
        self.skip = skip
        self.widths = _page_widths(lines)
        self.blocks: list[_Block] = []
        self.current: _Block | None = None
        self.interrupted: _Block | None = None  # a paragraph a figure cut in two: its rest starts lowercase
        self.section: tuple[str, ...] = ()
        self.headings: list[str] = []
        self.source_seen = False
        self.page: int | None = None  # page of the line read last

    def after(self, i: int, n: int = 1) -> str | None:
        """The text of the n-th body line after line i, None at the end."""
        for j in range(i + 1, len(self.lines)):
            ln = self.lines[j]
            if j in self.skip or ln.footnote or not ln.text:
                continue
            n -= 1
            if n == 0:
                return ln.text
        return None

    def open(self, kind: str, line: Line) -> _Block:
        self.close(interrupt=True)
        self.current = _Block(kind, line.page, self.section)
        self.blocks.append(self.current)
        self.source_seen = False
        return self.current

    def close(self, interrupt: bool = False) -> None:
        c = self.current
        if c is not None and c.kind in ("prose", "note") and not c.ended and interrupt:
            self.interrupted = c
        elif c is not None and c.kind in ("prose", "note"):
            self.interrupted = None
        self.current = None

    def set_heading(self, text: str) -> None:
        self.close(interrupt=True)
        self.section = (*self.section[:1], text) if self.section else (text,)
        self.headings.append(text)

    def heading_at(self, i: int) -> int:
        """How many lines from line i make a heading (0: none): short, no sentence, then a paragraph."""
        text = self.lines[i].text
        if _ends_sentence(text) or len(text) > _HEADING_CHARS:
            return 0
        for n in (1, 2):
            nxt = self.after(i, n)
            if nxt is None or not _UPPER_START.match(text) or _NUMBERS.match(text):
                return 0
            if _is_prose_start(nxt) and len(nxt) > len(text) and not _CAPTION.match(nxt):
                return n
            if _ends_sentence(nxt) or len(text) + len(nxt) > _HEADING_CHARS or _ends_sentence(text):
                return 0
            text = nxt
        return 0

    def paragraph_ends(self, i: int, block: _Block) -> bool:
        """True when line i ends its paragraph: a sentence's end, and the next word would have fitted."""
        text = self.lines[i].text
        if not _ends_sentence(text):
            return False
        nxt = self.after(i)
        if nxt is None or not _UPPER_START.match(nxt) or _CAPTION.match(nxt):
            return nxt is None or bool(_CAPTION.match(nxt))
        return len(text) + 1 + len(nxt.split()[0]) <= self.width(i, block)

    def width(self, i: int, block: _Block) -> int:
        """The column's width: the longest nearby line of about the block's width (not a wider column's)."""
        base = max(block.width, self.widths.get(self.lines[i].page, 0)) if len(block.lines) < 3 else block.width
        near = [len(ln.text) for ln in self.lines[max(0, i - _NEAR) : i + _NEAR]
                if ln.page == self.lines[i].page and not ln.footnote and len(ln.text) <= base * 1.2]
        return max([base, *near])

    def feed_figure(self, i: int, text: str) -> bool:
        """Add line i to the open figure; False when the figure is over and the line is not its."""
        c = self.current
        if len(text.split()) >= 10 and not _SOURCE.match(text) and len(c.lines) >= 3:
            self.close()
            return False
        c.add(text)
        self.source_seen = self.source_seen or bool(_SOURCE.match(text))
        nxt = self.after(i)
        if self.source_seen and _ends_sentence(text) and not (nxt and _SOURCE.match(nxt)):
            self.close()
        return True

    def feed_prose(self, i: int, text: str) -> None:
        c = self.current
        c.add(text)
        if self.paragraph_ends(i, c):
            c.ended = True
            self.close()

    def feed(self, i: int) -> int:
        """Read line i; returns how many lines it took (a heading may take two)."""
        line = self.lines[i]
        text = line.text
        c = self.current
        if c is not None and c.page != line.page and c.kind in ("figure", "labels"):
            self.close()
        if _CAPTION.match(text):
            self.open("figure", line).add(text)
            return 1
        if self.current is not None and self.current.kind == "figure" and self.feed_figure(i, text):
            return 1
        turned = self.page != line.page
        self.page = line.page
        if self.current is not None and self.current.kind in ("prose", "note"):
            # A heading at the top of a page ends a paragraph the page before left open (a box begins).
            if not _NUMBERS.match(text) and not (turned and self.heading_at(i)):
                self.feed_prose(i, text)
                return 1
            self.close(interrupt=True)
        return self.feed_free(i, line)

    def feed_free(self, i: int, line: Line) -> int:
        """A line outside any paragraph: a heading, a note, a label, the rest of a paragraph, a new one."""
        text = line.text
        if text.startswith("*"):
            self.open("note", line)
            self.feed_prose(i, text)
            return 1
        if self.current is None or self.current.kind != "labels":
            if n := self.heading_at(i):
                self.set_heading(" ".join([text, *(self.after(i, k) or "" for k in range(1, n))]))
                return n
        if _is_label(text):
            if self.current is None or self.current.kind != "labels":
                self.open("labels", line)
            self.current.add(text)
            return 1
        self.close()
        if self.interrupted is not None and text[:1].islower():
            self.current, self.interrupted = self.interrupted, None  # the paragraph goes on after the figure
        else:
            self.open("prose", line)
        self.feed_prose(i, text)
        return 1


def _first_prose(lines: list[Line], skip: set[int]) -> int:
    """Index of the first line of running text; the cover and title lines come before it."""
    for i, ln in enumerate(lines):
        if i not in skip and not ln.footnote and _is_prose_start(ln.text) and len(ln.text.split()) >= 8:
            return i
    return len(lines)


def _title_lines(seg: _Publication, lines: list[Line], start: int, first: set[int]) -> list[str]:
    """The lines before the text: the cover's are front matter; those on the text's page its first heading
    (from the "Chapter N" line on, the report's name above it being front matter)."""
    page = lines[start].page if start < len(lines) else None
    before = [i for i in range(start) if i not in seg.skip and lines[i].text and not lines[i].footnote]
    same = [i for i in before if lines[i].page == page]
    at = next((k for k, i in enumerate(same) if _CHAPTER.match(lines[i].text)), 0)
    if same[at:]:
        seg.set_heading(" ".join(lines[i].text for i in same[at:]))
    # In document order: the metadata stage reads a cover's chapter name above its "CHAPTER 2" line.
    return [lines[i].text for i in sorted({*(i for i in before if lines[i].page != page), *same[:at], *first})]


def segment(lines: list[Line]) -> Segmentation:
    """Paragraphs, figures and chart labels as blocks with page and heading; headers and page numbers noise."""
    noise, first = _layout(lines)
    seg = _Publication(lines, noise | first)
    start = _first_prose(lines, seg.skip)
    front = _title_lines(seg, lines, start, first)  # with each running header once: they name the report
    taken = 0
    for i in range(start, len(lines)):
        ln = lines[i]
        if i in seg.skip or not ln.text:
            continue
        if ln.footnote:
            target = seg.current or (seg.blocks[-1] if seg.blocks else None)
            (target.footnotes if target else front).append(ln.text)
        elif taken:
            taken -= 1  # the second line of a heading
        else:
            taken = seg.feed(i) - 1
    units = tuple(Paragraph(str(n), b.text(), n - 1, "block", None, b.section, b.page, tuple(b.footnotes))
                  for n, b in enumerate((b for b in seg.blocks if b.text()), start=1))
    return Segmentation(units, tuple(seg.headings), tuple(front), "publication", tuple(lines[i].text for i in noise))
