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


def test_documents_lists_each_language(languages_hash_index: Path, capsys):
    import json

    from tipsearch.cli import main

    assert main(["documents", "--json", "--index", str(languages_hash_index)]) == 0
    docs = {d["file"]: d for d in json.loads(capsys.readouterr().out)}
    assert {f: d["language"] for f, d in docs.items()} == {
        "wg-tip-2022-report.txt": "en", "fr_report.txt": "fr", "fr_resolution.txt": "fr", "es_report.txt": "es",
        "es_treaty.txt": "es"}
    assert (docs["fr_report.txt"]["original"], docs["es_report.txt"]["original"]) == ("anglais", "inglés")
    assert main(["documents", "--index", str(languages_hash_index)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if "fr_report.txt" in ln)
    assert "  fr  " in line and "CTOC/COP/WG.4/2099/2" in line


def test_search_language_filter_keeps_that_language_only(languages_hash_index: Path, capsys):
    import json

    from tipsearch.cli import main

    question = "victims victimes víctimas trafficking traite trata"  # words of each language: no vocabulary needed
    assert main(["search", question, "--json", "-k", "10", "--index", str(languages_hash_index)]) == 0
    every = {h["document"]["language"] for h in json.loads(capsys.readouterr().out)}
    assert len(every) >= 2  # so the filter below could fail
    for code in ("fr", "es", "en"):
        assert main(["search", question, "--json", "-k", "10", "--language", code.upper(),
                     "--index", str(languages_hash_index)]) == 0
        hits = json.loads(capsys.readouterr().out)
        assert hits and {h["document"]["language"] for h in hits} == {code}
    with pytest.raises(SystemExit):
        main(["search", question, "--language", "klingon", "--index", str(languages_hash_index)])
    assert "invalid choice" in capsys.readouterr().err


def test_the_app_offers_the_languages_of_the_index_and_filters_from_the_link(languages_hash_index: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tipsearch import Library

    from conftest import ROOT

    monkeypatch.setenv("TIPSEARCH_INDEX", str(languages_hash_index))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params.update({"q": "victims victimes víctimas trafficking traite trata", "lang": "fr"})
    app.run()
    assert not app.exception
    box = app.sidebar.selectbox(key="f-lang")
    assert box.value == "fr" and box.options == ["Any language", "English", "French", "Spanish"]
    lib = Library.open(languages_hash_index)
    language = {u.citation: d.language for d in lib.documents() for u in lib.document(d.file)[1]}
    lib.close()
    shown = [c.value for c in app.code]
    assert shown and {language[c] for c in shown} == {"fr"}
    assert "in French" in app.caption[0].value
    assert app.query_params.get("lang") in ("fr", ["fr"])  # the filtered search is still a link
    box.set_value("any").run()
    assert len({language[c.value] for c in app.code}) >= 2


def test_the_app_hides_the_language_box_where_every_document_is_in_one(hash_index: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    monkeypatch.setenv("TIPSEARCH_INDEX", str(hash_index))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert not [b for b in app.sidebar.selectbox if b.key == "f-lang"]
    assert "any UN language" in app.text_input(key="question").placeholder
