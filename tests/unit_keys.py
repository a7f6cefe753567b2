"""Unit keys of the gold files (pp:N, para:N, art:N, art:N.M, art:N(a), row:N, page:N) for parsed units: the
grammar question files use (tipsearch.text.unit_key)."""

from __future__ import annotations

from tipsearch.text import unit_key

__all__ = ["unit_key"]
