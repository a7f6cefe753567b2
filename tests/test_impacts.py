"""The keyword accelerator (impacts.py) gives exactly FTS5's bm25() ranking, or steps aside for FTS5."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tipsearch import Library
from tipsearch.index.keyword_impacts import Impacts, compute, query_tokens
from tipsearch.records import Paragraph
from tipsearch.text import keyword_text
from tipsearch.index.store import CONTEXT_WEIGHT, TOKENIZE, Store, query_words

DATA = Path(__file__).resolve().parent / "data"
QUESTIONS = [json.loads(line)["q"] for line in (DATA / "dev_qa.jsonl").read_text().splitlines() if line.strip()]
HAND = [
    "victims", "trafficking trafficked traffickers", "Recommendation 7 legal assistance",
    "non-punishment principle", "Café naïve COVID-19 2022", "the of and", "zzzz unknownword victims",
    "victim victims Victims VICTIMS", "État protection des victimes", "42",
]


def same_ranking(fast: list[tuple[int, float]], slow: list[tuple[int, float]]) -> None:
    """Equal scores (1e-9 relative) position by position, and the same units except where scores tie
    at the cut-off (FTS5's LIMIT picks any of them)."""
    assert len(fast) == len(slow)
    assert [s for _, s in fast] == pytest.approx([s for _, s in slow], rel=1e-9)
    if not fast:
        return
    last = slow[-1][1]
    above = lambda ranking: {u for u, s in ranking if s > last * (1 + 1e-9)}  # noqa: E731
    assert above(fast) == above(slow)
    fts = dict(slow)
    for unit, score in fast:
        assert unit not in fts or fts[unit] == pytest.approx(score, rel=1e-9)


def fts(store: Store, question: str, limit: int, allowed=None) -> list[tuple[int, float]]:
    return store.keyword_search(question, limit, allowed, use_impacts=False)


@pytest.fixture(scope="module")
def seed(hash_index: Path):
    library = Library.open(hash_index)
    yield library.generation.store
    library.close()


def test_open_loads_the_impacts(seed: Store):
    assert seed.impacts is not None and len(seed.impacts.terms) > 100


@pytest.mark.parametrize("question", QUESTIONS + HAND)
@pytest.mark.parametrize("limit", [5, 50])
def test_seed_questions_rank_as_fts5(seed: Store, question: str, limit: int):
    words = keyword_text(question)
    fast = seed.impacts.search(query_words(words), limit)
    assert fast is not None  # every one of these is a one-token word: no fallback
    same_ranking(fast, fts(seed, words, limit))


def test_a_word_repeated_after_stemming_counts_twice_as_in_fts5(seed: Store):
    once = dict(seed.keyword_search("trafficking", 5))
    twice = dict(seed.keyword_search("trafficking trafficked", 5))
    assert set(once) == set(twice)
    assert all(twice[u] == pytest.approx(2 * once[u], rel=1e-9) for u in once)
    same_ranking(seed.impacts.search(["trafficking", "trafficked"], 5), fts(seed, "trafficking trafficked", 5))


def test_filters_rank_only_allowed_units_as_fts5(seed: Store):
    ids = sorted(u for u, _ in fts(seed, "victims", 1000))
    allowed = set(ids[::3]) | {10**6}  # a unit id beyond the index is harmless
    fast = seed.impacts.search(["victims"], 10, allowed)
    assert fast and {u for u, _ in fast} <= allowed
    same_ranking(fast, fts(seed, "victims", 10, allowed))
    assert seed.impacts.search(["victims"], 10, set()) == []


@pytest.mark.parametrize("words", [["victims", "state_party"], ["_"]])
def test_words_that_are_not_one_token_fall_back_to_fts5(seed: Store, words: list[str]):
    assert seed.impacts.search(words, 10) is None
    question = " ".join(words)
    assert seed.keyword_search(question, 10) == fts(seed, question, 10)


@pytest.mark.parametrize("question", ["foo_bar", "victims 贩运", "victims state_foo"])
def test_a_phrase_with_a_token_no_unit_holds_adds_nothing_without_fts5(seed: Store, question: str):
    words = query_words(question)
    assert any(" " in w or "_" in w for w in words)  # a phrase of two tokens, one of which no unit holds
    fast = seed.impacts.search(words, 10)
    assert fast is not None and fast == seed.impacts.search([w for w in words if w == "victims"], 10)
    same_ranking(fast, fts(seed, question, 10))


def test_another_context_weight_falls_back_to_fts5(seed: Store):
    assert seed.impacts.search(["victims"], 10, context_weight=0.7) is None
    heavy = seed.keyword_search("recommendation victims", 10, context_weight=3.0)
    assert heavy == seed.keyword_search("recommendation victims", 10, context_weight=3.0, use_impacts=False)
    assert heavy != seed.keyword_search("recommendation victims", 10)  # the weight did change the scores


def test_query_tokens_are_fts5s():
    assert query_tokens(TOKENIZE, "victims") == ("victim",)
    assert query_tokens(TOKENIZE, "trafficked") == query_tokens(TOKENIZE, "trafficking")
    assert query_tokens(TOKENIZE, "café") == ("cafe",)
    assert query_tokens(TOKENIZE, "foo_bar") == ("foo", "bar")
    assert query_tokens(TOKENIZE, "_") == ()


# -- random texts: many terms, repeats, diacritics, empty context, units with no words ---------------
_VOCAB = ["victim", "victims", "victimized", "traffic", "trafficking", "trafficked", "state", "states", "stated",
          "protect", "protection", "protective", "café", "cafe", "naïve", "über", "2022", "x1", "law", "laws",
          "child", "children", "labour", "forced", "a", "the", "of", "recommendation", "assistance", "Ελλάδα",
          "право", "取引", "data", "dataset"]


@pytest.fixture(scope="module")
def random_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    rng = random.Random(11)
    store = Store.create(tmp_path_factory.mktemp("impacts") / "units.sqlite")
    doc = store.conn.execute(
        "INSERT INTO documents (file, sha256, title) VALUES ('r.txt', 'x', 'Random')").lastrowid
    for i in range(400):
        n = rng.choice([0, 1, 3, 8, 20, 60, 150])
        text = " ".join(rng.choice(_VOCAB) for _ in range(n)) + rng.choice(["", ".", " -- 7"])
        section = tuple(" ".join(rng.choice(_VOCAB) for _ in range(rng.randint(0, 4)))
                        for _ in range(rng.randint(0, 2)))
        label = rng.choice([None, None, f"Recommendation {i}"])
        store.add_unit(doc, Paragraph(str(i), text, i, "recommendation" if label else "paragraph", label, section),
                       "c")
    store.commit()
    store.impacts = compute(store.conn, "units_fts", "text", TOKENIZE, CONTEXT_WEIGHT)
    return store


def test_random_texts_rank_as_fts5(random_store: Store):
    rng = random.Random(5)
    for _ in range(200):
        question = " ".join(rng.choice(_VOCAB) for _ in range(rng.randint(1, 12)))
        limit = rng.choice([1, 3, 10, 50, 500])
        fast = random_store.impacts.search(query_words(question), limit)
        if "取引" in question:  # Chinese characters are held one a token, a question's pair is a phrase: FTS5's
            assert fast is None and random_store.keyword_search(question, limit) == fts(random_store, question, limit)
            continue
        same_ranking(fast, fts(random_store, question, limit))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=80),
                 st.lists(st.sampled_from(_VOCAB), max_size=10).map(" ".join)),
       st.integers(1, 80))
@example("Victims VICTIMS victim's", 10)
@example('"victims" OR NEAR(x) *', 10)
def test_any_question_ranks_as_fts5_or_falls_back(random_store: Store, question: str, limit: int):
    fast = random_store.impacts.search(query_words(question), limit)
    slow = fts(random_store, question, limit)
    if fast is None:  # not exact for this question: the store answers with FTS5 itself
        assert random_store.keyword_search(question, limit) == slow
    else:
        same_ranking(fast, slow)


def test_saved_and_loaded_impacts_are_the_same(random_store: Store, tmp_path: Path):
    path = tmp_path / "keywords.npz"
    random_store.impacts.save(path)
    loaded = Impacts.load(path)
    assert loaded.terms == random_store.impacts.terms and loaded.size == random_store.impacts.size
    assert loaded.search(["victims", "law"], 20) == random_store.impacts.search(["victims", "law"], 20)


def test_a_file_that_is_not_impacts_is_refused(tmp_path: Path):
    from tipsearch.errors import IndexCorruptError

    path = tmp_path / "keywords.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(IndexCorruptError, match="keywords.npz"):
        Impacts.load(path)


def test_an_index_without_impacts_is_refused_and_the_next_build_makes_them(hash_index: Path, corpus: Path,
                                                                           tmp_path: Path):
    from tipsearch import build
    from tipsearch.errors import IndexCorruptError
    from tipsearch.models.embedders import HashingEmbedder

    index = tmp_path / "index"
    shutil.copytree(hash_index, index)
    manifest = json.loads((index / "manifest.json").read_text())
    manifest["files"].pop("keywords.npz")
    (index / manifest["generation"] / "keywords.npz").unlink()
    (index / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="run `tipsearch build`"):
        Library.open(index)
    report = build(corpus, index, embedder=HashingEmbedder(), progress=False)
    assert not report.up_to_date and report.reused == 0 and report.embedded > 0  # not reused: embedded again
    rebuilt = Library.open(index)
    assert rebuilt.generation.store.impacts is not None
    rebuilt.close()