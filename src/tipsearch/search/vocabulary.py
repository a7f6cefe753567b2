"""Domain vocabulary: the acronyms, variants and spellings users type, mapped to each other.

The reports say "trafficking in persons", "Organized Crime Convention" and "non-punishment
principle"; users type "human trafficking", "UNTOC" and "non-criminalization". A question
is expanded with the other members of every group it mentions, for both rankings.
"""

from __future__ import annotations

import re
from functools import cache

# Each group lists interchangeable terms. Upper-case acronyms match only as typed in capitals
# (so "tip" or "cop" in a sentence are left alone); everything else matches case-insensitively.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("trafficking in persons", "human trafficking", "TIP", "THB", "trafficking in human beings"),
    ("Trafficking in Persons Protocol", "TIP Protocol", "Palermo Protocol"),
    ("Organized Crime Convention", "UNTOC", "CTOC", "Palermo Convention",
     "United Nations Convention against Transnational Organized Crime"),
    ("Conference of the Parties", "COP"),
    ("joint investigation teams", "joint investigative teams", "JIT", "JITs"),
    ("national referral mechanism", "NRM", "referral mechanism"),
    ("non-punishment", "non-criminalization", "non-criminalisation", "non-prosecution", "non-liability"),
    ("non-governmental organizations", "NGO", "NGOs", "civil society organizations"),
    ("United Nations Office on Drugs and Crime", "UNODC"),
    ("legal assistance", "legal aid"),
    ("Mechanism for the Review of the Implementation", "review mechanism", "IRM"),
    ("SHERLOC", "Sharing Electronic Resources and Laws on Crime"),
    ("INTERPOL", "International Criminal Police Organization"),
    ("Eurojust", "European Union Agency for Criminal Justice Cooperation"),
    ("Holy See", "Vatican"),
    ("Türkiye", "Turkey"),
    ("smuggling of migrants", "migrant smuggling"),
    ("forced labour", "forced labor", "labour exploitation", "labor exploitation"),
    ("victim-centred", "victim-centered"),
    ("trauma-informed", "trauma informed"),
    ("organized crime", "organised crime"),
)


def _pattern(term: str) -> re.Pattern[str]:
    flags = 0 if term.isupper() or term[:-1].isupper() else re.IGNORECASE  # "JITs" is an acronym too
    return re.compile(rf"(?<![\w/]){re.escape(term)}(?![\w/])", flags)  # not inside a symbol


@cache
def _compiled() -> tuple[tuple[tuple[str, re.Pattern[str]], ...], ...]:
    return tuple(tuple((t, _pattern(t)) for t in group) for group in GROUPS)


def expansions(question: str) -> list[str]:
    """The terms a question implies but does not contain, in vocabulary order, each once."""
    out: list[str] = []
    for group in _compiled():
        present = [t for t, p in group if p.search(question)]
        if present:
            out.extend(t for t, p in group if t not in present and not p.search(question) and t not in out)
    return out


def expand(question: str) -> str:
    """The question followed by its implied terms: "JIT rules" -> "JIT rules (joint investigation teams; ...)"."""
    extra = expansions(question)
    return f"{question} ({'; '.join(extra)})" if extra else question
