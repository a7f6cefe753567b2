"""The API under faults, on loopback and bounded in time: a worker killed during a request, a generation switch under
load, and hostile requests generated from the OpenAPI spec (schemathesis)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tipsearch import build
from tipsearch.api import create_app
from tipsearch.models.embedders import HashingEmbedder

from conftest import DATA, ROOT, SEED

QUESTIONS = [json.loads(line)["q"] for line in (DATA / "dev_qa.jsonl").read_text().splitlines() if line.strip()]
EXAMPLES = 150  # generated requests per mode, over all routes
START = 60.0  # seconds a server may take to answer /health (two workers import FastAPI and open the index each)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(index: Path, workers: int, log: Path) -> Iterator[str]:
    """`tipsearch serve` in its own process group on a free loopback port; killed, group and all, at the end."""
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tipsearch.cli", "serve", "--index", str(index), "--port",
                                 str(port), "--workers", str(workers), "-q"],
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no /health within {START} s:\n{log.read_text()}"
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # any worker the supervisor left
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@pytest.fixture
def small_index(tmp_path: Path) -> tuple[Path, Path]:
    """A corpus of the two fictional resolutions and its index (hashing embedder): builds in a fraction of a
    second, so the tests can switch generations."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (DATA / "series").glob("*.txt"):
        shutil.copy(path, corpus)
    build(corpus, tmp_path / "index", embedder=HashingEmbedder(), progress=False)
    return corpus, tmp_path / "index"


def test_a_worker_killed_during_a_request_is_an_error_and_the_others_answer(small_index, tmp_path: Path):
    _, index = small_index
    with server(index, workers=2, log=tmp_path / "server.log") as url:
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/health")  # a kept-alive connection: this worker will take its next request too
        victim = json.loads(conn.getresponse().read())["worker"]
        os.kill(victim, signal.SIGSTOP)  # the request below waits in its socket, unanswered
        conn.request("GET", "/search?q=victims")
        os.kill(victim, signal.SIGKILL)
        start = time.monotonic()
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            conn.getresponse().read()
        assert time.monotonic() - start < 5  # an error at once, not a hang until some timeout
        conn.close()
        for question in QUESTIONS[:6]:
            r = httpx.get(f"{url}/search", params={"q": question, "k": 3}, timeout=10)
            assert r.status_code == 200 and r.json()
            assert httpx.get(f"{url}/health", timeout=10).json()["worker"] != victim


def test_a_generation_switch_under_load_fails_no_request(small_index, tmp_path: Path):
    corpus, index = small_index
    errors: list[str] = []
    answered = 0
    stop = threading.Event()
    lock = threading.Lock()

    def client(n: int) -> None:
        nonlocal answered
        with httpx.Client(timeout=10) as c:
            i = n
            while not stop.is_set():
                i += 1
                try:
                    r = c.get(f"{url}/search", params={"q": QUESTIONS[i % len(QUESTIONS)], "k": 5})
                    ok = r.status_code == 200 and isinstance(r.json(), list)
                except httpx.HTTPError as e:
                    ok, r = False, e
                with lock:
                    answered += ok
                    if not ok:
                        errors.append(repr(r)[:200])

    with server(index, workers=2, log=tmp_path / "server.log") as url:
        first = httpx.get(f"{url}/health").json()["generation"]
        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            shutil.copy(SEED, corpus)  # a new document, then two forced rebuilds: three switches, and the first
            for _ in range(3):         # generation is deleted while a worker may still answer from it
                build(corpus, index, embedder=HashingEmbedder(), progress=False, force=True)
                time.sleep(0.5)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=15)
        assert not errors, errors[:5]
        assert answered > 20
        health = httpx.get(f"{url}/health").json()
        assert health["generation"] != first and health["documents"] == 3
        assert len(httpx.get(f"{url}/documents").json()) == 3


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("api-schema")
    (base / "corpus").mkdir()
    for path in (DATA / "series").glob("*.txt"):
        shutil.copy(path, base / "corpus")
    build(base / "corpus", base / "index", embedder=HashingEmbedder(), progress=False)
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(base / "index"))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_requests_generated_from_the_openapi_spec_never_fail_the_server(api_schema, mode):
    """Every route, with values that fit the spec and values that do not (wrong types, out of range, strings of
    any characters): never a 5xx, and every refusal one line of JSON."""
    @given(case=api_schema.as_strategy(mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)
    def ask(case) -> None:
        response = case.call()
        assert response.status_code < 500, (response.status_code, response.text[:300], case.as_curl_command())
        if response.status_code >= 400:
            body = response.json()
            assert list(body) == ["error"] and "\n" not in body["error"], body

    ask()
