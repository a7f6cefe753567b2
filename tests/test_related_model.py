"""Same subject in different words, across years: related and timeline with the real model.

The fixture corpus (tests/data/multiyear, fictional) words each subject differently in each
document; see its README.md for the table these lists copy.
"""

from pathlib import Path

import pytest

from tipsearch import Library

pytestmark = pytest.mark.model

SUBJECTS = {
    "Should victims be punished for crimes their traffickers forced them to commit?": [
        ("wg-2010-report.txt", "6"), ("wg-2015-report.txt", "Recommendation 1"),
        ("wg-2019-background.txt", "4"), ("wg-2023-report.txt", "Recommendation 2")],
    "joint investigation teams between countries": [
        ("wg-2010-report.txt", "8"), ("wg-2015-report.txt", "Recommendation 3"),
        ("wg-2019-background.txt", "7"), ("wg-2023-report.txt", "Recommendation 4")],
    "mechanism for reviewing implementation of the Protocol": [
        ("wg-2010-report.txt", "10"), ("wg-2015-report.txt", "9"), ("wg-2023-report.txt", "8")],
}


@pytest.fixture(scope="module")
def lib(multiyear_model_index: Path, minilm) -> Library:
    return Library.open(multiyear_model_index, minilm)


def test_related_ranks_the_same_subject_in_other_years_above_every_distractor(lib: Library):
    for units in SUBJECTS.values():
        gold = {lib.unit(d, p).id for d, p in units}
        for document, paragraph in units:
            source = lib.unit(document, paragraph)
            hits = lib.related(document, paragraph, k=4)
            want = gold - {source.id}
            top = {h.unit.id for h in hits[: len(want)]}
            assert top == want, (document, paragraph, [h.citation for h in hits[: len(want) + 2]])
            assert all(h.unit.document.year for h in hits)


def test_timeline_finds_the_subject_in_each_document_that_treats_it(lib: Library):
    for question, units in SUBJECTS.items():
        entries = lib.timeline(question)
        gold = {d: lib.unit(d, p).id for d, p in units}
        # exactly the documents that treat the subject (each in its own words), in date order, at their unit
        assert sorted(e.document.file for e in entries) == sorted(gold), question
        assert [e.document.date for e in entries] == sorted(e.document.date for e in entries)
        for e in entries:
            assert e.hit.unit.id == gold[e.document.file], (question, e.hit.citation)
