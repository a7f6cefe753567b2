"""Resolutions and decisions (adopted or draft): unnumbered preambular paragraphs, then numbered operative ones.

After the chapeau ("The General Assembly,") come the preambular paragraphs ("Recalling ...,"), each a unit
numbered 1, 2, ... in order, then the operative paragraphs with their printed numbers; lettered
subparagraphs stay in their paragraph. A PDF marks a new preambular paragraph only by a first-line indent,
a text extraction by a blank line; where a page break hides both, a paragraph that ended with "," followed by
a participle ("Welcoming ...") tells. An unnumbered clause ending with "." ("Adopts the Declaration ...
annexed to the present resolution.") is an operative block, not preamble. The plenary-meeting lines close
the resolution; an "Annex" (a declaration) numbers its paragraphs again from 1.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import Paragraph

# "The General Assembly,", "L'Assemblée générale,", "La Asamblea General,", and the councils, conferences and
# commissions that adopt resolutions, in English, French and Spanish.
CHAPEAU = re.compile(
    r"^(?:The (General Assembly|Security Council|Economic and Social Council|Human Rights Council|"
    r"Conference of the Parties\b.{0,150}|Commission on [A-Z].{0,80}|[A-Z][\w ]{0,60} Council)"
    r"|L['\u2019](Assemblée générale)|Le (Conseil\b.{0,60})"
    r"|La (Conférence des Parties\b.{0,150}|Commission\b.{0,80})"
    r"|La (Asamblea General|Conferencia de las Partes\b.{0,150}|Comisión\b.{0,80})|El (Consejo\b.{0,60})),?$"
)
_ADOPTED = re.compile(r"\b(?:(?:Resolution|Decision) adopted by the|(?:Résolution|Décision) adoptée par|"
                      r"(?:Resolución|Decisión) aprobada por)\b")
_RESOLUTION_WORDS = r"(?:resolution|decision|résolution|décision|resolución|decisión)"
_DRAFT = re.compile(rf": (?:draft|projet de|proyecto de) {_RESOLUTION_WORDS}$"
                    rf"|^(?:Draft|Projet de|Proyecto de) {_RESOLUTION_WORDS}\b", re.I)
SESSION_NUMBER = re.compile(r"^(\d{1,3}/\d{1,4})\.\s+\S")
_OPERATIVE = re.compile(r"^(\d{1,3})\.(?:\s+(\S.*))?$")
# "65th plenary meeting", "65e séance plénière", "65ª sesión plenaria"
_PLENARY = re.compile(r"^\d{1,3}(?:(?:st|nd|rd|th) plenary meeting|(?:e|ᵉ|ème) séance plénière"
                      r"|\.?[ªa] sesión plenaria)$")
_ANNEX = re.compile(r"^(?:Annex|Annexe|Anexo)(?:\s+[IVX]{1,4})?$")
_SUBPARAGRAPH = re.compile(r"^\(?[a-z]{1,4}\)(?:\s|$)")
# The first words of a preambular paragraph: a participle or adjective phrase ("Deeply concerned", "Mindful");
# in French and Spanish the Assembly is feminine: "Rappelant", "Profondément préoccupée", "Recordando", "Consciente".
_OPENER = re.compile(
    r"^(?:(?:Deeply|Gravely|Seriously|Strongly|Firmly|Further|Also)\s+)?(?:[A-Z][a-z]+(?:ing|ed)|Mindful|Aware|"
    r"Conscious|Cognizant|Desirous|Alarmed)\b(?!\s+in\s+persons)"
    r"|^(?:(?:Profondément|Vivement|Gravement|Sérieusement|Fermement)\s+[a-z\u00df-\u00ff]+(?:ée|ue)"
    r"|(?:Se |S['\u2019])?[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:ant|ée|ue)|Consciente|Soucieuse)\b"
    r"|^(?:(?:Profundamente|Gravemente|Seriamente|Firmemente)\s+[a-z\u00df-\u00ff]+(?:ada|ida)"
    r"|[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:ando|iendo|ada|ida)|Consciente)\b"
)
_LOOK_LINES = 200  # the chapeau and the adoption or draft line are on the first page


def _chapeau_index(lines: list[Line]) -> int | None:
    for i, ln in enumerate(lines[:_LOOK_LINES]):
        if not ln.footnote and CHAPEAU.match(ln.text):
            return i
    return None


def looks_like(lines: list[Line]) -> bool:
    """A resolution or decision: the chapeau, and before it an adoption line, a draft line or "99/901. Title"."""
    at = _chapeau_index(lines)
    if at is None:
        return False
    front = [ln.text for ln in lines[:at] if not ln.footnote]
    joined = " ".join(front)
    return bool(_ADOPTED.search(joined) or any(_DRAFT.search(t) or SESSION_NUMBER.match(t) for t in front))


@dataclass
class _Open:
    """A unit being assembled."""

    number: str
    kind: str
    section: tuple[str, ...]
    page: int | None
    pieces: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if self.pieces:
            self.pieces.append("\n" if _SUBPARAGRAPH.match(text) else " ")
        self.pieces.append(text)

    def text(self) -> str:
        return "".join(self.pieces).strip()


def _base_indents(lines: list[Line]) -> dict[int | None, int]:
    """The usual indent of a page's lines: a first line indented beyond it starts a paragraph."""
    by_page: dict[int | None, Counter[int]] = {}
    for ln in lines:
        if ln.text and not ln.footnote:
            by_page.setdefault(ln.page, Counter())[ln.indent] += 1
    return {page: counts.most_common(1)[0][0] for page, counts in by_page.items()}


class _Reader:
    def __init__(self, lines: list[Line]) -> None:
        self.base = _base_indents(lines)
        self.units: list[Paragraph] = []
        self.headings: list[str] = []
        self.back: list[str] = []
        self.current: _Open | None = None
        self.section: tuple[str, ...] = ()
        self.last_number = 0
        self.preamble = 0
        self.blocks = 0
        self.gap = False  # a blank line since the last text
        self.closing = False  # after "NNth plenary meeting": its date line follows
        self.annex_title: list[str] | None = None

    def close(self) -> None:
        c, self.current = self.current, None
        if c is None or not c.text():
            return
        kind, number = c.kind, c.number
        if kind == "preamble":
            if c.text().endswith("."):  # an unnumbered operative clause ("Adopts ... resolution.")
                self.blocks += 1
                kind, number = "block", str(self.blocks)
            else:
                self.preamble += 1
                number = str(self.preamble)
        self.units.append(Paragraph(number, c.text(), len(self.units), kind, None, c.section, c.page,
                                    tuple(c.footnotes)))

    def open(self, number: str, kind: str, page: int | None) -> None:
        self.close()
        self.current = _Open(number, kind, self.section, page)

    def starts_preamble(self, line: Line, gap: bool) -> bool:
        """A new preambular paragraph: after a blank line, by its indent, or a participle after a ","."""
        if _SUBPARAGRAPH.match(line.text):
            return False
        if gap or line.indent > self.base.get(line.page, 0):
            return True
        prev = self.current.text() if self.current else ""
        return prev.endswith(",") and bool(_OPENER.match(line.text))

    def feed(self, line: Line) -> None:
        text = line.text
        if line.footnote:
            (self.current.footnotes if self.current else self.back).append(text)
            return
        if not text:
            self.gap = True
            return
        gap, self.gap = self.gap, False
        if self.annex_title is not None and not _OPERATIVE.match(text):
            self.annex_title.append(text)
            return
        if self.closing and not _OPERATIVE.match(text) and not _ANNEX.match(text):
            self.back.append(text)  # the plenary meeting's date
            self.closing = False
            return
        self.closing = False
        if _PLENARY.match(text):
            self.close()
            self.back.append(text)
            self.closing = True
            return
        if _ANNEX.match(text):
            self.start_annex(text)
            return
        m = _OPERATIVE.match(text)
        if m and int(m.group(1)) == self.last_number + 1:
            self.end_annex_title()
            self.last_number += 1
            self.open(m.group(1), "paragraph", line.page)
            if m.group(2):
                self.current.add(m.group(2))
            return
        if self.current is None or (not self.last_number and self.starts_preamble(line, gap)):
            self.open("", "preamble", line.page)
        self.current.add(text)

    def start_annex(self, text: str) -> None:
        self.close()
        self.headings.append(text)
        self.section = (text,)
        self.last_number = 0
        self.annex_title = []

    def end_annex_title(self) -> None:
        if self.annex_title:
            title = " ".join(self.annex_title)
            self.headings.append(title)
            self.section = (*self.section, title)
        self.annex_title = None


def segment(lines: list[Line]) -> Segmentation:
    """A resolution's preambular paragraphs, operative paragraphs and blocks, with its front and back matter."""
    at = _chapeau_index(lines)
    if at is None:
        at = -1
    front = [ln.text for ln in lines[: max(at, 0)]]
    reader = _Reader(lines[at + 1 :])
    if at >= 0:
        reader.headings.append(lines[at].text)
    for line in lines[at + 1 :]:
        reader.feed(line)
    reader.close()
    reader.end_annex_title()
    return Segmentation(tuple(reader.units), tuple(reader.headings), tuple(front + reader.back), "resolution")
