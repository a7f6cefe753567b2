"""Hostile input: property-based tests on cleaning, segmentation and the query path; inert display."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tipsearch import Library, build

from tipsearch.ingest import cleaning

from tipsearch.ingest import structure as paragraphs
from tipsearch.ingest.structure import numbered
from tipsearch.cli import main
from tipsearch.app.display import highlighted, inert
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.records import Page

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Lines shaped like the parts of a UN report, mixed with arbitrary Unicode.
_words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
_line = st.one_of(
    _words,
    st.builds(lambda n, t: f"{n}. {t}", st.integers(0, 30), _words),
    st.builds(lambda n: f"{n}.", st.integers(0, 30)),
    st.builds(lambda r, t: f"{r}. {t}", st.sampled_from(["I", "II", "III", "IV", "V", "A", "B", "C"]), _words),
    st.builds(lambda n, dot: f"Recommendation {n}{dot}", st.integers(0, 20), st.sampled_from(["", "."])),
    st.builds(lambda m, t: f"{m} {t}", st.sampled_from(["(a)", "(b)", "-", "\u2022", "1)"]), _words),
    st.sampled_from(["", "", "  ", "V.22-03912 (E)", "*2203912*", "3/12", "- 4 -", "Page 2 of 9",
                     "[CTOC/COP/WG.4/2022/1](#)", "traf-", "ficking", "\t\u00a0x\t", "\x0c", "\u200b"]),
)
NEXT = object()  # the next paragraph number, so generated documents really are numbered


def _numbered(items: list) -> list[str]:
    out, n = [], 0
    for item in items:
        if item is NEXT:
            n += 1
            out.append(f"{n}. paragraph {n}")
        else:
            out.append(item)
    return out


_document = st.one_of(
    st.lists(_line, max_size=60),
    st.lists(st.one_of(_line, st.just(NEXT)), max_size=60).map(_numbered),
    st.lists(st.one_of(
        st.sampled_from([NEXT, NEXT, NEXT, "", "", "", "I. Chapter", "A. Section heading", "A. Section heading",
                         "Recommendation 1",
                         "Recommendation 2.", "free text line", "(a) an item", "3/12", "traf-", "ficking"]),
        _words,
    ), max_size=40).map(_numbered),
)


def _pages(lines: list[str], split: int) -> list[Page]:
    """The lines on one or two pages."""
    cut = min(split, len(lines))
    pages = [lines[:cut], lines[cut:]] if 0 < cut < len(lines) else [lines]
    return [Page(i + 1, tuple(p)) for i, p in enumerate(pages)]


def _chars(text: str) -> Counter:
    return Counter(c for c in text if not c.isspace())


def _content(line: str) -> str:
    """What of a clean line must survive: a paragraph marker or a Recommendation header is structure
    (kept as the unit's number or label), the rest is text."""
    if numbered.RECOMMENDATION.match(line):
        return ""
    m = numbered._PARA.match(line)
    if m:
        return m.group(2) or ""
    return line


@SETTINGS
@given(_document, st.integers(0, 60))
def test_cleaning_removes_only_layout_noise(lines: list[str], split: int):
    removed: list[str] = []
    clean = cleaning.clean(_pages(lines, split), removed)
    kept = _chars(" ".join(ln.text for ln in clean)) + _chars(" ".join(removed))
    lost = _chars(" ".join(lines)) - kept
    # Only the brackets of an empty Markdown link, soft hyphens, and hyphens of words joined
    # across a line end ("traf-" + "ficking") may go; everything else is kept or reported removed.
    assert set(lost) <= set("[]()#-\u00ad"), (lost, lines, removed)


@SETTINGS
@given(_document, st.integers(0, 60))
# Found losses, pinned: text after a heading before the next number; front matter; a closing heading.
@example(["1. paragraph 1", "2. paragraph 2", "A. Section heading", "", "free text line"], 0)
@example(["Summary", "", "I. Introduction", "", "text before one", "1. paragraph 1", "2. paragraph 2"], 3)
@example(["1. paragraph 1", "2. paragraph 2", "", "I. Closing"], 0)
def test_segmentation_loses_no_text(lines: list[str], split: int):
    clean = cleaning.clean(_pages(lines, split))
    result = paragraphs.segment_all(clean)
    kept = _chars(" ".join(
        [u.text for u in result.units] + list(result.headings) + list(result.front_matter)
        + [h for u in result.units for h in u.section]
    ))
    given_ = _chars(" ".join(_content(ln.text) for ln in clean))
    lost = given_ - kept
    # Only hyphens of words joined across a line end may go ("traf-" + "ficking").
    assert set(lost) <= {"-"}, (lost, [ln.text for ln in clean], result)
    assert lost["-"] <= len(clean)


@SETTINGS
@given(_document, st.integers(0, 60))
@example(["traf-", "\u1a00"], 0)  # found: a letter outside the Latin ranges after a line-end hyphen
@example(["1.", "2. 0"], 0)  # found: an empty numbered paragraph is dropped, so its number is skipped
def test_units_are_well_formed(lines: list[str], split: int):
    units = paragraphs.segment(cleaning.clean(_pages(lines, split)))
    numbers = [int(u.number) for u in units if u.kind == "paragraph"]
    # Strictly increasing; by one except where a number opened a paragraph with no text (nothing to
    # cite), so each paragraph keeps the number the document gives it.
    assert numbers == sorted(set(numbers)) and all(n >= 1 for n in numbers)
    blocks = [int(u.number) for u in units if u.kind == "block"]
    assert blocks == list(range(1, len(blocks) + 1))
    recs = [int(u.label.split()[1]) for u in units if u.kind == "recommendation"]
    assert recs == sorted(set(recs))
    assert [u.order for u in units] == list(range(len(units)))
    assert all(u.text and u.text == u.text.strip() for u in units)


@SETTINGS
@given(st.text(max_size=400), st.integers(0, 60))
def test_arbitrary_unicode_never_raises(text: str, split: int):
    lines = re.split(r"\r\n|\r|\n", text)
    units = paragraphs.segment(cleaning.clean(_pages(lines, split)))
    assert all(isinstance(u.text, str) and u.text for u in units)


@pytest.fixture(scope="module")
def library(hash_index: Path) -> Library:
    return Library.open(hash_index)


@SETTINGS
@given(st.text(max_size=300), st.integers(-3, 40), st.sampled_from(["hybrid", "keyword", "semantic"]))
def test_any_question_is_safe(library: Library, question: str, k: int, mode: str):
    hits = library.search(question, k=k, mode=mode)
    assert len(hits) <= max(k, 0)
    for h in hits:
        assert h.answer in h.text


MARKUP = (
    "1. <script>alert('x')</script> and <img src=x onerror=alert(1)> said [click](javascript:alert(2)).\n\n"
    "2. **Bold** _it_ `code` # not a heading | a | table | ${{7*7}} {{7*7}} \x07\x1b[31mred\x1b[0m \u202eevil.\n\n"
    "3. <b>Victims</b> &amp; [link](https://example.org) ![img](x.png) <!-- comment --> \\escaped\\.\n"
)


def test_markup_is_stored_verbatim_and_displayed_inert(corpus: Path, tmp_path: Path, capsys):
    (corpus / "markup.txt").write_text(MARKUP, encoding="utf-8")
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    lib = Library.open(tmp_path / "index")
    doc, units = lib.document("markup.txt")
    stored = [u.paragraph.text for u in units]
    expected = [block.split(". ", 1)[1].strip() for block in MARKUP.split("\n\n")]
    assert stored == expected  # byte for byte: nothing stripped, nothing escaped in the index

    for text in stored:
        shown = inert(text)
        assert "<" not in shown and ">" not in shown  # no tag can open
        assert not re.search(r"(?<!\\)[`*_\[\]()#|!]", shown)  # every Markdown character is escaped
        assert highlighted(text, text[5:20]).count("<mark>") == 1
        assert re.sub(r"<mark>|</mark>", "", highlighted(text, text[5:20])) == shown

    code = main(["search", "script alert victims bold", "--json", "-k", "20", "--index", str(tmp_path / "index")])
    out, _ = capsys.readouterr()
    assert code == 0
    texts = {h["text"] for h in json.loads(out)}
    assert set(expected) <= texts  # the JSON carries the text exactly, control characters included


def test_app_shows_markup_inert(corpus: Path, tmp_path: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    (corpus / "markup.txt").write_text(MARKUP, encoding="utf-8")
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    monkeypatch.setenv("TIPSEARCH_INDEX", str(tmp_path / "index"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["q"] = "script alert onerror img"
    at.run()
    assert not at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert "alert" in shown
    assert "<script>" not in shown and "<img" not in shown
    plain = re.sub(r"</?(b|mark)>", "", shown)  # the app's own marks around the question's words
    assert re.search(r"&lt\\?;script&gt\\?;alert", plain)  # shown as text, entity-escaped
