"""Domain vocabulary: the acronyms, variants, spellings and translations users type, mapped to each other.

The reports say "trafficking in persons", "Organized Crime Convention" and "non-punishment
principle"; users type "human trafficking", "UNTOC" and "non-criminalization", or ask in another UN
language: "traite des personnes", "trata de personas", "торговля людьми", "الاتجار بالأشخاص", "贩运人口".
A question is expanded with the other members of every group it mentions, for the keyword ranking:
first the English terms (an English question's query is what it always was), then the other languages'.

How a term is found in a question: English, French and Spanish words whole, in any case and with or without
accents (an acronym only in capitals); Russian words whatever their ending ("торговли людьми"); Arabic words
with or without the article, a preposition or "and" in front ("والاتجار", "للاتجار") and their vowel marks;
Chinese anywhere, since Chinese writes no spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from tipsearch.index.keyword_impacts import query_tokens
from tipsearch.index.store import TOKENIZE, query_words
from tipsearch.text import QUESTION_STOPWORDS, words

LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")


def _group(en: tuple[str, ...], fr: tuple[str, ...] = (), es: tuple[str, ...] = (), ru: tuple[str, ...] = (),
           ar: tuple[str, ...] = (), zh: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    return {"en": en, "fr": fr, "es": es, "ru": ru, "ar": ar, "zh": zh}


# Each group lists interchangeable terms by language, English first. Upper-case acronyms match only as typed in
# capitals (so "tip" or "cop" in a sentence are left alone); everything else matches case-insensitively.
GROUPS: tuple[dict[str, tuple[str, ...]], ...] = (
    _group(("trafficking in persons", "human trafficking", "TIP", "THB", "trafficking in human beings"),
           fr=("traite des personnes", "traite des êtres humains"), es=("trata de personas", "trata de seres humanos"),
           ru=("торговля людьми",), ar=("الاتجار بالأشخاص", "الاتجار بالبشر"), zh=("贩运人口", "人口贩运", "人口贩卖")),
    _group(("Trafficking in Persons Protocol", "TIP Protocol", "Palermo Protocol"),
           fr=("Protocole relatif à la traite des personnes", "Protocole de Palerme"),
           es=("Protocolo contra la trata de personas", "Protocolo de Palermo"),
           ru=("Протокол о торговле людьми", "Палермский протокол"),
           ar=("بروتوكول الاتجار بالأشخاص", "بروتوكول باليرمو"), zh=("贩运人口议定书", "巴勒莫议定书")),
    _group(("Organized Crime Convention", "UNTOC", "CTOC", "Palermo Convention",
            "United Nations Convention against Transnational Organized Crime"),
           fr=("Convention contre la criminalité organisée", "Convention de Palerme",
               "Convention des Nations Unies contre la criminalité transnationale organisée"),
           es=("Convención contra la Delincuencia Organizada", "Convención de Palermo",
               "Convención de las Naciones Unidas contra la Delincuencia Organizada Transnacional"),
           ru=("Конвенция против организованной преступности", "Палермская конвенция"),
           ar=("اتفاقية الجريمة المنظمة", "اتفاقية باليرمو"), zh=("有组织犯罪公约", "巴勒莫公约")),
    _group(("Conference of the Parties", "COP"), fr=("Conférence des Parties",), es=("Conferencia de las Partes",),
           ru=("Конференция участников",), ar=("مؤتمر الأطراف",), zh=("缔约方会议",)),
    _group(("joint investigation teams", "joint investigative teams", "JIT", "JITs"),
           fr=("équipes communes d'enquête", "équipe commune d'enquête"),
           es=("equipos conjuntos de investigación", "equipo conjunto de investigación"),
           ru=("совместные следственные группы",), ar=("فرق التحقيق المشتركة",), zh=("联合调查组",)),
    _group(("national referral mechanism", "NRM", "referral mechanism"),
           fr=("mécanisme national d'orientation", "mécanismes nationaux d'orientation"),
           es=("mecanismo nacional de derivación", "mecanismos nacionales de derivación"),
           ru=("национальный механизм перенаправления",), ar=("آلية الإحالة الوطنية",), zh=("国家转介机制",)),
    _group(("non-punishment", "non-criminalization", "non-criminalisation", "non-prosecution", "non-liability"),
           fr=("non-sanction", "non-punition"), es=("no punición", "no castigo"),
           ru=("ненаказание", "ненаказуемость"), ar=("عدم معاقبة", "عدم المعاقبة"), zh=("不惩罚", "不予惩罚")),
    _group(("non-governmental organizations", "NGO", "NGOs", "civil society organizations"),
           fr=("organisations non gouvernementales", "ONG"), es=("organizaciones no gubernamentales", "ONG"),
           ru=("неправительственные организации", "НПО"), ar=("المنظمات غير الحكومية",), zh=("非政府组织",)),
    _group(("United Nations Office on Drugs and Crime", "UNODC"),
           fr=("Office des Nations Unies contre la drogue et le crime", "ONUDC"),
           es=("Oficina de las Naciones Unidas contra la Droga y el Delito",),
           ru=("Управление Организации Объединенных Наций по наркотикам и преступности", "УНП ООН"),
           ar=("مكتب الأمم المتحدة المعني بالمخدرات والجريمة",), zh=("联合国毒品和犯罪问题办公室", "毒品和犯罪问题办公室")),
    _group(("legal assistance", "legal aid"), fr=("assistance juridique", "aide juridictionnelle"),
           es=("asistencia jurídica", "asistencia letrada"), ru=("юридическая помощь",), ar=("المساعدة القانونية",),
           zh=("法律援助",)),
    _group(("Mechanism for the Review of the Implementation", "review mechanism", "IRM"),
           fr=("Mécanisme d'examen de l'application",), es=("Mecanismo de examen de la aplicación",),
           ru=("Механизм обзора хода осуществления",), ar=("آلية استعراض تنفيذ",), zh=("审议机制",)),
    _group(("SHERLOC", "Sharing Electronic Resources and Laws on Crime")),
    _group(("INTERPOL", "International Criminal Police Organization"),
           fr=("Organisation internationale de police criminelle",),
           es=("Organización Internacional de Policía Criminal",),
           ru=("Интерпол",), ar=("الإنتربول",), zh=("国际刑警组织",)),
    _group(("Eurojust", "European Union Agency for Criminal Justice Cooperation")),
    _group(("Holy See", "Vatican"), fr=("Saint-Siège",), es=("Santa Sede",), ru=("Святой Престол",),
           ar=("الكرسي الرسولي",), zh=("教廷",)),
    _group(("Türkiye", "Turkey")),
    _group(("smuggling of migrants", "migrant smuggling"), fr=("trafic illicite de migrants",),
           es=("tráfico ilícito de migrantes",), ru=("незаконный ввоз мигрантов",), ar=("تهريب المهاجرين",),
           zh=("偷运移民",)),
    _group(("forced labour", "forced labor", "labour exploitation", "labor exploitation"), fr=("travail forcé",),
           es=("trabajo forzoso",), ru=("принудительный труд",), ar=("العمل القسري", "السخرة"), zh=("强迫劳动",)),
    _group(("victim-centred", "victim-centered"), fr=("centrée sur la victime", "axée sur les victimes"),
           es=("centrado en la víctima", "centrada en las víctimas"), zh=("以受害者为中心",)),
    _group(("trauma-informed", "trauma informed"), fr=("tenant compte des traumatismes",),
           es=("tenga en cuenta el trauma",), zh=("创伤知情",)),
    _group(("organized crime", "organised crime"), fr=("criminalité organisée",), es=("delincuencia organizada",),
           ru=("организованная преступность",), ar=("الجريمة المنظمة",), zh=("有组织犯罪",)),
    _group(("sexual exploitation",), fr=("exploitation sexuelle",), es=("explotación sexual",),
           ru=("сексуальная эксплуатация",), ar=("الاستغلال الجنسي",), zh=("性剥削",)),
    _group(("victim identification",), fr=("identification des victimes",),
           es=("identificación de las víctimas", "identificación de víctimas"), ru=("выявление жертв",),
           ar=("تحديد هوية الضحايا",), zh=("识别受害者", "受害者识别")),
    _group(("Working Group on Trafficking in Persons",), fr=("Groupe de travail sur la traite des personnes",),
           es=("Grupo de Trabajo sobre la Trata de Personas",), ru=("Рабочая группа по торговле людьми",),
           ar=("الفريق العامل المعني بالاتجار بالأشخاص",), zh=("贩运人口问题工作组",)),
    _group(("Special Rapporteur on trafficking in persons",),
           fr=("Rapporteuse spéciale sur la traite des êtres humains",
               "Rapporteur spécial sur la traite des personnes"),
           es=("Relatora Especial sobre la trata de personas",),
           ru=("Специальный докладчик по вопросу о торговле людьми",),
           ar=("المقررة الخاصة المعنية بالاتجار بالأشخاص",), zh=("贩运人口问题特别报告员",)),
)
# Words of another language's term that English writes in another sense: English questions say "UN", "El Salvador",
# "no-punishment"; English documents "application", "community" (FTS5 stems "communes" alike), "Saint Lucia". A
# term's other words carry it, so these are left out of what it adds (tests/test_vocabulary_languages.py checks the
# English questions' keyword queries gain no word the English seed report holds).
_SKIPPED = QUESTION_STOPWORDS | {"no", "un", "el", "application", "commune", "communes", "saint"}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ENDINGS = "аеёиоуыэюяйь"


def fold(text: str) -> str:
    """Text as terms are looked for in it: without accents, Arabic vowel marks, hamza seats and tatweel."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u0640", ""))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _word_pattern(word: str) -> str:
    if _CYRILLIC.search(word):  # any case ending: "торговля", "торговли", "торговлей"
        stem = word.rstrip(_ENDINGS) if len(word) > 4 else word
        stem = stem if len(word) - len(stem) <= 2 else word[:-2]
        return re.escape(stem) + f"[{_ENDINGS}а-я]{{0,3}}"
    if _ARABIC.search(word):  # "and", "for", "by", "like" and the article glued in front: "والاتجار", "للاتجار"
        if word.startswith("ال"):
            return "(?:[وف]?[بكل]?ال|[وف]?لل)" + re.escape(word[2:])
        return "[وف]?[بكل]?" + re.escape(word)
    return re.escape(word)


def _pattern(term: str) -> re.Pattern[str]:
    """How a term is found in a folded question (see the module's docstring)."""
    folded = fold(term)
    if _HAN.search(folded):
        return re.compile(re.escape(folded))
    acronym = term.isupper() or term[:-1].isupper()  # "JITs" is an acronym too
    body = r"\s+".join(_word_pattern(w) for w in folded.split())
    return re.compile(rf"(?<![\w/]){body}(?![\w/])", 0 if acronym else re.IGNORECASE)  # not inside a symbol


@cache
def _compiled() -> tuple[tuple[tuple[str, str, re.Pattern[str]], ...], ...]:
    return tuple(tuple((lang, t, _pattern(t)) for lang in LANGUAGES for t in group[lang]) for group in GROUPS)


def _split(question: str) -> tuple[list[str], list[str]]:
    """The implied terms in English, and in the other languages, in vocabulary order, each once."""
    folded = fold(question)
    english: list[str] = []
    others: list[str] = []
    for group in _compiled():
        present = {t for _, t, p in group if p.search(folded)}
        if not present:
            continue
        for lang, t, _ in group:
            out = english if lang == "en" else others
            if t not in present and t not in out:
                out.append(t)
    return english, [t for t in others if t not in english]


def expansions(question: str) -> list[str]:
    """The terms a question implies but does not contain: English ones first, then the other languages'."""
    english, others = _split(question)
    return english + others


def _tokens(word: str) -> frozenset[str]:
    return frozenset(t for phrase in query_words(word) for t in query_tokens(TOKENIZE, phrase))


def expand(question: str) -> str:
    """The question followed by its implied terms: "JIT rules" -> "JIT rules (joint investigation teams; ...)".

    Of another language's term only the words that carry it and that the query lacks, as the index stems them,
    are added: "travail forcé" adds "travail" to "forced labour" (the index reads "forcé" and "forced" alike),
    "équipes communes d'enquête" no "d"; so no word counts twice and no English query gains a stray word.
    """
    english, others = _split(question)
    if not english and not others:
        return question
    seen = set().union(*(_tokens(w) for w in query_words(" ".join([question, *english]))))
    added = list(english)
    for term in others:
        kept = [w for w in words(term) if len(w) > 1 and w.lower() not in _SKIPPED and not _tokens(w) <= seen]
        seen.update(*(_tokens(w) for w in kept))
        if kept:
            added.append(" ".join(kept))
    return f"{question} ({'; '.join(added)})"
