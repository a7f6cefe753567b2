"""Dates as UN documents print them in English, French and Spanish, read into ISO and written back in English.

    14 July 2022          14 juillet 2022 / 1er juillet 2022          14 de julio de 2022 / 1.º de julio de 2022

Dates are shown in English whatever the document's language, like the citations they go into (citations.py).
"""

from __future__ import annotations

import re
from datetime import date as Date

_NAMES = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}
# month name (lower case) -> number; "setiembre" and "fevrier", "aout", "decembre" as typed without accents.
MONTHS: dict[str, int] = {
    **{name.lower(): i for names in _NAMES.values() for i, name in enumerate(names.split(), 1)},
    "setiembre": 9, "fevrier": 2, "aout": 8, "decembre": 12,
}
MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
# As printed: English months capitalised, French and Spanish ones in lower case ("on 19 December", "le 19 décembre").
MONTH_AS_PRINTED = "(?:" + "|".join(" ".join(_NAMES.values()).split()) + ")"
# "14 July 2022", "1er juillet 2022", "14 de julio de 2022", "1.º de julio de 2022"; English months in capitals.
DATE = re.compile(r"\b(\d{1,2})(?:er|\.?º|\.?°)? (?:de )?(" + MONTH + r") (?:de )?(\d{4})\b", re.IGNORECASE)
DATE_WORDS = r"(?i:\d{1,2}(?:er|\.?º|\.?°)? (?:de )?" + MONTH + r" (?:de )?\d{4})"  # the same, no groups, to embed


def _match_date(m: re.Match[str]) -> str | None:
    try:
        return Date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1))).isoformat()
    except ValueError:  # "31 février": no such day
        return None


def iso_date(text: str) -> str | None:
    """The first date written as above in text, as ISO yyyy-mm-dd."""
    return next((iso for m in DATE.finditer(text) if (iso := _match_date(m))), None)


def is_date(text: str) -> bool:
    """True when the whole text is one date (a masthead's date line)."""
    m = DATE.fullmatch(text.strip())
    return bool(m and _match_date(m))


def human_date(iso: str | None) -> str | None:
    """ISO date -> "14 July 2022"."""
    if not iso:
        return None
    d = Date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"
