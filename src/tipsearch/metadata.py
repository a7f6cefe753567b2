"""Document metadata from the first page, with corpus/catalog.csv filling in or overriding."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import date as Date
from pathlib import Path

from .cleaning import Line
from .records import Document

CATALOG = "catalog.csv"
CATALOG_FIELDS = ("symbol", "title", "short_title", "date", "body")
_MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}
_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b")
_SYMBOL = re.compile(r"^(?:[A-Z]{1,6}\.?\d{0,3}/)+[A-Za-z0-9][A-Za-z0-9.\-]*(?:/[A-Za-z0-9.\-]+)*$")
_LANGUAGE = re.compile(r"^Original:\s*(\w+)")
_BODY = re.compile(
    r"^(Working Group on .+|Conference of the Parties.+|Human Rights Council|General Assembly|"
    r"Economic and Social Council|Commission on .+|Security Council|Special Rapporteur on .+)$"
)
_TITLE = re.compile(r"^(Report|Note|Background paper|Draft|Resolution|Decision|Guidance|Statement)\b")
_FRONT_MATTER_LINES = 40


def iso_date(text: str) -> str | None:
    """First date written like "14 July 2022" in text, as ISO."""
    m = _DATE.search(text)
    if not m:
        return None
    return Date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1))).isoformat()


def human_date(iso: str | None) -> str | None:
    """ISO date -> "14 July 2022"."""
    if not iso:
        return None
    d = Date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _front_matter(lines: list[Line]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if re.match(r"^(1\.\s|I\.\s)", line.text):
            break
        if line.text:
            out.append(line.text)
        if len(out) >= _FRONT_MATTER_LINES:
            break
    return out


def extract(lines: list[Line], file: str, sha256: str) -> Document:
    """Read symbol, date, title, body and language off the front matter."""
    front = _front_matter(lines)
    symbol = next((t for t in front if _SYMBOL.match(t) and t.count("/") >= 1), None)
    iso = next((d for t in front if (d := iso_date(t))), None)
    language = next((m.group(1) for t in front if (m := _LANGUAGE.match(t))), None)
    bodies = [t for t in front if _BODY.match(t)]
    title = next((t for t in front if _TITLE.match(t)), None) or Path(file).stem.replace("-", " ")
    return Document(
        file=file,
        sha256=sha256,
        title=title,
        symbol=symbol,
        date=iso,
        year=int(iso[:4]) if iso else None,
        body=bodies[-1] if bodies else None,
        language=language,
    )


def read_catalog(corpus_dir: Path) -> dict[str, dict[str, str]]:
    """catalog.csv rows by file name; blank cells are left out so they do not override."""
    path = corpus_dir / CATALOG
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8-sig") as f:
        return {
            row["file"].strip(): {k: v.strip() for k, v in row.items() if k in CATALOG_FIELDS and v and v.strip()}
            for row in csv.DictReader(f)
            if row.get("file")
        }


def apply_catalog(doc: Document, row: dict[str, str] | None) -> Document:
    """The catalog fills in or overrides what the text says."""
    if not row:
        return doc
    doc = replace(doc, **row)
    if "date" in row:
        doc = replace(doc, year=int(row["date"][:4]))
    return doc
