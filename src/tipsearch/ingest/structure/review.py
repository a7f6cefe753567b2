"""Periodic review reports (Universal Periodic Review): numbered paragraphs, and each recommendation a unit.

A review report numbers its paragraphs like any report; its conclusions list the recommendations made to the
State under review, "115.120 Text ... (Philippines);", numbered inside the paragraph that introduces them
(DESIGN.md "The unit"). Each is its own unit (kind "recommendation", number "115.120", cited "para. 115.120")
with the recommending State(s) from its parentheses; the introducing paragraph stays a unit. Older reports
number the list 1., 2., ... inside that paragraph: those are "para. 111, Recommendation 11", as the
"Recommendation N" blocks of other reports. The unnumbered annex (composition of the delegation) is its own
section of blocks, and the document notes ("** Conclusions and recommendations have not been edited.") are
front matter, never a recommendation's text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tipsearch.ingest.cleaning import Line, is_masthead
from tipsearch.ingest.structure.numbered import _PARA, _Segmenter, has_numbered_paragraphs, set_apart_headings
from tipsearch.ingest.structure.segmentation import Segmentation

_SUB = re.compile(r"^(\d{1,4})\.(\d{1,3})\.?\s+(\S.*)$")  # "115.120 Text ..."
_INNER = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")  # "11. To strengthen ..." in a paragraph that lists them
_ANNEX = re.compile(r"^(?:Annex(?:es)?|Annexes?|Anexos?)(?:\s+[IVXL\d]{1,5})?$")
_NOTE = re.compile(r"^(\*{1,3})(?:\s+(\S.*))?$")  # a document note: "** Conclusions ... not been edited."
_BRACKETED = re.compile(r"^\[[^\]]{1,60}\]$")  # "[English only]"
_MARKS = re.compile(r"\s*\*{1,3}$")
_REVIEW_TITLE = re.compile(r"Working Group on the Universal Periodic"
                           r"|Groupe de travail sur l['\u2019]Examen périodique universel"
                           r"|Grupo de Trabajo sobre el Examen Periódico Universal", re.I)
_PLAIN_HEADING_CHARS = 80
# Words of treaties, bodies and plans, never of a State's name: "(Istanbul Convention) (Turkey)" names one State.
_NOT_STATE = {"Convention", "Covenant", "Protocol", "Act", "Law", "Code", "Strategy", "Plan", "Programme",
              "Principles", "Rules", "Agenda", "Committee", "Office", "Charter", "Declaration", "Statute",
              "Convención", "Pacte", "Pacto", "Protocole", "Protocolo", "Loi", "Ley", "Código", "Stratégie",
              "Estrategia", "Programa", "Principes", "Principios", "Règles", "Reglas", "Comité", "Bureau", "Oficina",
              "Charte", "Carta", "Déclaration", "Declaración", "Statut", "Estatuto"}
_STATE_ITEM = re.compile(r"^(?:the\s+)?[A-Z\u00c0-\u00de]")


def _groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level parenthesised group, nested ones kept inside: "(Venezuela (... of))"."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            start = i if depth == 0 else start
            depth += 1
        elif c == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append((start, i + 1))
    return out


def _split_top(content: str) -> list[str]:
    """Comma-separated items at the top level: "Erewhon (Federated States of), Ruritania"."""
    items, depth, cur = [], 0, []
    for c in content:
        depth += (c == "(") - (c == ")")
        if c == "," and depth == 0:
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    items.append("".join(cur).strip())
    return items


def _state_items(content: str) -> list[str]:
    """The States a group names, or [] when it is an acronym, a year, a treaty or a lowercase aside."""
    items = [" ".join(i.split()) for i in _split_top(content)]
    for item in items:
        words = set(re.findall(r"[^\W\d_]+", item))
        if (not _STATE_ITEM.match(item) or any(c.isdigit() for c in item) or words & _NOT_STATE
                or (item.replace(" ", "").isupper() and len(item) > 1)):
            return []
    return items


def recommending_states(text: str) -> tuple[str, ...]:
    """The State(s) in the parentheses that close a recommendation's clauses: "(France) (Lithuania);"."""
    groups = _groups(text)
    states: list[str] = []
    follows_state = False  # walking right to left: is the group after this one a State group?
    for start, end in reversed(groups):
        after = text[end:].lstrip()
        closes = not after or after[0] in ";./," or (after[0] == "(" and follows_state)
        items = _state_items(text[start + 1 : end - 1]) if closes else []
        follows_state = bool(items)
        states[:0] = items
    return tuple(dict.fromkeys(states))


def _is_plain_heading(text: str) -> bool:
    """An unnumbered heading: "Introduction", "Composition of the delegation"."""
    return (len(text) <= _PLAIN_HEADING_CHARS and text[:1].isupper() and not text.endswith((".", ",", ";", ":"))
            and not is_masthead(text))


class _Review(_Segmenter):
    """The numbered segmenter, with recommendations, document notes and the annex a review report has."""

    def __init__(self) -> None:
        super().__init__(numbered=True)
        self.sub = 0  # last "N.M" recommendation of the current paragraph N
        self.inner = 0  # last "K." of a list of recommendations inside a paragraph
        self.in_annex = False
        self.note_open = False  # a note mark alone on its line: its text is on the next one

    def start_heading(self, level: int, text: str) -> None:
        super().start_heading(level, _MARKS.sub("", text))  # "II. Conclusions and/or recommendations**"

    def lists_recommendations(self) -> bool:
        c = self.current
        if c is None or c.number != str(self.last_number):
            return False
        said = c.text().lower()
        return c.kind == "recommendation" or (
            c.kind == "paragraph" and any(w in said for w in ("recommendation", "recommandation", "recomendaci")))

    def feed(self, line: Line) -> None:
        text = line.text
        if line.footnote or not text:
            return super().feed(line)
        if self.note_open or (self.last_number and _NOTE.match(text)):
            self.front.append(text)  # document notes describe the document, not the paragraph they land in
            self.note_open = not self.note_open and _NOTE.match(text).group(2) is None
            return
        if self.in_annex:
            return self.feed_annex(line)
        if self.last_number and _ANNEX.match(text):
            return self.start_annex(text)
        if not self.last_number and (m := _PARA.match(text)) and m.group(1) == "1" and self.front \
                and not self.sections:
            if _is_plain_heading(self.front[-1]):  # "Introduction" above paragraph 1 is its heading
                self.sections = [(1, self.front.pop())]
                self.headings.append(self.sections[0][1])
        if self.feed_recommendation(line):
            return
        before = self.last_number
        super().feed(line)
        if self.last_number != before:
            self.sub = self.inner = 0

    def feed_recommendation(self, line: Line) -> bool:
        """Open "115.120 ..." or, in a paragraph listing recommendations, "11. ..."; False if it is neither."""
        s = _SUB.match(line.text)
        if s and int(s.group(1)) == self.last_number and int(s.group(2)) == self.sub + 1:
            self.sub += 1
            self.open(f"{self.last_number}.{self.sub}", "recommendation", None, line.page)
            self.current.add(s.group(3))
            return True
        i = _INNER.match(line.text)
        if (i and int(i.group(1)) == self.inner + 1 and int(i.group(1)) != self.last_number + 1
                and not self.sub and self.lists_recommendations()):
            self.inner += 1
            self.open(str(self.last_number), "recommendation", f"Recommendation {self.inner}", line.page)
            self.current.add(i.group(2))
            return True
        return False

    def start_annex(self, text: str) -> None:
        self.close()
        self.finish_heading()
        self.sections = [(1, text)]
        self.headings.append(text)
        self.in_annex = True

    def feed_annex(self, line: Line) -> None:
        text = line.text
        if self.current is None and _BRACKETED.match(text):
            self.headings.append(text)  # "[English only]" qualifies the annex heading
        elif self.current is None and len(self.sections) == 1 and _is_plain_heading(text):
            self.sections.append((2, text))
            self.headings.append(text)
        else:
            super().feed(line)


def looks_like(lines: list[Line]) -> bool:
    """A review report: a title naming the review Working Group, or recommendations N.1, N.2, N.3."""
    front = [ln.text for ln in lines[:60] if not ln.footnote]
    if any(_REVIEW_TITLE.search(t) for t in front) and has_numbered_paragraphs(lines):
        return True
    subs: dict[str, set[str]] = {}
    for ln in lines:
        if m := _SUB.match(ln.text):
            subs.setdefault(m.group(1), set()).add(m.group(2))
    return any({"1", "2", "3"} <= found for found in subs.values())


def segment(lines: list[Line]) -> Segmentation:
    """Numbered paragraphs, recommendations with their States, the annex in blocks."""
    seg = _Review()
    for line in set_apart_headings(lines):
        seg.feed(line)
    seg.close()
    seg.finish_heading()
    units = tuple(replace(u, states=recommending_states(u.text)) if u.kind == "recommendation" else u
                  for u in seg.units)
    return Segmentation(units, tuple(seg.headings), tuple(seg.front), "review")
