"""The HTTP API in process (FastAPI's TestClient): each route answers exactly the CLI's --json; typed errors, limits
and the token; a damaged index; a rebuilt index picked up without a restart."""

from __future__ import annotations

import json
import sqlite3
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tipsearch import Library, TipsearchError, build
from tipsearch.api import Limits, create_app, serve
from tipsearch.api.live import LiveLibrary
from tipsearch.cli import main
from tipsearch.models.embedders import HashingEmbedder

from conftest import DATA, MULTIYEAR, SEED

TOKEN = "s3cret-token-for-the-tests-only"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The multi-year reports and the two-resolution series (compare, history), hashing embedder."""
    base = tmp_path_factory.mktemp("api")
    shutil.copytree(MULTIYEAR, base / "corpus")
    for path in (DATA / "series").glob("*.txt"):
        shutil.copy(path, base / "corpus")
    build(base / "corpus", base / "index", embedder=HashingEmbedder(), progress=False)
    return base / "index"


@pytest.fixture(scope="module")
def client(index: Path):
    with TestClient(create_app(index)) as c:
        yield c


def cli_json(capsys, index: Path, *argv: str):
    capsys.readouterr()
    assert main([*argv, "--json", "--index", str(index)]) == 0
    return json.loads(capsys.readouterr().out)


# Each route and its command, over filters, group, collapse and mode; the answer must be the CLI's, exactly.
SAME = [
    ("/search", {"q": "joint investigation teams", "k": "5"}, ["search", "joint investigation teams", "-k", "5"]),
    ("/search", {"q": "victims", "mode": "keyword", "group": "1", "year_from": "2012", "body": "working group"},
     ["search", "victims", "--mode", "keyword", "--group", "1", "--year-from", "2012", "--body", "working group"]),
    ("/search", {"q": "victims", "collapse": "false", "kind": "other", "mode": "semantic", "language": "en"},
     ["search", "victims", "--no-collapse", "--kind", "other", "--mode", "semantic", "--language", "en"]),
    ("/search", {"q": "data collection", "documents": ["A/RES/97/903", "A/RES/99/903"]},
     ["search", "data collection", "--document", "A/RES/97/903", "--document", "A/RES/99/903"]),
    ("/related", {"document": "A/RES/99/903", "paragraph": "3", "k": "3", "same_document": "true"},
     ["related", "A/RES/99/903", "3", "-k", "3", "--same-document"]),
    ("/timeline", {"q": "joint investigation teams", "year_to": "2020"},
     ["timeline", "joint investigation teams", "--year-to", "2020"]),
    ("/compare", {"old": "A/RES/97/903", "new": "A/RES/99/903"}, ["compare", "A/RES/97/903", "A/RES/99/903"]),
    ("/compare", {"old": "A/RES/97/903", "new": "A/RES/99/903", "changes": "true"},
     ["compare", "A/RES/97/903", "A/RES/99/903", "--changes"]),
    ("/history", {"document": "A/RES/99/903", "paragraph": "4"}, ["history", "A/RES/99/903", "4"]),
    ("/documents", {}, ["documents"]),
    ("/documents/A/RES/99/903", {}, ["show", "A/RES/99/903"]),
]


@pytest.mark.parametrize("route,params,argv", SAME, ids=[f"{a[0]}-{i}" for i, a in enumerate(SAME)])
def test_each_route_answers_the_clis_json(client: TestClient, index: Path, capsys, route, params, argv):
    r = client.get(route, params=params)
    assert r.status_code == 200, r.text
    expected = cli_json(capsys, index, *argv)
    assert r.json() == expected
    assert expected  # a route that answers [] everywhere would pass too


def test_post_search_is_get_search(client: TestClient):
    got = client.post("/search", json={"q": "victims", "k": 3, "group": 1, "year_from": 2010})
    assert got.status_code == 200
    assert got.json() == client.get("/search", params={"q": "victims", "k": 3, "group": 1, "year_from": 2010}).json()


def test_health_says_which_generation_and_models(client: TestClient, index: Path):
    body = client.get("/health").json()
    manifest = json.loads((index / "manifest.json").read_text())
    assert body["ready"] is True and body["generation"] == manifest["generation"]
    assert body["models"] == ["hashing-384"] and body["documents"] == 7


@pytest.mark.parametrize("method,route,params,status,says", [
    ("get", "/search", {"q": "x", "k": "101"}, 422, "k: "),
    ("get", "/search", {"q": "x" * 1001}, 422, "q: "),
    ("get", "/search", {"q": ""}, 422, "q: "),
    ("get", "/search", {"q": "x", "year_from": "2020", "year_to": "2010"}, 422, "swap them"),
    ("get", "/search", {"q": "x", "mode": "magic"}, 422, "mode: "),
    ("get", "/search", {"q": "x", "k": "ten"}, 422, "k: "),
    ("get", "/related", {"document": "no-such-report", "paragraph": "1"}, 404, "tipsearch documents"),
    ("get", "/related", {"document": "A/RES/99/903", "paragraph": "999"}, 404, "no paragraph"),
    ("get", "/documents/nothing-like-it.pdf", {}, 404, "no document"),
    ("get", "/no/such/route", {}, 404, "Not Found"),
    ("delete", "/search", {}, 405, "Method Not Allowed"),
])
def test_errors_are_one_line_of_json(client: TestClient, method, route, params, status, says):
    r = getattr(client, method)(route, params=params)
    assert r.status_code == status
    assert list(r.json()) == ["error"] and says in r.json()["error"] and "\n" not in r.json()["error"]
    assert "Traceback" not in r.text


def test_bodies_malformed_or_too_large(client: TestClient):
    assert client.post("/search", content=b'{"q": "vict').status_code == 400
    assert client.post("/search", json=["q"]).status_code == 400
    assert client.post("/search", json={"q": "x", "extra": 1}).status_code == 422
    big = client.post("/search", json={"q": "x" * (64 * 1024)})
    assert big.status_code == 413 and "over 65536 bytes" in big.json()["error"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(70):
            yield b"x" * 1024
    assert client.post("/search", content=chunks()).status_code == 413


def test_a_token_guards_every_route_but_health(index: Path):
    with TestClient(create_app(index, token=TOKEN)) as c:
        assert c.get("/health").status_code == 200
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                        {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer \u00e9t\u00e9".encode("latin-1")}):
            r = c.get("/search", params={"q": "victims"}, headers=headers)
            assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", headers
            assert list(r.json()) == ["error"]
        assert c.get("/documents").status_code == 401
        ok = c.get("/search", params={"q": "victims"}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and ok.json()


def test_serve_refuses_to_listen_beyond_loopback_without_a_token(index: Path, tmp_path: Path, capsys):
    with pytest.raises(TipsearchError, match="without --token-file"):
        serve(index, host="0.0.0.0")
    assert main(["serve", "--index", str(index), "--host", "192.168.1.10"]) == 1
    assert "refusing to listen on 192.168.1.10" in capsys.readouterr().err
    short = tmp_path / "token"
    short.write_text("abc\n")
    with pytest.raises(TipsearchError, match="16 or more"):
        serve(index, host="0.0.0.0", token_file=short)
    with pytest.raises(TipsearchError, match="cannot read the token file"):
        serve(index, token_file=tmp_path / "missing")


def test_answers_are_data_not_headers(client: TestClient):
    r = client.get("/search", params={"q": "victims\r\nX-Injected: 1", "k": "2"})
    assert r.status_code == 200 and "x-injected" not in r.headers
    assert set(r.headers) <= {"content-length", "content-type"}


def test_an_answer_over_the_time_limit_is_503_not_a_hang(index: Path):
    def slow(root: Path) -> Library:
        lib = Library.open(root)
        search = lib.search
        lib.search = lambda q, **kw: time.sleep(1.5) or search(q, **kw) if q == "slow" else search(q, **kw)
        return lib

    with TestClient(create_app(index, limits=Limits(seconds=0.3), open_library=slow)) as c:
        start = time.monotonic()
        r = c.get("/search", params={"q": "slow"})
        assert r.status_code == 503 and "no answer within 0.3 s" in r.json()["error"]
        assert time.monotonic() - start < 1.2
        assert c.get("/search", params={"q": "victims"}).status_code == 200


def test_a_damaged_index_answers_503_with_the_rebuild_hint(hash_index: Path, tmp_path: Path):
    index = tmp_path / "index"
    shutil.copytree(hash_index, index)
    generation = json.loads((index / "manifest.json").read_text())["generation"]
    vectors = index / generation / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:-100])
    with TestClient(create_app(index)) as c:
        r = c.get("/search", params={"q": "victims"})
        assert r.status_code == 503 and "run `tipsearch build`" in r.json()["error"]
        assert "vectors.faiss" in r.json()["error"]
        health = c.get("/health")
        assert health.status_code == 503 and health.json()["ready"] is False
    with TestClient(create_app(tmp_path / "nowhere")) as c:
        r = c.get("/documents")
        assert r.status_code == 503 and "run `tipsearch build` first" in r.json()["error"]


def test_a_rebuilt_index_is_answered_without_a_restart(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "series" / "resolution_2097.txt", corpus)
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    with TestClient(create_app(tmp_path / "index")) as c:
        before = c.get("/health").json()["generation"]
        assert [d["file"] for d in c.get("/documents").json()] == ["resolution_2097.txt"]
        shutil.copy(SEED, corpus)
        build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
        assert c.get("/health").json()["generation"] != before
        assert {d["file"] for d in c.get("/documents").json()} == {"resolution_2097.txt", SEED.name}
        # and the damaged manifest of a half-done hand edit answers 503 until it is rebuilt
        manifest = tmp_path / "index" / "manifest.json"
        good = manifest.read_text()
        manifest.write_text("{")
        assert c.get("/documents").status_code == 503
        manifest.write_text(good)
        assert c.get("/documents").status_code == 200


def test_a_request_in_flight_keeps_its_generation_through_a_switch(tmp_path: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "series", corpus)
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    live = LiveLibrary(tmp_path / "index")
    with live.lease() as old:
        build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False, force=True)
        with live.lease() as new:
            assert new.manifest.generation != old.manifest.generation
            assert new.search("victims", k=1)
        assert old.search("victims", k=1)  # the switch did not close it under the request
    with pytest.raises(sqlite3.ProgrammingError):  # closed once its last request was done
        old.generation.store.conn.execute("SELECT 1")
    live.close()


def test_each_worker_builds_its_app_from_what_serve_hands_it(index: Path, tmp_path: Path, monkeypatch):
    from tipsearch.api import server

    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    monkeypatch.setenv(server.ENVIRONMENT, json.dumps({"index": str(index), "token_file": str(token),
                                                       "limits": {"k": 3}}))
    with TestClient(server.app_from_environment()) as c:
        assert c.get("/search", params={"q": "victims"}).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert c.get("/search", params={"q": "victims", "k": 4}, headers=auth).status_code == 422
        assert len(c.get("/search", params={"q": "victims", "k": 3}, headers=auth).json()) == 3
