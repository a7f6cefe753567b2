"""The text rules every stage shares: what a word is, which words carry no topic, and the grammar of the unit
references users type ("rec 7", "para. 12", "art. 3 (a)", "PP 3", "115.120") and the keys question files use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tipsearch.records import Paragraph

WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUESTION_CHARS = 2000
# Question words carry no topic; as OR-ed FTS terms they only add noise to BM25, and they never vote in reranking.
STOPWORDS = frozenset(
    "a an and are as at be been but by can could did do does for from had has have how i if in into is it its "
    "me my of on or our should so than that the their them then there these they this those to was were "
    "what when where which who whom whose why will with would you your about any some".split()
)
# Words too common to be worth marking in a shown paragraph (the app bolds the question's other words).
COMMON_WORDS = STOPWORDS | frozenset("may might must not shall also such all we".split())


def clip(question: str) -> str:
    """Questions are bounded: a pasted page must not cost more than the model can read."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


def words(text: str) -> list[str]:
    return WORD.findall(text)


def keyword_text(question: str, drop_stopwords: bool = True) -> str:
    """The words the keyword ranking looks for; all of them when the question is only stopwords."""
    found = words(question)
    kept = [w for w in found if w.lower() not in STOPWORDS] if drop_stopwords else found
    return " ".join(kept or found)


def terms(text: str) -> set[str]:
    """The distinct lower-cased words of a text that carry meaning (no stopwords, no single letters)."""
    return {w for w in (t.lower() for t in words(text)) if w not in STOPWORDS and len(w) > 1}


# -- references to units -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A unit named by its number: kind "recommendation" ("Recommendation 7"), "paragraph" ("para. 12",
    "115.120"), "preamble" ("PP 3"), "article" (article "6", part "3" or "(a)" or ""), "row", "block"."""

    kind: str
    number: str
    part: str = ""


_NUMBER = r"(\d{1,4}(?:\.\d{1,4})?)(?!\.?\d)"
_ARTICLE = r"(?:art(?:icle)?s?\.?)\s*(\d{1,3})(?:\s*(?:,\s*)?(?:para(?:graph)?\.?\s*(\d{1,3})|\(?([a-z])\)))?"
_IN_QUESTION = re.compile(
    r"\b(?:(recommendations?|recs?\.?)\s*" + _NUMBER + r"|(paragraphs?|paras?\.?)\s*" + _NUMBER
    + r"|(preambular\s+para(?:graph)?s?\.?|pp\.?)\s*(\d{1,3})|" + _ARTICLE + r"|(\d{2,3}\.\d{1,3}))(?![\w.]\d)",
    re.IGNORECASE,
)
_WHOLE = re.compile(
    r"^(?:(?:rec(?:ommendation)?\.?|rec:)\s*(\d{1,4})|(?:para(?:graph)?\.?|para:)?\s*" + _NUMBER
    + r"|(?:preambular\s+para(?:graph)?\.?|pp\.?|pp:)\s*(\d{1,3})|(?:art:)?" + _ARTICLE.replace("art(?:icle)?s?", "art(?:icle)?")
    + r"|art:(\d{1,3})(?:\.(\d{1,3})|\(([a-z])\))?|(?:row:?)\s*(\d{1,5})|(?:block:?)\s*(\d{1,5}))$",
    re.IGNORECASE,
)


def references(question: str) -> list[Reference]:
    """Each unit a question names by its label or number, in order, once: "recommendation 7", "para. 46",
    "preambular paragraph 3", "PP 3", "art. 3 (a)", "article 6, paragraph 3", "115.120"."""
    found: list[Reference] = []
    for m in _IN_QUESTION.finditer(question):
        g = m.groups()
        if g[1]:  # "recommendation 115.120" is a review's numbered paragraph
            ref = Reference("paragraph" if "." in g[1] else "recommendation", g[1])
        elif g[3]:
            ref = Reference("paragraph", g[3])
        elif g[5]:
            ref = Reference("preamble", g[5])
        elif g[6]:
            ref = Reference("article", g[6], g[7] or (f"({g[8].lower()})" if g[8] else ""))
        else:
            ref = Reference("paragraph", g[9])
        if ref not in found:
            found.append(ref)
    return found


def parse_reference(text: str) -> Reference | None:
    """A whole string naming one unit as users write it ("9", "para. 9", "rec:7", "Recommendation 7",
    "PP 3", "pp:3", "art. 3 (a)", "art:6.3", "115.120", "row 12"), or None."""
    m = _WHOLE.match(" ".join(text.split()))
    if not m:
        return None
    g = m.groups()
    if g[0]:
        return Reference("recommendation", g[0])
    if g[1]:
        return Reference("paragraph", g[1])
    if g[2]:
        return Reference("preamble", g[2])
    if g[3] or g[6]:
        number, para, letter = (g[3], g[4], g[5]) if g[3] else (g[6], g[7], g[8])
        return Reference("article", number, para or (f"({letter.lower()})" if letter else ""))
    if g[9]:
        return Reference("row", g[9])
    return Reference("block", g[10])


_SYMBOL_IN_TEXT = re.compile(r"(?<![\w/])(?:[A-Z][A-Z0-9.]*/)+[A-Za-z0-9.]+(?:/[A-Za-z0-9.]+)*|\b\d{2,3}/\d{1,3}\b")


def names_document(question: str, symbol: str | None, title: str | None) -> bool:
    """True when the question names the document: its symbol ("A/RES/99/901", "A/HRC/99/15") or its resolution
    number ("99/901", which a title "99/901. Improving ..." or a symbol ending in /99/901 carries)."""
    for mention in _SYMBOL_IN_TEXT.findall(question):
        mention = mention.rstrip(".")
        if symbol and (symbol == mention or ("/" in mention and symbol.endswith("/" + mention))):
            return True
        if title and title.startswith(f"{mention}."):
            return True
    return False


def matches(ref: Reference, p: Paragraph) -> bool:
    """True when the paragraph is the unit the reference names (an article without a part: any of its units)."""
    if ref.kind == "recommendation":
        return p.kind == "recommendation" and (p.label or "").lower() == f"recommendation {ref.number}"
    if ref.kind == "article":
        return p.kind == "article" and p.label == f"Article {ref.number}" and (not ref.part or p.number == ref.part)
    if ref.kind == "paragraph":
        # A report's paragraph shares its number with the recommendations it holds: those are cited by their own.
        return p.number == ref.number and p.kind not in ("preamble", "article", "row") and not (
            p.kind == "recommendation" and p.label)
    return p.kind == ref.kind and p.number == ref.number


def unit_key(p: Paragraph) -> str:
    """The key a question file uses for a unit: rec:7, para:9, pp:3, art:6.3, art:3(a), art:1, row:12, page:71."""
    if p.label and p.label.startswith("Recommendation "):
        return f"rec:{p.label.removeprefix('Recommendation ').strip()}"
    if p.kind == "preamble":
        return f"pp:{p.number}"
    if p.kind == "article":
        article = (p.label or "").removeprefix("Article").strip()
        if not p.number:
            return f"art:{article}"
        return f"art:{article}{p.number}" if p.number.startswith("(") else f"art:{article}.{p.number}"
    if p.kind in ("paragraph", "recommendation"):
        return f"para:{p.number}"
    if p.kind == "block" and p.page is not None:
        return f"page:{p.page}"
    return f"{p.kind}:{p.number}"


def reference_key(p: Paragraph) -> str:
    """A reference that parse_reference reads back to this very unit (unit_key, but a block by its number)."""
    return f"block:{p.number}" if p.kind == "block" else unit_key(p)
