"""Repeated text: one hit for the same paragraph in several documents, its other sources in also_in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tipsearch.records import Document, Paragraph, Unit
from tipsearch.search.repeats import collapse, same_text

WORLD_DAY = ("Recalls its decision to designate 30 July as the World Day against Trafficking in Persons, to be "
             "observed annually, and invites all stakeholders to continue to observe the World Day;")


def unit(uid: int, doc: int, date: str, text: str) -> Unit:
    d = Document(f"d{doc}.txt", str(doc) * 64, f"Doc {doc}", f"A/RES/{doc}", date=date, id=doc)
    return Unit(uid, d, Paragraph(str(uid), text, uid), f"A/RES/{doc}, para. {uid}")


def test_same_text_is_verbatim_or_nearly_but_not_reworded():
    words = tuple(WORLD_DAY.lower().replace(",", "").replace(";", "").split())
    assert same_text(words, words)
    assert same_text(words, words[:-1] + ("also",) + words[-1:])  # one word added: the same text
    reworded = ("encourages", "member", "states", "to", "observe", "the", "world", "day")
    assert not same_text(words, reworded)


def test_collapse_keeps_the_newest_at_the_best_rank_and_never_merges_one_document():
    ranked = [
        unit(1, 17, "2017-12-19", WORLD_DAY),
        unit(2, 99, "2025-12-18", "Something else entirely, about organ removal."),
        unit(3, 25, "2025-12-18", WORLD_DAY),
        unit(4, 21, "2021-12-16", WORLD_DAY.replace("annually", "annually,")),
        unit(5, 25, "2025-12-18", WORLD_DAY),  # the same document twice: two units, not one
    ]
    groups = collapse(ranked)
    assert [(g.id, [o.id for o in others]) for g, others in groups] == [(3, [4, 1]), (2, []), (5, [])]


REAL = Path(os.environ.get("TIPSEARCH_REAL_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "real-corpus"))


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the real UN documents are not at {REAL} (set TIPSEARCH_REAL_CORPUS)")
def test_the_world_day_paragraph_of_the_series_is_one_hit(tmp_path: Path):
    import shutil

    from tipsearch import Library, build
    from tipsearch.models.embedders import HashingEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in REAL.iterdir():
        if name.name.startswith(("A_RES_72", "A_RES_76", "A_RES_78", "A_RES_80_228", "A_C.3_80")):
            shutil.copy(name, corpus)
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    lib = Library.open(tmp_path / "index")
    question = "designate 30 July as the World Day against Trafficking in Persons"
    hits = lib.search(question, k=3)
    first = hits[0]
    sources = [first.unit, *first.also_in]
    assert len(sources) == 5 and first.unit.document.year == 2025  # the newest stands for the series
    assert {u.citation for u in sources} >= {"A/RES/72/195, para. 5", "A/RES/76/186, para. 7"}  # renumbered too
    apart = lib.search(question, k=5, collapse=False)
    assert len({h.unit.paragraph.text for h in apart}) < len(apart)  # without collapsing, the repeats come back
    lib.close()
    from streamlit.testing.v1 import AppTest

    os.environ["TIPSEARCH_INDEX"] = str(tmp_path / "index")
    try:
        app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
        app.query_params["q"] = question
        app.run()
    finally:
        del os.environ["TIPSEARCH_INDEX"]
    assert not app.exception
    shown = [c.value.replace("\\", "") for c in app.caption]  # document text is escaped (display.inert)
    assert any(c.startswith("Same text in 5 documents, 2017-2025: also A/C.3/80/L.4") for c in shown), shown
