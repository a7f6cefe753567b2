"""A file that holds one text and then its translation (a treaty database's export: the authentic text, then the
French one): each language is read as a text of its own, never as one list with every article twice.

The language of each block of lines is read with ingest/language.py; where a run of blocks in another language
starts and holds most of the rest of the file (and at least MIN_SHARE of it), the file is cut there, at the
heading that opens the run. Short blocks without a verdict (a heading, a date) follow their neighbours.
"""

from __future__ import annotations

import re

from tipsearch.ingest import language
from tipsearch.ingest.cleaning import Line

MIN_SHARE = 0.15  # of the file's letters: a quoted passage in another language is not a translation
MIN_HOLD = 0.8  # of the letters after the cut with a verdict: the other language holds the rest
_MIN_BLOCK = 60  # characters: below this a block's language is not judged


def _blocks(lines: list[Line]) -> list[tuple[int, int]]:
    """(start, end) of each run of non-blank body lines."""
    out, start = [], None
    for i, ln in enumerate([*lines, Line("", None)]):
        if ln.text and not ln.footnote:
            start = i if start is None else start
        elif not ln.text and start is not None:
            out.append((start, i))
            start = None
    return out


def _verdicts(lines: list[Line], blocks: list[tuple[int, int]]) -> list[tuple[str | None, int]]:
    out = []
    for a, b in blocks:
        text = " ".join(ln.text for ln in lines[a:b] if not ln.footnote)
        out.append((language.detect(text) if len(text) >= _MIN_BLOCK else None, len(text)))
    return out


def _cut(verdicts: list[tuple[str | None, int]], main: str) -> tuple[int, str] | None:
    """The block where another language takes over for the rest of the file, and that language; or None."""
    total = sum(n for _, n in verdicts) or 1
    for b, (code, _) in enumerate(verdicts):
        if code is None or code == main:
            continue
        rest = [(c, n) for c, n in verdicts[b:] if c is not None]
        other = sum(n for c, n in rest if c == code)
        if other >= MIN_HOLD * sum(n for _, n in rest) and other >= MIN_SHARE * total:
            while b > 0 and verdicts[b - 1][0] is None:
                b -= 1  # its title and headings, too short to judge, open it
            return b, code
    return None


_FIRST_NUMBER = re.compile(r"^(?:(\d{1,4})\.\s|(?:Article|Artículo|Art\.)\s+(\d{1,3}|premier|primero|1er)\b)")


def _opens_anew(lines: list[Line]) -> bool:
    """A translation is a whole text again: it opens with a heading the file sets as one, or its first numbered
    paragraph or article is the first."""
    texts = [ln for ln in lines if ln.text and not ln.footnote]
    if any(ln.level for ln in texts[:3]):
        return True
    first = next((m for ln in texts if (m := _FIRST_NUMBER.match(ln.text))), None)
    return first is not None and (first.group(1) or first.group(2)) in ("1", "premier", "primero", "1er")


def split(lines: list[Line]) -> list[tuple[str | None, list[Line]]]:
    """The file's texts in order: (None, the first) then (language code, each translation)."""
    blocks = _blocks(lines)
    verdicts = _verdicts(lines, blocks)
    main = next((c for c, _ in verdicts if c), None)
    parts: list[tuple[str | None, list[Line]]] = []
    start, code = 0, None
    while main is not None:
        found = _cut(verdicts, main)
        if found is None:
            break
        cut, other = found
        at = blocks[cut][0]
        if not _opens_anew(lines[at:]):
            break  # paragraphs that carry on the numbering in another language: one text, which checks.py flags
        parts.append((code, lines[start:at]))
        start, code, main = at, other, other
        blocks, verdicts = blocks[cut:], verdicts[cut:]
    parts.append((code, lines[start:]))
    return parts
