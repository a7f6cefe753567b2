"""The JSON form of records, made at the edge: the CLI's --json and the HTTP API (api/) print the same objects,
made by the `*_json` functions at the end of this module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tipsearch.search.evaluation import Scores
from tipsearch.records import Document, Hit, Unit
from tipsearch.search.compare import Comparison, Pair, Step, series_key
from tipsearch.search.related import TimelineEntry


def document_dict(doc: Document, with_id: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"symbol": doc.symbol, "title": doc.title, "date": doc.date, "year": doc.year,
                           "file": doc.file, "language": doc.language}
    if with_id:
        out = {"id": doc.id, **out, "short_title": doc.short_title, "body": doc.body, "original": doc.original,
               "distribution": doc.distribution, "session": doc.session,
               "kind": doc.kind, "distributed": doc.distributed, "sha256": doc.sha256, "units": doc.units,
               "dated_by": doc.dated_by, "warnings": list(doc.warnings)}
    return out


def unit_dict(unit: Unit) -> dict[str, Any]:
    p = unit.paragraph
    return {
        "citation": unit.citation,
        "paragraph": p.number,
        "label": p.label,
        "kind": p.kind,
        "section": " > ".join(p.section),
        "section_path": list(p.section),
        "text": p.text,
        "page": p.page,
        "order": p.order,
        "footnotes": list(p.footnotes),
        "states": list(p.states),
        "part": p.part,
        "translation": p.language,
        "document": document_dict(unit.document),
    }


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {"rank": hit.rank, "score": round(hit.score, 6), **unit_dict(hit.unit), "answer": hit.answer,
            "scores": {k: round(v, 6) for k, v in hit.scores.items()},
            "also_in": [{"citation": u.citation, "document": document_dict(u.document)} for u in hit.also_in],
            "best": hit.rank == 1}  # the hit whose answer span opens the terminal's and the app's answer


def pair_dict(pair: Pair) -> dict[str, Any]:
    """A pair of compare: status, both units (or null), similarity 0..1, the word diff as [op, text]; how (null,
    "merged" or "split") and also_old, the other units of OLD a merged unit took in (the diff runs against all)."""
    return {"status": pair.status, "old": unit_dict(pair.old) if pair.old else None,
            "new": unit_dict(pair.new) if pair.new else None, "similarity": pair.similarity,
            "diff": [list(d) for d in pair.diff], "how": pair.how, "also_old": [unit_dict(u) for u in pair.also_old]}


def comparison_dict(c: Comparison) -> dict[str, Any]:
    out: dict[str, Any] = {"old": document_dict(c.old), "new": document_dict(c.new),
                           "pairs": [pair_dict(p) for p in c.pairs]}
    if c.note:
        out["note"] = c.note
    return out


def step_dict(step: Step) -> dict[str, Any]:
    return {**unit_dict(step.unit), "status": step.status, "similarity": step.similarity,
            "diff": [list(d) for d in step.diff]}


def timeline_dict(entry: TimelineEntry) -> dict[str, Any]:
    """A timeline entry: the document's best hit (search's hit fields) plus its strength 0..1."""
    return {**hit_dict(entry.hit), "strength": round(entry.strength, 4)}


def scores_dict(scores: Scores, with_questions: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": scores.mode, "questions": scores.questions, "hit@1": round(scores.hit1, 4),
                           "hit@5": round(scores.hit5, 4), "mrr@10": round(scores.mrr10, 4),
                           "ndcg@10": round(scores.ndcg10, 4)}
    if with_questions:
        out["per_question"] = [{"q": o.question.q, "gold": list(o.question.gold), "first_gold": o.first_gold,
                                "ranked": list(o.ranked)} for o in scores.outcomes]
    return out


# -- one answer of a command, as `tipsearch COMMAND --json` prints it and the HTTP API returns it ----------------

def hits_json(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """search and related."""
    return [hit_dict(h) for h in hits]


def timeline_json(entries: Sequence[TimelineEntry]) -> list[dict[str, Any]]:
    return [timeline_dict(e) for e in entries]


def documents_json(docs: Sequence[Document], before: dict[int, Document | None]) -> list[dict[str, Any]]:
    """Every document with its id, metadata, warnings, series and predecessor in it (Library.predecessors)."""
    return [{**document_dict(d, with_id=True), "series": series_key(d) or None,
             "predecessor": document_dict(before[d.id]) if before.get(d.id) else None} for d in docs]


def document_json(doc: Document, units: Sequence[Unit]) -> dict[str, Any]:
    """show: a document and its units in order."""
    return {"document": document_dict(doc, with_id=True), "units": [unit_dict(u) for u in units]}


def compare_json(c: Comparison, changes: bool = False) -> dict[str, Any]:
    """compare; with changes, only the pairs that are not `same`."""
    data = comparison_dict(c)
    if changes:
        data["pairs"] = [d for d, p in zip(data["pairs"], c.pairs) if p.status != "same"]
    return data


def history_json(steps: Sequence[Step]) -> list[dict[str, Any]]:
    return [step_dict(s) for s in steps]
