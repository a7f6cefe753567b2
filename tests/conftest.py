"""Shared fixtures: the seed corpus, indexes built with the hashing embedder or the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tipsearch import Library, Unit, build
from tipsearch.models.embedders import HashingEmbedder, MiniLMEmbedder

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "wg-tip-2022-report.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the shipped corpus folder."""
    dest = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", dest)
    return dest


@pytest.fixture(scope="session")
def hash_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed built with the hashing embedder (fast, exact, no model)."""
    base = tmp_path_factory.mktemp("hash")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    build(base / "corpus", base / "index", embedder=HashingEmbedder(), progress=False)
    return base / "index"


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def model_index(tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder) -> Path:
    """The seed built with the real all-MiniLM-L6-v2 model."""
    base = tmp_path_factory.mktemp("model")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    build(base / "corpus", base / "index", embedder=minilm, progress=False)
    return base / "index"


MULTIYEAR = DATA / "multiyear"  # fictional UN-format reports, 2010-2023 (see its README.md)


@pytest.fixture(scope="session")
def multiyear_hash_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The multi-year fixture corpus built with the hashing embedder."""
    base = tmp_path_factory.mktemp("multiyear-hash")
    build(MULTIYEAR, base / "index", embedder=HashingEmbedder(), progress=False)
    return base / "index"


@pytest.fixture(scope="session")
def multiyear_model_index(tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder) -> Path:
    """The multi-year fixture corpus built with the real model."""
    base = tmp_path_factory.mktemp("multiyear-model")
    build(MULTIYEAR, base / "index", embedder=minilm, progress=False, question_encoder=False)
    return base / "index"


@pytest.fixture(scope="session")
def languages_hash_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The English seed report and the fictional French and Spanish documents (data/languages), with the
    hashing embedder."""
    base = tmp_path_factory.mktemp("languages-hash")
    (base / "corpus").mkdir()
    shutil.copy(SEED, base / "corpus")
    for path in (DATA / "languages").glob("*.txt"):
        shutil.copy(path, base / "corpus")
    build(base / "corpus", base / "index", embedder=HashingEmbedder(), progress=False)
    return base / "index"


@pytest.fixture(scope="session")
def multiyear_units(multiyear_hash_index: Path) -> dict[str, Unit]:
    """Every unit of the multi-year fixture index by its citation, read from the index itself."""
    lib = Library.open(multiyear_hash_index)
    try:
        return {u.citation: u for d in lib.documents() for u in lib.document(d.file)[1]}
    finally:
        lib.close()


@pytest.fixture
def multiyear_app(multiyear_hash_index: Path, monkeypatch: pytest.MonkeyPatch):
    """The app, not yet run, on the multi-year fixture index."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TIPSEARCH_INDEX", str(multiyear_hash_index))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
