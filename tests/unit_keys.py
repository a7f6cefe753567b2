"""Unit keys of the gold files (pp:N, para:N, art:N, art:N.M, art:N(a)) for parsed units, for tests."""

from __future__ import annotations

from tipsearch.records import Paragraph


def unit_key(u: Paragraph) -> str:
    """The key tests/data/*/expected.json gives a unit: pp:3, para:7, art:1, art:6.3, art:3(a)."""
    if u.kind == "preamble":
        return f"pp:{u.number}"
    if u.kind == "article":
        article = (u.label or "").removeprefix("Article").strip()
        if not u.number:
            return f"art:{article}"
        return f"art:{article}{u.number}" if u.number.startswith("(") else f"art:{article}.{u.number}"
    if u.kind == "paragraph":
        return f"para:{u.number}"
    return f"{u.kind}:{u.number}"
