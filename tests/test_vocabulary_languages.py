"""The domain vocabulary in the six UN languages, and questions in Cyrillic, Arabic and Chinese as keyword queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tipsearch import Library
from tipsearch.index.keyword_impacts import query_tokens
from tipsearch.index.store import TOKENIZE, Store, query_words
from tipsearch.records import Document, Paragraph
from tipsearch.search.vocabulary import GROUPS, LANGUAGES, expand, expansions
from tipsearch.text import fts_form, keyword_text, references

from conftest import DATA

QUESTION_FILES = ["dev_qa.jsonl", "qa_2022.jsonl", "qa_2022_heldout.jsonl", "qa_2022_heldout2.jsonl"]


def test_the_main_groups_are_written_in_all_six_languages():
    main = ["trafficking in persons", "Trafficking in Persons Protocol", "non-punishment", "forced labour",
            "sexual exploitation", "victim identification", "Working Group on Trafficking in Persons",
            "joint investigation teams", "Organized Crime Convention"]
    for name in main:
        group = next(g for g in GROUPS if name in g["en"])
        assert all(group[lang] for lang in LANGUAGES), name


@pytest.mark.parametrize("question", [
    "Que prévoit le droit sur la traite des personnes ?", "la trata de personas en la región",
    "меры против торговли людьми", "مكافحة الاتجار بالأشخاص", "打击贩运人口的措施", "traite des etres humains",
])
def test_a_question_in_any_un_language_expands_to_the_english_terms(question: str):
    assert {"trafficking in persons", "human trafficking"} <= set(expansions(question))


def test_an_english_question_expands_to_the_other_languages_after_its_english_terms():
    found = expansions("human trafficking and forced labour")
    assert found.index("trafficking in persons") < found.index("traite des personnes")
    assert {"traite des personnes", "trata de personas", "торговля людьми", "الاتجار بالأشخاص", "贩运人口",
            "travail forcé", "trabajo forzoso", "强迫劳动"} <= set(found)


def test_russian_endings_arabic_prefixes_and_marks_and_chinese_inside_a_run():
    assert "non-punishment" in expansions("принцип ненаказания жертв")  # "ненаказание" in the genitive
    assert "forced labour" in expansions("о принудительном труде")
    assert "trafficking in persons" in expansions("وللاتجار بالأشخاص")  # "and for the" glued in front
    assert "non-punishment" in expansions("مبدأ عَدَم مُعاقبة الضحايا")  # with vowel marks
    assert "non-punishment" in expansions("贩运人口受害者的不惩罚原则是什么")  # no spaces in Chinese
    assert "joint investigation teams" in expansions("Les équipes communes d'enquête")
    assert expansions("ong") == [] and "NGO" in expansions("le rôle des ONG")  # an acronym only in capitals


def test_words_of_a_term_the_query_has_as_the_index_stems_them_are_not_added_twice():
    expanded = expand("forced labour")
    assert "travail" in expanded and "forcé" not in expanded  # "forcé" and "forced" are one stem
    assert " d " not in keyword_text(expand("JIT rules")).lower()  # "d'enquête" adds "enquête", no "d"


def test_english_questions_gain_no_word_an_english_index_holds(hash_index: Path):
    """The English keyword queries are what they were: of what the other languages add, no word is in the seed
    report (a word no unit holds adds nothing to BM25), and the query still starts with the English terms."""
    lib = Library.open(hash_index)
    held = set(lib.generation.store.impacts.terms)
    lib.close()
    english = {t for g in GROUPS for t in g["en"]}
    questions = [json.loads(line)["q"] for f in QUESTION_FILES for line in (DATA / f).open(encoding="utf-8")]
    grown = 0
    for q in questions:
        ours = [t for t in expansions(q) if t in english]
        before = query_words(keyword_text(f"{q} ({'; '.join(ours)})" if ours else q))
        after = query_words(keyword_text(expand(q)))
        assert after[: len(before)] == before, q
        added = after[len(before):]
        grown += bool(added)
        assert not {t for w in added for t in query_tokens(TOKENIZE, w)} & held, (q, added)
    assert grown >= 20  # so the check above could fail


def test_cjk_questions_become_pairs_and_arabic_marks_do_not_split_words():
    assert query_words("贩运人口") == ["贩 运", "运 人", "人 口"]
    assert query_words("A4 贩") == ["a4", "贩"]
    assert query_words("الاتِّجار بالأشخاص") == query_words("الاتجار بالأشخاص") == ["الاتجار", "بالأشخاص"]
    assert query_words("торговля людьми") == ["торговля", "людьми"]
    assert keyword_text("Quelles sont les obligations des États ?") == "obligations États"
    text = "Victims' rights, café and the Türkiye report (2022)"
    assert fts_form(text) == text  # text in Latin script is indexed exactly as before


def test_chinese_and_arabic_units_are_found_by_their_words(tmp_path: Path):
    store = Store.create(tmp_path / "units.sqlite")
    doc = store.add_document(Document("zh.txt", "0" * 64, "Fictional", language="zh"))
    ids = [store.add_unit(doc, Paragraph(str(i + 1), text, i), f"zh, para. {i + 1}") for i, text in enumerate([
        "各国应确保贩运人口的受害者不因被迫实施的犯罪而受到惩罚。", "工作组讨论了强迫劳动问题。",
        "يجب ألّا يُعاقَب ضحايا الاتِّجار بالأشخاص.", "Fictional English text about victims."])]
    store.commit()
    assert [u for u, _ in store.keyword_search("贩运人口受害者", 10)] == [ids[0]]
    assert [u for u, _ in store.keyword_search("强迫劳动", 10)] == [ids[1]]
    assert [u for u, _ in store.keyword_search("الاتجار", 10)] == [ids[2]]  # the unit had its vowel marks
    assert store.units([ids[2]])[0].paragraph.text.startswith("يجب ألّا")  # ... and keeps them as printed


@pytest.fixture(scope="module")
def mixed(languages_hash_index: Path) -> Library:
    lib = Library.open(languages_hash_index)
    yield lib
    lib.close()


def test_a_french_question_finds_the_english_report_by_keyword(mixed: Library):
    from tipsearch.search.filters import Filters

    hits = mixed.search("Quelles sont les équipes communes d'enquête ?", k=3, mode="keyword",
                        filters=Filters(language="en"))
    assert hits and all("joint" in h.text and "investigat" in h.text for h in hits)  # not a word of the question


def test_an_english_question_finds_the_french_and_spanish_documents_by_keyword(mixed: Library):
    from tipsearch.search.filters import Filters

    for code, word in (("fr", "traite"), ("es", "trata")):
        hits = mixed.search("trafficking in persons", k=3, mode="keyword", filters=Filters(language=code))
        assert hits and all(word in h.text.lower() for h in hits), code


def test_a_question_in_chinese_russian_or_arabic_answers_from_the_english_report(mixed: Library):
    for question in ("贩运人口受害者的不惩罚原则是什么？", "принцип ненаказания жертв торговли людьми",
                     "ما هو مبدأ عدم معاقبة ضحايا الاتجار بالأشخاص؟"):
        hits = mixed.search(question, k=5, mode="keyword")
        assert hits, question
        assert any("non-punishment" in h.text.lower() or "not to be inappropriately punished" in h.text for h in hits)
    assert isinstance(mixed.search("，。！", k=5), list)  # only Chinese punctuation: no error


def test_french_and_spanish_references_name_units():
    assert [r.number for r in references("Que dit la recommandation 7 ?")] == ["7"]
    assert [(r.kind, r.number) for r in references("el párrafo 12 y la recomendación 2")] == [
        ("paragraph", "12"), ("recommendation", "2")]
    assert [(r.kind, r.number, r.part) for r in references("artículo 6, párrafo 3")] == [("article", "6", "3")]
    assert references("adopté par 12 voix") == []  # "par" without its full stop is a preposition
