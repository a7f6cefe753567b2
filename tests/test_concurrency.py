"""One Library shared by many threads (as Streamlit sessions share it) answers as it does alone."""

from __future__ import annotations

import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tipsearch import Library, build
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.errors import IndexBusyError
from tipsearch.index.layout import IndexLayout

from conftest import DATA

QUESTIONS = [json.loads(line)["q"] for line in (DATA / "dev_qa.jsonl").read_text().splitlines() if line.strip()]
QUESTIONS += ["list of participants", "joint investigation teams", '"unbalanced', "人口贩运", ""]


def answers(lib: Library, question: str, mode: str = "hybrid", k: int = 5) -> list[tuple]:
    return [(h.citation, h.unit.id, round(h.score, 9), h.answer) for h in lib.search(question, k=k, mode=mode)]


def test_many_threads_give_the_same_results_as_one(hash_index: Path):
    lib = Library.open(hash_index)
    jobs = [(q, mode) for q in QUESTIONS for mode in ("hybrid", "keyword", "semantic")]
    alone = {job: answers(lib, *job) for job in jobs}
    with ThreadPoolExecutor(max_workers=12) as pool:
        together = list(pool.map(lambda job: (job, answers(lib, *job)), jobs * 4))
    assert len(together) == 4 * len(jobs)
    for job, result in together:
        assert result == alone[job], job
    assert any(alone[job] for job in jobs)


def test_first_searches_at_once_load_the_embedder_once(hash_index: Path, monkeypatch):
    loads = []

    def counting_load(name: str, precision: str = "fp32"):
        loads.append(name)
        return HashingEmbedder()

    lib = Library.open(hash_index, load=counting_load)
    barrier = threading.Barrier(8)

    def first_search(_: int) -> int:
        barrier.wait()
        return len(lib.search("legal assistance", k=3))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(first_search, range(8))) == {3}
    assert loads == ["hashing-384"]


@pytest.mark.model
def test_real_model_shared_by_threads(model_index: Path, minilm):
    lib = Library.open(model_index, embedder=minilm)
    questions = QUESTIONS[:3]
    alone = {q: answers(lib, q, k=3) for q in questions}
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda q: (q, answers(lib, q, k=3)), questions * 2))
    for q, result in together:
        # Same units, citations and answers; scores equal to float noise across batch shapes.
        assert [r[:2] + r[3:] for r in result] == [r[:2] + r[3:] for r in alone[q]], q
        assert [r[2] for r in result] == pytest.approx([r[2] for r in alone[q]], abs=1e-5)


def test_a_build_while_serving_does_not_change_the_answers(hash_index: Path, corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    shutil.copytree(hash_index, index)
    lib = Library.open(index)
    alone = {q: answers(lib, q) for q in QUESTIONS}
    (corpus / "note.txt").write_text("1. Legal assistance for victims of trafficking is free.\n\n2. Another.\n")
    done = threading.Event()
    errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            for _ in range(3):  # several switches, and old generations removed, while readers read
                build(corpus, index, embedder=HashingEmbedder(), progress=False, force=True)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)
        finally:
            done.set()

    builder = threading.Thread(target=rebuild)
    builder.start()
    rounds = 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        while not done.is_set() or rounds == 0:
            for q, result in pool.map(lambda q: (q, answers(lib, q)), QUESTIONS):
                assert result == alone[q], q
            rounds += 1
    builder.join()
    assert not errors
    assert rounds >= 1
    # The open library still answers from its generation; a fresh open sees the new document.
    assert sorted(d.file for d in Library.open(index).documents()) == ["note.txt", "wg-tip-2022-report.txt"]
    assert [d.file for d in lib.documents()] == ["wg-tip-2022-report.txt"]
    assert not (index / lib.manifest.generation).exists()  # its folder is gone; its open files still serve


def test_a_second_build_at_once_is_refused_with_one_line(corpus: Path, tmp_path: Path):
    layout = IndexLayout(tmp_path / "index")
    with layout.build_lock():
        with pytest.raises(IndexBusyError, match="another build is running.*wait for it"):
            build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    report = build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    assert report.units == 62
