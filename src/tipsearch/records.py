"""The frozen records that flow between stages: Page, Paragraph, Document, Unit, Hit."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """One page of a source file as lines of text (page number 1-based, None if unknown)."""

    number: int | None
    lines: tuple[str, ...]
    # Footnotes a reader already knows (DOCX): (index of the line that cites it, note text).
    footnotes: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A citable unit as segmented from a document, before it is stored."""

    number: str
    text: str
    order: int
    kind: str = "paragraph"  # "paragraph", "recommendation" or "block"
    label: str | None = None
    section: tuple[str, ...] = ()
    page: int | None = None
    footnotes: tuple[str, ...] = ()  # notes cited in the text, kept apart from it ("1 See ...")


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
    language: str | None = None
    id: int | None = None
    units: int = 0
    distribution: str | None = None  # "General", "Limited", "Restricted"
    session: str | None = None  # session or meeting line from the first page


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

    @property
    def citation(self) -> str:
        return self.unit.citation

    @property
    def text(self) -> str:
        return self.unit.paragraph.text
