"""How well `tipsearch compare` pairs the units of two documents of a series, against alignment gold written by
reading both texts (tests/data/real_corpus/alignment/*.json). Not a test: run it by hand (docs/series.md,
"Comparing the documents of a series").

    PYTHONPATH=src .venv/bin/python bench/alignment.py        # ../shared/real-corpus or $TIPSEARCH_REAL_CORPUS

Pairing: precision = pairs found that the gold has / pairs found; recall = gold pairs found / gold pairs.
New and dropped: the same over the units marked new (in NEW) and dropped (in OLD).

Gold format: {"old": FILE, "new": FILE, "pairs": [{"new": KEY, "old": KEY | [KEY, ...] | null, "status": ...,
"how": "merged" | "split" (optional)}], "dropped": [KEY, ...], "notes": ...}, keys as tipsearch.text.unit_key gives
them (pp:3, para:12). A NEW unit that merges several OLD units lists them all in "old"; an OLD unit split into
several NEW units is the "old" of each part. Every (NEW, OLD) link is one pair, so a merge or a split counts once
per part. A file whose "held_out" is true was written after the pairing was chosen: nothing was tuned on it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tipsearch import Library, build
from tipsearch.models.embedders import HASHING
from tipsearch.text import unit_key

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", ROOT.parent / "shared" / "real-corpus"))
GOLD = ROOT / "tests" / "data" / "real_corpus" / "alignment"


def ratio(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "- (0/0)"


def found(lib: Library, old: str, new: str) -> tuple[set, set, set]:
    """(pairs (new key, old key), new keys, dropped keys) as compare gives them."""
    c = lib.compare(old, new)
    pairs = {(unit_key(p.new.paragraph), unit_key(old.paragraph)) for p in c.pairs if p.new and p.old
             for old in (p.old, *p.also_old)}
    fresh = {unit_key(p.new.paragraph) for p in c.pairs if p.status == "new"}
    dropped = {unit_key(p.old.paragraph) for p in c.pairs if p.status == "dropped"}
    return pairs, fresh, dropped


def olds(gold_pair: dict) -> list[str]:
    """The OLD keys of one gold entry: none for a new unit, one, or several for a merge."""
    old = gold_pair["old"]
    return [] if old is None else [old] if isinstance(old, str) else list(old)


def row(name: str, got: set, want: set) -> str:
    return f"| {name} | {ratio(len(got & want), len(got))} | {ratio(len(got & want), len(want))} |"


def main() -> int:
    if not CORPUS.is_dir():
        print(f"no real corpus at {CORPUS}: set TIPSEARCH_REAL_CORPUS", file=sys.stderr)
        return 1
    print("| pair of documents, what | precision | recall |\n|---|---|---|")
    for gold in sorted(GOLD.glob("*.json")):
        truth = json.loads(gold.read_text())
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "corpus").mkdir()
            for name in (truth["old"], truth["new"]):
                shutil.copy(CORPUS / name, Path(tmp) / "corpus")
            # the pairing reads words only: the model is not used, so the hashing embedder builds faster
            build(Path(tmp) / "corpus", Path(tmp) / "index", model=HASHING, progress=False)
            lib = Library.open(Path(tmp) / "index")
            pairs, fresh, dropped = found(lib, truth["old"], truth["new"])
            lib.close()
        want_pairs = {(p["new"], old) for p in truth["pairs"] for old in olds(p)}
        want_new = {p["new"] for p in truth["pairs"] if not p["old"]}
        label = f"{truth['old']} -> {truth['new']}" + (" (held out)" if truth.get("held_out") else "")
        print(row(f"{label}: pairs", pairs, want_pairs))
        print(row(f"{label}: new", fresh, want_new))
        print(row(f"{label}: dropped", dropped, set(truth.get("dropped", []))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
