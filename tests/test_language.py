"""A document's language: read off its text, stored, shown, and a filter (fictional sentences throughout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tipsearch.errors import BadFilterError
from tipsearch.index.store import Store
from tipsearch.ingest import language, metadata
from tipsearch.records import Document, Paragraph
from tipsearch.search.filters import Filters, allowed

SAMPLES = {
    "en": "The Working Group recommended that States should ensure that victims of trafficking are not punished.",
    "fr": "Le Groupe de travail a recommandé que les États veillent à ce que les victimes de la traite ne soient pas "
          "sanctionnées pour les infractions qu'elles ont été contraintes de commettre.",
    "es": "El Grupo de trabajo recomendó que los Estados velen por que las víctimas de la trata no sean castigadas "
          "por los delitos que se vieron obligadas a cometer.",
    "ru": "Рабочая группа рекомендовала государствам обеспечить, чтобы жертвы торговли людьми не подвергались "
          "наказанию.",
    "ar": "أوصى الفريق العامل بأن تكفل الدول عدم معاقبة ضحايا الاتجار بالأشخاص على الجرائم التي أكرهوا على ارتكابها.",
    "zh": "工作组建议各国确保贩运人口的受害者不因被迫实施的犯罪而受到惩罚。",
}


@pytest.mark.parametrize("code", list(SAMPLES))
def test_each_un_language_is_told_from_its_text(code: str):
    assert language.detect(SAMPLES[code]) == code


def test_a_symbol_or_an_english_title_inside_another_language_does_not_decide():
    quoted = "A/HRC/99/15 " + SAMPLES["zh"] + " (Report of the Working Group on Trafficking in Persons)"
    assert language.detect(quoted) == "zh"
    assert language.detect("Selon le rapport « Trafficking in persons » , les États et les victimes de la traite "
                           "sont au centre du Protocole.") == "fr"


def test_no_verdict_without_enough_letters_or_telling_words():
    assert language.detect("") is None
    assert language.detect("12 34 / 2099") is None
    assert language.detect("Victims Protocol Fictionland") is None  # no function word at all
    assert language.detect("la de que en") is None  # words French and Spanish share


def test_a_catalog_gives_a_language_by_code_or_english_name():
    doc = Document("x.txt", "0" * 64, "Title", language="en")
    assert metadata.apply_catalog(doc, {"language": "French"}).language == "fr"
    assert metadata.apply_catalog(doc, {"language": "ES"}).language == "es"
    assert metadata.apply_catalog(doc, {"language": "Klingon"}).language == "Klingon"  # kept as written, never lost
    assert language.code("русский") is None and language.name("ru") == "Russian" and language.name(None) == "unknown"


def _store(tmp_path: Path) -> tuple[Store, dict[str, int]]:
    store = Store.create(tmp_path / "units.sqlite")
    ids = {}
    for i, code in enumerate(["en", "fr", None]):
        doc = store.add_document(Document(f"d{i}.txt", str(i) * 64, f"Doc {i}", language=code, original="English"))
        ids[str(code)] = store.add_unit(doc, Paragraph("1", f"Text {i}.", 0), f"Doc {i}, para. 1")
    store.add_chunks((i, unit, f"h{i}") for i, unit in enumerate(ids.values()))
    store.commit()
    return store, ids


def test_language_and_original_are_stored_and_read_back(tmp_path: Path):
    store, _ = _store(tmp_path)
    assert [(d.language, d.original) for d in store.documents()] == [("en", "English"), ("fr", "English"),
                                                                     (None, "English")]


def test_a_language_filter_keeps_that_language_and_leaves_out_the_unknown(tmp_path: Path):
    store, ids = _store(tmp_path)
    assert allowed(store, Filters(language="fr")).units == {ids["fr"]}
    assert allowed(store, Filters(language="EN")).units == {ids["en"]}  # a code in capitals is the code
    assert allowed(store, Filters(language="zh")).units == frozenset()
    assert not Filters(language="fr").empty


def test_a_language_filter_is_one_of_the_six_codes():
    with pytest.raises(BadFilterError, match="ar, zh, en, fr, ru, es"):
        Filters(language="French")
