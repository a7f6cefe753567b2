"""Filters, grouping, related units and the timeline on the multi-year fixture corpus (hashing embedder).

tests/data/multiyear holds fictional UN-format reports (2010, 2015, two of 2019, 2023); its
README.md lists which paragraphs treat the same subject. Meaning is tested with the real
model in test_related_model.py; here the mechanics, which the hashing embedder makes exact.
"""

from pathlib import Path

import pytest

from tipsearch import Library, NotFoundError
from tipsearch.errors import BadFilterError
from tipsearch.search.filters import Filters, per_document

YEARS = {"wg-2010-report.txt": 2010, "wg-2015-report.txt": 2015, "wg-2019-background.txt": 2019,
         "rapporteur-2019-annual.txt": 2019, "wg-2023-report.txt": 2023}


@pytest.fixture(scope="module")
def lib(multiyear_hash_index: Path) -> Library:
    return Library.open(multiyear_hash_index)


def _satisfies(hit, f: Filters) -> bool:
    d, p = hit.unit.document, hit.unit.paragraph
    return (
        (f.year_from is None or d.year >= f.year_from)
        and (f.year_to is None or d.year <= f.year_to)
        and (not f.documents or d.file in f.documents)
        and (f.body is None or f.body.lower() in (d.body or "").lower())
        and (f.kind is None or (p.kind == "recommendation") == (f.kind == "recommendation"))
    )


FILTERS = [
    Filters(year_from=2019),
    Filters(year_to=2015),
    Filters(year_from=2015, year_to=2019),
    Filters(documents=("wg-2019-background.txt", "rapporteur-2019-annual.txt")),
    Filters(body="national RAPPORTEUR"),
    Filters(kind="recommendation"),
    Filters(kind="other", year_from=2023),
]


@pytest.mark.parametrize("mode", ["keyword", "semantic"])
@pytest.mark.parametrize("f", FILTERS, ids=str)
def test_a_filter_never_hides_a_better_hit(lib: Library, f: Filters, mode: str):
    question = "victims punished for offences they were forced to commit by traffickers"
    everything = lib.search(question, k=1000, mode=mode)
    expected = [h.unit.id for h in everything if _satisfies(h, f)][:3]
    got = lib.search(question, k=3, mode=mode, filters=f)
    assert expected, "the fixture must have units that satisfy each filter"
    assert [h.unit.id for h in got] == expected
    assert all(_satisfies(h, f) for h in got)


def test_filtering_before_top_k_fills_k_where_dropping_would_not(lib: Library):
    question = "peer review of implementation of the Protocol"
    top = lib.search(question, k=3)
    assert not any(h.unit.document.year == 2019 for h in top)  # dropping from these would leave nothing
    hits = lib.search(question, k=3, filters=Filters(year_from=2019, year_to=2019))
    assert len(hits) == 3 and {h.unit.document.year for h in hits} == {2019}


def test_documents_filter_takes_id_symbol_or_file(lib: Library):
    docs = {d.file: d for d in lib.documents()}
    ref_2010 = str(docs["wg-2010-report.txt"].id)
    f = Filters(documents=(ref_2010, "CTOC/COP/WG.4/2023/4", "wg-2019-background"))
    hits = lib.search("victims", k=50, filters=f)
    assert {h.unit.document.file for h in hits} == {"wg-2010-report.txt", "wg-2023-report.txt",
                                                    "wg-2019-background.txt"}


def test_bad_filters_are_clear_errors(lib: Library):
    with pytest.raises(NotFoundError, match="no document 'A/HRC/1/1'.*tipsearch documents"):
        lib.search("victims", filters=Filters(documents=("A/HRC/1/1",)))
    with pytest.raises(BadFilterError, match="recommendation, other"):
        Filters(kind="recommendations")
    with pytest.raises(BadFilterError, match="swap them"):
        Filters(year_from=2020, year_to=2010)
    assert Filters(documents="wg-2010-report.txt").documents == ("wg-2010-report.txt",)


def test_a_filter_nothing_satisfies_gives_no_hits(lib: Library):
    assert lib.search("victims", filters=Filters(year_from=2030)) == []
    assert lib.related("wg-2010-report.txt", "6", filters=Filters(year_to=2009)) == []
    assert lib.timeline("victims", filters=Filters(body="security council")) == []


def test_group_keeps_at_most_n_per_document_in_score_order(lib: Library):
    question = "States parties should victims trafficking"
    plain = lib.search(question, k=1000, mode="keyword")
    for n in (1, 2):
        hits = lib.search(question, k=5, mode="keyword", group=n)
        files = [h.unit.document.file for h in hits]
        assert len(hits) == 5 and max(files.count(f) for f in files) <= n
        expected = [h.unit.id for h in per_document(plain, lambda h: h.unit.document.id, n)][:5]
        assert [h.unit.id for h in hits] == expected
        assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert len({h.unit.document.file for h in lib.search(question, k=10, group=1)}) == 5  # only 5 documents
    with pytest.raises(BadFilterError, match="at least 1"):
        lib.search(question, group=0)


@pytest.mark.parametrize("ref, number, label", [
    ("6", "6", None), ("para. 6", "6", None), ("Recommendation 1", "5", "Recommendation 1"),
    ("rec:1", "5", "Recommendation 1"), ("recommendation  1", "5", "Recommendation 1"), ("5", "5", None),
])
def test_unit_by_number_or_label(lib: Library, ref: str, number: str, label: str | None):
    doc = "wg-2010-report.txt" if number == "6" else "wg-2015-report.txt"
    unit = lib.unit(doc, ref)
    assert (unit.paragraph.number, unit.paragraph.label) == (number, label)


def test_unknown_paragraph_names_the_document_and_the_next_step(lib: Library):
    with pytest.raises(NotFoundError, match=r"no paragraph '99' in CTOC/COP/WG.4/2010/6.*tipsearch show"):
        lib.related("wg-2010-report.txt", "99")
    with pytest.raises(NotFoundError, match="Recommendation 9"):
        lib.unit("CTOC/COP/WG.4/2015/6", "Recommendation 9")


def test_related_never_returns_the_unit_or_by_default_its_document(lib: Library):
    source = lib.unit("wg-2015-report.txt", "Recommendation 1")
    hits = lib.related("wg-2015-report.txt", "Recommendation 1", k=100)
    assert len(hits) == 52 - 14  # every unit of the other four documents, none of its own
    assert all(h.unit.document.file != "wg-2015-report.txt" for h in hits)
    same = lib.related("wg-2015-report.txt", "Recommendation 1", k=100, same_document=True)
    assert len(same) == 51 and source.id not in {h.unit.id for h in same}
    assert any(h.unit.document.file == "wg-2015-report.txt" for h in same)
    assert [h.rank for h in hits[:3]] == [1, 2, 3] and hits[0].score >= hits[-1].score
    assert all(h.answer in h.text for h in hits)


def test_related_honours_filters_and_carries_year_and_citation(lib: Library):
    hits = lib.related("CTOC/COP/WG.4/2023/4", "Recommendation 2", k=20, filters=Filters(year_to=2015, kind="other"))
    assert hits and all(h.unit.document.year <= 2015 and h.unit.paragraph.kind != "recommendation" for h in hits)
    cites = {h.citation for h in hits}
    assert "CTOC/COP/WG.4/2010/6, para. 6" in cites


def test_timeline_has_one_entry_per_document_in_date_order(lib: Library):
    entries = lib.timeline("joint team of police and prosecutors from several countries")
    assert [e.document.file for e in entries] == [  # not the rapporteur's 2019 report: it has no such subject
        "wg-2010-report.txt", "wg-2015-report.txt", "wg-2019-background.txt", "wg-2023-report.txt"]
    assert [e.document.date for e in entries] == sorted(e.document.date for e in entries)
    strengths = [e.strength for e in entries]
    assert max(strengths) == 1.0 and all(0.0 <= s <= 1.0 for s in strengths)
    best = max(entries, key=lambda e: e.hit.score)
    assert best.strength == 1.0 and best.hit.rank == 1
    for e in entries:  # each entry is its document's best unit: nothing in that document scores higher
        rest = lib.search("joint team of police and prosecutors from several countries", k=1, mode="semantic",
                          filters=Filters(documents=(e.document.file,)))
        assert rest[0].unit.id == e.hit.unit.id
        assert e.hit.answer in e.hit.text


def test_timeline_filters_and_citations_with_and_without_symbol(lib: Library):
    entries = lib.timeline("victims", filters=Filters(year_from=2019, year_to=2019))
    assert [e.document.file for e in entries] == ["wg-2019-background.txt", "rapporteur-2019-annual.txt"]
    assert entries[0].hit.citation.startswith("Background paper 2019, 11 March 2019, para. ")
    assert lib.timeline("  ") == []
    [entry] = lib.timeline("victims", filters=Filters(documents=("CTOC/COP/WG.4/2023/4",)))
    assert entry.hit.citation.startswith("CTOC/COP/WG.4/2023/4, para. ")  # symbol from the catalog only
