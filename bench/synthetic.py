"""Synthetic corpora for the speed benchmarks, made from the seed report's own sentences.

Each document looks like a UN report: a heading block, sections, numbered paragraphs.
Paragraph lengths (in sentences) are drawn from the seed's own distribution, so the
token lengths the model sees are realistic; the text is the seed's sentences reshuffled,
which is what makes it synthetic (it is not meaningful prose, and the tables say so).
"""

from __future__ import annotations

import random
from pathlib import Path

from tipsearch.models.embedders import sentences
from tipsearch.ingest.parse import parse_file, sha256_file

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "wg-tip-2022-report.txt"
PARAGRAPHS_PER_DOCUMENT = 60  # the seed report has 62 units


def seed_material() -> tuple[list[str], list[int]]:
    """The seed's sentences and its paragraph lengths in sentences."""
    units = parse_file(SEED, sha256_file(SEED)).units
    pool: list[str] = []
    lengths: list[int] = []
    for u in units:
        spans = [u.text[a:b].replace("\n", " ") for a, b in sentences(u.text)]
        pool.extend(s for s in spans if len(s) > 20)
        lengths.append(max(1, len(spans)))
    return pool, lengths


def paragraphs(n: int, seed: int = 7) -> list[str]:
    """n synthetic paragraph texts (what the encoder benchmarks embed)."""
    rng = random.Random(seed)
    pool, lengths = seed_material()
    return [" ".join(rng.choices(pool, k=rng.choice(lengths))) for _ in range(n)]


def write_corpus(folder: Path, n_paragraphs: int, seed: int = 7, start: int = 0) -> list[Path]:
    """Write about n_paragraphs numbered paragraphs as report-like .txt files into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = paragraphs(n_paragraphs, seed)
    files = []
    for d, first in enumerate(range(0, len(texts), PARAGRAPHS_PER_DOCUMENT), start=start):
        body = texts[first : first + PARAGRAPHS_PER_DOCUMENT]
        lines = [
            "Working Group on Trafficking in Persons",
            f"{1 + d % 28} July {2000 + d % 24}",
            "",
            f"Synthetic report {d} on the meeting of the Working Group on Trafficking in Persons",
            "",
        ]
        for i, text in enumerate(body, start=1):
            if i % 15 == 1:
                lines += [f"{'I II III IV V'.split()[min(i // 15, 4)]}. Section {i // 15 + 1} of report {d}", ""]
            lines += [f"{i}. {text}", ""]
        path = folder / f"synthetic-{d:06d}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        files.append(path)
    return files
