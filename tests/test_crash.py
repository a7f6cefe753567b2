"""Kill a real `tipsearch build` process at each stage; the previous index must answer exactly as before.

The build process is paused at a named checkpoint by the test-only hook in indexing.py
(TIPSEARCH_PAUSE_AT / TIPSEARCH_PAUSE_FILE), then killed with SIGKILL or interrupted with SIGINT.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tipsearch import Library, build
from tipsearch.models.embedders import HashingEmbedder
from tipsearch.index.build import CHECKPOINTS, PAUSE_AT, PAUSE_FILE

from conftest import ROOT

QUESTIONS = ["free legal assistance for victims", "joint investigation teams", "list of participants",
             "non-punishment of victims", "forced criminality in online scams"]


def answers(index: Path) -> list[list[tuple]]:
    lib = Library.open(index)
    try:
        return [[(h.citation, h.text, round(h.score, 9), h.answer) for h in lib.search(q, k=5)] for q in QUESTIONS]
    finally:
        lib.close()


def add_documents(corpus: Path, n: int) -> None:
    """Generated reports, so the next build has real reading and embedding to do."""
    for d in range(n):
        paras = "\n\n".join(
            f"{i}. Paragraph {i} of note {d}: online scams use forced criminality; victims need legal aid {d * i}."
            for i in range(1, 41)
        )
        (corpus / f"note-{d:03d}.txt").write_text(f"Note number {d}\n\n{paras}\n")


def start_build(corpus: Path, index: Path, env_extra: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **env_extra}
    return subprocess.Popen(
        [sys.executable, "-m", "tipsearch.cli", "build", "--model", "hashing-384", "--corpus", str(corpus),
         "--index", str(index), "-q"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # a test run started in the background (`make test &`) ignores SIGINT, and a child inherits that: the
        # build is given Ctrl-C's default back, as in a terminal
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(path_exists, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path_exists():
        if proc.poll() is not None:
            pytest.fail(f"build ended before the checkpoint: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("build never reached the checkpoint")
        time.sleep(0.02)


@pytest.fixture
def live(corpus: Path, tmp_path: Path) -> tuple[Path, Path, list, bytes]:
    """A built index over the seed, its answers and manifest; then new documents in the corpus."""
    index = tmp_path / "index"
    build(corpus, index, embedder=HashingEmbedder(), progress=False)
    before = answers(index), (index / "manifest.json").read_bytes()
    add_documents(corpus, 8)
    return corpus, index, *before


CASES = [(point, signal.SIGKILL) for point in CHECKPOINTS] + [
    ("embedding", signal.SIGINT), ("renamed", signal.SIGINT), ("switched", signal.SIGINT),
]


@pytest.mark.parametrize(("point", "sig"), CASES, ids=[f"{p}-{s.name}" for p, s in CASES])
def test_killed_build_leaves_the_previous_index_answering(live, tmp_path: Path, point: str, sig: signal.Signals):
    corpus, index, before, manifest = live
    marker = tmp_path / "paused"
    proc = start_build(corpus, index, {PAUSE_AT: point, PAUSE_FILE: str(marker)})
    wait_for(marker.exists, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert err.strip() == "interrupted; the index is unchanged (or fully updated, if the build had finished)"
    else:
        assert proc.returncode == -signal.SIGKILL

    if point == "switched":  # the manifest was replaced: the new index is whole and live
        assert (index / "manifest.json").read_bytes() != manifest
        assert len(Library.open(index).documents()) == 9
    else:
        assert (index / "manifest.json").read_bytes() == manifest
        assert answers(index) == before

    report = build(corpus, index, embedder=HashingEmbedder(), progress=False)
    assert report.units == 62 + 8 * 40
    names = sorted(p.name for p in index.iterdir())
    assert not [n for n in names if n.endswith(".tmp")], names
    assert len([n for n in names if n.startswith("gen-")]) == 2, names  # the live one and the one before
    lib = Library.open(index)
    assert len(lib.documents()) == 9
    assert any(h.unit.document.file.startswith("note-") for h in lib.search("forced criminality online scams"))


def test_kill_as_soon_as_the_new_generation_appears(live, tmp_path: Path):
    """No hook: poll for the half-written generation folder and SIGKILL the process there."""
    corpus, index, before, manifest = live
    add_documents(corpus, 60)
    proc = start_build(corpus, index, {})
    wait_for(lambda: any(index.glob("gen-*.tmp")), proc)
    proc.kill()
    proc.wait(timeout=60)
    assert (index / "manifest.json").read_bytes() == manifest
    assert answers(index) == before
    build(corpus, index, embedder=HashingEmbedder(), progress=False)
    assert not list(index.glob("*.tmp")) and len(Library.open(index).documents()) == 61


@pytest.mark.parametrize("point", ["written", "renamed"])
def test_leftovers_are_removed_even_when_the_next_build_has_nothing_to_do(live, tmp_path: Path, point: str):
    corpus, index, before, manifest = live
    marker = tmp_path / "paused"
    proc = start_build(corpus, index, {PAUSE_AT: point, PAUSE_FILE: str(marker)})
    wait_for(marker.exists, proc)
    proc.kill()
    proc.wait(timeout=60)
    assert len(list(index.glob("gen-*"))) == 2  # the live generation and the orphan
    for note in corpus.glob("note-*.txt"):
        note.unlink()
    report = build(corpus, index, embedder=HashingEmbedder(), progress=False)
    assert report.up_to_date
    assert [p.name for p in index.glob("gen-*")] == [json.loads(manifest)["generation"]]
    assert answers(index) == before
