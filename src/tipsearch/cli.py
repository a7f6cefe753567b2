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

from . import library
from .embedding import DEVICES, HASHING, MINILM, PRECISIONS
from .errors import TipsearchError
from .indexing import BuildReport
from .records import Hit, Unit
from .search import MODES
from .serialize import document_dict, hit_dict, unit_dict
from .vectors import KINDS

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
    head = f"{hit.rank}. {hit.citation}"
    print(f"\033[1m{head}\033[0m" if tty else head)
    if p.section:
        print(f"    {' > '.join(p.section)}")
    print(_wrap(_mark(p.text, hit.answer, tty)))
    print()


def _print_report(report: BuildReport) -> None:
    if report.up_to_date:
        print(f"Index {report.index_dir}/ is up to date: {report.units} units; nothing embedded.", file=sys.stderr)
    rows = [(f.file, f.status, str(f.units), f.reason or "") for f in report.files]
    if rows and not report.up_to_date:
        widths = [max(len(r[i]) for r in rows + [("file", "status", "units", "")]) for i in range(3)]
        print(f"{'file':<{widths[0]}}  {'status':<{widths[1]}}  {'units':>{widths[2]}}  reason", file=sys.stderr)
        for r in rows:
            print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip(), file=sys.stderr)
        print(
            f"{report.units} units in {report.index_dir}/; {report.embedded} chunks embedded, {report.reused} reused;"
            f" {report.seconds:.1f} s",
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


def cmd_search(args: argparse.Namespace) -> int:
    if not args.question and not args.queries:
        raise TipsearchError('give a question, e.g. tipsearch search "legal assistance for victims"')
    lib = library.Library.open(args.index)
    tty = sys.stdout.isatty()
    for question in _questions(args):
        hits = lib.search(question, k=args.k, mode=args.mode)
        if args.queries:
            print(json.dumps({"query": question, "hits": [hit_dict(h) for h in hits]}, ensure_ascii=False))
        elif args.json:
            _print_json([hit_dict(h) for h in hits])
        else:
            if not hits:
                print("No matching paragraphs.")
            for hit in hits:
                _print_hit(hit, tty)
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
        p.add_argument("--vector-index", choices=KINDS, default="auto",
                       help="FAISS index (default auto: flat below the HNSW threshold, HNSW above)")

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
    p.set_defaults(func=cmd_search)

    p = command("documents", "List the indexed documents.", "tipsearch documents --json")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_documents)

    p = command("show", "Show a document's paragraphs in order.", "tipsearch show wg-tip-2022-report.txt")
    p.add_argument("document", help="document id, symbol or file name")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)
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
        print("interrupted; the index is as it was before this command", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
