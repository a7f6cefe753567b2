"""A series across years: which units of a document carry over from another, reworded or as they were, which
are new and which were dropped; and a unit's lineage back through its series.

Units are paired by their words, not their numbers, so a paragraph renumbered, moved, or carried from the
preamble into the operative part still finds its counterpart. Every candidate pair is scored by difflib's ratio
over the two word sequences, and a pair below MATCH is no pair. Pairing goes in three passes:
1. in order: the one-to-one pairs that keep both documents' order with the most similarity above MATCH (an
   alignment by dynamic programming, as diff aligns lines), so a reworded paragraph in its place keeps its
   counterpart and one in another place that shares stock phrasing with it does not take it away;
2. moved: among the units left, best first, a pair out of order if it keeps most of its wording (MOVED);
3. merged and split: a unit beside a pair that takes up what its counterpart left, mostly (COVER): two units of
   OLD merged into one of NEW (Pair.also_old, how "merged"), or one split in two (each part's pair, "split").
The figures are chosen and measured on alignment gold written by reading both texts (bench/alignment.py, docs/series.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from tipsearch.records import Document, Unit
from tipsearch.text import words

MATCH = 0.3  # the least word similarity for two units to be one paragraph carried over (bench/alignment.py)
MOVED = 0.8  # the same, for a paragraph out of its place: it must keep most of its wording
COVER = 0.5  # a second counterpart (a merge, a split) must account for this share of what is left of either unit
_PART = 8  # the fewest words a second counterpart must account for
_RUN = 3  # the shortest run of words counted as carried over
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
    also_old: tuple[Unit, ...] = ()  # the other units of OLD merged into this one of NEW
    how: str | None = None  # "merged" (two or more units of OLD in one of NEW), "split" (one of OLD in several)


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


def _scores(old_words: list[tuple[str, ...]], new_words: list[tuple[str, ...]]) -> dict[tuple[int, int], float]:
    """(old index, new index) -> similarity, for every pair that reaches MATCH."""
    old_sets = [set(w) for w in old_words]
    out = {}
    for j, nw in enumerate(new_words):
        ns = set(nw)
        for i, ow in enumerate(old_words):
            shared = len(ns & old_sets[i])
            # a cheap bound first: word-set overlap far below MATCH cannot reach it in sequence either
            if not shared or 2 * shared / (len(ns) + len(old_sets[i])) < MATCH * 0.8:
                continue
            s = similarity(ow, nw)
            if s >= MATCH:
                out[(i, j)] = s
    return out


def _weight(s: float) -> float:
    return s - MATCH + 1e-6


def _in_order(scores: dict[tuple[int, int], float], n_old: int, n_new: int) -> dict[int, int]:
    """new index -> old index: the pairs that keep both documents' order, with the most similarity above MATCH in
    all (a pair just at MATCH is barely evidence: two such pairs do not outweigh one clear one)."""
    best = [[0.0] * (n_old + 1) for _ in range(n_new + 1)]
    for j in range(n_new):
        for i in range(n_old):
            take = best[j][i] + _weight(scores[(i, j)]) if (i, j) in scores else 0.0
            best[j + 1][i + 1] = max(best[j][i + 1], best[j + 1][i], take)
    out, j, i = {}, n_new, n_old
    while i and j:
        if (i - 1, j - 1) in scores and best[j][i] == best[j - 1][i - 1] + _weight(scores[(i - 1, j - 1)]):
            out[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif best[j][i] == best[j - 1][i]:
            j -= 1
        else:
            i -= 1
    return out


def _moved(scores: dict[tuple[int, int], float], taken: dict[int, int]) -> dict[int, int]:
    """new index -> old index for units out of their place: best first, among those the ordered pass left."""
    used = set(taken.values())
    out: dict[int, int] = {}
    for (i, j), s in sorted(scores.items(), key=lambda x: (-x[1], abs(x[0][0] - x[0][1]))):
        if s >= MOVED and j not in taken and j not in out and i not in used:
            out[j] = i
            used.add(i)
    return out


def _shared_runs(a: tuple[str | int, ...], b: tuple[str | int, ...]) -> tuple[set[int], set[int]]:
    """Positions in a and in b of the runs of at least _RUN words the two have in common, in order."""
    in_a: set[int] = set()
    in_b: set[int] = set()
    for x, y, size in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        if size >= _RUN:
            in_a.update(range(x, x + size))
            in_b.update(range(y, y + size))
    return in_a, in_b


def _rest(seq: tuple[str, ...], used: set[int]) -> tuple[tuple[str | int, ...], list[int]]:
    """The words of seq that no counterpart accounts for, with a gap (a number, never equal to a word or to another
    gap) where words were taken out; and the position in seq of each."""
    out: list[str | int] = []
    where: list[int] = []
    for k, w in enumerate(seq):
        if k not in used:
            out.append(w)
            where.append(k)
        elif out and isinstance(out[-1], str):
            out.append(k)
            where.append(-1)
    return tuple(out), where


def _parts(old_words: list[tuple[str, ...]], new_words: list[tuple[str, ...]],
           pairs: dict[int, int]) -> set[tuple[int, int]]:
    """(old, new) links beyond the one-to-one pairs: two units merged into one, or one split in two. Only next to a
    pair: a unit split in two is its NEW unit and the one beside it, two merged are its OLD unit and the one beside
    it. A link is made where the words neither unit's counterparts account for are, for one of the two, mostly
    (COVER) in the other, in runs of words they share."""
    links = {(i, j) for j, i in pairs.items()}
    used = ([set() for _ in old_words], [set() for _ in new_words])
    for i, j in links:
        a, b = _shared_runs(old_words[i], new_words[j])
        used[0][i] |= a
        used[1][j] |= b
    beside = {(i, k) for j, i in pairs.items() for k in (j - 1, j + 1) if 0 <= k < len(new_words)}
    beside |= {(k, j) for j, i in pairs.items() for k in (i - 1, i + 1) if 0 <= k < len(old_words)}
    while True:
        best = None
        for i, j in sorted(beside - links):
            rest_old, where_old = _rest(old_words[i], used[0][i])
            rest_new, where_new = _rest(new_words[j], used[1][j])
            left = min(sum(isinstance(w, str) for w in rest_old), sum(isinstance(w, str) for w in rest_new))
            a, b = _shared_runs(rest_old, rest_new)
            if len(a) >= _PART and len(a) >= COVER * left and (best is None or len(a) > best[0]):
                best = (len(a), i, j, {where_old[k] for k in a}, {where_new[k] for k in b})
        if best is None:
            return links
        _, i, j, a, b = best
        links.add((i, j))
        used[0][i] |= a
        used[1][j] |= b


def align(old: list[Unit], new: list[Unit]) -> list[Pair]:
    """Every unit of NEW with its counterpart(s) in OLD or marked new, in NEW's order; then OLD's dropped ones."""
    old_words, new_words = [_words(u) for u in old], [_words(u) for u in new]
    scores = _scores(old_words, new_words)
    pairs = _in_order(scores, len(old), len(new))
    pairs.update(_moved(scores, pairs))
    olds_of: dict[int, list[int]] = {}
    parts: dict[int, int] = {}
    for i, j in sorted(_parts(old_words, new_words, pairs)):
        olds_of.setdefault(j, []).append(i)
        parts[i] = parts.get(i, 0) + 1
    out = []
    for j, unit in enumerate(new):
        found = olds_of.get(j)
        if not found:
            out.append(Pair("new", None, unit, 0.0))
            continue
        first = pairs.get(j, found[0])
        others = tuple(old[i] for i in found if i != first)
        how = "merged" if others else "split" if parts[first] > 1 else None
        joined = tuple(w for i in found for w in old_words[i])
        if not how and joined == new_words[j]:
            out.append(Pair("same", old[first], unit, 1.0, word_diff(old[first].paragraph.text, unit.paragraph.text)))
            continue
        s = scores[(first, j)] if not others and (first, j) in scores else similarity(joined, new_words[j])
        text = "\n".join(old[i].paragraph.text for i in found)  # a merge's diff runs against its units in OLD's order
        out.append(Pair("changed", old[first], unit, round(s, 4), word_diff(text, unit.paragraph.text), others, how))
    out += [Pair("dropped", u, None, 0.0) for i, u in enumerate(old) if i not in parts]
    return out


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
