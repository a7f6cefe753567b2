"""A series across years: which units of a document carry over from another, reworded or as they were, which
are new and which were dropped; and a unit's lineage back through its series.

Units are paired by their words, not their numbers, so a paragraph renumbered, moved, or carried from the
preamble into the operative part still finds its counterpart. Every candidate pair is scored by difflib's
ratio over the two word sequences; the best pairs are taken first, each unit in at most one pair; a pair
below MATCH is no pair (the unit is new, or dropped). Chosen on hand-made alignment gold (README).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from tipsearch.records import Document, Unit
from tipsearch.text import words

MATCH = 0.3  # the least word similarity for two units to be one paragraph carried over (bench/alignment.py)
_TOKENS = re.compile(r"\s+|[^\s]+")
_RESOLUTION_NUMBER = re.compile(r"^\d{1,3}/\d{1,4}\.\s+")


@dataclass(frozen=True)
class Pair:
    """A unit of NEW and its counterpart in OLD: same, changed (with a word-level diff), new or dropped."""

    status: str
    old: Unit | None
    new: Unit | None
    similarity: float
    diff: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Comparison:
    old: Document
    new: Document
    pairs: tuple[Pair, ...]
    note: str | None = None  # e.g. that the two documents are of different series


def series_key(doc: Document) -> str:
    """What a series' documents share: the title without its resolution number ("99/901. ..."), lower-cased."""
    return " ".join(_RESOLUTION_NUMBER.sub("", doc.title or "").lower().split())


def predecessors(docs: list[Document]) -> dict[int, Document | None]:
    """document id -> the latest earlier document of its series (same series_key, dated before it), or None."""
    out: dict[int, Document | None] = {}
    for doc in docs:
        earlier = [d for d in docs if d.id != doc.id and series_key(d) == series_key(doc)
                   and (d.date or "", d.file) < (doc.date or "", doc.file)]
        out[doc.id] = max(earlier, key=lambda d: (d.date or "", d.file), default=None)
    return out


def _words(unit: Unit) -> tuple[str, ...]:
    return tuple(w.lower() for w in words(unit.paragraph.text))


def similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """[op, text] runs turning old into new word by word: "=" kept, "-" deleted, "+" inserted."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(b[j1:j2])))
    return tuple(out)


def _candidates(old: list[Unit], new: list[Unit]) -> list[tuple[float, int, int]]:
    """(similarity, old index, new index) of every pair worth scoring, best first."""
    old_words = [_words(u) for u in old]
    new_words = [_words(u) for u in new]
    old_sets = [set(w) for w in old_words]
    scored = []
    for j, nw in enumerate(new_words):
        ns = set(nw)
        for i, ow in enumerate(old_words):
            shared = len(ns & old_sets[i])
            # a cheap bound first: word-set overlap far below MATCH cannot reach it in sequence either
            if not shared or 2 * shared / (len(ns) + len(old_sets[i])) < MATCH * 0.8:
                continue
            s = similarity(ow, nw)
            if s >= MATCH:
                scored.append((s, i, j))
    return sorted(scored, key=lambda x: (-x[0], abs(x[1] - x[2])))


def align(old: list[Unit], new: list[Unit]) -> list[Pair]:
    """Every unit of NEW with its counterpart in OLD or marked new, in NEW's order; then OLD's dropped ones."""
    taken_old: dict[int, tuple[int, float]] = {}
    taken_new: dict[int, tuple[int, float]] = {}
    for s, i, j in _candidates(old, new):
        if i not in taken_old and j not in taken_new:
            taken_old[i] = (j, s)
            taken_new[j] = (i, s)
    pairs = []
    for j, unit in enumerate(new):
        if j not in taken_new:
            pairs.append(Pair("new", None, unit, 0.0))
            continue
        i, s = taken_new[j]
        same = _words(old[i]) == _words(unit)
        pairs.append(Pair("same" if same else "changed", old[i], unit, 1.0 if same else round(s, 4),
                          word_diff(old[i].paragraph.text, unit.paragraph.text)))
    pairs += [Pair("dropped", u, None, 0.0) for i, u in enumerate(old) if i not in taken_old]
    return pairs


def compare(old_doc: Document, old: list[Unit], new_doc: Document, new: list[Unit]) -> Comparison:
    note = None
    if series_key(old_doc) != series_key(new_doc):
        note = (f"{old_doc.symbol or old_doc.file} and {new_doc.symbol or new_doc.file} are of different series "
                "(their titles differ): expect mostly new and dropped units")
    return Comparison(old_doc, new_doc, tuple(align(old, new)), note)


@dataclass(frozen=True)
class Step:
    """One document in a unit's lineage: its unit, and how the next document's unit differs from it."""

    unit: Unit
    status: str  # "first" for the oldest; else "same" or "changed" against the step before
    similarity: float
    diff: tuple[tuple[str, str], ...] = ()


def lineage(unit: Unit, earlier: list[tuple[Document, list[Unit]]]) -> list[Step]:
    """The unit's counterparts back through earlier documents (newest first given), oldest first."""
    chain = [unit]
    for _, units in earlier:
        here = _words(chain[-1])
        best = max(((similarity(_words(u), here), u) for u in units), key=lambda x: x[0], default=(0.0, None))
        if best[1] is None or best[0] < MATCH:
            break
        chain.append(best[1])
    chain.reverse()
    steps = [Step(chain[0], "first", 1.0)]
    for before, after in zip(chain, chain[1:]):
        same = _words(before) == _words(after)
        steps.append(Step(after, "same" if same else "changed",
                          1.0 if same else round(similarity(_words(before), _words(after)), 4),
                          () if same else word_diff(before.paragraph.text, after.paragraph.text)))
    return steps
