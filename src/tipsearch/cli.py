"""Command line: each command parses, calls one library function, prints; errors are one line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tipsearch import cli_output as out
from tipsearch import library
from tipsearch.errors import TipsearchError
from tipsearch.index.vectors import KINDS as VECTOR_INDEXES
from tipsearch.ingest.language import LANGUAGES
from tipsearch.models.embedders import DEVICES, HASHING, MINILM, PRECISIONS
from tipsearch.search import evaluation
from tipsearch.search.filters import KINDS, Filters
from tipsearch.search.retrieve import MODES
from tipsearch.serialize import (
    compare_json, document_json, documents_json, hits_json, history_json, scores_dict, timeline_json,
)

EXIT_ERROR = 1
EXIT_SKIPPED = 3

Options = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """One subcommand: its one-line help, the example its help ends with, its options and what it runs."""
    name: str
    help: str
    example: str
    options: Options
    run: Run


COMMANDS: dict[str, Command] = {}  # in the order `tipsearch --help` lists them


def command(name: str, help_: str, options: Options, example: str) -> Callable[[Run], Run]:
    """Register the decorated function as `tipsearch NAME`, with the options that `options` adds."""

    def register(run: Run) -> Run:
        COMMANDS[name] = Command(name, help_, example, options, run)
        return run
    return register


def _open(args: argparse.Namespace, **kwargs) -> library.Library:
    return library.Library.open(args.index, store=args.store, **kwargs)


def _corpus_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, default=library.DEFAULT_CORPUS, help="corpus folder (default: corpus/)")
    p.add_argument("--model", default=MINILM, choices=(MINILM, HASHING),
                   help=f"embedding model (default {MINILM}; {HASHING} is a model-free hashing embedder for tests)")
    p.add_argument("--models", choices=tuple(MODEL_SETS),
                   help="which models embed the documents (default: as the index was built; a new index: both where "
                        "the multilingual one runs, x86-64 Linux). minilm alone builds 20-40x faster on 2 "
                        "cores; questions in other languages then mostly miss")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("--device", choices=DEVICES, default="auto",
                   help="where the model runs (default auto: a CUDA GPU when torch sees one, else cpu)")
    p.add_argument("--precision", choices=PRECISIONS, default="auto",
                   help="encoder precision (default auto: bf16 on a GPU or a CPU with native bf16, else fp32; "
                        "int8 is opt-in: faster on older CPUs, -0.017 nDCG@10; see docs/quality-and-speed.md)")
    p.add_argument("--vector-index", choices=VECTOR_INDEXES, default="auto",
                   help="FAISS index (default auto: flat below 50,000 vectors, flat16 (the same scan over 16-bit "
                        "vectors) below 250,000, HNSW above)")


# --models: whether the multilingual model (multilingual-e5-small, models/e5.py) runs beside all-MiniLM-L6-v2
MODEL_SETS = {"minilm": False, "minilm,e5": True}


def _filter_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (applied before the top k is taken)")
    g.add_argument("--year-from", type=int, metavar="YEAR", help="documents of this year or later")
    g.add_argument("--year-to", type=int, metavar="YEAR", help="documents of this year or earlier")
    g.add_argument("--document", action="append", dest="documents", metavar="DOC",
                   help="only this document (id, symbol or file); repeatable")
    g.add_argument("--body", help='only documents of a body whose name contains this, e.g. "working group"')
    g.add_argument("--kind", choices=KINDS, help="only recommendations, or only other paragraphs")
    g.add_argument("--state",
                   help='only review recommendations made by this State (part of its name), e.g. "Philippines"')
    g.add_argument("--language", type=str.lower, choices=tuple(LANGUAGES), metavar="CODE",
                   help=f"only documents written in this language: {', '.join(LANGUAGES)} (as `tipsearch documents` "
                        "lists them)")


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(args.year_from, args.year_to, tuple(args.documents or ()), args.body, args.kind, args.state,
                   args.language)


def _build_options(p: argparse.ArgumentParser) -> None:
    _corpus_options(p)
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")


@command("build", "Build or update the index from the corpus folder.", _build_options,
         example="tipsearch build --corpus corpus/")
def cmd_build(args: argparse.Namespace) -> int:
    report = library.build(args.corpus, args.index, model=args.model, progress=not args.quiet, force=args.force,
                           device=args.device, precision=args.precision, vector_index=args.vector_index,
                           multilingual=MODEL_SETS.get(args.models), store=args.store)
    out.print_report(report)
    return EXIT_SKIPPED if report.skipped else 0


def _add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="documents to add: PDF, DOCX, HTML or text")
    _corpus_options(p)


@command("add", "Add documents: copy them into the corpus folder and index them.", _add_options,
         example="tipsearch add report.pdf")
def cmd_add(args: argparse.Namespace) -> int:
    report = library.add(args.files, args.corpus, args.index, model=args.model, progress=not args.quiet,
                         device=args.device, precision=args.precision, vector_index=args.vector_index,
                         multilingual=MODEL_SETS.get(args.models), store=args.store)
    out.print_report(report)
    return EXIT_SKIPPED if report.skipped else 0


def _search_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", nargs="?", help="the question, in plain language")
    p.add_argument("-k", type=int, default=10, help="how many paragraphs (default 10)")
    p.add_argument("--json", action="store_true", help="print a JSON array of hits")
    p.add_argument("--queries", type=Path, help="a file of questions, one a line; prints JSON Lines")
    p.add_argument("--mode", choices=MODES, default="hybrid", help="ranking (default hybrid)")
    p.add_argument("--group", type=int, metavar="N", help="at most N paragraphs per document")
    p.add_argument("--no-collapse", dest="collapse", action="store_false",
                   help="show a text repeated in several documents as separate hits (default: one hit, the others "
                        "in also_in)")
    p.add_argument("--precision", choices=PRECISIONS,
                   help="embed the question on torch at this precision (default: on the index's ONNX "
                        "question encoder, int8; without one, torch at the precision the index was built with)")
    _filter_options(p)


def _questions(args: argparse.Namespace) -> list[str]:
    if args.queries:
        path = Path(args.queries)
        if not path.is_file():
            raise TipsearchError(f"no questions file {path}: give one question a line")
        return [q.strip() for q in path.read_text(encoding="utf-8").splitlines() if q.strip()]
    return [args.question]


@command("search", "Ask a question; get the paragraphs that answer it, cited.", _search_options,
         example='tipsearch search "Should victims be punished for crimes they were forced to commit?" -k 5')
def cmd_search(args: argparse.Namespace) -> int:
    if not args.question and not args.queries:
        raise TipsearchError('give a question, e.g. tipsearch search "legal assistance for victims"')
    lib = _open(args, precision=args.precision)
    if lib.preparing_multilingual:
        print(f"note: {library.PREPARING}", file=sys.stderr)
    filters = _filters(args)
    for question in _questions(args):
        hits = lib.search(question, k=args.k, mode=args.mode, filters=filters, group=args.group,
                          collapse=args.collapse)
        if args.queries:
            print(json.dumps({"query": question, "hits": hits_json(hits)}, ensure_ascii=False))
        else:
            out.print_hits(hits, args.json)
    return 0


def _related_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("document", help="document id, symbol or file name")
    p.add_argument("paragraph", help='paragraph number, or a label such as "Recommendation 1"')
    p.add_argument("-k", type=int, default=10, help="how many paragraphs (default 10)")
    p.add_argument("--same-document", action="store_true", help="include paragraphs of the same document")
    p.add_argument("--json", action="store_true", help="print a JSON array of hits")
    _filter_options(p)


@command("related", "From one paragraph, the paragraphs on the same subject in other documents.", _related_options,
         example='tipsearch related CTOC/COP/WG.4/2023/4 "Recommendation 2" --year-to 2019')
def cmd_related(args: argparse.Namespace) -> int:
    hits = _open(args).related(
        args.document, args.paragraph, k=args.k, filters=_filters(args), same_document=args.same_document)
    out.print_hits(hits, args.json)
    return 0


def _timeline_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", help="the topic or question, in plain language")
    p.add_argument("--json", action="store_true", help="print a JSON array of hits, each with a strength 0..1")
    _filter_options(p)


@command("timeline", "A topic through time: each document's best paragraph for it, in date order.", _timeline_options,
         example='tipsearch timeline "joint investigation teams" --body "working group"')
def cmd_timeline(args: argparse.Namespace) -> int:
    entries = _open(args).timeline(args.question, filters=_filters(args))
    if args.json:
        out.print_json(timeline_json(entries))
    else:
        out.print_timeline(entries)
    return 0


def _eval_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("questions", type=Path, metavar="QA.jsonl",
                   help='JSON Lines: {"q": ..., "gold": ["rec:7", "para:9"], "also": [...]}')
    p.add_argument("-k", type=int, default=evaluation.DEPTH, help="ranking depth (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON: one object per mode")
    p.add_argument("--mode", choices=MODES, default="hybrid",
                   help="the mode to score (default hybrid); keyword and semantic are always scored too")
    p.add_argument("--misses", action="store_true", help="also list questions whose answer is not ranked first")


@command("eval", "Measure retrieval quality on a question file (hit@1, hit@5, MRR@10, nDCG@10).", _eval_options,
         example="tipsearch eval tests/data/qa_2022.jsonl --mode hybrid")
def cmd_eval(args: argparse.Namespace) -> int:
    questions = evaluation.read_questions(args.questions)
    results = evaluation.evaluate(_open(args).pipeline, questions, args.mode, args.k)
    if args.json:
        out.print_json([scores_dict(s, with_questions=args.misses) for s in results])
    else:
        out.print_scores(args.questions, questions, results, args.misses)
    return 0


def _json_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")


@command("documents", "List the indexed documents.", _json_option, example="tipsearch documents --json")
def cmd_documents(args: argparse.Namespace) -> int:
    lib = _open(args)
    docs, before = lib.documents(), lib.predecessors()
    if args.json:
        out.print_json(documents_json(docs, before))
    else:
        out.print_documents(docs, before)
    return 0


def _show_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("document", help="document id, symbol or file name")
    _json_option(p)


@command("show", "Show a document's paragraphs in order.", _show_options,
         example="tipsearch show wg-tip-2022-report.txt")
def cmd_show(args: argparse.Namespace) -> int:
    doc, units = _open(args).document(args.document)
    if args.json:
        out.print_json(document_json(doc, units))
    else:
        out.print_document(doc, units)
    return 0


def _compare_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="OLD", help="the earlier document: id, symbol or file name")
    p.add_argument("new", metavar="NEW", help="the later document: id, symbol or file name")
    _json_option(p)
    p.add_argument("--format", choices=("md", "docx"), help="Markdown or Word with insertions underlined and "
                   "deletions struck through (default: from -o's suffix, else a terminal summary)")
    p.add_argument("-o", "--output", type=Path, help="file to write the Markdown or Word comparison to")
    p.add_argument("--changes", action="store_true", help="only the changed, new and dropped units")


@command("compare", "What changed from one document to another: each unit same, changed, new or dropped.",
         _compare_options, example="tipsearch compare A/RES/97/901 A/RES/99/901 --changes -o changes.docx")
def cmd_compare(args: argparse.Namespace) -> int:
    from tipsearch import redline  # python-docx is only imported when a comparison is written

    c = _open(args).compare(args.old, args.new)
    pairs = [p for p in c.pairs if p.status != "same"] if args.changes else list(c.pairs)
    fmt = args.format or (args.output.suffix.lstrip(".").lower() if args.output else None)
    if args.json:
        out.print_json(compare_json(c, changes=args.changes))
    elif fmt in ("md", "docx"):
        if fmt == "docx" and args.output is None:
            raise TipsearchError("Word is a binary file: give -o FILE.docx")
        data = redline.docx_bytes(c, pairs) if fmt == "docx" else redline.markdown(c, pairs).encode("utf-8")
        if args.output is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            args.output.write_bytes(data)
            print(f"wrote {len(pairs)} pair(s) to {args.output}", file=sys.stderr)
    elif fmt is not None:
        raise TipsearchError(f"cannot tell the format from {args.output}: add --format md or docx")
    else:
        out.print_comparison(c, pairs)
    return 0


def _history_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("document", help="document id, symbol or file name")
    p.add_argument("paragraph", help='paragraph number or label, e.g. 7, "PP 3", "art. 6, para. 3"')
    _json_option(p)


@command("history", "A paragraph back through its series: where its wording first appeared and each change.",
         _history_options, example="tipsearch history A/RES/99/901 7")
def cmd_history(args: argparse.Namespace) -> int:
    steps = _open(args).history(args.document, args.paragraph)
    if args.json:
        out.print_json(history_json(steps))
    else:
        out.print_history(steps)
    return 0


def _export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("pack", nargs="?", type=Path, help="a pack saved from the app: JSON list of {citation, note}")
    p.add_argument("--cite", action="append", default=[], metavar="CITATION",
                   help='a citation as printed, or "DOCUMENT PARAGRAPH" (e.g. "wg-tip-2022-report rec:7"); repeatable')
    p.add_argument("--format", choices=("md", "docx", "csv"), help="default: from -o's suffix, else md")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: print Markdown or CSV)")
    p.add_argument("--title", default="Reading pack", help="the pack's title (default: Reading pack)")


@command("export", "Export a reading pack (saved JSON or citations) as Markdown, DOCX or CSV.", _export_options,
         example='tipsearch export --cite "wg-tip-2022-report rec:7" --cite "wg-tip-2022-report 9" -o pack.docx')
def cmd_export(args: argparse.Namespace) -> int:
    from tipsearch import export  # python-docx is only imported when a pack is exported

    if not args.pack and not args.cite:
        raise TipsearchError('give a saved pack or citations, '
                             'e.g. tipsearch export --cite "wg-tip-2022-report 9" -o pack.md')
    fmt = args.format or (args.output.suffix.lstrip(".").lower() if args.output else "md")
    if fmt not in export.FORMATS:
        raise TipsearchError(f"cannot tell the format from {args.output}: add --format md, docx or csv")
    if fmt == "docx" and args.output is None:
        raise TipsearchError("DOCX is a binary file: give -o FILE.docx")
    refs = (export.read_pack(args.pack) if args.pack else []) + [export.parse_cite(c) for c in args.cite]
    items = export.resolve(_open(args), refs)
    data = export.render(items, fmt, args.title)
    if args.output is None:
        sys.stdout.write(data.decode("utf-8-sig"))
    else:
        args.output.write_bytes(data)
        print(f"wrote {len(items)} item(s) to {args.output}", file=sys.stderr)
    return 0


def _serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; any other needs "
                   "--token-file)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1; about one per core)")
    p.add_argument("--token-file", type=Path, metavar="FILE",
                   help="a file holding the token every request must send as `Authorization: Bearer TOKEN` "
                        "(all but /health and the API description, /docs)")
    p.add_argument("--time-limit", type=float, default=30.0, metavar="SECONDS",
                   help="longest a request may take before it is answered 503 (default 30)")
    p.add_argument("-q", "--quiet", action="store_true", help="no access log")


@command("serve", "Serve the index over HTTP: the same JSON as --json, OpenAPI at /docs (docs/api.md).",
         _serve_options, example="tipsearch serve --workers 2 --port 8000")
def cmd_serve(args: argparse.Namespace) -> int:
    from tipsearch.api import Limits, serve  # FastAPI and uvicorn are only imported to serve

    serve(args.index, args.host, args.port, args.workers, args.token_file, Limits(seconds=args.time_limit),
          access_log=not args.quiet, store=args.store)
    return 0


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter  # keeps each example on its one line
    parser = argparse.ArgumentParser(
        prog="tipsearch", description="Search anti-trafficking documents; every answer cited by paragraph.",
        epilog='Example: tipsearch search "Do victims have a right to free legal assistance?"', formatter_class=fmt,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for c in COMMANDS.values():
        p = sub.add_parser(c.name, help=c.help, description=c.help, epilog=f"Example: {c.example}", formatter_class=fmt)
        p.add_argument("--index", type=Path, default=library.DEFAULT_INDEX, help="index folder (default: index/)")
        p.add_argument("--store", default=None, metavar="URI",
                       help="where the vectors and keyword lists are: local (SQLite + FAISS in the index folder), "
                            "milvus-lite:PATH.db (embedded Milvus) or http://HOST:19530 (a Milvus server); default: "
                            "where the index was built, local for a new one")
        c.options(p)
        p.set_defaults(func=c.run)
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
