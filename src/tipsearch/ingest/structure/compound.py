"""Compound documents: a report that prints the resolutions, decisions or draft resolutions it adopted or
recommends, and a resolution whose annex holds a treaty.

Each part is read by its own kind's rules and its units name it (records.Paragraph.part), so a lawyer's citation
comes out whole: `A/HRC/99/9, resolution 99/2, para. 4`, `..., draft resolution III, preambular para. 2`,
`SYMBOL, annex, art. 5, para. 2`. The report's own paragraphs are read as one numbered run around the parts and
keep `SYMBOL, para. K`. A part starts at its title ("99/2. Title", "DRAFT RESOLUTION II") when the chapeau
("The Human Rights Council,") or, for a decision, the words of deciding follow within a few lines; it ends at the
next part, or where its closing lines (meeting, date, vote) give way to the report's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.structure import resolution, treaty
from tipsearch.ingest.structure.numbered import _PARA, _Segmenter, set_apart_headings
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import Paragraph

_DRAFT_TITLE = re.compile(r"^(?:DRAFT|Draft)\s+(RESOLUTION|DECISION|resolution|decision)"
                          r"(?:\s+([IVXL]{1,6}|[A-Z]|\d{1,3}))?\s*\*{0,3}$")
# "99/2. Title" (a resolution or decision as a report prints it); without the full stop only where the file sets
# the line as a heading or in bold: "75/161 of 16 December 2020" runs on a paragraph
# (ECOSOC numbers them by year: "2025/1. Title")
_NUMBERED_TITLE = re.compile(r"^(\d{1,4}/\d{1,4})\.\s+[A-Z\u00c0-\u00de\u201c\"]")
_STYLED_TITLE = re.compile(r"^(\d{1,4}/\d{1,4})\s+[A-Z\u00c0-\u00de]")
# A President's statement a council's report prints beside its resolutions: "PRST 99/1. Title"
_STATEMENT_TITLE = re.compile(r"^PRST\s+(\d{1,4}/\d{1,4})\.?\s+[A-Z\u00c0-\u00de]")
# How a decision a report prints opens: "At its 40th meeting, on 5 April 2099, the Human Rights Council decided"
_DECISION_OPENING = re.compile(r"^(?:\d{1,2}\.\s+)?(?:At (?:its|the) \d{1,4}(?:st|nd|rd|th) (?:plenary )?meeting\b"
                               r"|À sa \d{1,4}(?:e|ᵉ) séance\b|En su \d{1,4}[ªa] sesión\b)")
_WINDOW = 14  # lines from a part's title to its chapeau: a title wraps, a sponsors' line or a note may come between
_ANNEX = re.compile(r"^(?:Annex|ANNEX|Annexe|Anexo)(?:\s+([IVX]{1,4}|[A-Z]))?\s*\*{0,3}$")
# The closing lines of a resolution in a report: its meeting and date, and how it was adopted.
_MEETING = re.compile(r"^\d{1,4}(?:st|nd|rd|th) (?:plenary )?meeting\b")
_REPORT_HEADING = re.compile(r"^(?:[IVXL]{1,6}\.\s+\S|Part (?:One|Two|Three|[IVX]+)\b|PART )")


@dataclass(frozen=True)
class _Part:
    start: int  # index of its title line
    label: str | None  # as cited: "resolution 99/2", "draft resolution III", "annex"; None: the report's own
    kind: str  # "resolution", "decision", "treaty"


def _next_texts(lines: list[Line], i: int, n: int = _WINDOW) -> list[str]:
    return [ln.text for ln in lines[i + 1 : i + 1 + n] if ln.text and not ln.footnote]


def _has_chapeau(texts: list[str]) -> bool:
    return any(resolution.CHAPEAU.match(t.lstrip("\"\u201c")) for t in texts)


def _titled_part(lines: list[Line], i: int) -> _Part | None:
    """The resolution, decision or draft whose title is line i, when its chapeau or decision follows."""
    text = lines[i].text
    following = _next_texts(lines, i)
    if m := _DRAFT_TITLE.match(text):
        kind = m.group(1).lower()
        label = f"draft {kind}" + (f" {m.group(2)}" if m.group(2) else "")
        if kind == "resolution" and _has_chapeau(following):
            return _Part(i, label, "resolution")
        if kind == "decision":
            return _Part(i, label, "decision")
        return None
    if m := _STATEMENT_TITLE.match(text):
        return _Part(i, f"President's statement {m.group(1)}", "decision")
    styled = lines[i].level or lines[i].style.bold
    if m := (_NUMBERED_TITLE.match(text) or (_STYLED_TITLE.match(text) if styled else None)):
        if _has_chapeau(following):
            return _Part(i, f"resolution {m.group(1)}", "resolution")
        if any(_DECISION_OPENING.match(t) for t in following[:3]):  # the title may wrap onto a line or two
            return _Part(i, f"decision {m.group(1)}", "decision")
    return None


def _annexed_treaty(lines: list[Line], i: int) -> _Part | None:
    """An "Annex" line followed by a treaty (articles 1 and 2 with the parties' formula or as headings)."""
    if not _ANNEX.match(lines[i].text):
        return None
    rest = lines[i + 1 :]
    return _Part(i, "annex", "treaty") if treaty.looks_like(rest) else None


def _parts(lines: list[Line]) -> list[_Part]:
    parts: list[_Part] = []
    for i, ln in enumerate(lines):
        if not ln.text or ln.footnote:
            continue
        part = _titled_part(lines, i) or _annexed_treaty(lines, i)
        if part:
            parts.append(part)
            if part.kind == "treaty":
                break  # the treaty runs to the end: its own annexes and notes are the treaty's
    return parts


def _report_paragraphs_before(lines: list[Line], end: int) -> bool:
    return any(_PARA.match(ln.text) for ln in lines[:end] if not ln.footnote)


def split(lines: list[Line]) -> list[_Part]:
    """The parts of a compound document, each from its title; empty when the document is not compound.

    A lone resolution is not compound ("99/2. Title" heads every resolution): a report holds two or more parts, or
    its own numbered paragraphs come before one; a resolution holds a treaty in its annex.
    """
    parts = _parts(lines)
    titled = [p for p in parts if p.kind != "treaty"]
    if len(titled) >= 2 or (titled and _report_paragraphs_before(lines, titled[0].start)):
        return parts
    treaties = [p for p in parts if p.kind == "treaty"]
    if treaties and resolution.looks_like(lines[: treaties[0].start]):
        return [_Part(0, None, "resolution"), treaties[0]]
    return []


def looks_like(lines: list[Line]) -> bool:
    return bool(split(lines))


def _closing_end(lines: list[Line], start: int, end: int) -> int:
    """Where a resolution or decision in a report ends: past its meeting line and the date and vote lines under
    it, where the report's own text resumes; else at the next part (end)."""
    meeting = next((i for i in range(start, end) if _MEETING.match(lines[i].text)), None)
    if meeting is None:
        return end
    j, voting = meeting + 1, False
    while j < end:
        text = lines[j].text
        if text and not lines[j].footnote and not resolution.is_closing(text):
            # the States of a recorded vote run on until the report's next heading or paragraph
            if not voting or _PARA.match(text) or _REPORT_HEADING.match(text) or lines[j].level:
                break
        voting = voting or resolution.is_vote(text)
        j += 1
    return j


def _read_part(part: _Part, lines: list[Line]) -> tuple[Segmentation, str | None]:
    """A part's segmentation and its title (the lines from its title line to its chapeau, joined)."""
    if part.kind == "treaty":
        seg = treaty.segment(lines[1:])
        return seg, None
    if part.kind == "decision":
        seg = _decision(lines[1:])
        return seg, lines[0].text
    seg = resolution.segment(lines)
    at = next((i for i, ln in enumerate(lines) if _is_chapeau(ln)), 0)
    title_lines = [ln.text for ln in lines[:at] if ln.text and not ln.footnote]
    return seg, " ".join(title_lines) if title_lines else None


def _is_chapeau(line: Line) -> bool:
    return not line.footnote and bool(resolution.CHAPEAU.match(line.text.lstrip("\"\u201c")))


_SUB_HEADING = re.compile(r"^(?:([A-H])|([IVXL]{1,6})\.\s+\S.*|[A-Z][A-Z ,.'\-]{2,80})$")


def _pieces(label: str, lines: list[Line]) -> list[tuple[str, list[Line]]]:
    """A resolution in parts ("A", "B", sections "I. Territory"), each with a chapeau of its own and numbering from
    1: one labelled piece each ("draft resolution III A", "draft resolution III B, section I")."""
    chapeaux = [i for i, ln in enumerate(lines) if _is_chapeau(ln)]
    if len(chapeaux) < 2:
        return [(label, lines)]
    cuts = [0]
    for at in chapeaux[1:]:
        start = at
        for j in range(at - 1, max(cuts[-1], at - 8), -1):
            text = lines[j].text
            if text and not lines[j].footnote and not _SUB_HEADING.match(text):
                break
            start = j
        cuts.append(start)
    out: list[tuple[str, list[Line]]] = []
    letter = section = None
    for a, b in zip(cuts, [*cuts[1:], len(lines)]):
        piece = lines[a:b]
        for ln in piece:
            if _is_chapeau(ln):
                break
            if m := _SUB_HEADING.match(ln.text):
                letter, section = (m.group(1), None) if m.group(1) else (letter, m.group(2) or section)
        name = label + (f" {letter}" if letter else "") + (f", section {section}" if section else "")
        out.append((name, piece))
    return out


def _decision(lines: list[Line]) -> Segmentation:
    """A decision's paragraphs: numbered where it numbers them (its opening words joined to the first), else one."""
    body = [ln for ln in lines if not resolution.is_closing(ln.text)]
    seg = _Segmenter(numbered=any(_PARA.match(ln.text) for ln in body))
    intro: list[str] = []
    for ln in body:
        if seg.numbered and not seg.last_number and ln.text and not ln.footnote and not _PARA.match(ln.text):
            intro.append(ln.text)
            continue
        seg.feed(ln)
    seg.close()
    units = list(seg.units)
    if intro and units:
        units[0] = replace(units[0], text=" ".join(intro) + "\n" + units[0].text)
    elif intro:
        units = [Paragraph("", " ".join(intro), 0, "block", page=body[0].page if body else None)]
    if not seg.numbered:
        units = [replace(u, number="" if len(units) == 1 else u.number) for u in units]
    closing = tuple(ln.text for ln in lines if ln.text and resolution.is_closing(ln.text))
    return Segmentation(tuple(units), tuple(seg.headings), closing, "decision")


_DECISIONS_HEADING = re.compile(r"\b(?:Decisions?|Décisions?|Decisiones?)\b")
_RESOLUTIONS_HEADING = re.compile(r"\b(?:Resolutions?|Résolutions?|Resoluciones?)\b")


def _as_decision(label: str, section: tuple[str, ...]) -> str:
    """ "resolution 99/101" printed under the report's heading "II. Decisions": a decision, as a council adopts
    its decisions with the same chapeau as its resolutions."""
    under = section[-1] if section else ""
    if label.startswith("resolution ") and _DECISIONS_HEADING.search(under) and not _RESOLUTIONS_HEADING.search(under):
        return "decision " + label.removeprefix("resolution ")
    return label


def _part_label(label: str, inner: str | None) -> str:
    """ "resolution 99/2" and, for a unit of that resolution's annex, "resolution 99/2, annex"."""
    return f"{label}, {inner}" if inner else label


def segment(lines: list[Line]) -> Segmentation:
    """The report's own paragraphs and each part's units, in document order."""
    parts = split(lines)
    lines = set_apart_headings(lines)
    own = _Segmenter(numbered=True)
    units: list[Paragraph] = []
    headings: list[str] = []
    front: list[str] = []
    position = 0

    def feed_own(until: int) -> None:
        before = len(own.units)
        for ln in lines[position:until]:
            own.feed(ln)
        own.close()
        units.extend(own.units[before:])

    kind = "report"
    for n, part in enumerate(parts):
        if part.label is None:  # the resolution that annexes a treaty: its own units
            kind = "resolution"
            seg = resolution.segment(lines[: parts[n + 1].start])
            units.extend(seg.units)
            headings.extend(seg.headings)
            front.extend(seg.front_matter)
            position = parts[n + 1].start
            continue
        feed_own(part.start)
        nxt = parts[n + 1].start if n + 1 < len(parts) else len(lines)
        end = _closing_end(lines, part.start, nxt) if part.kind != "treaty" else nxt
        section = own.section_path()
        label = _as_decision(part.label, section)
        pieces = _pieces(label, lines[part.start : end]) if part.kind == "resolution" else \
            [(label, lines[part.start : end])]
        for label, piece in pieces:
            seg, title = _read_part(part, piece)
            path = (*section, title) if title else section
            units.extend(replace(u, part=_part_label(label, u.part), section=(*path, *u.section))
                         for u in seg.units)
            headings.extend([*([title] if title else []), *seg.headings])
            front.extend(seg.front_matter)
            front.extend(seg.noise)
        position = end
    feed_own(len(lines))
    own.finish_heading()
    headings.extend(own.headings)
    front.extend(own.front)
    units = [replace(u, order=i) for i, u in enumerate(units)]
    return Segmentation(tuple(units), tuple(headings), tuple(front), kind)
