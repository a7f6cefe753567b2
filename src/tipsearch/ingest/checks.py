"""What looks wrong in how a file was read: one line a problem, with its numbers and what to do about it.

Each check is conservative: a correct reading of any document of the kinds in DESIGN.md raises none. The limits
were set on real UN documents (reports, resolutions, reviews, a treaty, a publication, Word tables), whose correct
readings hold 200-1,000 characters of text a unit, no unit over 4,000 characters and no second language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tipsearch.ingest import language
from tipsearch.records import Document, Paragraph

MAX_UNIT_CHARS = 6_000  # a cited paragraph is rarely over 2,000; over 6,000, several were run together
MAX_CHARS_PER_UNIT = 2_000  # text read per unit: correct readings hold 200-1,000
MIN_TEXT_CHARS = 10_000  # a short text may be one or two long paragraphs
OTHER_LANGUAGE_SHARE = 0.10  # of the units' text, read as another language than the document's
LANGUAGE_CHUNK_CHARS = 2_000  # consecutive units are read for their language in runs of about this much text
MAX_LINES = 3  # lines a check writes before it sums up the rest
# Kinds the UN issues under a symbol and a date; a treaty, a publication or a table may have neither.
SYMBOL_KINDS = frozenset({"report", "resolution", "review"})
CATALOG_HINT = "add it in corpus/catalog.csv"

_ARTICLE = re.compile(r"Article\s+(\d+)\b")
_SUBNUMBER = re.compile(r"(\d+)\.(\d+)")  # a review's recommendation "115.120": para. 115, item 120


def check(document: Document, units: Sequence[Paragraph], text_chars: int) -> tuple[str, ...]:
    """Warnings on a file's reading: long units, numbering gaps and restarts, too few units, metadata not found,
    a second language. text_chars: the characters of text the reader found in the file."""
    return (*_capped(long_units(units), f"units over {MAX_UNIT_CHARS:,} characters"),
            *_capped(numbering(units), "numbering problems"),
            *few_units(units, text_chars), *missing_metadata(document), *second_language(document, units))


def _capped(lines: Iterator[str], what: str) -> list[str]:
    found = list(lines)
    if len(found) <= MAX_LINES:
        return found
    return [*found[:MAX_LINES], f"... and {len(found) - MAX_LINES} more {what}"]


def _ref(p: Paragraph) -> str:
    """Where a unit is, as a reader finds it: "para. 12", "preambular para. 3", "Article 6, para. 2", "row 4"."""
    if p.kind == "article":
        if not p.label or not p.number:
            return p.label or "an article"
        return f"{p.label} {p.number}" if p.number.startswith("(") else f"{p.label}, para. {p.number}"
    named = {"preamble": "preambular para.", "row": "row", "block": "block"}
    if p.kind in named:
        return f"{named[p.kind]} {p.number}" + (f" (p. {p.page})" if p.kind == "block" and p.page else "")
    return f"para. {p.number}, {p.label}" if p.label else f"para. {p.number}"


def long_units(units: Sequence[Paragraph]) -> Iterator[str]:
    for p in units:
        if len(p.text) > MAX_UNIT_CHARS:
            yield (f"{_ref(p)} is {len(p.text):,} characters: its sub-items or the paragraphs after it may be run "
                   "together; check it with `tipsearch show`")


@dataclass(frozen=True)
class _Numbered:
    """A unit whose number belongs to a series that goes up by one: a numbered paragraph, an article, a review's
    recommendations under one paragraph."""

    series: str
    value: int
    unit: Paragraph

    @property
    def name(self) -> str:
        if self.series == "article":
            return f"art. {self.value}"
        return f"para. {self.unit.number}"


def _numbered(p: Paragraph) -> _Numbered | None:
    if p.kind == "paragraph" and p.number.isdigit():
        return _Numbered("paragraph", int(p.number), p)
    if p.kind == "article" and (m := _ARTICLE.match(p.label or "")):
        return _Numbered("article", int(m.group(1)), p)
    if p.kind == "recommendation" and (m := _SUBNUMBER.fullmatch(p.number)):
        return _Numbered(m.group(1), int(m.group(2)), p)
    return None


def _scope(n: _Numbered) -> tuple[str | None, str | None, str]:
    """Each part of a compound document and each translation numbers anew."""
    return n.unit.part, n.unit.language, n.series


def numbering(units: Sequence[Paragraph]) -> Iterator[str]:
    """Gaps (12 -> 15) and restarts (12 -> 1) in each series of numbers; a restart where the section path changes
    (an annex, a resolution printed in a report, part B) is the document's own."""
    last: dict[tuple, _Numbered] = {}
    resumes: dict[tuple, int] = {}  # after a restart inside a section, the number that would take up the old run
    for n in filter(None, map(_numbered, units)):
        before = last.get(_scope(n))
        last[_scope(n)] = n
        if before is None:
            if n.value > 1 and n.series == "paragraph":
                yield (f"the numbered paragraphs start at {n.name}: the ones before it may have been read as the "
                       "front matter or headings; check the start with `tipsearch show`")
            continue
        step = n.value - before.value
        # step 0: the next paragraph of an article, or a paragraph taken up again after its recommendations
        if step in (0, 1) or resumes.pop(_scope(n), None) == n.value:
            continue
        if step > 1:
            yield (f"{before.name} is followed by {n.name}: {_missing(before, n)} may have been run into "
                   f"{before.name} or taken for headings; check it with `tipsearch show`")
        elif n.value == 1 and n.unit.section != before.unit.section:
            continue  # a new part numbers from 1 again
        else:
            resumes[_scope(n)] = before.value + 1
            why = ("an article heading may have been misread" if n.series == "article" else
                   f"a list inside {before.name} may have been read as paragraphs")
            yield f"{n.name} follows {before.name} in the same part: {why}; check it with `tipsearch show`"


def _missing(before: _Numbered, after: _Numbered) -> str:
    first, last = before.value + 1, after.value - 1
    if before.series == "article":
        return f"art. {first}" if first == last else f"arts. {first}-{last}"
    prefix = "" if before.series == "paragraph" else f"{before.series}."
    return f"para. {prefix}{first}" if first == last else f"paras. {prefix}{first}-{prefix}{last}"


def few_units(units: Sequence[Paragraph], text_chars: int) -> Iterator[str]:
    if text_chars < MIN_TEXT_CHARS or not units or text_chars / len(units) <= MAX_CHARS_PER_UNIT:
        return
    yield (f"{len(units)} units for {text_chars:,} characters of text ({text_chars // len(units):,} a unit, over "
           f"{MAX_CHARS_PER_UNIT:,}): paragraphs may have been run together or taken for headings; check it with "
           "`tipsearch show`")


def missing_metadata(document: Document) -> Iterator[str]:
    """No symbol (nor a short title to cite it by) or date where the kind of document always has them; no title
    (the file name stands in)."""
    official = document.kind in SYMBOL_KINDS
    if official and not document.symbol and not document.short_title:  # a short title is a chosen citation name
        yield (f"no symbol found: citations name it by its full title; {CATALOG_HINT} (column symbol, or "
               "short_title where it has none)")
    if not document.date and (official or document.year is None):
        yield (f"no date found: it is left out of year filters and timelines; {CATALOG_HINT} (column date, "
               "yyyy-mm-dd)")
    if document.dated_by == "opened for signature":
        yield (f"dated {document.date}, the day it was opened for signature: the text gives no adoption date; "
               f"{CATALOG_HINT} (column date) if you know it")
    if not document.title.strip() or document.title == Path(document.file).stem.replace("-", " "):
        yield f"no title found: the file name stands in for it; {CATALOG_HINT} (column title)"


def second_language(document: Document, units: Sequence[Paragraph]) -> Iterator[str]:
    """Runs of units in another language than the document's, when they hold OTHER_LANGUAGE_SHARE of its text;
    a translation the reader found and read apart is said too."""
    for code in dict.fromkeys(p.language for p in units if p.language):
        count = sum(p.language == code for p in units)
        yield (f"the file holds a {language.name(code)} text after its own ({count} units): read apart, its units are "
               f"cited \"({language.name(code)} text)\"; split the file in two to date and title each text")
    units = [p for p in units if not p.language]
    if document.language is None:
        return
    total = sum(len(p.text) for p in units)
    other: dict[str, list[Paragraph]] = {}
    for run in _runs(units):
        found = language.detect("\n".join(p.text for p in run))
        if found is not None and found != document.language:
            other.setdefault(found, []).extend(run)
    for code, run in other.items():
        share = sum(len(p.text) for p in run) / max(total, 1)
        if share >= OTHER_LANGUAGE_SHARE:
            yield (f"{share:.0%} of the text ({len(run)} units, {_ref(run[0])} to {_ref(run[-1])}) reads as "
                   f"{language.name(code)}, the document as {language.name(document.language)}: if the file holds a "
                   "text and its translation, split it into one file a language")


def _runs(units: Sequence[Paragraph]) -> Iterator[list[Paragraph]]:
    """Consecutive units in runs of about LANGUAGE_CHUNK_CHARS characters (a long unit on its own)."""
    run: list[Paragraph] = []
    size = 0
    for p in units:
        run.append(p)
        size += len(p.text)
        if size >= LANGUAGE_CHUNK_CHARS:
            yield run
            run, size = [], 0
    if run:
        yield run
