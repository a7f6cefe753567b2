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
from dataclasses import dataclass, field, replace

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.dates import is_date
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import PLAIN, Paragraph, Style

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
                      r"(?:Resolución|Decisión) aprobada por)\b"
                      # a Security Council resolution: "Adopted by the Security Council at its 12345th meeting, on"
                      r"|^(?:Adopted by the|Adoptée? par l[ea']|Aprobada por el) ?[A-Z][\w ]{2,60}\bat its\b"
                      r"|^(?:Adopted by the|Adoptée? par l[ea']|Aprobada por el) ?[A-Z][\w ]{2,60}? (?:à sa|en su)\b"
                      r"|^Resolution \d{1,5} \((?:19|20)\d\d\)$")
_RESOLUTION_WORDS = r"(?:resolution|decision|résolution|décision|resolución|decisión)"
_DRAFT = re.compile(rf": (?:draft|projet de|proyecto de) {_RESOLUTION_WORDS}$"
                    rf"|^(?:Draft|Projet de|Proyecto de) {_RESOLUTION_WORDS}\b", re.I)
SESSION_NUMBER = re.compile(r"^(\d{1,3}/\d{1,4})\.\s+\S")
_OPERATIVE = re.compile(r"^(\d{1,3})\.(?:\s+(\S.*))?$")
# "65th plenary meeting", "65e séance plénière", "65ª sesión plenaria"; a council's "44th meeting"
_PLENARY = re.compile(r"^\d{1,4}(?:(?:st|nd|rd|th) (?:plenary )?meeting|(?:e|ᵉ|ème) séance(?: plénière)?"
                      r"|\.?[ªa] sesión(?: plenaria)?)$")
# How a resolution was adopted, printed under it: "[Adopted without a vote.]", "Adopted by a recorded vote of 30 to
# 10, with 7 abstentions. The voting was as follows:", and the lists of States that follow. Never a paragraph's text.
_VOTE = re.compile(r"^\[?(?:Adopted|Adoptée?|Aprobad[oa])\b.{0,80}\b(?:vote|voix|votación)\b"
                   r"|^(?:The voting was as follows|In favour|Against|Abstaining|Abstentions?|Pour|Contre"
                   r"|Votos a favor|Votos en contra|Abstenciones)\s*:", re.I)
_ANNEX = re.compile(r"^(?:Annex|Annexe|Anexo)(?:\s+(?:[IVX]{1,4}|[A-Z]))?(?:\s+[\u2013\u2014-]\s+\S.{0,150})?$")
_SUBPARAGRAPH = re.compile(r"^\(?[a-z]{1,4}\)(?:\s|$)")
# The first words of a preambular paragraph: a participle or adjective phrase ("Deeply concerned", "Mindful");
# in French and Spanish the Assembly is feminine: "Rappelant", "Profondément préoccupée", "Recordando", "Consciente".
_OPENER = re.compile(
    r"^(?:(?:Deeply|Gravely|Seriously|Strongly|Firmly|Further|Also)\s+(?:[a-z]+(?:ing|ed)|mindful|aware|"
    r"conscious|convinced|alarmed)\b|(?:[A-Z][a-z]+(?:ing|ed)|Mindful|Aware|"
    r"Conscious|Cognizant|Desirous|Alarmed)\b(?!\s+in\s+persons))"
    r"|^(?:(?:Profondément|Vivement|Gravement|Sérieusement|Fermement)\s+[a-z\u00df-\u00ff]+(?:ée|ue)"
    r"|(?:Se |S['\u2019])?[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:ant|ée|ue)|Consciente|Soucieuse)\b"
    r"|^(?:(?:Profundamente|Gravemente|Seriamente|Firmemente)\s+[a-z\u00df-\u00ff]+(?:ada|ida)"
    r"|[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:ando|iendo|ada|ida)|Consciente)\b"
)
_MAX_HEADING_CHARS = 160
_OPERATIVE_VERB = re.compile(r"^(?:Adopts|Decides|Approves|Endorses|Requests|Proclaims|Adopte|Décide|Aprueba|Decide)\b")
# A labelled commitment inside the operative part: "Action 6. We will ...", cited "para. 17, Action 6" would be
# wrong (it is not in paragraph 17): it is cited by its label.
_LABELLED = re.compile(r"^(Action|Commitment|Goal|Objective|Principle|Guideline|Measure)\s+(\d{1,3})\.\s+(\S.*)$")
_SECTION = re.compile(r"^([IVXL]{1,6})\.\s+[A-Z\u00c0-\u00de].{0,100}$")
_NOTE = re.compile(r"^\*{1,3}\s*[A-Z]")
_LOOK_LINES = 200  # the chapeau and the adoption or draft line are on the first page


def is_vote(text: str) -> bool:
    return bool(_VOTE.match(text))


def is_closing(text: str) -> bool:
    """A closing line of a resolution: its meeting, the meeting's date, how it was adopted."""
    return bool(_PLENARY.match(text) or _VOTE.match(text) or is_date(text))


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
    return bool(_ADOPTED.search(joined) or any(_DRAFT.search(t) or SESSION_NUMBER.match(t) or _ADOPTED.search(t)
                                               for t in front))


@dataclass
class _Open:
    """A unit being assembled."""

    number: str
    kind: str
    section: tuple[str, ...]
    page: int | None
    pieces: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    label: str | None = None
    styled: bool = True  # every line so far set as a heading or in bold by the file

    def add(self, text: str, style: Style = PLAIN) -> None:
        if self.pieces:
            self.pieces.append("\n" if _SUBPARAGRAPH.match(text) else " ")
        self.pieces.append(text)
        self.styled = self.styled and bool(style.level or style.bold)

    def text(self) -> str:
        return "".join(self.pieces).strip()

    @property
    def heading(self) -> bool:
        """A preamble "paragraph" that is a topic heading: set apart by the file's styles, or short and ending
        without the comma, semicolon or colon every preambular paragraph ends with."""
        text = self.text()
        if self.styled and len(text) <= _MAX_HEADING_CHARS:
            return True
        return len(text) <= _MAX_HEADING_CHARS and not text.endswith((",", ";", ":", ".", ")")) and text[:1].isupper()


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
        self.voting = False  # after "[Adopted without a vote.]" or a recorded vote: back matter to the end
        self.annex_title: list[str] | None = None
        self.part: str | None = None  # "annex", "annex II": cited before the unit
        self.numeral: str | None = None  # the roman section being read
        self.numerals: list[str | None] = []  # each unit's section
        self.restarted = False  # numbering starts again in a later section: units are cited by section
        self.pending_restart = False  # a section heading after operative paragraphs: numbering may start again

    def close(self) -> None:
        c, self.current = self.current, None
        if c is None or not c.text():
            return
        kind, number = c.kind, c.number
        if kind == "preamble":
            if c.heading:  # a topic heading inside the preamble (a Security Council resolution's): a section
                self.headings.append(c.text())
                self.section = (c.text(),)
                self.back.extend(c.footnotes)
                return
            if c.text().endswith(".") or (c.text().endswith(":") and _OPERATIVE_VERB.match(c.text())):
                # an unnumbered operative clause ("Adopts ... resolution.", "Adopts the following Pact ...:")
                self.blocks += 1
                kind, number = "block", str(self.blocks)
            else:
                self.preamble += 1
                number = str(self.preamble)
        self.units.append(Paragraph(number, c.text(), len(self.units), kind, c.label, c.section, c.page,
                                    tuple(c.footnotes), part=self.part))
        self.numerals.append(self.numeral)

    def open(self, number: str, kind: str, page: int | None) -> None:
        self.close()
        self.current = _Open(number, kind, self.section, page)

    def starts_preamble(self, line: Line, gap: bool) -> bool:
        """A new preambular paragraph: after a blank line, by its indent, or a participle after a ","."""
        if _SUBPARAGRAPH.match(line.text):
            return False
        prev = self.current.text() if self.current else ""
        if line.text[:1].islower() and prev:
            return False  # a preambular paragraph opens with a capital: this runs on past a page break or a note
        if gap or line.indent > self.base.get(line.page, 0):
            return True
        return prev.endswith(",") and bool(_OPENER.match(line.text))

    def feed(self, line: Line) -> None:
        text = line.text
        if line.footnote:
            (self.current.footnotes if self.current else self.back).append(text)
            return
        if not text:
            self.gap = True
            return
        if _NOTE.match(text):  # "* Reissued for technical reasons ...": the document's note, not its text
            self.back.append(text)
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
        if self.voting or _VOTE.match(text):
            self.close()
            self.back.append(text)
            self.voting = True
            return
        if _PLENARY.match(text):
            self.close()
            self.back.append(text)
            self.closing = True
            return
        if _ANNEX.match(text):
            self.start_annex(text)
            return
        if (s := _SECTION.match(text)) and self.annex_title is None and not text.endswith((".", ",", ";")):
            self.start_section(s.group(1), text)
            return
        m = _OPERATIVE.match(text)
        if self.pending_restart and self.current is None:
            if (m and m.group(1) == "1") or (not m and _OPENER.match(text)):
                self.restart()
            elif m and int(m.group(1)) == self.last_number + 1:
                self.pending_restart = False
        if (lab := _LABELLED.match(text)) and self.last_number:
            self.open("", "paragraph", line.page)
            self.current.label = f"{lab.group(1)} {lab.group(2)}"
            self.current.add(lab.group(3))
            return
        if m and int(m.group(1)) == self.last_number + 1:
            self.end_annex_title()
            self.last_number += 1
            self.open(m.group(1), "paragraph", line.page)
            if m.group(2):
                self.current.add(m.group(2))
            return
        if self.current is None or (not self.last_number and self.starts_preamble(line, gap)):
            self.open("", "preamble", line.page)
        self.current.add(text, line.style)

    def topic(self, text: str) -> None:
        """A topic heading ("Political and security situation"): the section of what follows."""
        self.close()
        self.headings.append(text)
        self.section = (*(s for s in self.section if _ANNEX.match(s) or _SECTION.match(s)), text)

    def start_section(self, numeral: str, text: str) -> None:
        """A roman-numbered section ("II. Anguilla"); where the operative numbering starts again under it, its
        units are cited by it ("section II, para. 1")."""
        self.close()
        self.headings.append(text)
        self.section = (*(s for s in self.section if not _SECTION.match(s)), text)
        self.numeral = numeral
        self.pending_restart = bool(self.last_number)

    def restart(self) -> None:
        """Numbering starts again under a section: "1." or a new preamble right after its heading."""
        self.last_number = self.preamble = 0
        self.restarted, self.pending_restart = True, False

    def start_annex(self, text: str) -> None:
        self.close()
        self.headings.append(text)
        self.section = (text,)
        numeral = text.split()[1] if len(text.split()) > 1 and text.split()[1] not in "-\u2013\u2014" else ""
        self.part = f"annex {numeral}".strip()
        self.last_number = 0
        self.annex_title = []

    def end_annex_title(self) -> None:
        if self.annex_title:
            title = " ".join(self.annex_title)
            self.headings.append(title)
            self.section = (*self.section, title)
        self.annex_title = None


def _topic_headings(lines: list[Line]) -> set[int]:
    """Indexes of topic headings set on a line of their own between two paragraphs ("Mandate of the Mission"),
    where nothing but their place tells: after a paragraph's end (",", ";", "."), short, without a final stop,
    and followed by a new preambular paragraph ("Expressing ...") or the next operative number."""
    body = [i for i, ln in enumerate(lines) if ln.text and not ln.footnote]
    out: set[int] = set()
    for before, at, after in zip(body, body[1:], body[2:]):
        text, prev, nxt = lines[at].text, lines[before].text, lines[after].text
        if len(text) > _MAX_HEADING_CHARS or text.endswith((",", ";", ":", ".")) or not text[:1].isupper():
            continue
        if any(p.match(text) for p in (_OPERATIVE, _SUBPARAGRAPH, _OPENER, _PLENARY, _SECTION, _ANNEX, _LABELLED)):
            continue
        if re.fullmatch(r"\d{1,3}\.", prev):
            continue  # "5." on a line of its own: this line is its text
        styled = lines[at].level or lines[at].style.bold  # italics set titles of publications in the text
        if styled or (prev.endswith((",", ";", ".")) and (_OPENER.match(nxt) or _OPERATIVE.match(nxt))):
            out.add(at)
    return out


def segment(lines: list[Line]) -> Segmentation:
    """A resolution's preambular paragraphs, operative paragraphs and blocks, with its front and back matter."""
    at = _chapeau_index(lines)
    if at is None:
        at = -1
    front = [ln.text for ln in lines[: max(at, 0)]]
    reader = _Reader(lines[at + 1 :])
    if at >= 0:
        reader.headings.append(lines[at].text)
    topics = _topic_headings(lines[at + 1 :])
    for i, line in enumerate(lines[at + 1 :]):
        if i in topics and reader.annex_title is None and not reader.voting:
            reader.topic(line.text)
            continue
        reader.feed(line)
    reader.close()
    reader.end_annex_title()
    units = reader.units
    if reader.restarted:
        units = [replace(u, part=", ".join(p for p in (u.part, f"section {n}") if p)) if n else u
                 for u, n in zip(units, reader.numerals)]
    return Segmentation(tuple(units), tuple(reader.headings), tuple(front + reader.back), "resolution")
