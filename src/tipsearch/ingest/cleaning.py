"""Remove layout noise from pages of lines and yield clean lines, each with its page.

UN documents carry page furniture that must never reach a paragraph: running headers with
the document symbol, "2/12" page numbers, job numbers "V.22-04416 (E)", barcodes
"*2204416*". Words are hyphenated at line ends and footnotes sit at the foot of the page,
in the middle of a paragraph that runs on to the next page. This stage removes the
furniture, joins hyphenated words, and moves each footnote next to the line that cites it,
marked as a footnote, so the segmenter can attach it to its paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from tipsearch.ingest.dates import DATE, MONTH_AS_PRINTED, is_date
from tipsearch.ingest.words import repair_split_words
from tipsearch.records import PLAIN, Line, Page, Style

# A Markdown link to nowhere, left by document converters: "[CTOC/COP/WG.4/2022/1](#)".
_EMPTY_LINK = re.compile(r"\[([^\]\n]+)\]\(#\)")
_JOB_NUMBER = re.compile(r"^(?:[A-Z]{1,2}\.\d{2}-\d{5}\s*(?:\([A-Z]\))?)(?:\s+\S+)*$"
                         r"|^\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+[\d/*]+)*$")  # "17-23195 (E) 260118", "24-24140 2/8"
_BARCODE = re.compile(r"^\*\d{7,}\*$")
_PAGE_NUMBER = re.compile(r"^(\d{1,4}\s*/\s*\d{1,4}|-\s*\d{1,4}\s*-|(?:page|página) \d{1,4}"
                          r"( (?:of|sur|de) \d{1,4})?)$", re.I)
_PAGE_TOKEN = re.compile(r"^\d{1,4}\s*/\s*\d{1,4}\s+|\s+\d{1,4}\s*/\s*\d{1,4}$|^\d{1,4}\s+|\s+\d{1,4}$")
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200a]{2,}")
# A UN document symbol: "CTOC/COP/WG.4/2022/2", "A/HRC/47/34", "E/CN.15/2023/L.4".
SYMBOL = re.compile(r"(?<![\w/])[A-Z][A-Z0-9]*(?:\.\d{1,3})?(?:/[A-Za-z0-9][A-Za-z0-9.\-]*)+(?![\w/])")
# The masthead in English, French and Spanish: "Distr.: General", "Distr. générale", "Distr. : générale",
# "Distr. general"; "Original: English", "Original : anglais"; the language of the copy ("Français").
_MASTHEAD = re.compile(r"^(United Nations|Nations Unies|Naciones Unidas|Distr\.\s*:?\s*\w+.*|Distr:.*|"
                       r"Original\s*:.*|Français|Español|Русский|العربية|中文|\d{1,2} \w+ \d{4})$")
_FOOTNOTE = re.compile(r"^(\d{1,3})\s+(\S.*)$")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:-[A-Za-z\u00c0-\u024f]+)*")
# A table of contents entry: a dot leader, then paragraph numbers and/or a page number ("... 1–4 3", "... 23").
_CONTENTS_ENTRY = re.compile(r"(?:\.\s?){4,}[\s\d\u2013\u2014-]*\d$")
_CONTENTS_HEAD = re.compile(r"^(Contents|Table of contents|Table des matières|Índice|"
                            r"Paragraphs|Paragraphes|Párrafos|"
                            r"Pages?|Página|(?:Paragraphs|Paragraphes|Párrafos)\s+(?:Page|Página))$", re.I)
_EDGE = 3  # lines looked at, top and bottom of a page, for running headers and footers
_TOP_EDGE = 7  # a running header may be a whole title wrapped over four lines, plus symbol and page number
_SYMBOL_YEAR = re.compile(r"\s*\((?:19|20)\d\d\)\*?")
_GLUED_RULE = re.compile(r"^_{5,}\s+(?=\S)")
_RULE = re.compile(r"^_{5,}$")  # the rule UN documents print above a page's footnotes
# A page number "2/8" on a line of its own: in a text extraction without form feeds it marks a page break.
_BARE_PAGE_NUMBER = re.compile(r"^(\d{1,4})\s*/\s*(\d{1,4})$")
_NON_BREAKING_HYPHEN = re.compile(r"\s*[\u2010\u2011]\s*")
_LOOSE_LINE_END_HYPHEN = re.compile(r"(?<=[A-Za-z]) -$")


def is_noise(text: str) -> bool:
    """True for lines that are page furniture, never content."""
    return bool(_JOB_NUMBER.match(text) or _BARCODE.match(text) or _PAGE_NUMBER.match(text))


def is_symbol(text: str) -> bool:
    """True when the whole text is a document symbol with a number in it."""
    m = SYMBOL.fullmatch(text)
    return bool(m and "/" in text and any(c.isdigit() for c in text))


def is_masthead(text: str) -> bool:
    """First-page masthead lines: "United Nations", the symbol, "Distr.: General", the date."""
    return bool(_MASTHEAD.match(text) or is_date(text) or is_symbol(text))


def clean_line(raw: str) -> str:
    text = raw.replace("\t", " ").replace("\u00ad", "").strip()
    text = _NON_BREAKING_HYPHEN.sub("-", text)  # "non\u2011refoulement", even set apart by spaces
    text = _LOOSE_LINE_END_HYPHEN.sub("-", text)  # "sixty -" / "eighth session": the hyphenation step joins it
    text = _EMPTY_LINK.sub(r"\1", text)
    text = _GLUED_RULE.sub("", text)  # a footnote rule the text layer set on the line of the text after it
    return _SPACES.sub(" ", text)


def _without_page_number(text: str) -> str:
    return _PAGE_TOKEN.sub("", text).strip()


def _header_key(text: str, symbol: str | None) -> str:
    """A header line without its page number and the symbol, which alternate sides from page to page."""
    rest = text.replace(symbol, " ") if symbol else text
    return _without_page_number(" ".join(rest.split()))


def _running_lines(pages: list[list[str]], symbol: str | None = None) -> set[str]:
    """Lines that recur at the top or bottom of many pages: running headers and footers."""
    if len(pages) == 2:  # a footer printed at the foot of both pages
        feet = [{_header_key(t, symbol) for t in [t for t in lines if t][-_EDGE:]} - {""} for lines in pages]
        return feet[0] & feet[1]
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages[1:]:
        edge = [t for t in lines if t][:_TOP_EDGE] + [t for t in lines if t][-_EDGE:]
        counts.update({_header_key(t, symbol) for t in edge} - {""})
    need = max(2, int(0.4 * (len(pages) - 1)) + 1)
    return {t for t, n in counts.items() if n >= need}


def _document_symbol(pages: list[list[str]]) -> str | None:
    for text in (pages[0] if pages else [])[:15]:
        for m in SYMBOL.finditer(text):
            if is_symbol(m.group(0)):
                return m.group(0)
    return None


def _is_furniture(text: str, symbol: str | None, running: set[str], page: int | None) -> bool:
    if is_noise(text):
        return True
    rest = _without_page_number(text)
    if rest in running or (symbol and rest == symbol) or (page is not None and text == str(page)):
        return True
    if is_noise(rest) or _header_key(text, symbol) in running:
        return True
    # the symbol with its year, as a Security Council resolution's header prints it: "S/RES/9999 (2099)"
    return bool(symbol and _SYMBOL_YEAR.sub("", rest.replace(symbol, "")).strip() == "" and rest)


def _strip_page(lines: list[str], first: bool, symbol: str | None, running: set[str], page: int | None,
                removed: list[str]) -> list[str]:
    """Peel furniture off the top and bottom of a page; drop job numbers etc. anywhere."""
    lines = list(lines)
    if not first:  # page 1's top is the masthead, which the metadata stage reads
        while lines and (not lines[0] or _is_furniture(lines[0], symbol, running, page)):
            removed.append(lines.pop(0))
    while lines and (not lines[-1] or _is_furniture(lines[-1], symbol, running, page)):
        removed.append(lines.pop())
    removed.extend(t for t in lines if t and is_noise(t))
    return [t for t in lines if not (t and is_noise(t))]


def _drop_contents(lines: list[str], removed: list[str]) -> list[str]:
    """A page's table of contents (from "Contents" to the last dot-leader entry) is layout, never text."""
    entries = [i for i, t in enumerate(lines) if _CONTENTS_ENTRY.search(t)]
    if len(entries) < 2:  # one dotted line is not a table of contents
        return lines
    start, end = entries[0], entries[-1]
    heads = [j for j in range(max(0, start - 4), start) if _CONTENTS_HEAD.match(lines[j])]
    start = heads[0] if heads else start
    removed.extend(t for t in lines[start : end + 1] if t)
    return lines[:start] + lines[end + 1 :]


def _marker(number: str) -> re.Pattern[str]:
    # A footnote mark is the note number glued to a word or punctuation: "process1", "4/4,1 the".
    return re.compile(rf"(?<=[A-Za-z\u00c0-\u024f.,;:)\u201d\u2019\u00bb\"]){number}(?=\s|$)")


def _find_marker(number: str, text: str, start: int = 0) -> re.Match[str] | None:
    """The mark of note `number` in text; never the end of a symbol such as "L.9/Rev.1"."""
    for m in _marker(number).finditer(text, start):
        token = text[: m.start()].rsplit(None, 1)[-1] if text[: m.start()].strip() else ""
        if "/" in token and token[-1] not in ",;:)":
            continue
        if re.search(r"\d\.$", token):
            continue  # "resolution 77.4": a decimal number, not a mark glued to a full stop
        return m
    return None


def _year_marker(number: str, text: str, start: int) -> re.Match[str] | None:
    """A note mark glued to a year, "27 May 20164 on": the year is four digits, the rest is the mark."""
    return re.compile(rf"(?<=\b(?:19|20)\d\d){number}(?=[\s,;.]|$)").search(text, start)


_BODY_START = re.compile(r"^(\d{1,4}\.\s|[IVXL]+\.\s|(?:Recommendation|Recommandation|Recomendación) \d)")


def _split_footnotes(lines: list[str], next_note: int, removed: list[str]) -> tuple[list[str], list[tuple[int, str]], int]:
    """Body lines, and the footnotes at the foot of the page with the body line citing each."""
    for i in range(1, len(lines)):
        m = _FOOTNOTE.match(lines[i])
        # Notes number on through the document; a missed one earlier must not stop the rest.
        if not m or not next_note <= int(m.group(1)) <= next_note + 5 or DATE.match(lines[i]):  # "14 July 2022"
            continue
        if any(_BODY_START.match(t) for t in lines[i + 1 :]):
            continue  # footnotes sit below the body text, never above a paragraph
        if not any(_find_marker(m.group(1), lines[j]) for j in range(i)):
            continue
        body, notes, n = lines[:i], [], int(m.group(1))
        for text in lines[i:]:
            m = _FOOTNOTE.match(text)
            if m and int(m.group(1)) == n:
                notes.append([str(n), m.group(2)])
                n += 1
            elif text and notes:
                notes[-1][1] += " " + text
        placed: list[tuple[int, str]] = []
        for number, note in notes:
            at = next((j for j in range(len(body)) if _find_marker(number, body[j])), None)
            if at is None:
                at = len(body) - 1
            else:
                mark = _find_marker(number, body[at])
                body[at] = body[at][: mark.start()] + body[at][mark.end() :]
                removed.append(mark.group(0))  # the mark; the note keeps its number
            placed.append((at, f"{number} {note}"))
        return body, placed, n
    return lines, [], next_note


_NOTE_START = re.compile(r"^(\d{1,3})(?:\s+(\S.*))?$")
# Words after which a detached number is a reference, not a note mark: "paragraph 7", "resolution 5", "on 19".
_REFERENCE_WORDS = frozenset(
    "paragraph paragraphs para paras article articles art no nos resolution resolutions decision decisions chapter "
    "chap annex annexes target targets action actions section sect item items goal goals vol page pages p pp part "
    "rule rules principle principles recommendation recommendations and or to of on from than between by in at "
    "session sessions meeting meetings "
    # the same in French and Spanish: "paragraphe 7", "résolution 5", "párrafo 7", "le 19", "el 19 de"
    "paragraphe paragraphes párrafo párrafos résolution résolutions resolución resoluciones décision décisions "
    "decisión decisiones chapitre capítulo annexe annexes anexo anexos objectif objectifs objetivo objetivos cible "
    "cibles recommandation recommandations recomendación recomendaciones séance séances sesión sesiones réunion "
    "reunión période período et y ou o du des au aux le la les el los las del al de à en par por sur entre".split())
_MONTH_AFTER = re.compile(r"\s+(?:de\s+)?" + MONTH_AS_PRINTED + r"\b")


def _detached_marker(number: str, text: str, start: int) -> re.Match[str] | None:
    """A note mark set apart by a space, "Development, 1 and"; never "paragraph 1" or "on 19 December"."""
    pattern = re.compile(rf"(?<=[A-Za-z\u00c0-\u024f.,;:)\u201d\u2019\u00bb\"])\s+{number}(?=\s|$)")
    for m in pattern.finditer(text, start):
        if _MONTH_AFTER.match(text, m.end()):
            continue
        # After a comma or a closing bracket a number is a mark ("Action, 16 in which"); after a bare word it
        # may be a reference ("paragraph 7", "No. 29").
        if text[m.start() - 1] not in ",;)\u201d\u2019\"":
            before = text[: m.start()].rsplit(None, 1)[-1].strip(".:").lower()
            if before in _REFERENCE_WORDS:
                continue
        return m
    return None


def _next_marker(number: str, body: list[str], at: tuple[int, int]) -> tuple[int, re.Match[str]] | None:
    """The first mark of note `number` at or after position `at` (line, column), glued or set apart."""
    for j in range(at[0], len(body)):
        start = at[1] if j == at[0] else 0
        marks = (_find_marker(number, body[j], start), _detached_marker(number, body[j], start),
                 _year_marker(number, body[j], start))
        found = min((m for m in marks if m), key=lambda m: m.start(), default=None)
        if found:
            return j, found
    return None


def _rule_footnotes(lines: list[str], removed: list[str]) -> tuple[list[str], list[tuple[int, str]]] | None:
    """Body lines and footnotes where the notes sit below a printed rule of underscores; None without one."""
    rules = [i for i, t in enumerate(lines) if _RULE.match(t)]
    if not rules:
        return None
    r = rules[-1]
    first = next((t for t in lines[r + 1 :] if t), "")
    if not _NOTE_START.match(first):
        return None
    notes: list[list[str]] = []
    for text in lines[r + 1 :]:
        m = _NOTE_START.match(text)
        if m and (not notes or int(m.group(1)) == int(notes[-1][0]) + 1):
            notes.append([m.group(1), m.group(2) or ""])
        elif text and notes:
            notes[-1][1] = f"{notes[-1][1]} {text}".strip()
    removed.append(lines[r])
    body = lines[:r]
    while body and not body[-1]:
        body.pop()
    placed: list[tuple[int, str]] = []
    at = (0, 0)
    for number, note in notes:
        found = _next_marker(number, body, at)
        if found is None:
            placed.append((max(at[0], len(body) - 1) if body else 0, f"{number} {note}"))
            continue
        j, mark = found
        body[j] = body[j][: mark.start()] + body[j][mark.end() :]
        removed.append(mark.group(0))  # the mark; the note keeps its number
        placed.append((j, f"{number} {note}"))
        at = (j, mark.start())
    return body, placed


def _paged(pages: list[Page]) -> list[Page]:
    """A text extraction without form feeds, cut into pages after its "2/8", "3/8" ... page-number lines."""
    if len(pages) != 1 or pages[0].number is not None or pages[0].footnotes:
        return pages
    lines = pages[0].lines
    cuts = [(i, int(m.group(1)), int(m.group(2))) for i, raw in enumerate(lines)
            if (m := _BARE_PAGE_NUMBER.match(raw.strip()))]
    totals = {total for _, _, total in cuts}
    numbers = [n for _, n, _ in cuts]
    # Only a document's own page sequence (2/N, 3/N, ... in order) marks breaks; a stray "4/4" in the text does not.
    if len(cuts) < 2 or len(totals) != 1 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return pages
    out, start = [], 0
    styles = pages[0].styles
    for page, (i, _, _) in enumerate(cuts, start=numbers[0] - 1):
        out.append(Page(page, lines[start : i + 1], styles=styles[start : i + 1]))
        start = i + 1
    out.append(Page(numbers[-1], lines[start:], styles=styles[start:]))
    return out


_MASTHEAD_OPENING = re.compile(r"^(?:United Nations|Nations Unies|Naciones Unidas|UNITED NATIONS)\b")
_MASTHEAD_ITEM = re.compile(r"^(?:General Assembly|Security Council|Economic and Social Council|Assemblée générale|"
                            r"Conseil de sécurité|Conseil économique et social|Asamblea General|Consejo de Seguridad|"
                            r"Consejo Económico y Social)?\s*(?:Distr[.:]|Original\s*:)|^[A-Z]$")
_MASTHEAD_MAX_LINES = 8


def _masthead_first(page: Page) -> Page:
    """Page 1 with its masthead on top: today's ODS PDFs put the masthead ("United Nations A/HRC/99/2", "General
    Assembly Distr.: General", the date, "Original: English") at the end of the first page's text layer."""
    texts = [t.strip() for t in page.lines]
    filled = [i for i, t in enumerate(texts) if t]
    tail = filled[-_MASTHEAD_MAX_LINES:]
    start = next((i for i in tail if _MASTHEAD_OPENING.match(texts[i])), None)
    if start is None or start == filled[0]:
        return page
    rest = [texts[i] for i in filled if i > start]
    if not rest or not all(_MASTHEAD_ITEM.match(t) or is_date(t) or is_symbol(t) for t in rest):
        return page
    order = [*range(start, len(texts)), *range(start)]
    styles = tuple(page.style(i) for i in order) if page.styles else ()
    return replace(page, lines=tuple(page.lines[i] for i in order), styles=styles)


def clean(pages: list[Page], removed: list[str] | None = None, split_words: bool = True) -> list[Line]:
    """Pages of raw lines -> clean lines, with page furniture removed and footnotes set apart.

    removed, when given, receives every line (and footnote mark) taken out as layout noise; split_words=False
    leaves words the extraction split apart as they are (words.repair_split_words).
    """
    removed = [] if removed is None else removed
    pages = _paged(pages)
    pages = [_masthead_first(pages[0]), *pages[1:]] if pages else pages
    texts = [[clean_line(raw) for raw in page.lines] for page in pages]
    symbol = _document_symbol(texts)
    running = _running_lines(texts, symbol)
    out: list[Line] = []
    next_note = 1
    for index, (page, lines) in enumerate(zip(pages, texts)):
        indents, styles = {}, {}
        for i, (raw, text) in enumerate(zip(page.lines, lines)):
            indents.setdefault(text, len(raw) - len(raw.lstrip(" ")))
            styles.setdefault(text, page.style(i))
        if page.footnotes:
            body, notes = lines, list(page.footnotes)
        else:
            body = _drop_contents(_strip_page(lines, index == 0, symbol, running, page.number, removed), removed)
            ruled = _rule_footnotes(body, removed)
            if ruled is None:
                body, notes, next_note = _split_footnotes(body, next_note, removed)
            else:
                body, notes = ruled
                next_note = max([next_note] + [int(n.split()[0]) + 1 for _, n in notes])
        if any(_RULE.match(t) for t in body):  # a rule no numbered note follows (table notes "a", "b"): layout
            removed.extend(t for t in body if _RULE.match(t))
            kept = [i for i, t in enumerate(body) if not _RULE.match(t)]
            notes = [(sum(1 for k in kept if k < at), note) for at, note in notes]
            body = [body[i] for i in kept]
        by_line: dict[int, list[str]] = {}
        for at, note in notes:
            by_line.setdefault(at, []).append(note)
        for i, text in enumerate(body):
            out.append(Line(text, page.number, indents.get(text, 0), style=styles.get(text, PLAIN)))
            out.extend(Line(note, page.number, 0, footnote=True) for note in by_line.get(i, []))
        last = next((t for t in reversed(body) if t), "")
        if len(pages) == 1 or not last or last[-1] in ".:;!?\u201d\"":
            out.append(Line("", page.number))  # a page break inside a sentence is no paragraph break
    out = dehyphenate(out)
    return repair_split_words(out) if split_words else out


def dehyphenate(lines: list[Line]) -> list[Line]:
    """Join words hyphenated at line ends; keep the hyphen of compounds ("victim-centred").

    The document decides: a joined form seen elsewhere is joined, a hyphenated form seen
    elsewhere keeps its hyphen, two halves that are both words elsewhere keep it too.
    """
    body = [i for i, ln in enumerate(lines) if ln.text and not ln.footnote]
    breaks = [(a, b) for a, b in zip(body, body[1:])
              if re.search(r"[A-Za-z\u00c0-\u024f]-$", lines[a].text) and _WORD.match(lines[b].text)]
    if not breaks:
        return lines
    words: Counter[str] = Counter()
    for ln in lines:
        for w in _WORD.findall(ln.text.lower()):
            words[w] += 1
            if "-" in w:
                words.update(w.split("-"))
    at_breaks: Counter[str] = Counter()
    for a, b in breaks:
        at_breaks[_WORD.findall(lines[a].text)[-1].lower()] += 1
        at_breaks[_WORD.findall(lines[b].text)[0].lower()] += 1
    out = list(lines)
    for a, b in breaks:
        head_text, tail_text = out[a].text, out[b].text
        if not head_text.endswith("-") or not _WORD.match(tail_text):
            continue
        first, _, rest = tail_text.partition(" ")
        head = _WORD.findall(head_text)[-1].lower().rstrip("-")
        tail = (_WORD.findall(first) or [first])[0].lower()
        # "Co-" + "Chairs": a capital never follows a syllable break, so the hyphen is real.
        keep = first[:1].isupper() or (f"{head}-{tail}" in words and f"{head}{tail}" not in words) or (
            f"{head}{tail}" not in words
            and words[head] > at_breaks[head]
            and words[tail] > at_breaks[tail]
        )
        joined = head_text + first if keep else head_text[:-1] + first
        out[a] = replace(out[a], text=joined)
        out[b] = replace(out[b], text=rest.strip())
    return [ln for i, ln in enumerate(out) if ln.text or not lines[i].text]
