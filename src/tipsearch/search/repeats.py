"""Repeated text: the same paragraph in several documents of a series is one answer with several sources.

A resolution carries most of its operative paragraphs over from the last one, and a draft is its adopted
text; a search should not show the same sentence four times. Two units repeat each other when their words
are the same, or nearly: NEAR words in common by difflib's ratio over the word sequences (a changed date,
a renumbered cross-reference, an added "also" stay one answer; a reworded clause does not).
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from tipsearch.records import Hit, Unit
from tipsearch.text import words

NEAR = 0.95  # share of words in common (difflib ratio) for two units to count as one text


def _words(unit: Unit) -> tuple[str, ...]:
    return tuple(w.lower() for w in words(unit.paragraph.text))


def same_text(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when two word sequences are the same text, or nearly (NEAR)."""
    if a == b:
        return True
    if not a or not b or min(len(a), len(b)) / max(len(a), len(b)) < NEAR:
        return False  # lengths this far apart cannot reach the ratio
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR


def _newest_first(units: Sequence[Unit]) -> list[Unit]:
    return sorted(units, key=lambda u: (u.document.date or "", u.document.file), reverse=True)


def collapse(units: Sequence[Unit]) -> list[tuple[Unit, tuple[Unit, ...]]]:
    """Units in rank order -> (the newest unit of each repeated text, the others newest first), placed where
    the text's best-ranked unit was. Units of one document are never merged with each other."""
    groups: list[list[Unit]] = []
    keys: list[tuple[str, ...]] = []
    for unit in units:
        words = _words(unit)
        for group, key in zip(groups, keys):
            if all(u.document.id != unit.document.id for u in group) and same_text(key, words):
                group.append(unit)
                break
        else:
            groups.append([unit])
            keys.append(words)
    out = []
    for group in groups:
        newest, *others = _newest_first(group)
        out.append((newest, tuple(others)))
    return out


def also_line(hit: Hit) -> str:
    """ "Same text in 4 documents, 2017-2025: A/RES/97/901, para. 20; ..." for a hit that folds repeats."""
    years = sorted(y for y in (u.document.year for u in (hit.unit, *hit.also_in)) if y)
    span = f", {years[0]}-{years[-1]}" if years and years[0] != years[-1] else ""
    cited = "; ".join(u.citation for u in hit.also_in)
    return f"Same text in {len(hit.also_in) + 1} documents{span}: also {cited}"
