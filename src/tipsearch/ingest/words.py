"""Words a PDF's text layer split apart, put back together where the document's own vocabulary shows the word.

Extraction breaks words at kerning gaps ("Tr afficking", "cri me", "principle s") and sets hyphens apart
("technology -based", "Secretary- General"). Only the document decides: two fragments are joined when the joined
form occurs elsewhere in it as a word and one fragment is no word of it; "in to" (two words) stays.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from tipsearch.records import Line

_LETTERS = "A-Za-z\u00c0-\u024f"
_TOKEN = re.compile(rf"(?<![{_LETTERS}])[{_LETTERS}]+(?:['\u2019][{_LETTERS}]+)?")
# A plain word, not part of a hyphenated compound or an apostrophe form: only those are fragments.
_WORD = re.compile(rf"(?<![{_LETTERS}'\u2019-])[{_LETTERS}]+(?![{_LETTERS}'\u2019-])")
# "technology -based", "Secretary- General", "Secretary - General".
_LOOSE_HYPHEN = re.compile(rf"(?<![{_LETTERS}-])([{_LETTERS}]+)( -|- | - )([{_LETTERS}]+)(?![{_LETTERS}])")
# "gender- and age-sensitive": a hyphen left open before a conjunction is the writer's, not the extraction's.
_OPEN_HYPHEN_BEFORE = frozenset({"and", "or", "nor", "to", "as"})


_ADDRESS = re.compile(rf"[{_LETTERS}][./@][{_LETTERS}]")  # "www.worldbank.org": no evidence of a word
# Anchored at a word's start, so a long run of letters costs one pass, not one per position.
_COMPOUND = re.compile(rf"(?<![{_LETTERS}-])[{_LETTERS}]+(?:-[{_LETTERS}]+)+")


def _vocabulary(lines: list[Line]) -> Counter[str]:
    words: Counter[str] = Counter()
    for ln in lines:
        text = " ".join(chunk for chunk in ln.text.lower().split() if not _ADDRESS.search(chunk))
        words.update(_TOKEN.findall(text))
        words.update(_COMPOUND.findall(text))
    return words


def _pairs(text: str) -> list[tuple[re.Match[str], re.Match[str]]]:
    """Every two adjacent words exactly one space apart, overlapping pairs included."""
    tokens = list(_WORD.finditer(text))
    return [(a, b) for a, b in zip(tokens, tokens[1:]) if text[a.end() : b.start()] == " "]


def _join_pairs(text: str, joins) -> str:
    """text with each adjacent pair `joins(a, b)` accepts written as one word, left to right."""
    out, at, skip = [], 0, None
    for a, b in _pairs(text):
        if a is skip or not joins(a.group(0), b.group(0)):
            continue
        out.append(text[at : a.end()])
        at, skip = b.start(), b  # drop the space; b is now part of a word, so it starts no pair of its own
    out.append(text[at:])
    return "".join(out)


def repair_split_words(lines: list[Line]) -> list[Line]:
    """Join split words and loose hyphens where the rest of the document shows the joined word."""
    words = _vocabulary(lines)
    candidates: Counter[str] = Counter()
    touched: set[int] = set()  # lines with a pair that may join: only those are rewritten
    for i, ln in enumerate(lines):
        for a, b in _pairs(ln.text):
            if words[(a.group(0) + b.group(0)).lower()]:
                candidates.update({a.group(0).lower(), b.group(0).lower()})
                touched.add(i)

    def is_fragment(part: str) -> bool:
        # A fragment occurs only where it is half of a known word: never on its own.
        return words[part.lower()] <= candidates[part.lower()]

    def joins(a: str, b: str) -> bool:
        if not words[(a + b).lower()] or (b[0].isupper() and not (a + b).isupper()):
            return False  # "World Bank": a word's second half never starts with a capital
        fa, fb = is_fragment(a), is_fragment(b)
        if fa and fb:
            return True
        # One real word and a fragment: the fragment is the short rest of it ("principle s", "remain ed"), never
        # a longer word the document happens not to use elsewhere ("a broad").
        return (fa and len(a) <= len(b)) or (fb and len(b) <= len(a))

    def tighten(m: re.Match[str]) -> str:
        a, gap, b = m.groups()
        joined = f"{a}-{b}"
        if gap == "- " and words[(a + b).lower()] and not words[joined.lower()]:
            return a + b  # "frame- work": the document writes "framework"
        if gap == " -" or words[joined.lower()] or (gap == "- " and b.lower() not in _OPEN_HYPHEN_BEFORE):
            return joined
        return m.group(0)

    out: list[Line] = []
    for i, ln in enumerate(lines):
        text = _join_pairs(ln.text, joins) if i in touched else ln.text
        text = _LOOSE_HYPHEN.sub(tighten, text) if "- " in text or " -" in text else text
        out.append(ln if text == ln.text else replace(ln, text=text))
    return out
