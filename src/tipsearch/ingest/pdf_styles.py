"""A PDF line's heading level and emphasis, from the fonts pypdf reports while it extracts the text.

pypdf's ``extract_text(visitor_text=...)`` hands over each text fragment with its matrices and font. The
fragments hold the same non-whitespace characters, in the same order, as the text it returns, so walking
both lines each line up with the fragments it came from, and the text itself is never touched. Where the
two disagree the page gets no styles: none is better than a wrong one.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tipsearch.records import Page, Style

log = logging.getLogger(__name__)

HEADING_RATIO = 1.15  # a size this much above the body text's is a heading's
MAX_LEVEL = 6
# A page's fragments are bounded by its text (MAX_TEXT_CHARS in readers); this bounds their count too, so a
# page drawn one glyph at a time cannot make the log outgrow the text many times over.
MAX_FRAGMENTS = 200_000

# Words of a PostScript font name's style part ("TimesNewRomanPS-BoldItalicMT", "Arial,Bold", "MinionPro-It").
_BOLD = frozenset({"bold", "bd", "semibold", "demibold", "demi", "extrabold", "black", "heavy"})
_ITALIC = frozenset({"italic", "it", "ital", "oblique", "obl", "slanted", "inclined", "kursiv"})
_SUBSET = re.compile(r"^[A-Z]{6}\+")  # "ABCDEF+": an embedded subset's tag, not part of the name
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_FORCE_BOLD = 1 << 18  # font descriptor /Flags bit 19
_ITALIC_FLAG = 1 << 6  # bit 7


@dataclass(frozen=True)
class Fragment:
    """A run of text as pypdf drew it: its characters without whitespace, effective size and face."""

    chars: str
    size: float  # points on the page, rounded to 0.5
    bold: bool
    italic: bool


@dataclass(frozen=True)
class LineFont:
    """The font that sets most of a line's characters, and how many characters the line has."""

    size: float
    bold: bool
    italic: bool
    chars: int


def effective_size(font_size: float, cm: Sequence[float], tm: Sequence[float]) -> float:
    """The font size as drawn: scaled by the vertical axis of the text matrix times the page matrix.

    Many producers set ``Tf 1`` and scale with the matrices, so the nominal size alone says little. The
    length of the vertical axis ignores rotation and horizontal squeezing (PDF 32000-1, 9.4.4).
    """
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    return abs(float(font_size)) * math.hypot(c, d)


def face(base_font: str) -> tuple[bool, bool]:
    """(bold, italic) from a PostScript font name: "ABCDEF+TimesNewRomanPS-BoldMT" is bold."""
    name = _SUBSET.sub("", base_font.lstrip("/"))
    lowered = name.lower()
    # The style part follows the family after "-" or ","; short words like "Bd" or "It" count only there,
    # where they cannot be part of a family name.
    style = re.split(r"[-,]", name)[-1]
    words = {w.lower() for w in _WORD.findall(style)}
    bold = "bold" in lowered or bool(words & _BOLD)
    italic = "italic" in lowered or "oblique" in lowered or bool(words & _ITALIC)
    return bold, italic


def _descriptor_face(font: Any) -> tuple[bool, bool]:
    """(bold, italic) from the font descriptor, for names that do not say: weight, flags, slant."""
    descriptor = font.get("/FontDescriptor")
    if descriptor is None and "/DescendantFonts" in font:  # a Type0 font keeps it in its CID font
        descriptor = font["/DescendantFonts"].get_object()[0].get_object().get("/FontDescriptor")
    if descriptor is None:
        return False, False
    descriptor = descriptor.get_object()
    weight = float(descriptor.get("/FontWeight", 0) or 0)
    flags = int(descriptor.get("/Flags", 0) or 0)
    angle = float(descriptor.get("/ItalicAngle", 0) or 0)
    return weight >= 600 or bool(flags & _FORCE_BOLD), bool(flags & _ITALIC_FLAG) or angle != 0


def font_face(font: Any) -> tuple[bool, bool]:
    """(bold, italic) of a pypdf font dictionary (None when pypdf does not know the font)."""
    if font is None:
        return False, False
    bold, italic = face(str(font.get("/BaseFont", "")))
    if bold and italic:
        return True, True
    try:
        by_bold, by_italic = _descriptor_face(font)
    except Exception:  # a damaged descriptor says nothing; the name already spoke
        return bold, italic
    return bold or by_bold, italic or by_italic


class FragmentLog:
    """pypdf's ``visitor_text``: records each fragment; never raises into pypdf, whose text must not change."""

    def __init__(self, limit: int = MAX_FRAGMENTS) -> None:
        self.fragments: list[Fragment] = []
        self.failed = False
        self._limit = limit
        self._faces: dict[int, tuple[bool, bool]] = {}
        self._fonts: list[Any] = []  # keeps each font alive, so its id() stays its own while cached

    def __call__(self, text: Any, cm: Any, tm: Any, font: Any, font_size: Any) -> None:
        if self.failed or not text:
            return
        try:
            chars = "".join(str(text).split())
            if not chars:
                return
            if len(self.fragments) >= self._limit:
                self.failed = True
                return
            key = id(font)
            if key not in self._faces:
                self._faces[key] = font_face(font)
                self._fonts.append(font)
            bold, italic = self._faces[key]
            size = round(effective_size(font_size, cm, tm) * 2) / 2
            self.fragments.append(Fragment(chars, size, bold, italic))
        except Exception as e:
            log.debug("style pass: fragment not read (%s: %s)", e.__class__.__name__, e)
            self.failed = True


def line_fonts(lines: Sequence[str], fragments: Sequence[Fragment]) -> list[LineFont | None] | None:
    """Each line's majority font (None for a blank line), or None if the fragments do not spell the lines."""
    if "".join(f.chars for f in fragments) != "".join("".join(line.split()) for line in lines):
        return None
    fonts: list[LineFont | None] = []
    at = 0  # position in the shared non-whitespace stream
    k, k_start = 0, 0  # current fragment and where it starts in the stream
    for line in lines:
        n = len("".join(line.split()))
        if n == 0:
            fonts.append(None)
            continue
        end = at + n
        sizes: Counter[float] = Counter()
        bold = italic = 0
        while at < end:
            f = fragments[k]
            k_end = k_start + len(f.chars)
            take = min(end, k_end) - at
            sizes[f.size] += take
            bold += take if f.bold else 0
            italic += take if f.italic else 0
            at += take
            if at == k_end:
                k, k_start = k + 1, k_end
        # Ties go to the larger size: a heading's digit in a smaller face should not demote it.
        size = max(sizes, key=lambda s: (sizes[s], s))
        fonts.append(LineFont(size, 2 * bold > n, 2 * italic > n, n))
    return fonts


def page_fonts(lines: Sequence[str], fragment_log: FragmentLog | None, where: str) -> list[LineFont | None] | None:
    """line_fonts for one page, or None (with a debug line) where the fragments cannot be trusted."""
    if fragment_log is None or fragment_log.failed:
        return None
    try:
        fonts = line_fonts(lines, fragment_log.fragments)
    except Exception as e:
        log.debug("%s: no styles (%s: %s)", where, e.__class__.__name__, e)
        return None
    if fonts is None:
        log.debug("%s: no styles (text and fonts do not line up)", where)
    return fonts


def heading_levels(fonts: Iterable[LineFont]) -> dict[float, int]:
    """Each size well above the body text's (the size of the most characters) to its level, largest 1."""
    chars: Counter[float] = Counter()
    for f in fonts:
        chars[f.size] += f.chars
    if not chars:
        return {}
    body = max(chars, key=lambda s: (chars[s], -s))
    larger = sorted((s for s in chars if s >= body * HEADING_RATIO), reverse=True)
    return {s: min(i + 1, MAX_LEVEL) for i, s in enumerate(larger)}


def with_styles(pages: list[Page], fonts: Sequence[list[LineFont | None] | None], where: str) -> list[Page]:
    """The pages with styles from their line fonts, levels set across the document; a page without stays so."""
    try:
        levels = heading_levels(f for page in fonts if page for f in page if f)
        out = []
        for page, known in zip(pages, fonts, strict=True):
            if known is None:
                out.append(page)
                continue
            styles = tuple(Style(levels.get(f.size, 0), f.bold, f.italic) if f else Style() for f in known)
            out.append(Page(page.number, page.lines, page.footnotes, styles))
        return out
    except Exception as e:
        log.debug("%s: no styles (%s: %s)", where, e.__class__.__name__, e)
        return pages
