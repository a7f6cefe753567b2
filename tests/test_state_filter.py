"""The recommending-State filter: a review recommendation's States are a field, and filters keep them."""

from __future__ import annotations

from pathlib import Path

from tipsearch.index.store import Store
from tipsearch.records import Document, Paragraph
from tipsearch.search.filters import Filters, allowed


def _store(tmp_path: Path) -> tuple[Store, list[int]]:
    store = Store.create(tmp_path / "units.sqlite")
    doc = store.add_document(Document("review.txt", "0" * 64, "Fictional review", "A/HRC/99/15", kind="review"))
    units = [
        Paragraph("90.1", "Ratify the Protocol (Utopia);", 0, "recommendation", states=("Utopia",)),
        Paragraph("90.2", "Train judges (Arcadia) (Utopia);", 1, "recommendation", states=("Arcadia", "Utopia")),
        Paragraph("90.3", "Fund shelters (Erewhon (Federated States of));", 2, "recommendation",
                  states=("Erewhon (Federated States of)",)),
        Paragraph("91", "All conclusions reflect the position of the States.", 3),
    ]
    ids = [store.add_unit(doc, p, f"A/HRC/99/15, para. {p.number}") for p in units]
    store.add_chunks((i, unit, f"h{i}") for i, unit in enumerate(ids))
    store.commit()
    return store, ids


def test_a_state_filter_keeps_the_recommendations_that_state_made(tmp_path: Path):
    store, ids = _store(tmp_path)
    assert allowed(store, Filters(state="utopia")).units == {ids[0], ids[1]}
    assert allowed(store, Filters(state="Erewhon")).units == {ids[2]}  # part of the name is enough
    assert allowed(store, Filters(state="Zembla")).units == frozenset()


def test_states_are_stored_and_read_back(tmp_path: Path):
    store, ids = _store(tmp_path)
    assert [u.paragraph.states for u in store.units(ids)] == [
        ("Utopia",), ("Arcadia", "Utopia"), ("Erewhon (Federated States of)",), ()]
    assert store.documents()[0].kind == "review"


def test_the_app_filters_review_recommendations_by_state_from_the_link(tmp_path: Path, monkeypatch):
    import shutil

    from streamlit.testing.v1 import AppTest

    from tipsearch import build
    from tipsearch.models.embedders import HashingEmbedder

    root = Path(__file__).resolve().parent.parent
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(root / "tests" / "data" / "kinds" / "review.txt", corpus)  # fictional review report
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    monkeypatch.setenv("TIPSEARCH_INDEX", str(tmp_path / "index"))
    app = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    app.query_params.update({"q": "ratify the convention and train judges", "state": "Utopia"})
    app.run()
    assert not app.exception
    assert app.sidebar.text_input(key="f-state").value == "Utopia"
    shown = [c.value for c in app.code]
    assert shown and all(", para. 90." in c for c in shown)  # only recommendations ...
    from tipsearch import Library

    lib = Library.open(tmp_path / "index")
    _, units = lib.document("review.txt")
    states = {u.citation: u.paragraph.states for u in units}
    assert all(any("Utopia" in s for s in states[c]) for c in shown)  # ... each made by Utopia
    assert any(states[c] and not any("Utopia" in s for s in states[c]) for c in states)  # others exist
    lib.close()
