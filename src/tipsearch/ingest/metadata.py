"""Document metadata from the first page, with corpus/catalog.csv filling in or overriding."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

from tipsearch.ingest import language
from tipsearch.ingest.cleaning import SYMBOL, Line, is_masthead, is_symbol
from tipsearch.ingest.dates import DATE_WORDS, is_date, iso_date
from tipsearch.ingest.structure.resolution import CHAPEAU, SESSION_NUMBER
from tipsearch.records import Document

CATALOG = "catalog.csv"
CATALOG_FIELDS = ("symbol", "title", "short_title", "date", "body", "language")
_LANGUAGE = re.compile(r"\bOriginal\s*:\s*(\w+)")  # "Original: English", "Original : anglais", "Original: inglés"
# "Distr.: General", "Distr. : générale", "Distr. general"
_DISTRIBUTION = re.compile(r"\bDistr(?:\.\s*:?|:)\s*(\w+)")
_DISTRIBUTIONS = {"générale": "General", "general": "General", "limitée": "Limited", "limitada": "Limited",
                  "restreinte": "Restricted", "reservada": "Restricted"}
_BODY = re.compile(
    r"^(Working Group on .+|Conference of the Parties.+|Human Rights Council|General Assembly|"
    r"Economic and Social Council|Commission on .+|Security Council|Special Rapporteur on .+|"
    r"Groupe de travail sur .+|Conférence des Parties.+|Conseil des droits de l['’]homme|Assemblée générale|"
    r"Conseil économique et social|Commission (?:des|de la|du) .+|Conseil de sécurité|"
    r"Rapporteu(?:r|se) spéciale? sur .+|"
    r"Grupo de Trabajo sobre .+|Conferencia de las Partes.+|Consejo de Derechos Humanos|Asamblea General|"
    r"Consejo Económico y Social|Comisión de .+|Consejo de Seguridad|Relatora? Especial sobre .+)$"
)
_PLACE = r"[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?: [A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+)?"  # "Vienna", "Genève"
_SESSION = re.compile(r"^(.{0,60}\b([Ss]ession|[Mm]eeting|séance|período de sesiones|sesión)\b.{0,60}|"
                      + _PLACE + r", \d.{0,40}\d{4})$")
_TITLE = re.compile(r"^(Report|Note|Background paper|Draft|Resolution|Decision|Guidance|Statement|"
                    r"General (?:recommendation|comment)|Concluding observations|Compilation|Summary of|"
                    r"Letter dated|Identical letters|Views adopted|"
                    r"Rapport|Document d['’]information|Projet|Résolution|Décision|Déclaration|"
                    r"Informe|Nota|Documento de antecedentes|Proyecto|Resolución|Decisión|Declaración)\b")
_TITLE_STOP = re.compile(r"^(Summary|Contents|Abstract|Note by|\*|Agenda|Item \d|[IVXL]+\.\s|[A-Z]\.\s|\d+\.\s|"
                         r"Résumé|Table des matières|Note du|Ordre du jour|Point \d|"
                         r"Resumen|Índice|Nota de|Programa|Tema \d)")
_UNITED_NATIONS = ("United Nations", "Nations Unies", "Naciones Unidas")
# Masthead items printed on the same line as other text in a PDF: taken out before reading lines.
_MASTHEAD_TOKENS = re.compile(r"\bDistr(?:\.\s*:?|:)\s*\w+|\bOriginal\s*:\s*\w+"
                              r"|^(?:" + "|".join(_UNITED_NATIONS) + r")\b")
_MAX_TITLE_CHARS = 400
# "Resolution adopted by the General Assembly on 18 December 2098", "Résolution adoptée par l'Assemblée générale
# le 18 décembre 2098", "Resolución aprobada por la Asamblea General el 18 de diciembre de 2098"
_ADOPTION = re.compile(r"(?:\b(?:(?:Resolution|Decision) adopted by the [A-Z][\w ]{2,80}? on|(?:Résolution|Décision) "
                       r"adoptée par (?:l['’]|le |la )[\w ]{2,80}? le|(?:Resolución|Decisión) aprobada por "
                       r"(?:el|la) [A-Z][\w ]{2,80}? el)"
                       # a Security Council resolution: "Adopted by the Security Council at its 12345th meeting, on"
                       r"|\b(?:Adopted by the|Adoptée? par l[ea']|Aprobada por el) ?[A-Z][\w ]{2,60}? "
                       r"(?:at its|à sa|en su) [\w ]{1,40}(?:meeting|séance|sesión),? (?:on|le|el)) (" + DATE_WORDS + ")")
_ADOPTED_LINE = re.compile(r"^(?:Adopted by|Adoptée? par|Aprobad[oa] por)\b")
_ADOPTION_START = re.compile(r"\b(?:adopted by the|adoptée par|aprobada por)\b|^(?:on|le|el) " + DATE_WORDS + "$")
_TREATY_BODY_START = re.compile(r"^(Preamble|The States Parties to|Préambule|Les États Parties au|Preámbulo|"
                                r"Los Estados Partes? en)\b")
_TREATY_ADOPTED = re.compile(r"^(Adopted|Done|Adoptée?|Fait|Adoptad[oa]|Hecho)\b")
_OPENED = re.compile(r"\b(?:[Oo]pened for signature|[Oo]uverte? à la signature|[Aa]biert[oa] a la firma)\b")
_TREATY_BODY = re.compile(r"\b(?:Adopted by (?:the )?(General Assembly|Security Council)"
                          r"|Adoptée? par (?:l['’]|le )?(Assemblée générale|Conseil de sécurité)"
                          r"|Adoptad[oa] por (?:la |el )?(Asamblea General|Consejo de Seguridad))\b")
_NOTE_MARKS = re.compile(r"\s*\*{1,3}$")
_CHAPTER = re.compile(r"^chapter\s+([0-9]{1,3}|[IVXL]{1,6})\b[:.]?\s*(.*)$", re.I)
_YEAR_END = re.compile(r"\b((?:19|20)\d{2})$")
_PAGE_FIELD = re.compile(r"\s*\bPage(?: \d+)?(?: of(?: \d+)?)?$")
_FRONT_MATTER_LINES = 40
# A title that names only its author: the subject is printed above it
_BY_AUTHOR = re.compile(r"^(?:Report|Note) (?:of|by) the (?:Secretary-General|Joint Inspection Unit|[\w\- ]{0,60}"
                        r"Committee(?: \([\w ]+\))?|[\w\- ]{0,40}(?:Council|Commissioner[\w ]{0,40}))\**$")
_SC_TITLE = re.compile(r"^Resolution \d{1,5} \((?:19|20)\d\d\)$")
# a State's name: capitalised words, "of", "and", "the" between them ("Bolivia (Plurinational State of)")
_STATE_ABOVE = re.compile(r"^[A-Z][\w'\u2019\-]*(?: (?:of|and|the|\(?[A-Z][\w'\u2019\-]*\)?|of\)))*$")
_AGENDA = re.compile(r"^(?:Agenda item|Item|Point|Tema)\s+\d", re.I)
_NOTE_LINE = re.compile(r"^(?:Note\b|\[)", re.I)


def _front_matter(lines: list[Line]) -> list[str]:
    """Lines before paragraph 1 or the first chapter heading, blank lines kept as ""."""
    out: list[str] = []
    for line in lines:
        if line.footnote:
            continue
        if re.match(r"^(1\.\s|I\.\s)", line.text):
            break
        out.append(line.text)
        if len(out) >= _FRONT_MATTER_LINES:
            break
    return out


_SYMBOL_YEAR = re.compile(r"\s*\(((?:19|20)\d\d)\)")


def _symbol(front: list[str]) -> str | None:
    # The masthead's own line ("United Nations A/HRC/99/15") before a symbol a note quotes ("Previously issued").
    for text in front:
        rest = next((text.removeprefix(un).strip() for un in _UNITED_NATIONS if text.startswith(un)), text)
        if is_symbol(rest):
            return rest
    for text in front:
        for m in SYMBOL.finditer(text):
            if is_symbol(m.group(0)):
                # a Security Council resolution is cited with its year: "S/RES/9999 (2099)"
                year = _SYMBOL_YEAR.match(text, m.end()) if "/RES/" in m.group(0) else None
                return m.group(0) + (f" ({year.group(1)})" if year else "")
    return None


def _opens_title(text: str) -> bool:
    """ "Report of ...", and the same set in capitals as mastheads before 2010 print it ("REPORT OF ...")."""
    return bool(_TITLE.match(text) or (text.isupper() and _TITLE.match(text.title())))


def _title(front: list[str]) -> str | None:
    """The first line that reads like a title, with the lines it wraps onto."""
    for i, text in enumerate(front):
        if not _opens_title(text):
            continue
        parts = [text]
        for nxt in front[i + 1 : i + 5]:
            if not nxt or _TITLE_STOP.match(nxt) or is_masthead(nxt) or parts[-1].endswith("."):
                break
            if sum(map(len, parts)) + len(nxt) > _MAX_TITLE_CHARS:
                break
            parts.append(nxt)
        above = front[i - 1] if i else ""
        if _STATE_ABOVE.match(above) and not (_BODY.match(above) or _SESSION.match(above) or is_masthead(above)):
            return f"{above}: {' '.join(parts)}"  # the State a compilation or summary is about, set above it
        title = " ".join(parts)
        return (_subject_above(front, i) if _BY_AUTHOR.match(parts[0]) else None) or title
    return None


def _subject_above(front: list[str], at: int) -> str | None:
    """The subject printed above "Report of the Secretary-General" ("Conflict-related sexual violence"): the
    document's title; the author's line is its subtitle."""
    lines: list[str] = []
    above = front[:at]
    while above and not above[-1]:
        above.pop()  # the blank lines that set the subject apart
    for text in reversed(above[-4:]):
        if not text or _is_masthead_line(text) or "Distr" in text or text.startswith("*"):
            break
        lines.insert(0, _NOTE_MARKS.sub("", text))
    subject = " ".join(lines)
    return subject if len(subject.split()) >= 3 and len(subject) <= _MAX_TITLE_CHARS else None
    return None


def _blocks(texts: list[str]) -> list[str]:
    """Blank-line separated blocks of lines, each joined into one string."""
    out, current = [], []
    for text in [*texts, ""]:
        if text:
            current.append(text)
        elif current:
            out.append(" ".join(current))
            current = []
    return out


def _numbered_title(front: list[str]) -> str | None:
    """ "99/25. Title", "Resolution 9999 (2099)": from that line to the chapeau, without adoption and date lines,
    where no blank line sets the title apart (a PDF's text layer)."""
    start = next((i for i in range(len(front) - 1, -1, -1)
                  if SESSION_NUMBER.match(front[i]) or _SC_TITLE.match(front[i])), None)
    if start is None:
        return None
    parts = []
    for text in front[start:]:
        if _ADOPTED_LINE.match(text) or _ADOPTION_START.search(text) or is_date(text):
            break
        if text:
            parts.append(text)
    return " ".join(parts)


def _resolution_fields(lines: list[Line]) -> dict[str, str | None]:
    """A resolution's title as printed ("99/901. Title", a draft's bare title), adoption and distribution dates.

    The title is the block just above the chapeau ("The General Assembly,"); the adoption date is the one in
    "Resolution adopted by the General Assembly on 18 December 2025", never a date the preamble quotes.
    """
    texts = [ln.text for ln in lines if not ln.footnote]
    at = next((i for i, t in enumerate(texts) if CHAPEAU.match(t)), len(texts))
    front = texts[:at]
    blocks = _blocks(front)
    joined = " ".join(blocks)
    adopted = _ADOPTION.search(joined)
    distributed = next((d for t in front if not _ADOPTION_START.search(t) and (d := iso_date(t))), None)
    titles = [b for b in blocks if not _ADOPTED_LINE.match(b)]  # a Security Council resolution's adoption line
    return {
        "title": _numbered_title(front) or (titles[-1] if titles else None),
        "date": iso_date(adopted.group(1)) if adopted else None,
        "distributed": distributed,
    }


def _treaty_fields(lines: list[Line]) -> dict[str, str | None]:
    """A treaty's title (its first line) and its own adoption date where the text states one."""
    texts = [ln.text for ln in lines if not ln.footnote and ln.text]
    front = []
    for text in texts:
        if _TREATY_BODY_START.match(text):
            break
        front.append(text)
    adopted = next((iso_date(t) for t in front if _TREATY_ADOPTED.match(t) and iso_date(t)), None)
    # without an adoption line, the day it was opened for signature (checks.py says so)
    opened = next((iso_date(t) for t in front if _OPENED.search(t) and iso_date(t)), None)
    return {"title": front[0] if front else None, "date": adopted or opened, "distributed": None,
            "dated_by": "adoption" if adopted else "opened for signature" if opened else None}


def extract(lines: list[Line], file: str, sha256: str, kind: str | None = None,
            front_matter: tuple[str, ...] | None = None) -> Document:
    """Read symbol, date, title, body, distribution, original language and session off the front matter.

    kind (how structure read the document) picks where a resolution's or a treaty's title and dates are;
    front_matter: what the segmenter set apart (a table's page header, a publication's cover).
    """
    doc = _extract_report(lines, file, sha256, kind, front_matter)
    fields = _resolution_fields(lines) if kind == "resolution" else _treaty_fields(lines) if kind == "treaty" else None
    if fields is None:
        return doc
    if kind == "treaty":
        doc = replace(doc, symbol=None, body=doc.body if doc.body else _treaty_body(lines))
    # A draft is adopted by no one yet: its only date, the distribution date, dates it (and places it in time).
    iso = fields["date"] or fields["distributed"]
    dated_by = fields.get("dated_by") or ("adoption" if fields["date"] else "distribution" if iso else None)
    return replace(doc, title=fields["title"] or doc.title, date=iso, distributed=fields["distributed"],
                   year=int(iso[:4]) if iso else None, kind=kind, dated_by=dated_by)


def _treaty_body(lines: list[Line]) -> str | None:
    for ln in lines[:_FRONT_MATTER_LINES]:
        if m := _TREATY_BODY.search(ln.text):
            return next(g for g in m.groups() if g)
    return None


def _last_block(front: list[str]) -> str | None:
    """A title no word announces ("Fictionland / Compilation of the Office of ..."): the last block of the front
    matter that is neither masthead, body, session nor agenda item."""
    blocks = _blocks(["" if _is_masthead_line(t) else t for t in front])  # the masthead lines part blocks too
    candidates = [b for b in blocks if not _is_front_furniture(b)]
    return candidates[-1] if candidates and len(candidates[-1]) <= _MAX_TITLE_CHARS else None


def _is_masthead_line(text: str) -> bool:
    """A line of the masthead, the issuing body, the session or the agenda item: never part of a title."""
    return bool(_BODY.match(text) or _SESSION.match(text) or _AGENDA.match(text) or is_masthead(text))


def _is_front_furniture(block: str) -> bool:
    return bool(block.startswith("*") or _NOTE_LINE.match(block) or len(block) < 8 or not re.search(r"[a-z]", block))


def _review_title(front: list[str]) -> str | None:
    """ "Report of the Working Group on the Universal Periodic Review: Fictionland": the title, then the State."""
    start = next((i for i, t in enumerate(front) if _opens_title(t)), None)
    if start is None:
        return None
    parts: list[str] = []
    for i in range(start, min(start + 4, len(front))):
        parts.append(_NOTE_MARKS.sub("", front[i]))
        if parts[-1].casefold().endswith(("review", "universel", "universal")):  # the State under review: the next line
            state = next((t for t in front[i + 1 : i + 4] if t), "")
            if state and not is_masthead(state) and not state.startswith("*") and len(state) < 60:
                return f"{' '.join(parts)}: {state}"
            break
    return None


def _publication_title(front: list[str]) -> str | None:
    """ "Global Report on Trafficking in Persons 2024, Chapter 2: ...": the report's name, then its chapter."""
    texts = [t for t in front if t]
    report = next((t for t in texts if "Report" in t and _YEAR_END.search(t)), texts[0] if texts else None)
    at = next((i for i, t in enumerate(texts) if _CHAPTER.match(t)), None)
    if at is None:
        return report
    number, name = _CHAPTER.match(texts[at]).groups()
    # A cover prints "CHAPTER 2" under the chapter's name: the name is the lines above it.
    name = name or " ".join(t for t in texts[:at] if t != report)
    chapter = f"Chapter {number}: {name}" if name else f"Chapter {number}"
    return f"{report}, {chapter}" if report and report != texts[at] else chapter


def _table_title(front: list[str]) -> str | None:
    """The heading above the first table, else the page header without its page field."""
    texts = [t for t in front if t]
    return _NOTE_MARKS.sub("", _PAGE_FIELD.sub("", texts[-1])) if texts else None


def _extract_report(lines: list[Line], file: str, sha256: str, kind: str | None = None,
                    front_matter: tuple[str, ...] | None = None) -> Document:
    """Symbol, date, title, body, distribution, original language and session off a report's front matter; a table or a
    publication has no masthead, so its front matter is what its segmenter set apart, not the first lines."""
    own_front = kind in ("table", "publication") and front_matter is not None
    front = list(front_matter) if own_front else _front_matter(lines)
    symbol = _symbol(front)
    # The masthead's date stands on its own line; a session's dates ("24 February–20 March 2020") do not.
    iso = next((iso_date(t) for t in front if is_date(t)), None) or next(
        (d for t in front if (d := iso_date(t))), None)
    original = next((m.group(1) for t in front if (m := _LANGUAGE.search(t))), None)
    printed = next((m.group(1) for t in front if (m := _DISTRIBUTION.search(t))), None)
    distribution = _DISTRIBUTIONS.get(printed.lower(), printed) if printed else None
    rest = [_MASTHEAD_TOKENS.sub("", SYMBOL.sub("", t)).strip() if t else "" for t in front]
    bodies = [t for t in rest if _BODY.match(t)]
    session = next((t for t in rest if t and _SESSION.match(t) and not _TITLE.match(t)), None)
    titles = {"review": _review_title, "publication": _publication_title, "table": _table_title}
    title = (titles[kind](rest) if kind in titles else None) or _review_title(rest) or _title(rest) \
        or _last_block(rest) or Path(file).stem.replace("-", " ")
    if iso is None and kind == "publication" and (y := _YEAR_END.search(title.split(",")[0])):
        iso_year: int | None = int(y.group(1))  # a report named for its year ("... in Persons 2024")
    else:
        iso_year = int(iso[:4]) if iso else None
    return Document(
        file=file,
        sha256=sha256,
        title=title,
        symbol=symbol,
        date=iso,
        year=iso_year,
        body=bodies[-1] if bodies else None,
        original=original,
        distribution=distribution,
        session=session,
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
    if "language" in row:  # "French" or "fr": the code, as detection gives it
        row = {**row, "language": language.code(row["language"]) or row["language"]}
    doc = replace(doc, **row)
    if "date" in row:
        doc = replace(doc, year=int(row["date"][:4]))
    return doc
