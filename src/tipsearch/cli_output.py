"""What the command line prints: hits, the build report, timelines, scores, documents; JSON is printed as-is."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tipsearch.citations import paragraph_ref
from tipsearch.ingest.language import name
from tipsearch.index.build import BuildReport, FileReport
from tipsearch.records import Document, Hit, Unit
from tipsearch.search.repeats import also_line
from tipsearch.serialize import hits_json

if TYPE_CHECKING:  # types only: printing needs no search machinery loaded
    from tipsearch.search.evaluation import Question, Scores
    from tipsearch.search.related import TimelineEntry


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _mark(text: str, span: str, tty: bool) -> str:
    """Mark the answer span inside text: bold on a terminal, «guillemets» in a pipe."""
    if not span or span not in text:
        return text
    left, right = ("\033[1;33m", "\033[0m") if tty else ("\u00bb", "\u00ab")
    return text.replace(span, f"{left}{span}{right}", 1)


def _wrap(text: str, indent: str = "    ") -> str:
    width = min(shutil.get_terminal_size((100, 20)).columns, 100)
    return "\n".join(
        textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False) for line in text.split("\n")
    )


def _print_hit(hit: Hit, tty: bool) -> None:
    p = hit.unit.paragraph
    year = hit.unit.document.year
    head = f"{hit.rank}. {hit.citation}" + (f" ({year})" if year and str(year) not in hit.citation else "")
    print(f"\033[1m{head}\033[0m" if tty else head)
    if p.section:
        print(f"    {' > '.join(p.section)}")
    print(_wrap(_mark(p.text, hit.answer, tty)))
    if hit.also_in:
        print(_wrap(also_line(hit)))
    print()


def print_hits(hits: list[Hit], as_json: bool) -> None:
    if as_json:
        print_json(hits_json(hits))
        return
    if not hits:
        print("No matching paragraphs.")
    tty = sys.stdout.isatty()
    if hits:
        print(_wrap(f"Answer: {hits[0].answer} ({hits[0].citation})", ""))
        print()
    for hit in hits:
        _print_hit(hit, tty)


WARNING_MARK = "!"  # before each warning line, under its file or document


def _print_warnings(warnings: Sequence[str], indent: str, file: TextIO | None = None) -> None:
    for line in warnings:
        print(f"{indent}{WARNING_MARK} {line}", file=file)


def print_report(report: BuildReport) -> None:
    """The build's closing table (_print_table), then totals and the files skipped."""
    flagged = sum(bool(f.warnings) for f in report.files)
    if report.up_to_date:
        see = f" {flagged} files have warnings: `tipsearch documents` lists them." if flagged else ""
        print(f"Index {report.index_dir}/ is up to date: {report.units} units; nothing embedded.{see}", file=sys.stderr)
    elif report.files:
        _print_table(report.files)
        counts = {s: sum(f.status == s for f in report.files) for s in ("indexed", "unchanged", "skipped", "duplicate")}
        read = counts["indexed"] + counts["unchanged"]
        extra = "".join(f", {counts[s]} {s}" for s in ("unchanged", "duplicate") if counts[s])
        look = f", {flagged} with warnings ({WARNING_MARK}) to look at" if flagged else ""
        print(
            f"{read} files read, {counts['skipped']} skipped{extra}{look}; {report.units} units in "
            f"{report.index_dir}/; {report.embedded} chunks embedded, {report.reused} reused; {report.seconds:.1f} s",
            file=sys.stderr,
        )
    for f in report.skipped:
        print(f"skipped {f.file}: {f.reason}", file=sys.stderr)


def _print_table(files: Sequence[FileReport]) -> None:
    """Each file, its status, the kind it was read as, its units and coverage (the share of its text in a unit, a
    heading, the front matter or removed noise), why it was skipped; under it, what looks wrong in its reading."""
    rows = [(f.file, f.status, str(f.units), f.kind or "", "" if f.coverage is None else f"{f.coverage:.1%}",
             f.reason or "") for f in files]
    head = ("file", "status", "units", "read as", "coverage", "reason")
    widths = [max(len(r[i]) for r in [*rows, head]) for i in range(5)]
    for r, f in [(head, None), *zip(rows, files)]:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:<{widths[3]}}  "
              f"{r[4]:>{widths[4]}}  {r[5]}".rstrip(), file=sys.stderr)
        _print_warnings(f.warnings if f else (), "  ", sys.stderr)


def print_timeline(entries: Sequence[TimelineEntry]) -> None:
    """One line per document: date, a strength bar, the citation; the answer wrapped beneath."""
    if not entries:
        print("No matching paragraphs.")
    for e in entries:
        bar = "#" * round(e.strength * 10)
        print(f"{e.document.date or 'undated':<10}  {bar:<10} {e.strength:4.2f}  {e.hit.citation}")
        print(_wrap(e.hit.answer, " " * 12))


def print_scores(questions_file: Path, questions: Sequence[Question], results: Sequence[Scores], misses: bool) -> None:
    """The evaluation table, one row per mode; with misses, the questions the first mode did not rank first."""
    print(f"{questions_file}: {len(questions)} questions")
    print(f"{'mode':<10} {'hit@1':>6} {'hit@5':>6} {'MRR@10':>7} {'nDCG@10':>8}")
    for s in results:
        print(f"{s.mode:<10} {s.hit1:>6.3f} {s.hit5:>6.3f} {s.mrr10:>7.3f} {s.ndcg10:>8.3f}")
    if misses:
        for o in results[0].outcomes:
            if o.first_gold != 1:
                print(f"  gold at {o.first_gold or '-'}: {o.question.q}  gold={','.join(o.question.gold)} "
                      f"top={','.join(o.ranked[:3])}")


def print_documents(docs: Sequence[Document], before: dict | None = None) -> None:
    """One line a document: id, date, language, units, name, file, the kind it was read as and its predecessor in its
    series; under it, what looks wrong in its reading, a line each."""
    for d in docs:
        name = d.symbol or d.short_title or d.title
        prior = (before or {}).get(d.id)
        after = f"  after {prior.symbol or prior.file}" if prior else ""
        print(f"{d.id:>4}  {d.date or '':<10}  {d.language or '--':<2}  {d.units:>5} units  {name}  [{d.file}]  "
              f"{d.kind or ''}{after}".rstrip())
        _print_warnings(d.warnings, " " * 6)


def _print_unit(unit: Unit, last_section: tuple[str, ...]) -> None:
    p = unit.paragraph
    for depth, heading in enumerate(p.section):
        if tuple(p.section[: depth + 1]) != tuple(last_section[: depth + 1]):
            print(f"\n{'  ' * depth}{heading}\n")
    # the unit as it is cited: [9], [Recommendation 1], [preambular para. 3], [art. 6, para. 3], [para. 115.120]
    number = p.label if p.kind == "recommendation" and p.label else p.number if p.kind == "paragraph" else paragraph_ref(p)
    number = p.label if p.kind == "paragraph" and not p.number and p.label else number  # "Action 6"
    # a part of a compound document, a translation: [resolution 99/2, 4], [art. 2, para. 1 (French text)]
    number = ", ".join(x for x in (p.part, number) if x) + (f" ({name(p.language)} text)" if p.language else "")
    print(_wrap(f"[{number}] {p.text}", "  "))
    print()


def print_document(doc: Document, units: Sequence[Unit]) -> None:
    """A document's heading lines, then its paragraphs in order, each new section heading once."""
    print(f"{doc.symbol or doc.title}\n{doc.title}\n{doc.body or ''} {doc.date or ''}".rstrip())
    last: tuple[str, ...] = ()
    for unit in units:
        _print_unit(unit, last)
        last = unit.paragraph.section


def _diff_text(diff, tty: bool) -> str:
    """A word diff for the terminal: [+inserted+] and [-deleted-] (in colour on a terminal)."""
    marks = {"=": ("", ""), "+": ("\033[4;32m", "\033[0m") if tty else ("[+", "+]"),
             "-": ("\033[9;31m", "\033[0m") if tty else ("[-", "-]")}
    return "".join(f"{marks[op][0]}{text}{marks[op][1]}" if op != "=" else text for op, text in diff)


def print_comparison(c, pairs) -> None:
    """Counts, then each pair: NEW's citation <- OLD's, and the changed ones' word diff."""
    from tipsearch.redline import heading

    counts = {s: sum(p.status == s for p in c.pairs) for s in ("same", "changed", "new", "dropped")}
    print(f"{c.old.symbol or c.old.file} -> {c.new.symbol or c.new.file}: "
          + ", ".join(f"{n} {s}" for s, n in counts.items()))
    if c.note:
        print(f"note: {c.note}")
    tty = sys.stdout.isatty()
    for pair in pairs:
        print(f"\n{heading(pair)}")
        if pair.status == "changed":
            print(_wrap(_diff_text(pair.diff, tty)))


def print_history(steps) -> None:
    """Oldest first: each document's unit, whether the wording changed, and how."""
    tty = sys.stdout.isatty()
    for step in steps:
        year = step.unit.document.year or "undated"
        what = {"first": "first appears", "same": "same wording", "changed": f"changed ({step.similarity:.2f})"}
        print(f"{year}  {step.unit.citation}  {what[step.status]}")
        print(_wrap(_diff_text(step.diff, tty) if step.diff else step.unit.paragraph.text))
        print()
