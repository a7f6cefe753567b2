"""A numbered paragraph too long to read as one (a resolution's "Decides that: (a) ... (o)" over pages): its
lettered sub-items become units of their own, cited "para. 10 (b)", the opening words staying as "para. 10".

A lawyer cites such a sub-item on its own, and a unit of many pages answers no question well. Only the letters
that follow one another open a unit ((a), (b), (c) ...): "(i)" after "(h)" is a letter, "(i)" after "(b)" a roman
sub-item that stays in (b). Shorter paragraphs keep their sub-items (DESIGN.md "The unit").
"""

from __future__ import annotations

import re
from dataclasses import replace

from tipsearch.records import Paragraph

LONG_CHARS = 2_500  # over this, a paragraph with three or more lettered sub-items is cited by them
MIN_ITEMS = 3
_ITEM = re.compile(r"\n(?=\(([a-z]{1,2})\)\s)")


def _next_letter(letter: str) -> str:
    """ "a" -> "b", "z" -> "aa", "aa" -> "bb": how UN documents letter items past z."""
    if letter[-1] == "z":
        return "a" * (len(letter) + 1)
    return chr(ord(letter[0]) + 1) * len(letter)


def _pieces(text: str) -> list[tuple[str | None, str]]:
    """(letter, text) of the opening words (letter None) and each lettered sub-item, in order."""
    cuts, expected = [], "a"
    for m in _ITEM.finditer(text):
        if m.group(1) == expected:
            cuts.append((m.start(), expected))
            expected = _next_letter(expected)
    out: list[tuple[str | None, str]] = [(None, text[: cuts[0][0]] if cuts else text)]
    for (start, letter), (end, _) in zip(cuts, [*cuts[1:], (len(text), "")]):
        out.append((letter, text[start:end].strip()))
    return out


def split_long(units: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
    """Units with each long numbered paragraph cut at its lettered sub-items; the rest as they were."""
    out: list[Paragraph] = []
    for u in units:
        pieces = _pieces(u.text) if u.kind == "paragraph" and len(u.text) > LONG_CHARS and not u.label else []
        if len(pieces) <= MIN_ITEMS:
            out.append(u)
            continue
        opening = pieces[0][1].strip()
        if opening:
            out.append(replace(u, text=opening))
        out.extend(replace(u, number=f"{u.number} ({letter})", text=text, footnotes=() if opening else u.footnotes)
                   for letter, text in pieces[1:])
    return tuple(replace(u, order=i) for i, u in enumerate(out))
