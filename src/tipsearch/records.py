"""The frozen records that flow between stages: Page, Line, Paragraph, Document, Unit, Hit."""

from __future__ import annotations

from dataclasses import dataclass, field

# What a unit is (DESIGN.md "The unit"): a numbered paragraph (report, operative, review), a "Recommendation N"
# block or a review recommendation "115.120", a preambular paragraph, an article's paragraph or subparagraph,
# a block of unnumbered text, a table row.
UNIT_KINDS = ("paragraph", "recommendation", "preamble", "article", "block", "row")
# How a document was read, from its own text (ingest/structure).
DOCUMENT_KINDS = ("report", "resolution", "treaty", "review", "publication", "table", "blocks")


@dataclass(frozen=True)
class Style:
    """How a line is set, where the file's format says: its heading level (1 the top, 0 body text) and emphasis.

    Read from the file itself (a PDF's font size and weight, Word's heading styles and bold runs, HTML and
    Markdown heading levels), so the segmenters need not guess a heading from its wording alone.
    """

    level: int = 0
    bold: bool = False
    italic: bool = False


PLAIN = Style()


@dataclass(frozen=True)
class Page:
    """One page of a source file as lines of text (page number 1-based, None if unknown)."""

    number: int | None
    lines: tuple[str, ...]
    # Footnotes a reader already knows (DOCX): (index of the line that cites it, note text).
    footnotes: tuple[tuple[int, str], ...] = ()
    # One Style a line where the reader knows them (same length as lines), else empty: nothing known.
    styles: tuple[Style, ...] = ()

    def style(self, i: int) -> Style:
        return self.styles[i] if i < len(self.styles) else PLAIN


@dataclass(frozen=True)
class Line:
    """A clean line of text; blank lines are kept as "" because they separate blocks."""

    text: str
    page: int | None
    indent: int = 0
    footnote: bool = False  # a footnote's text, placed right after the line that cites it
    style: Style = PLAIN  # heading level and emphasis, where the file's format says (Style)

    @property
    def level(self) -> int:
        """The heading level the file gives this line (1 the top), 0 for body text or where nothing is known."""
        return self.style.level


@dataclass(frozen=True)
class Paragraph:
    """A citable unit as segmented from a document, before it is stored."""

    number: str
    text: str
    order: int
    kind: str = "paragraph"  # one of UNIT_KINDS
    label: str | None = None
    section: tuple[str, ...] = ()
    page: int | None = None
    footnotes: tuple[str, ...] = ()  # notes cited in the text, kept apart from it ("1 See ...")
    states: tuple[str, ...] = ()  # a review recommendation's recommending State(s): "115.120 ... (Philippines)"
    # The part of a compound document the unit belongs to, as cited: "resolution 99/2", "draft resolution III",
    # "decision 99/101", "annex"; a text's translation in the same file: "French text". None: the document's own.
    part: str | None = None
    # A translation's units in a file that holds a text and then its translation: their language ("fr"), cited
    # "art. 4, para. 3 (French text)". None: the file's own text.
    language: str | None = None


@dataclass(frozen=True)
class Document:
    """A source document's metadata."""

    file: str
    sha256: str
    title: str
    symbol: str | None = None
    short_title: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    year: int | None = None
    body: str | None = None
    language: str | None = None  # what it is written in (ingest/language.py): "en", "fr", "es", "ru", "ar", "zh"
    id: int | None = None
    units: int = 0
    distribution: str | None = None  # "General", "Limited", "Restricted"
    session: str | None = None  # session or meeting line from the first page
    kind: str | None = None  # one of DOCUMENT_KINDS: how its units were read
    distributed: str | None = None  # ISO date of distribution when `date` is another (a resolution's adoption)
    original: str | None = None  # the masthead's "Original: English": the language it was first written in
    warnings: tuple[str, ...] = ()  # what looks wrong in how it was read (ingest/checks.py), one line each
    # what `date` is, where not the masthead's: "adoption", "opened for signature" (a treaty with no adoption line),
    # "distribution" (a draft)
    dated_by: str | None = None


@dataclass(frozen=True)
class Unit:
    """A stored paragraph with its document and its citation."""

    id: int
    document: Document
    paragraph: Paragraph
    citation: str


@dataclass(frozen=True)
class Hit:
    """One search result: a unit, its score and the span that best answers the question."""

    rank: int
    score: float
    unit: Unit
    answer: str
    scores: dict[str, float] = field(default_factory=dict)
    also_in: tuple[Unit, ...] = ()  # the same text (or nearly) in other documents, newest first (search/repeats.py)

    @property
    def citation(self) -> str:
        return self.unit.citation

    @property
    def text(self) -> str:
        return self.unit.paragraph.text
