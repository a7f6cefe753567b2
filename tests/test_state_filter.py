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
