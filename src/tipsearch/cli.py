"""Command line: each command parses, calls one library function, prints; errors are one line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from tipsearch.search import evaluation

from tipsearch import library
from tipsearch.models.embedders import DEVICES, HASHING, MINILM, PRECISIONS
from tipsearch.errors import TipsearchError
from tipsearch.search.filters import KINDS, Filters
from tipsearch.index.build import BuildReport
from tipsearch.records import Hit, Unit
from tipsearch.search.retrieve import MODES
from tipsearch.serialize import document_dict, hit_dict, scores_dict, timeline_dict, unit_dict
from tipsearch.index.vectors import KINDS as VECTOR_INDEXES

EXIT_ERROR = 1
EXIT_SKIPPED = 3


def _print_json(data: object) -> None:
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
    print()


def _print_report(report: BuildReport) -> None:
    """The build's closing table: each file, its status and units, why it was skipped; then totals."""
    if report.up_to_date:
        print(f"Index {report.index_dir}/ is up to date: {report.units} units; nothing embedded.", file=sys.stderr)
    rows = [(f.file, f.status, str(f.units), f.reason or "") for f in report.files]
    if rows and not report.up_to_date:
        widths = [max(len(r[i]) for r in rows + [("file", "status", "units", "")]) for i in range(3)]
        print(f"{'file':<{widths[0]}}  {'status':<{widths[1]}}  {'units':>{widths[2]}}  reason", file=sys.stderr)
        for r in rows:
            print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip(), file=sys.stderr)
        counts = {s: sum(f.status == s for f in report.files) for s in ("indexed", "unchanged", "skipped", "duplicate")}
        read = counts["indexed"] + counts["unchanged"]
        extra = "".join(f", {counts[s]} {s}" for s in ("unchanged", "duplicate") if counts[s])
        print(
            f"{read} files read, {counts['skipped']} skipped{extra}; {report.units} units in {report.index_dir}/;"
            f" {report.embedded} chunks embedded, {report.reused} reused; {report.seconds:.1f} s",
            file=sys.stderr,
        )
    for f in report.skipped:
        print(f"skipped {f.file}: {f.reason}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    report = library.build(args.corpus, args.index, model=args.model, progress=not args.quiet, force=args.force,
                           device=args.device, precision=args.precision, vector_index=args.vector_index)
    _print_report(report)
    return EXIT_SKIPPED if report.skipped else 0


def cmd_add(args: argparse.Namespace) -> int:
    report = library.add(args.files, args.corpus, args.index, model=args.model, progress=not args.quiet,
                         device=args.device, precision=args.precision, vector_index=args.vector_index)
    _print_report(report)
    return EXIT_SKIPPED if report.skipped else 0


def _questions(args: argparse.Namespace) -> list[str]:
    if args.queries:
        path = Path(args.queries)
        if not path.is_file():
            raise TipsearchError(f"no questions file {path}: give one question a line")
        return [q.strip() for q in path.read_text(encoding="utf-8").splitlines() if q.strip()]
    return [args.question]


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(args.year_from, args.year_to, tuple(args.documents or ()), args.body, args.kind)


def _print_hits(hits: list[Hit], as_json: bool) -> None:
    if as_json:
        _print_json([hit_dict(h) for h in hits])
        return
    if not hits:
        print("No matching paragraphs.")
    tty = sys.stdout.isatty()
    for hit in hits:
        _print_hit(hit, tty)


def cmd_search(args: argparse.Namespace) -> int:
    if not args.question and not args.queries:
        raise TipsearchError('give a question, e.g. tipsearch search "legal assistance for victims"')
    lib = library.Library.open(args.index, precision=args.precision)
    filters = _filters(args)
    for question in _questions(args):
        hits = lib.search(question, k=args.k, mode=args.mode, filters=filters, group=args.group)
        if args.queries:
            print(json.dumps({"query": question, "hits": [hit_dict(h) for h in hits]}, ensure_ascii=False))
        else:
            _print_hits(hits, args.json)
    return 0


def cmd_related(args: argparse.Namespace) -> int:
    hits = library.Library.open(args.index).related(
        args.document, args.paragraph, k=args.k, filters=_filters(args), same_document=args.same_document)
    _print_hits(hits, args.json)
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    entries = library.Library.open(args.index).timeline(args.question, filters=_filters(args))
    if args.json:
        _print_json([timeline_dict(e) for e in entries])
        return 0
    if not entries:
        print("No matching paragraphs.")
    for e in entries:
        bar = "#" * round(e.strength * 10)
        print(f"{e.document.date or 'undated':<10}  {bar:<10} {e.strength:4.2f}  {e.hit.citation}")
        print(_wrap(e.hit.answer, " " * 12))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    questions = evaluation.read_questions(args.questions)
    results = evaluation.evaluate(library.Library.open(args.index).pipeline, questions, args.mode, args.k)
    if args.json:
        _print_json([scores_dict(s, with_questions=args.misses) for s in results])
        return 0
    print(f"{args.questions}: {len(questions)} questions")
    print(f"{'mode':<10} {'hit@1':>6} {'hit@5':>6} {'MRR@10':>7} {'nDCG@10':>8}")
    for s in results:
        print(f"{s.mode:<10} {s.hit1:>6.3f} {s.hit5:>6.3f} {s.mrr10:>7.3f} {s.ndcg10:>8.3f}")
    if args.misses:
        for o in results[0].outcomes:
            if o.first_gold != 1:
                print(f"  gold at {o.first_gold or '-'}: {o.question.q}  gold={','.join(o.question.gold)} "
                      f"top={','.join(o.ranked[:3])}")
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    docs = library.Library.open(args.index).documents()
    if args.json:
        _print_json([document_dict(d, with_id=True) for d in docs])
        return 0
    for d in docs:
        name = d.symbol or d.short_title or d.title
        print(f"{d.id:>4}  {d.date or '':<10}  {d.units:>5} units  {name}  [{d.file}]")
    return 0


def _print_unit(unit: Unit, last_section: tuple[str, ...]) -> None:
    p = unit.paragraph
    for depth, heading in enumerate(p.section):
        if tuple(p.section[: depth + 1]) != tuple(last_section[: depth + 1]):
            print(f"\n{'  ' * depth}{heading}\n")
    number = p.label or p.number
    print(_wrap(f"[{number}] {p.text}", "  "))
    print()


def cmd_show(args: argparse.Namespace) -> int:
    doc, units = library.Library.open(args.index).document(args.document)
    if args.json:
        _print_json({"document": document_dict(doc, with_id=True), "units": [unit_dict(u) for u in units]})
        return 0
    print(f"{doc.symbol or doc.title}\n{doc.title}\n{doc.body or ''} {doc.date or ''}".rstrip())
    last: tuple[str, ...] = ()
    for unit in units:
        _print_unit(unit, last)
        last = unit.paragraph.section
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from tipsearch import export  # python-docx is only imported when a pack is exported

    if not args.pack and not args.cite:
        raise TipsearchError('give a saved pack or citations, e.g. tipsearch export --cite "wg-tip-2022-report 9" -o pack.md')
    fmt = args.format or (args.output.suffix.lstrip(".").lower() if args.output else "md")
    if fmt not in export.FORMATS:
        raise TipsearchError(f"cannot tell the format from {args.output}: add --format md, docx or csv")
    if fmt == "docx" and args.output is None:
        raise TipsearchError("DOCX is a binary file: give -o FILE.docx")
    refs = (export.read_pack(args.pack) if args.pack else []) + [export.parse_cite(c) for c in args.cite]
    items = export.resolve(library.Library.open(args.index), refs)
    data = export.render(items, fmt, args.title)
    if args.output is None:
        sys.stdout.write(data.decode("utf-8-sig"))
    else:
        args.output.write_bytes(data)
        print(f"wrote {len(items)} item(s) to {args.output}", file=sys.stderr)
    return 0


def _export_command(command) -> None:
    p = command("export", "Export a reading pack (saved JSON or citations) as Markdown, DOCX or CSV.",
                'tipsearch export --cite "wg-tip-2022-report rec:7" --cite "wg-tip-2022-report 9" -o pack.docx')
    p.add_argument("pack", nargs="?", type=Path, help="a pack saved from the app: JSON list of {citation, note}")
    p.add_argument("--cite", action="append", default=[], metavar="CITATION",
                   help='a citation as printed, or "DOCUMENT PARAGRAPH" (e.g. "wg-tip-2022-report rec:7"); repeatable')
    p.add_argument("--format", choices=("md", "docx", "csv"), help="default: from -o's suffix, else md")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: print Markdown or CSV)")
    p.add_argument("--title", default="Reading pack", help="the pack's title (default: Reading pack)")
    p.set_defaults(func=cmd_export)


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="tipsearch", description="Search anti-trafficking documents; every answer cited by paragraph.",
        epilog='Example: tipsearch search "Do victims have a right to free legal assistance?"', formatter_class=fmt,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, epilog=f"Example: {example}", formatter_class=fmt)
        p.add_argument("--index", type=Path, default=library.DEFAULT_INDEX, help="index folder (default: index/)")
        return p

    def corpus_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--corpus", type=Path, default=library.DEFAULT_CORPUS, help="corpus folder (default: corpus/)")
        p.add_argument("--model", default=MINILM, choices=(MINILM, HASHING),
                       help=f"embedding model (default {MINILM}; {HASHING} is a model-free hashing embedder for tests)")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
        p.add_argument("--device", choices=DEVICES, default="auto",
                       help="where the model runs (default auto: a CUDA GPU when torch sees one, else cpu)")
        p.add_argument("--precision", choices=PRECISIONS, default="auto",
                       help="encoder precision (default auto: bf16 on a GPU or a CPU with native bf16, else fp32; "
                            "int8 is opt-in: faster on older CPUs, -0.017 nDCG@10; see README Performance)")
        p.add_argument("--vector-index", choices=VECTOR_INDEXES, default="auto",
                       help="FAISS index (default auto: flat below 50,000 vectors, flat16 (the same scan over 16-bit "
                            "vectors) below 250,000, HNSW above)")

    def filter_options(p: argparse.ArgumentParser) -> None:
        g = p.add_argument_group("filters (applied before the top k is taken)")
        g.add_argument("--year-from", type=int, metavar="YEAR", help="documents of this year or later")
        g.add_argument("--year-to", type=int, metavar="YEAR", help="documents of this year or earlier")
        g.add_argument("--document", action="append", dest="documents", metavar="DOC", help="only this document (id, symbol or file); repeatable")
        g.add_argument("--body", help='only documents of a body whose name contains this, e.g. "working group"')
        g.add_argument("--kind", choices=KINDS, help="only recommendations, or only other paragraphs")

    p = command("build", "Build or update the index from the corpus folder.", "tipsearch build --corpus corpus/")
    corpus_options(p)
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    p.set_defaults(func=cmd_build)

    p = command("add", "Add documents: copy them into the corpus folder and index them.", "tipsearch add report.pdf")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    corpus_options(p)
    p.set_defaults(func=cmd_add)

    p = command("search", "Ask a question; get the paragraphs that answer it, cited.",
                'tipsearch search "Should victims be punished for crimes they were forced to commit?" -k 5')
    p.add_argument("question", nargs="?", help="the question, in plain language")
    p.add_argument("-k", type=int, default=10, help="how many paragraphs (default 10)")
    p.add_argument("--json", action="store_true", help="print a JSON array of hits")
    p.add_argument("--queries", type=Path, help="a file of questions, one a line; prints JSON Lines")
    p.add_argument("--mode", choices=MODES, default="hybrid", help="ranking (default hybrid)")
    p.add_argument("--group", type=int, metavar="N", help="at most N paragraphs per document")
    p.add_argument("--precision", choices=PRECISIONS,
                   help="embed the question on torch at this precision (default: on the index's ONNX "
                        "question encoder, int8; without one, torch at the precision the index was built with)")
    filter_options(p)
    p.set_defaults(func=cmd_search)

    p = command("related", "From one paragraph, the paragraphs on the same subject in other documents.",
                'tipsearch related CTOC/COP/WG.4/2023/4 "Recommendation 2" --year-to 2019')
    p.add_argument("document", help="document id, symbol or file name")
    p.add_argument("paragraph", help='paragraph number, or a label such as "Recommendation 1"')
    p.add_argument("-k", type=int, default=10, help="how many paragraphs (default 10)")
    p.add_argument("--same-document", action="store_true", help="include paragraphs of the same document")
    p.add_argument("--json", action="store_true", help="print a JSON array of hits")
    filter_options(p)
    p.set_defaults(func=cmd_related)

    p = command("timeline", "A topic through time: each document's best paragraph for it, in date order.",
                'tipsearch timeline "joint investigation teams" --body "working group"')
    p.add_argument("question", help="the topic or question, in plain language")
    p.add_argument("--json", action="store_true", help="print a JSON array of hits, each with a strength 0..1")
    filter_options(p)
    p.set_defaults(func=cmd_timeline)

    p = command("eval", "Measure retrieval quality on a question file (hit@1, hit@5, MRR@10, nDCG@10).",
                "tipsearch eval tests/data/qa_2022.jsonl --mode hybrid")
    p.add_argument("questions", type=Path, metavar="QA.jsonl",
                   help='JSON Lines: {"q": ..., "gold": ["rec:7", "para:9"], "also": [...]}')
    p.add_argument("-k", type=int, default=evaluation.DEPTH, help="ranking depth (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON: one object per mode")
    p.add_argument("--mode", choices=MODES, default="hybrid",
                   help="the mode to score (default hybrid); keyword and semantic are always scored too")
    p.add_argument("--misses", action="store_true", help="also list questions whose answer is not ranked first")
    p.set_defaults(func=cmd_eval)

    p = command("documents", "List the indexed documents.", "tipsearch documents --json")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_documents)

    p = command("show", "Show a document's paragraphs in order.", "tipsearch show wg-tip-2022-report.txt")
    p.add_argument("document", help="document id, symbol or file name")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)

    _export_command(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        return args.func(args)
    except TipsearchError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted; the index is unchanged (or fully updated, if the build had finished)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
