"""Retrieval quality on a question set: hit@1, hit@5, MRR@10 and nDCG@10 per ranking mode.

Question files are JSON Lines: {"q": ..., "gold": ["rec:7", "para:9"], "also": [...]}.
`rec:N` is the unit labelled "Recommendation N", `para:N` the numbered paragraph N; the other keys of
text.unit_key (pp:3, art:6.3, art:3(a), row:12, page:71) name the other kinds of unit. Over several
documents a gold unit names its file: {"file": "resolution.pdf", "unit": "para:7", "quote": "..."}.

Gains: a `gold` unit has relevance 2, an `also` unit relevance 1; nDCG uses the linear gain
rel / log2(rank + 1), so ranking a merely related paragraph above the answer costs, but less
than missing the answer. hit@n and MRR count `gold` units only: they ask "is the answer there".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tipsearch import text
from tipsearch.errors import BadOptionError, TipsearchError
from tipsearch.search.pipeline import Pipeline
from tipsearch.records import Unit
from tipsearch.search.retrieve import Ranking

GOLD_GAIN = 2.0
ALSO_GAIN = 1.0
DEPTH = 10


@dataclass(frozen=True)
class Question:
    q: str
    gold: tuple[str, ...]
    also: tuple[str, ...] = ()

    def gains(self) -> dict[str, float]:
        return {**{u: ALSO_GAIN for u in self.also}, **{u: GOLD_GAIN for u in self.gold}}


@dataclass(frozen=True)
class Outcome:
    """One question's ranking, as unit keys best first, with the rank of its first gold unit."""

    question: Question
    ranked: tuple[str, ...]
    first_gold: int | None  # 1-based; None when no gold unit is in the ranking


@dataclass(frozen=True)
class Scores:
    """The mean metrics of one mode over a question set."""

    mode: str
    questions: int
    hit1: float
    hit5: float
    mrr10: float
    ndcg10: float
    outcomes: tuple[Outcome, ...] = ()


def read_questions(path: Path) -> list[Question]:
    """Read a JSON Lines question file; a bad line is a one-line error naming the file and line."""
    if not path.is_file():
        raise TipsearchError(f"no question file {path}: give a .jsonl file of {{\"q\": ..., \"gold\": [...]}} lines")
    out: list[Question] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q, gold, also = row["q"], [_key(k) for k in row["gold"]], [_key(k) for k in row.get("also", [])]
            if not isinstance(q, str) or not gold or not all(_valid_key(k) for k in [*gold, *also]):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise TipsearchError(
                f"{path}, line {n}: expected {{\"q\": \"...\", \"gold\": [\"rec:N\" or \"para:N\" or "
                f"{{\"file\": ..., \"unit\": ...}}, ...]}}; fix that line"
            ) from None
        out.append(Question(q, tuple(gold), tuple(also)))
    if not out:
        raise TipsearchError(f"{path} holds no questions: add one JSON object a line")
    return out


KEY_KINDS = ("rec", "para", "pp", "art", "row", "page", "block")


def _key(entry: object) -> object:
    """A gold entry as a key: "para:9" as it is, {"file": F, "unit": "para:9"} as "F#para:9"."""
    if isinstance(entry, dict) and isinstance(entry.get("file"), str) and isinstance(entry.get("unit"), str):
        return f"{entry['file']}#{entry['unit']}"
    return entry


def _valid_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    kind, _, number = key.rpartition("#")[2].partition(":")
    return kind in KEY_KINDS and bool(number)


def unit_key(unit: Unit, with_file: bool = False) -> str:
    """The id a question file uses for a unit: rec:N, para:N, pp:N, art:6.3 ... (text.unit_key), after its
    file and "#" when with_file."""
    key = text.unit_key(unit.paragraph)
    return f"{unit.document.file}#{key}" if with_file else key


def hit_at(ranked: Sequence[str], gold: Sequence[str], n: int) -> float:
    return 1.0 if set(ranked[:n]) & set(gold) else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: Sequence[str], n: int = DEPTH) -> float:
    for rank, key in enumerate(ranked[:n], start=1):
        if key in gold:
            return 1.0 / rank
    return 0.0


def ndcg(ranked: Sequence[str], gains: dict[str, float], n: int = DEPTH) -> float:
    """Normalised discounted cumulative gain with linear gains; 1.0 is the ideal order."""
    dcg = sum(gains.get(key, 0.0) / math.log2(rank + 1) for rank, key in enumerate(ranked[:n], start=1))
    ideal = sum(g / math.log2(rank + 1) for rank, g in enumerate(sorted(gains.values(), reverse=True)[:n], start=1))
    return dcg / ideal if ideal else 0.0


_SUB_ITEM = re.compile(r"\([a-z]{1,4}\)$")


def _as_gold(ranked: tuple[str, ...], gold: Sequence[str]) -> tuple[str, ...]:
    """A sub-item of a gold unit read as a unit of its own (para:10(b), of a long para:10) counts as that unit,
    once: the first of its sub-items ranked."""
    out, seen = [], set()
    for key in ranked:
        base = key
        while base not in gold and _SUB_ITEM.search(base):
            base = _SUB_ITEM.sub("", base)
        if base != key and base in gold:
            key = base if base not in seen else f"{base}~{len(out)}"  # a second sub-item of it earns nothing
        seen.add(key)
        out.append(key)
    return tuple(out)


def score(mode: str, questions: Sequence[Question], ranker: Callable[[str], Sequence[str]]) -> Scores:
    """Mean metrics of one ranker (question -> unit keys, best first) over the questions."""
    outcomes = []
    for question in questions:
        # The ranker gives file#key; a question whose gold names no file is scored on the keys alone.
        by_file = any("#" in key for key in question.gold)
        ranked = _as_gold(tuple(key if by_file else key.rpartition("#")[2] for key in ranker(question.q)),
                          question.gold)
        first = next((i for i, key in enumerate(ranked, start=1) if key in question.gold), None)
        outcomes.append(Outcome(question, ranked, first))
    n = len(outcomes) or 1

    def mean(f: Callable[[Outcome], float]) -> float:
        return sum(f(o) for o in outcomes) / n

    return Scores(
        mode=mode,
        questions=len(outcomes),
        hit1=mean(lambda o: hit_at(o.ranked, o.question.gold, 1)),
        hit5=mean(lambda o: hit_at(o.ranked, o.question.gold, 5)),
        mrr10=mean(lambda o: reciprocal_rank(o.ranked, o.question.gold)),
        ndcg10=mean(lambda o: ndcg(o.ranked, o.question.gains())),
        outcomes=tuple(outcomes),
    )


def compared_modes(mode: str) -> list[str]:
    """The chosen mode first, then keyword-only and semantic-only, each once."""
    return list(dict.fromkeys([mode, "keyword", "semantic"]))


def evaluate(pipeline: Pipeline, questions: Sequence[Question], mode: str = "hybrid", k: int = DEPTH,
             ranking: Ranking | None = None, modes: Sequence[str] | None = None) -> list[Scores]:
    """Scores of the chosen mode and, on the same index, keyword-only and semantic-only (ranking: as a search
    ranks, unless given)."""
    if k < 1:
        raise BadOptionError(f"-k must be at least 1, not {k}")

    def ranker(m: str) -> Callable[[str], list[str]]:
        def rank(q: str) -> list[str]:
            hits = pipeline.rank(q, k, m, ranking)
            return [unit_key(u, with_file=True) for u in pipeline.units([h.unit_id for h in hits])]

        return rank

    return [score(m, questions, ranker(m)) for m in (modes or compared_modes(mode))]
