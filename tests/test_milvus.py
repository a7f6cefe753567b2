"""The index in Milvus Lite (`--store milvus-lite:PATH.db`): the same answers as the local store, generations as
collections behind an alias, killed builds, and faults as one line.

One Milvus Lite database serves the whole session (each test its own alias, `#NAME`); Milvus Lite serves one
process at a time, so every library is closed before a build runs in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tipsearch import Library, build
from tipsearch.cli import main
from tipsearch.errors import BadOptionError, IndexMissingError, StoreUnavailableError
from tipsearch.index.build import PAUSE_AT, PAUSE_FILE
from tipsearch.index.store_uri import StoreURI
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.search.evaluation import evaluate, read_questions
from tipsearch.search.filters import Filters

from conftest import DATA, ROOT
from test_crash import QUESTIONS, add_documents, wait_for

try:
    import milvus_lite  # noqa: F401
    import pymilvus  # noqa: F401
except ImportError as e:  # the `milvus` extra is not installed: the local store is all there is
    pytestmark = pytest.mark.skip(reason=f"pymilvus and milvus-lite are needed ({e}): pip install -e '.[test]'")

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing answers there


@pytest.fixture(scope="session")
def milvus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("milvus") / "milvus.db"


def store(db: Path, alias: str) -> str:
    return f"milvus-lite:{db}#{alias}"


@pytest.fixture(scope="session")
def milvus_index(tmp_path_factory: pytest.TempPathFactory, milvus_db: Path) -> Path:
    """The seed built with the hashing embedder into Milvus Lite (alias `seed`)."""
    base = tmp_path_factory.mktemp("milvus-seed")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    build(base / "corpus", base / "index", embedder=HashingEmbedder(), progress=False, store=store(milvus_db, "seed"))
    return base / "index"


def open_both(hash_index: Path, milvus_index: Path) -> tuple[Library, Library]:
    return (Library.open(hash_index, embedder=HashingEmbedder()),
            Library.open(milvus_index, embedder=HashingEmbedder()))


def test_store_uris_parse_and_say_what_they_take(tmp_path: Path) -> None:
    assert StoreURI.parse(None).kind == StoreURI.parse("local").kind == "local"
    lite = StoreURI.parse(f"milvus-lite:{tmp_path}/m.db#other")
    assert (lite.kind, lite.address, lite.alias) == ("milvus-lite", str(tmp_path / "m.db"), "other")
    assert StoreURI.parse(lite.text) == lite
    server = StoreURI.parse("http://milvus.example:19530/")
    assert (server.kind, server.address, server.alias) == ("milvus", "http://milvus.example:19530", "tipsearch")
    for bad in ("milvus-lite:index/milvus", "sqlite:x", "http://h:1#no-dashes"):
        with pytest.raises(BadOptionError, match="store"):
            StoreURI.parse(bad)


def test_milvus_holds_no_faiss_file_and_names_its_collection(milvus_index: Path, milvus_db: Path) -> None:
    lib = Library.open(milvus_index, embedder=HashingEmbedder())
    try:
        extra = lib.manifest.extra
        assert extra["store"] == store(milvus_db, "seed") and extra["collection"] == "seed_gen_000001"
        assert not list(milvus_index.glob("gen-*/*.faiss"))
        assert lib.generation.vectors.kind == "milvus" and len(lib.generation.vectors) == lib.manifest.vectors
    finally:
        lib.close()


def test_same_quality_and_top10_as_local(hash_index: Path, milvus_index: Path) -> None:
    """Every mode's nDCG@10 within 0.01 of the local store's, and each question's top 10 overlapping >= 0.9."""
    questions = read_questions(DATA / "qa_2022.jsonl")
    local, remote = open_both(hash_index, milvus_index)
    try:
        modes = ["hybrid", "keyword", "semantic"]
        ours = evaluate(local.pipeline, questions, modes=modes)
        theirs = evaluate(remote.pipeline, questions, modes=modes)
    finally:
        local.close()
        remote.close()
    for a, b in zip(ours, theirs):
        assert abs(a.ndcg10 - b.ndcg10) <= 0.01, (a.mode, a.ndcg10, b.ndcg10)
        for x, y in zip(a.outcomes, b.outcomes):
            top, theirs = set(x.ranked[:10]), set(y.ranked[:10])
            overlap = len(top & theirs) / len(top) if top else float(not theirs)
            assert overlap >= 0.9, (a.mode, x.question.q, x.ranked, y.ranked)


def test_keyword_list_is_the_local_one(hash_index: Path, milvus_index: Path) -> None:
    local, remote = open_both(hash_index, milvus_index)
    try:
        for q in [*QUESTIONS, "victims", "non-punishment principle", "Recommendation 7"]:
            ours = local.generation.store.keyword_search(q, 20)
            theirs = remote.generation.store.keyword_search(q, 20)
            assert [u for u, _ in ours] == [u for u, _ in theirs], q
            assert all(abs(a - b) <= 1e-4 * max(1.0, abs(a)) for (_, a), (_, b) in zip(ours, theirs)), q
    finally:
        local.close()
        remote.close()


def same(ours: list, theirs: list) -> bool:
    """The same hits with the same scores; hits the hashing embedder scores 0 may come in any order."""
    def scored(hits: list) -> list[tuple[float, str]]:
        return sorted((round(h.score, 4), h.citation) for h in hits if h.score > 1e-6)
    return len(ours) == len(theirs) and scored(ours) == scored(theirs)


def test_filters_run_in_milvus_with_the_same_hits(hash_index: Path, milvus_index: Path) -> None:
    cases = [Filters(kind="recommendation"), Filters(kind="other", year_from=2022), Filters(year_to=2021),
             Filters(body="working group"), Filters(language="en"), Filters(documents=("wg-tip-2022-report",)),
             Filters(state="no such state"), Filters(body='50% "quoted"')]
    local, remote = open_both(hash_index, milvus_index)
    try:
        for filters in cases:
            for q in QUESTIONS[:3]:
                ours, theirs = local.search(q, k=10, filters=filters), remote.search(q, k=10, filters=filters)
                assert same(ours, theirs), (filters, q)
        unit = local.document("wg-tip-2022-report")[1][8]
        ours = local.related(unit.document.file, unit.paragraph.number, same_document=True)
        theirs = remote.related(unit.document.file, unit.paragraph.number, same_document=True)
        assert same(ours, theirs) and ours
        assert [e.hit.citation for e in local.timeline("legal assistance")] == \
            [e.hit.citation for e in remote.timeline("legal assistance")]
    finally:
        local.close()
        remote.close()


def test_a_rebuild_embeds_only_new_text_switches_the_alias_and_drops_the_old(tmp_path: Path, milvus_db: Path) -> None:
    from tipsearch.index.milvus import Milvus
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    uri = store(milvus_db, "rebuild")
    first = build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False, store=uri)
    add_documents(corpus, 1)
    second = build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)  # the store kept
    assert second.reused == first.embedded and second.embedded > 0
    remote = Milvus(StoreURI.parse(uri))
    try:
        assert remote.generations() == ["rebuild_gen_000002"] and remote.alias_target() == "rebuild_gen_000002"
        assert remote.alias_target("_units") == "rebuild_gen_000002_units"
        assert sorted(n for n in remote.client.list_collections() if n.startswith("rebuild_")) == \
            ["rebuild_gen_000002", "rebuild_gen_000002_units"]
    finally:
        remote.close()


def _start(corpus: Path, index: Path, uri: str, point: str, flag: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), PAUSE_AT: point, PAUSE_FILE: str(flag)}
    return subprocess.Popen(
        [sys.executable, "-m", "tipsearch.cli", "build", "--model", "hashing-384", "--corpus", str(corpus),
         "--index", str(index), "--store", uri, "-q"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _answers(index: Path) -> list[list[str]]:
    lib = Library.open(index, embedder=HashingEmbedder())
    try:
        return [[h.citation for h in lib.search(q, k=5)] for q in QUESTIONS]
    finally:
        lib.close()


@pytest.mark.parametrize("point", ["inserting", "written", "renamed", "switched"])
def test_a_killed_build_leaves_a_generation_answering(tmp_path: Path, milvus_db: Path, point: str) -> None:
    """SIGKILL while rows go to the new collection, before the folder is renamed, before and after the switch:
    the old generation answers as before (after the switch: the new one), and the next build cleans up."""
    from tipsearch.index.milvus import Milvus
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    index, uri = tmp_path / "index", store(milvus_db, f"killed_{point}")
    build(corpus, index, embedder=HashingEmbedder(), progress=False, store=uri, question_encoder=False)
    before, manifest = _answers(index), (index / "manifest.json").read_bytes()
    add_documents(corpus, 3)
    flag = tmp_path / "paused"
    proc = _start(corpus, index, uri, point, flag)
    try:
        wait_for(flag.exists, proc, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    if point == "switched":
        assert (index / "manifest.json").read_bytes() != manifest
        assert _answers(index) != before  # the new generation: the notes answer some questions
    else:
        assert (index / "manifest.json").read_bytes() == manifest
        assert _answers(index) == before
    report = build(corpus, index, embedder=HashingEmbedder(), progress=False, question_encoder=False)
    remote = Milvus(StoreURI.parse(uri))
    try:
        live = Library.open(index, embedder=HashingEmbedder())
        name = live.manifest.extra["collection"]
        live.close()
        assert remote.generations() == [name] and remote.alias_target() == name
    finally:
        remote.close()
    assert report.up_to_date == (point == "switched")


def test_unreachable_milvus_is_one_line_and_a_build_against_it_changes_nothing(
        milvus_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(StoreUnavailableError, match="no Milvus answers at http://127.0.0.1:9"):
        Library.open(milvus_index, store=UNREACHABLE)
    assert main(["search", "victims", "--index", str(milvus_index), "--store", UNREACHABLE]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: no Milvus answers") and "Traceback" not in err
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    add_documents(corpus, 1)
    before = sorted(p.name for p in milvus_index.iterdir()), (milvus_index / "manifest.json").read_bytes()
    with pytest.raises(StoreUnavailableError):
        build(corpus, milvus_index, embedder=HashingEmbedder(), progress=False, store=UNREACHABLE)
    assert (sorted(p.name for p in milvus_index.iterdir()), (milvus_index / "manifest.json").read_bytes()) == before
    with pytest.raises(BadOptionError, match="was built with --store milvus-lite"):
        Library.open(milvus_index, store="local")


def test_a_missing_collection_says_to_build(tmp_path: Path, milvus_db: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from tipsearch.index.milvus import Milvus
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    uri = store(milvus_db, "gone")
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False, store=uri, question_encoder=False)
    remote = Milvus(StoreURI.parse(uri))
    try:
        remote.drop_except(())
    finally:
        remote.close()
    with pytest.raises(IndexMissingError, match="run `tipsearch build --store milvus-lite:"):
        Library.open(tmp_path / "index")
    assert main(["documents", "--index", str(tmp_path / "index")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not in Milvus" in err


def test_filters_become_expressions_on_the_scalar_fields_or_the_allowed_ids() -> None:
    from tipsearch.index.milvus import CHUNK_ROW, UNIT_ROW, restriction
    from tipsearch.index.store import Selection
    assert restriction(None, None, CHUNK_ROW) == ""
    said = restriction(Selection(year_to=2020, body="Working Group", kind="other", state="Philippines",
                                 language="fr", exclude_units=frozenset({3, 1})), [7], CHUNK_ROW)
    assert said == ('year >= 0 and year <= 2020 and body like "%working group%" and kind != "recommendation" and '
                    'states like "%philippines%" and language == "fr" and unit_id not in [1,3]')
    # a character a `like` pattern would read as syntax: the allowed ids themselves, exact
    assert restriction(Selection(body='50% "quoted"'), [4, 2], UNIT_ROW) == "pk in [4,2]"
