"""Treaties and protocols: a preamble, then articles under chapter headings, paragraphs numbered in each article.

Units: each preambular paragraph (kind "preamble", numbered in order); each numbered paragraph of an article
(kind "article", label "Article 6", number "3"), its lettered subparagraphs inside it; in an article with only
lettered subparagraphs one unit per subparagraph (number "(a)"), the chapeau joined to the first; an article
with neither is one unit (number ""). The article title and chapter go in the section path. A preamble
printed on one line is split where a participle opens a new paragraph after a comma ("..., Recalling ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tipsearch.ingest.cleaning import Line
from tipsearch.ingest.structure.numbered import roman_value
from tipsearch.ingest.structure.segmentation import Segmentation
from tipsearch.records import Paragraph

# "Article 6", "Art. 6", "ARTICLE 6", "Article premier" (French for article 1), "Artículo 6", "Artículo primero",
# with its title after a full stop, a colon or a dash ("Article 3 - Joint teams"): labelled "Article N".
# Older treaties number their articles in roman numerals ("Article IV"), cited as printed ("art. IV").
_ARTICLE_WORD = r"(?:Article|ARTICLE|Art\.|Artículo|ARTÍCULO|Artigo|Articolo|Artikel|Статья)"
_ARTICLE_NUMBER = r"(\d{1,3}|[IVXL]{1,6}|premier|primero|1er)"
_ARTICLE = re.compile(rf"^{_ARTICLE_WORD}\s*{_ARTICLE_NUMBER}(?:\s*(?:[.:]|\s[-\u2013\u2014])\s*(\S.*))?\.?$")
# "Article 4 Purposes": a title after the number with nothing between, only where the file sets it as a heading
_ARTICLE_LOOSE = re.compile(rf"^{_ARTICLE_WORD}\s*{_ARTICLE_NUMBER}\s+([A-Z\u00c0-\u00de].{{2,}})$")
_FIRST = {"premier": "1", "primero": "1", "1er": "1"}
_CHAPTER_WORD = r"(?:Chapter|CHAPTER|Chapitre|Capítulo|Part|PART)"
_CHAPTER_NUMERAL = re.compile(rf"^(?:{_CHAPTER_WORD}\s+)?([IVXL]{{1,6}})\.?$")
_CHAPTER = re.compile(rf"^(?:{_CHAPTER_WORD}\s+)?([IVXL]{{1,6}})(?:\.|\s*:|\s+[-\u2013\u2014])\s+(\S.*)$")
_PARAGRAPH = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_SUBPARAGRAPH = re.compile(r"^\(?([a-z])\)\s+(\S.*)$")
_PREAMBLE = re.compile(r"^(?:Preamble|Préambule|Preámbulo)\b\s*")
_PARTIES = re.compile(r"^(The (?:States|High Contracting) Parties to (?:this|the present) \w+,"
                      r"|Les (?:États Parties|Hautes Parties contractantes) (?:au|à la) présente? \w+,"
                      r"|Los Estados Partes? en (?:el|la) presente \w+,)\s*")
_AGREED = re.compile(r"\s*(Have agreed as follows:|Sont convenus de ce qui suit\s?:|Han (?:acordado|convenido en) lo "
                     r"siguiente:)$")
# A new preambular paragraph: a participle after a comma ("..., Recalling", "..., Taking into account"); the
# States Parties are plural in French and Spanish: "Déclarant", "Préoccupés", "Recordando", "Convencidos".
_PREAMBLE_SPLIT = re.compile(
    r"(?<=,)\s+(?=(?:Deeply |Further |Also )?(?:[A-Z][a-z]+(?:ing|ed)|Mindful|Aware|Conscious|Desirous)\b"
    r"(?!\s+in\s+[A-Z])|[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:ant|és|us|ando|iendo|ados|idos)\b)"
)
_CHAPEAU_LIKE = re.compile(r"^(?:The|Les|Los|Las|La|El)\s.{0,300}\b(?:Parties|Governments|States|Gouvernements|"
                          r"États|Partes|Gobiernos|Estados)\b.{0,200},$")
_PREAMBLE_OPENER = re.compile(r"^(?:(?:Deeply|Further|Also|Strongly|Firmly|Gravely)\s+)?(?:[A-Z][a-z]+(?:ing|ed)|Mindful|"
                              r"Aware|Conscious|Desirous|Bearing|Noting|Taking|Considering|Having)\b"
                              r"|^[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:ant|és|us|ando|iendo|ados|idos)\b")
_CLOSING = re.compile(r"^(IN WITNESS WHEREOF|DONE at|EN FOI DE QUOI|FAIT à|EN TESTIMONIO DE LO CUAL|HECHO en)\b")
_MAX_TITLE_CHARS = 200


def _arabic(number: str) -> str:
    """ "premier" -> "1", "IV" -> "4": an article's number for its order (the label keeps it as printed)."""
    if number in _FIRST:
        return _FIRST[number]
    value = roman_value(number)
    return str(value) if value else number


def _article(line: Line) -> re.Match[str] | None:
    """An article heading: "Article 6", "Art. 2 - Title"; "Article 4 Purposes" where the file sets it apart."""
    styled = line.level or line.style.bold
    return _ARTICLE.match(line.text) or (_ARTICLE_LOOSE.match(line.text) if styled else None)


def looks_like(lines: list[Line]) -> bool:
    """A treaty: articles 1 and 2, and the parties' chapeau or the closing formula of a preamble; or articles 1, 2
    and 3 set as headings of their own, in order (a treaty database's export, a Markdown copy)."""
    texts = [ln.text for ln in lines if not ln.footnote]
    numbers = [_arabic(m.group(1)) for ln in lines if not ln.footnote and (m := _article(ln))]
    articles = set(numbers)
    formula = any("States Parties to this" in t or _PARTIES.match(t) or _AGREED.search(t) for t in texts)
    if {"1", "2"} <= articles and formula:
        return True
    run = 0
    for number in numbers:
        run = run + 1 if number == str(run + 1) else (1 if number == "1" else run)
        if run >= 3:
            return True
    return False


@dataclass
class _Article:
    """An article being assembled: loose text (chapeau or whole article), paragraphs, subparagraphs."""

    number: str
    section: tuple[str, ...]
    loose: list[str] = field(default_factory=list)
    parts: list[tuple[str, list[str]]] = field(default_factory=list)  # (number, pieces)
    lettered: bool = False  # units are its subparagraphs, not numbered paragraphs


class _Reader:
    def __init__(self) -> None:
        self.units: list[Paragraph] = []
        self.headings: list[str] = []
        self.front: list[str] = []
        self.chapter: str | None = None
        self.numeral: str | None = None  # a chapter numeral on its own line, its title to come
        self.article: _Article | None = None
        self.title_next = False
        self.preamble = 0
        self.in_preamble = False
        self.pending: list[str] = []  # the preambular paragraph being read
        self.done = False

    def unit(self, number: str, kind: str, label: str | None, text: str, section: tuple[str, ...]) -> None:
        if text.strip():
            self.units.append(Paragraph(number, text.strip(), len(self.units), kind, label, section))

    def close_article(self) -> None:
        a, self.article = self.article, None
        if a is None:
            return
        label = f"Article {a.number}"
        if not a.parts:
            self.unit("", "article", label, " ".join(a.loose), a.section)
            return
        for i, (number, pieces) in enumerate(a.parts):
            text = "".join(pieces)
            if i == 0 and a.loose:  # the chapeau ("For the purposes of this Protocol:") opens the first unit
                text = " ".join(a.loose) + "\n" + text
            self.unit(number, "article", label, text, a.section)

    def feed_preamble(self, text: str) -> None:
        """A line of the preamble: a paragraph runs over lines until a blank line or, after a comma, a participle
        that opens the next one ("Recalling", "Convinced")."""
        text = _PREAMBLE.sub("", text).strip()
        if not text:
            return
        m = _PARTIES.match(text)
        if m:
            self.headings.append(m.group(1))
            text = text[m.end() :]
        agreed = _AGREED.search(text)
        if agreed:
            self.headings.append(agreed.group(1))
            text = text[: agreed.start()]
            self.in_preamble = False
        if self.pending and self.pending[-1].endswith((",", ";")) and _PREAMBLE_OPENER.match(text):
            self.flush_preamble()
        if text.strip():
            self.pending.append(text.strip())
        if agreed:
            self.flush_preamble()

    def flush_preamble(self) -> None:
        text, self.pending = " ".join(self.pending), []
        for piece in _PREAMBLE_SPLIT.split(text):
            if piece.strip():
                self.preamble += 1
                self.unit(str(self.preamble), "preamble", None, piece, ("Preamble",))

    def start_preamble(self, chapeau: str) -> None:
        """The parties' chapeau ("The Governments of ... (hereinafter "the Parties"),"): the preamble follows."""
        self.headings.append(chapeau)
        self.in_preamble = True

    def feed_article_text(self, text: str) -> None:
        a = self.article
        m = _PARAGRAPH.match(text)
        if m and int(m.group(1)) == len(a.parts) + 1 and not a.lettered:
            a.parts.append((m.group(1), [m.group(2)]))
            return
        s = _SUBPARAGRAPH.match(text)
        if s and (a.lettered or not a.parts):
            a.lettered = True
            a.parts.append((f"({s.group(1)})", [text]))  # the letter kept as printed ("a)" or "(a)")
            return
        if a.parts:
            # A subparagraph inside a numbered paragraph starts a line of its own.
            a.parts[-1][1].append(("\n" if s else " ") + text)
        else:
            a.loose.append(text)

    def feed(self, line: Line) -> None:
        text = line.text
        if not text and self.pending:
            self.flush_preamble()
        if not text or line.footnote:
            return
        if self.done:
            self.front.append(text)
            return
        if self.in_preamble or _PREAMBLE.match(text) or _PARTIES.match(text):
            self.in_preamble = not _AGREED.search(text)
            if m := _PREAMBLE.match(text):
                self.headings.append(m.group(0).strip())  # as printed; the section path says "Preamble"
            self.feed_preamble(text)
            return
        if self.pending:
            self.flush_preamble()
        if self.heading(text, line):
            return
        if self.article is None:
            self.front.append(text)  # title and adoption line before the preamble
            return
        self.feed_article_text(text)

    def heading(self, text: str, line: Line) -> bool:
        """Chapters, articles and article titles: the section path, never units."""
        if _CLOSING.match(text):
            self.close_article()
            self.done = True
            self.front.append(text)
            return True
        if self.numeral is not None:
            self.set_chapter(f"{self.numeral}. {text}")
            return True
        if _CHAPTER_NUMERAL.match(text):
            self.close_article()
            self.numeral = _CHAPTER_NUMERAL.match(text).group(1)
            return True
        if (m := _CHAPTER.match(text)) and not _PARAGRAPH.match(text):
            self.close_article()
            self.set_chapter(text)
            return True
        if m := _article(line):
            self.close_article()
            self.headings.append(text)
            number = _FIRST.get(m.group(1), m.group(1))
            head = re.sub(r"[\s.:\-\u2013\u2014]+$", "", text[: m.start(2)] if m.group(2) else text)  # as printed
            title = f"{head}. {m.group(2)}" if m.group(2) else head
            self.article = _Article(number, (*([self.chapter] if self.chapter else []), title))
            self.title_next = not m.group(2)
            return True
        if self.title_next:
            self.title_next = False
            if len(text) <= _MAX_TITLE_CHARS and not text.endswith((".", ";", ":")) and not _PARAGRAPH.match(text):
                self.headings.append(text)
                self.article.section = (*self.article.section[:-1], f"{self.article.section[-1]}. {text}")
                return True
        if line.level and self.article is not None and (self.article.parts or self.article.loose):
            self.close_article()  # a heading the file sets, after an article's text: a part or chapter of its own
            self.set_chapter(text)
            return True
        return False

    def set_chapter(self, title: str) -> None:
        self.chapter, self.numeral = title, None
        self.headings.append(title)


def _parties_chapeau(lines: list[Line]) -> int | None:
    """Where a preamble whose chapeau no formula names begins: the last line ending with a comma that names the
    parties ("The Governments of A and B (hereinafter "the Parties"),") before "Have agreed as follows:"."""
    texts = [ln.text for ln in lines]
    agreed = next((i for i, t in enumerate(texts) if _AGREED.search(t)), None)
    first_article = next((i for i, t in enumerate(texts) if _ARTICLE.match(t)), len(texts))
    if agreed is None or agreed > first_article or any(_PREAMBLE.match(t) or _PARTIES.match(t)
                                                       for t in texts[:agreed]):
        return None
    return next((i for i in range(agreed - 1, -1, -1) if _CHAPEAU_LIKE.match(texts[i])), None)


def segment(lines: list[Line]) -> Segmentation:
    """A treaty's preambular paragraphs and article units, with its title and closing formula as front matter."""
    reader = _Reader()
    chapeau = _parties_chapeau(lines)
    for i, line in enumerate(lines):
        if i == chapeau:
            reader.start_preamble(line.text)
            continue
        reader.feed(line)
    if reader.pending:
        reader.flush_preamble()
    reader.close_article()
    return Segmentation(tuple(reader.units), tuple(reader.headings), tuple(reader.front), "treaty")
