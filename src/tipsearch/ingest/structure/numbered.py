"""Segment clean lines into citable units: numbered paragraphs, recommendations, headings.

The rules (DESIGN.md): paragraph numbers only ever go up by one, so a numbered list inside
a paragraph stays in it; "Recommendation N" blocks are their own units inside the enclosing
paragraph; headings are not units but the section path; a paragraph runs until the next
number, across blank lines and page breaks. Documents without numbered paragraphs fall back
to blank-line blocks.

No text is dropped: lines before paragraph 1 are the front matter (read by the metadata stage),
and unnumbered text after a heading, before the next number, becomes an unnumbered block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from tipsearch.ingest.cleaning import Line, is_masthead
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import Paragraph

_PARA = re.compile(r"^(\d{1,4})\.(?:\s+(\S.*))?$")
# "Recommendation 1", "Recommandation 1", "Recomendación 1": labelled "Recommendation 1" whatever the language, so
# citations, `rec:1` and "related DOC 'Recommendation 1'" read the same in every document (citations.py).
RECOMMENDATION = re.compile(r"^(?:Recommendation|Recommandation|Recomendación)\s+(\d{1,3})\.?$")
_HEADING = re.compile(r"^([IVXL]{1,6}|[A-Z])\.\s+(\S.*)$")
_LIST_ITEM = re.compile(r"^(\(?[a-z]{1,4}\)|\(?\d{1,3}[.)]|[-\u2022\u2013\u25aa*])\s")
_END_OF_SENTENCE = re.compile(r"[.;:!?\u201d\u00bb\"]$")
_MAX_HEADING_CHARS = 300
MIN_RUN_SHARE = 0.6  # of the numbered lines, those in the one run 1, 2, 3 ...: below it, numbered lists
_STYLED_HEADING_CHARS = 120
_CAPS_HEADING = re.compile(r"^[^a-z]*[A-Z]{2}[^a-z]*$")  # "REPUBLIC OF ZEMBLA", "CONSIDERATION OF PROPOSALS"
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def roman_value(token: str) -> int | None:
    """Value of a Roman numeral made of I, V, X, L; None when it is not one."""
    if not token or any(c not in _ROMAN for c in token):
        return None
    total = 0
    for i, c in enumerate(token):
        v = _ROMAN[c]
        total += -v if i + 1 < len(token) and _ROMAN[token[i + 1]] > v else v
    return total


@dataclass
class _Open:
    """A unit being assembled."""

    number: str
    kind: str
    label: str | None
    section: tuple[str, ...]
    page: int | None
    pieces: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    gap: bool = False  # a blank line since the last piece

    def add(self, text: str) -> None:
        if self.pieces:
            prev = self.pieces[-1]
            if _LIST_ITEM.match(text) or (self.gap and _END_OF_SENTENCE.search(prev)):
                self.pieces.append("\n")
            else:
                self.pieces.append(" ")
        self.pieces.append(text)
        self.gap = False

    def text(self) -> str:
        return "".join(self.pieces).strip()


class _Segmenter:
    def __init__(self, numbered: bool) -> None:
        self.numbered = numbered
        self.units: list[Paragraph] = []
        self.current: _Open | None = None
        self.heading: list[str] | None = None  # heading being read, may span lines
        self.sections: list[tuple[int, str]] = []  # (level, title)
        self.last_number = 0
        self.last_roman = 0
        self.last_recommendation = 0
        self.blocks = 0
        self.front: list[str] = []  # lines before paragraph 1 of a numbered document
        self.headings: list[str] = []  # every heading, whole, in order

    # -- state changes -------------------------------------------------------------
    def close(self) -> None:
        if self.current and self.current.text():
            c = self.current
            self.units.append(
                Paragraph(c.number, c.text(), len(self.units), c.kind, c.label, c.section, c.page,
                          tuple(c.footnotes))
            )
        self.current = None

    def section_path(self) -> tuple[str, ...]:
        self.finish_heading()
        return tuple(title for _, title in self.sections)

    def finish_heading(self) -> None:
        if self.heading is not None:
            level, first = self.sections[-1]
            self.sections[-1] = (level, " ".join([first, *self.heading]))
            self.headings.append(self.sections[-1][1])
            self.heading = None

    def open(self, number: str, kind: str, label: str | None, page: int | None) -> None:
        self.close()
        self.current = _Open(number, kind, label, self.section_path(), page)

    # -- classification --------------------------------------------------------------
    def styled_level(self, line: Line) -> int | None:
        """A heading by the file's own signals (a heading style, a line all in bold) or set in capitals, once the
        body has begun: below the numbered headings ("I.", "A."), so a State or a theme nests under them."""
        text = line.text
        if len(text) > _STYLED_HEADING_CHARS or text.endswith((".", ",", ";", ":")) or _PARA.match(text):
            return None
        if RECOMMENDATION.match(text) or _LIST_ITEM.match(text) or (self.numbered and not self.last_number):
            return None
        if line.level:
            return 2 + min(line.level, 4)
        if _CAPS_HEADING.match(text) and sum(c.isalpha() for c in text) >= 4:
            return 3
        if line.style.bold and self.current is None or (line.style.bold and not self.numbered):
            return 4
        return None

    def heading_level(self, text: str) -> int | None:
        m = _HEADING.match(text)
        if not m or len(text) > _MAX_HEADING_CHARS or text.endswith("."):
            return None
        token = m.group(1)
        if roman_value(token) == self.last_roman + 1:
            return 1
        if len(token) == 1:
            return 2
        return None

    def feed(self, line: Line) -> None:
        text = line.text
        if line.footnote:
            if self.current:  # footnotes in the front matter (title notes) belong to no paragraph
                self.current.footnotes.append(text)
            return
        if not text:
            self.finish_heading()
            if self.current:
                self.current.gap = True
            return
        level = self.heading_level(text)
        if level is None and self.heading is None:
            level = self.styled_level(line)
        if level is not None:
            self.start_heading(level, text)
            return
        m = _PARA.match(text)
        starts_paragraph = self.numbered and m and int(m.group(1)) == self.last_number + 1
        if self.heading is not None and not starts_paragraph and not RECOMMENDATION.match(text):
            self.heading.append(text)  # a heading wrapped over several lines
            return
        if starts_paragraph:
            self.last_number += 1
            self.open(str(self.last_number), "paragraph", None, line.page)
            if m.group(2):
                self.current.add(m.group(2))
            return
        r = RECOMMENDATION.match(text)
        if r and self.last_number and int(r.group(1)) > self.last_recommendation:
            self.last_recommendation = int(r.group(1))
            self.open(str(self.last_number), "recommendation", f"Recommendation {r.group(1)}", line.page)
            return
        if self.current is None:
            if (self.numbered and not self.last_number) or (not self.units and is_masthead(text)):
                self.front.append(text)  # front matter before paragraph 1: the metadata stage reads it
                return
            # Text after a heading and before the next number (or an unnumbered document): a block,
            # cited as unnumbered text rather than lost.
            self.blocks += 1
            self.open(str(self.blocks), "block", None, line.page)
        elif not self.numbered and self.current.gap:
            self.blocks += 1
            self.open(str(self.blocks), "block", None, line.page)
        self.current.add(text)

    def start_heading(self, level: int, text: str) -> None:
        self.close()
        self.finish_heading()
        if level == 1:
            self.last_roman += 1
        self.sections = [(lv, t) for lv, t in self.sections if lv < level]
        self.sections.append((level, text))
        self.heading = []


def _numbers(lines: list[Line]) -> list[int]:
    return [int(m.group(1)) for ln in lines if (m := _PARA.match(ln.text))]


def _has_numbered_paragraphs(lines: list[Line]) -> bool:
    numbers = _numbers(lines)
    return 1 in numbers and 2 in numbers


def numbered_through(lines: list[Line]) -> bool:
    """Paragraphs numbered through the document; not lists that start again at 1 under each heading (questions
    grouped by State), whose numbers are an item's, not a paragraph's."""
    numbers = _numbers(lines)
    run = 0
    for n in numbers:
        run += n == run + 1
    lists = numbers.count(1) >= 2 and run < MIN_RUN_SHARE * len(numbers)
    return 1 in numbers and 2 in numbers and not lists


def has_numbered_paragraphs(lines: list[Line]) -> bool:
    return _has_numbered_paragraphs(lines)


SET_APART_LEVEL = 3  # a heading found by its place and weight: below the file's own top levels


def set_apart_headings(lines: list[Line]) -> list[Line]:
    """Lines in bold or in capitals, short and without a final stop, that stand right before a numbered paragraph
    (a country's name, "Recommendation" over the paragraph it heads): headings, marked with a heading level so
    the segmenter never runs them into the paragraph before."""
    body = [i for i, ln in enumerate(lines) if ln.text and not ln.footnote]
    out = list(lines)
    for before, at, nxt in zip([None, *body], body, body[1:]):
        ln = lines[at]
        text = ln.text
        # italics also set titles of publications inside a sentence: an italic heading follows a finished one
        italic = ln.style.italic and before is not None and lines[before].text.endswith((".", ";", ":", ")"))
        heavy = ln.style.bold or italic or _CAPS_HEADING.match(text)
        if ln.level or not heavy or len(text) > _STYLED_HEADING_CHARS:
            continue
        if text.endswith((".", ",", ";", ":")) or not text[:1].isupper() or _PARA.match(text) or _LIST_ITEM.match(text):
            continue  # a line that starts in lower case runs a sentence on
        following = _PARA.match(lines[nxt].text)
        if (following and following.group(2)) or _HEADING.match(lines[nxt].text):  # not "2010." ending a sentence
            out[at] = replace(ln, style=replace(ln.style, level=SET_APART_LEVEL))
    return out


def segment_numbered(lines: list[Line], numbered: bool | None = None) -> Segmentation:
    """A report (numbered paragraphs, "Recommendation N" blocks) or, without numbers, blank-line blocks."""
    seg = _Segmenter(numbered=numbered_through(lines) if numbered is None else numbered)
    for line in set_apart_headings(lines):
        seg.feed(line)
    seg.close()
    seg.finish_heading()
    return Segmentation(tuple(seg.units), tuple(seg.headings), tuple(seg.front), "report" if seg.numbered else "blocks")
