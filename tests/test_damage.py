"""A damaged index is refused with one line naming the file and saying to run `tipsearch build`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tipsearch import IndexCorruptError, Library, build
from tipsearch.cli import main
from tipsearch.models.embedders import HashingEmbedder

from conftest import SEED


@pytest.fixture
def index(hash_index: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index, free to damage."""
    dest = tmp_path / "index"
    shutil.copytree(hash_index, dest)
    return dest


def _manifest(index: Path) -> dict:
    return json.loads((index / "manifest.json").read_text())


def _file(index: Path, name: str) -> Path:
    return index / _manifest(index)["generation"] / name


def _flip_byte(path: Path, at: float) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _edit_manifest(index: Path, change: Callable[[dict], None]) -> None:
    data = _manifest(index)
    change(data)
    (index / "manifest.json").write_text(json.dumps(data))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "vectors truncated": (lambda ix: _truncate(_file(ix, "vectors.faiss")), "vectors.faiss"),
    "vectors altered in the middle": (lambda ix: _flip_byte(_file(ix, "vectors.faiss"), 0.6), "vectors.faiss"),
    "vectors missing": (lambda ix: _file(ix, "vectors.faiss").unlink(), "vectors.faiss"),
    "database truncated": (lambda ix: _truncate(_file(ix, "units.sqlite")), "units.sqlite"),
    "database altered in the middle": (lambda ix: _flip_byte(_file(ix, "units.sqlite"), 0.5), "units.sqlite"),
    "database header overwritten": (
        lambda ix: _file(ix, "units.sqlite").write_bytes(b"\0" * 100 + _file(ix, "units.sqlite").read_bytes()[100:]),
        "units.sqlite",
    ),
    "database missing": (lambda ix: _file(ix, "units.sqlite").unlink(), "units.sqlite"),
    "keyword impacts truncated": (lambda ix: _truncate(_file(ix, "keywords.npz")), "keywords.npz"),
    "keyword impacts altered in the middle": (lambda ix: _flip_byte(_file(ix, "keywords.npz"), 0.5), "keywords.npz"),
    "keyword impacts missing": (lambda ix: _file(ix, "keywords.npz").unlink(), "keywords.npz"),
    "manifest lists an unknown file": (
        lambda ix: _edit_manifest(ix, lambda d: d["files"].update({"extra.bin": d["files"]["vectors.faiss"]})),
        "manifest.json"),
    "generation folder missing": (lambda ix: shutil.rmtree(_file(ix, "units.sqlite").parent), "gen-"),
    "manifest not JSON": (lambda ix: (ix / "manifest.json").write_text("{not json"), "manifest.json"),
    "manifest empty": (lambda ix: (ix / "manifest.json").write_bytes(b""), "manifest.json"),
    "manifest a list": (lambda ix: (ix / "manifest.json").write_text("[]"), "manifest.json"),
    "manifest without checksums": (lambda ix: _edit_manifest(ix, lambda d: d.pop("files")), "manifest.json"),
    "manifest from an older schema": (
        lambda ix: _edit_manifest(ix, lambda d: d.update(schema_version=1) or d.pop("files")), "schema version 1"),
    "manifest vector count wrong": (lambda ix: _edit_manifest(ix, lambda d: d.update(vectors=d["vectors"] + 1)),
                                    "vectors.faiss"),
    "manifest unit count wrong": (lambda ix: _edit_manifest(ix, lambda d: d.update(units=d["units"] - 1)),
                                  "units.sqlite"),
    "manifest dimension wrong": (lambda ix: _edit_manifest(ix, lambda d: d.update(dimension=768)), "vectors.faiss"),
    "manifest checksum wrong": (
        lambda ix: _edit_manifest(ix, lambda d: d["files"]["vectors.faiss"].update(crc32="00000000")), "vectors.faiss"),
    "manifest points outside the index": (lambda ix: _edit_manifest(ix, lambda d: d.update(generation="../../etc")),
                                          "manifest.json"),
    "manifest names an unknown model": (lambda ix: _edit_manifest(ix, lambda d: d.update(model="bert-9000")),
                                        "bert-9000"),
    "vectors swapped with another generation's": (
        lambda ix: _file(ix, "vectors.faiss").write_bytes(_other_vectors(ix)), "vectors.faiss"),
}


def _other_vectors(index: Path) -> bytes:
    """A well-formed vector file of the same size from a different corpus: only the checksum can tell."""
    other = index.parent / "other"
    (other / "corpus").mkdir(parents=True)
    (other / "corpus" / "r.txt").write_text(SEED.read_text().replace("victims", "persons"))
    build(other / "corpus", other / "index", embedder=HashingEmbedder(), progress=False)
    data = _file(other / "index", "vectors.faiss").read_bytes()
    assert data != _file(index, "vectors.faiss").read_bytes()
    return data


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_is_refused_naming_the_file(index: Path, damage: str):
    harm, names = DAMAGE[damage]
    harm(index)
    with pytest.raises(IndexCorruptError) as info:
        Library.open(index)
    message = str(info.value)
    assert names in message and "tipsearch build" in message
    assert "\n" not in message


@pytest.mark.parametrize("damage", ["vectors altered in the middle", "database altered in the middle",
                                    "manifest not JSON", "generation folder missing"])
def test_cli_says_one_line_and_build_repairs(index: Path, corpus: Path, damage: str, capsys):
    DAMAGE[damage][0](index)
    code = main(["search", "legal assistance", "--index", str(index), "--json"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "tipsearch build" in err
    assert "Traceback" not in err
    # The advice works: a build over the same corpus notices the damage instead of saying "up to date".
    code = main(["build", "--corpus", str(corpus), "--index", str(index), "--model", "hashing-384", "-q"])
    capsys.readouterr()
    assert code == 0
    hits = Library.open(index).search("free legal assistance", k=3)
    assert hits and hits[0].unit.paragraph.label == "Recommendation 7"


def test_damaged_vectors_are_never_reused(index: Path, corpus: Path):
    """A build must not copy vectors out of a damaged file into the new generation."""
    _flip_byte(_file(index, "vectors.faiss"), 0.6)
    report = build(corpus, index, embedder=HashingEmbedder(), progress=False)
    assert report.reused == 0 and report.embedded > 0
    Library.open(index)  # opens cleanly


def test_index_from_another_model_is_refused(hash_index: Path):
    class Other(HashingEmbedder):
        name = "all-MiniLM-L6-v2"

    with pytest.raises(IndexCorruptError, match=r"built with hashing-384 .*run `tipsearch build --model"):
        Library.open(hash_index, embedder=Other())

    class Wider(HashingEmbedder):
        dimension = 768

    with pytest.raises(IndexCorruptError, match="384 dimensions"):
        Library.open(hash_index, embedder=Wider())


def test_app_shows_damage_as_an_error_not_a_traceback(index: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    _flip_byte(_file(index, "vectors.faiss"), 0.6)
    monkeypatch.setenv("TIPSEARCH_INDEX", str(index))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "vectors.faiss" in at.error[0].value and "tipsearch build" in at.error[0].value


def test_database_errors_at_query_time_are_one_typed_error(index: Path):
    """Damage that shows only during a search (past the open checks) is IndexCorruptError, not sqlite3's."""
    import sqlite3

    lib = Library.open(index)
    lib.generation.store.conn.close()
    lib.generation.store.conn = sqlite3.connect(":memory:", check_same_thread=False)  # a database without the tables
    with pytest.raises(IndexCorruptError, match=r"units\.sqlite is damaged .*tipsearch build"):
        lib.search("legal assistance", k=3, mode="keyword")
