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
# The same in French, Spanish, Russian and Arabic, for questions asked in them; none is an English word a question
# uses ("un", "el", "no" are: "UN agencies", "El Salvador", "no-punishment"), so English queries are as before.
# Kept apart from STOPWORDS, which also decides which word pieces of the documents vote (index/pieces.py).
OTHER_STOPWORDS = frozenset(
    "le les des du la et est une dans pour qui que quel quelle quels quelles comment pourquoi ce ces cette sont au "
    "aux sur par ou où ne pas il elle ils elles se sa ses leur leurs d l j qu doit doivent peut peuvent faut quoi "
    "los las del es una para por con qué cómo cuál cuáles cuándo dónde quién su sus al lo como en de si más hay ha "
    "han debe deben puede pueden "
    "и в во не что как на с со по для ли о об от к из у за это или какие какой каковы же бы есть должны должен "
    "могут "
    "في من على إلى عن ما هل هو هي أن التي الذي أو مع هذا هذه كيف لماذا ماذا".split()
)
QUESTION_STOPWORDS = STOPWORDS | OTHER_STOPWORDS
# Words too common to be worth marking in a shown paragraph (the app bolds the question's other words).
COMMON_WORDS = STOPWORDS | frozenset("may might must not shall also such all we".split())
# Han characters: Chinese writes no spaces, and FTS5's unicode61 tokenizer would keep a whole clause as one token.
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Arabic vowel marks and the tatweel: optional in writing, and FTS5 would split a word at each one.
_ARABIC_MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670\u06d6-\u06ed]")


def clip(question: str) -> str:
    """Questions are bounded: a pasted page must not cost more than the model can read."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


def words(text: str) -> list[str]:
    """The words of a text; an Arabic word written with its vowel marks is one word, as without them."""
    return WORD.findall(text if text.isascii() else _ARABIC_MARKS.sub("", text))


def keyword_text(question: str, drop_stopwords: bool = True) -> str:
    """The words the keyword ranking looks for; all of them when the question is only stopwords (of any language)."""
    found = words(question)
    kept = [w for w in found if w.lower() not in QUESTION_STOPWORDS] if drop_stopwords else found
    return " ".join(kept or found)


def terms(text: str) -> set[str]:
    """The distinct lower-cased words of a text that carry meaning (no stopwords, no single letters)."""
    return {w for w in (t.lower() for t in words(text)) if w not in QUESTION_STOPWORDS and len(w) > 1}


def fts_form(text: str) -> str:
    """Text as the keyword index holds it: Chinese characters one by one (a question's pairs of them then match as
    phrases, store.query_words), Arabic without vowel marks; any other text exactly as it is."""
    if not text.isascii():
        text = _ARABIC_MARKS.sub("", text)
        text = CJK.sub(lambda m: f" {m.group(0)} ", text)
    return text


# -- references to units -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A unit named by its number: kind "recommendation" ("Recommendation 7"), "paragraph" ("para. 12",
    "115.120"), "preamble" ("PP 3"), "article" (article "6", part "3" or "(a)" or ""), "row", "block"."""

    kind: str
    number: str
    part: str = ""


_NUMBER = r"(\d{1,4}(?:\.\d{1,4})?)(?!\.?\d)"
# The same references in French and Spanish: "recommandation 7", "recomendación 7", "par. 12", "párr. 12",
# "paragraphe 12", "párrafo 12", "artículo 6".
_OTHER_PARA = r"paragraphes?|párrafos?|parrafos?|párr\.|parr\.|par\."
_ARTICLE = (r"(?:art(?:icle)?s?\.?|artículos?|articulos?)\s*(\d{1,3})(?:\s*(?:,\s*)?(?:(?:para(?:graph)?\.?|"
            + _OTHER_PARA + r")\s*(\d{1,3})|\(?([a-z])\)))?")
_IN_QUESTION = re.compile(
    r"\b(?:(recommendations?|recs?\.?|recommandations?|recomendaci(?:ón|on|ones))\s*" + _NUMBER
    + r"|(paragraphs?|paras?\.?|" + _OTHER_PARA + r")\s*" + _NUMBER
    + r"|(preambular\s+para(?:graph)?s?\.?|pp\.?)\s*(\d{1,3})|" + _ARTICLE + r"|(\d{2,3}\.\d{1,3}))(?![\w.]\d)",
    re.IGNORECASE,
)
_WHOLE = re.compile(
    r"^(?:(?:rec(?:ommendation)?\.?|recommandation|recomendaci[oó]n|rec:)\s*(\d{1,4})"
    r"|(?:para(?:graph)?\.?|para:|paragraphe|párrafo|párr\.|par\.)?\s*" + _NUMBER
    + r"|(?:preambular\s+para(?:graph)?\.?|pp\.?|pp:)\s*(\d{1,3})|(?:art:)?" + _ARTICLE.replace("art(?:icle)?s?", "art(?:icle)?")
    + r"|art:(\d{1,3})(?:\.(\d{1,3})|\(([a-z])\))?|(?:row:?)\s*(\d{1,5})|(?:block:?)\s*(\d{1,5}))$",
    re.IGNORECASE,
)


# The same in Russian, Arabic and Chinese ("рекомендация 11", "пункт 25", "التوصية 11", "الفقرة 25", "第11项建议",
# "第25段"); "пункт 2 повестки дня" is agenda item 2, not paragraph 2.
_OTHER_SCRIPTS = re.compile(
    r"(?:рекомендаци\w*|التوصية)\s*(\d{1,3})|第\s*(\d{1,3})\s*[项條条]?\s*建议|建议\s*(\d{1,3})"
    r"|(?:пункт\w*|الفقرة)\s*(\d{1,3})(?!\d|\s*повестк)|第\s*(\d{1,3})\s*段", re.IGNORECASE)


def references(question: str) -> list[Reference]:
    """Each unit a question names by its label or number, in order, once: "recommendation 7", "para. 46",
    "preambular paragraph 3", "PP 3", "art. 3 (a)", "article 6, paragraph 3", "115.120" (and the French,
    Spanish, Russian, Arabic and Chinese forms of a recommendation or paragraph)."""
    found: list[Reference] = []
    for m in _OTHER_SCRIPTS.finditer(question):
        g = m.groups()
        ref = Reference("recommendation", next(x for x in g[:3] if x)) if any(g[:3]) else \
            Reference("paragraph", next(x for x in g[3:] if x))
        if ref not in found:
            found.append(ref)
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
    """The key a question file uses for a unit: rec:7, para:9, pp:3, art:6.3, art:3(a), art:1, row:12, page:71;
    in a part of a compound document the part first: "resolution 99/2#para:4", "annex#art:5.2"; a translation's
    unit with its language: "art:4.3@fr"."""
    key = _own_key(p) + (f"@{p.language}" if p.language else "")
    return f"{p.part}#{key}" if p.part else key


def _own_key(p: Paragraph) -> str:
    if p.label and p.label.startswith("Recommendation "):
        return f"rec:{p.label.removeprefix('Recommendation ').strip()}"
    if p.kind == "preamble":
        return f"pp:{p.number}"
    if p.kind == "article":
        article = (p.label or "").removeprefix("Article").strip()
        if not p.number:
            return f"art:{article}"
        return f"art:{article}{p.number}" if p.number.startswith("(") else f"art:{article}.{p.number}"
    if p.kind in ("paragraph", "recommendation") and not p.number and p.label:
        word, _, number = p.label.lower().partition(" ")
        return f"{word}:{number}"
    if p.kind in ("paragraph", "recommendation"):
        return f"para:{p.number.replace(' ', '')}"  # a long paragraph's sub-item: "10 (b)" -> para:10(b)
    if p.kind == "block" and p.page is not None:
        return f"page:{p.page}"
    return f"{p.kind}:{p.number}"


def reference_key(p: Paragraph) -> str:
    """A reference that parse_reference reads back to this very unit (unit_key, but a block by its number)."""
    return f"block:{p.number}" if p.kind == "block" else unit_key(p)
