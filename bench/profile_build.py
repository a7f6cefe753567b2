"""Where a build's time goes: cProfile of one `build_index` over synthetic paragraphs, real model.

    PYTHONPATH=src:. python bench/profile_build.py --paragraphs 1000 --precision auto --top 30
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from bench.synthetic import write_corpus
from tipsearch.models.embedders import MiniLMEmbedder, cpu_has_bf16, resolve_precision
from tipsearch.index.build import build_index


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paragraphs", type=int, default=1000)
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--top", type=int, default=30, help="rows of the profile, by cumulative time")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tipsearch-profile-"))
    try:
        write_corpus(work / "corpus", args.paragraphs)
        emb = MiniLMEmbedder(precision=resolve_precision(args.precision, "cpu"))
        emb.embed(["warm up"] * 8)  # first-call costs (oneDNN kernels) are not the build's
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        report = build_index(work / "corpus", work / "index", embedder=emb, progress=False, multilingual=False)
        profile.disable()
        seconds = time.perf_counter() - start
        print(f"{report.units} units, {report.embedded} chunks embedded, {emb.precision} "
              f"(native bf16: {cpu_has_bf16()}), {seconds:.2f} s, {report.units / seconds:.1f} paragraphs/s "
              "(profiled: slower than unprofiled)")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
