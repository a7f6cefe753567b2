"""The app in a real browser: `streamlit run` on a hashing index, opened in headless Chromium via Selenium.

Skipped, with the reason, where Chromium or its driver is not installed (`.ci/run` installs both).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from tipsearch import build
from tipsearch.models.embedders import HashingEmbedder

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
MARKUP_DOC = """Report with markup in it

1. Victims <script>document.title='pwned'</script> must be protected; <b id="injected">a bold tag</b> here.

2. See [the link](javascript:alert(1)) and **bold claims** about victims of trafficking.
"""

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("browser")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    (base / "corpus" / "markup.txt").write_text(MARKUP_DOC, encoding="utf-8")
    build(base / "corpus", base / "index", embedder=HashingEmbedder(), progress=False)
    port = _free_port()
    env = {**os.environ, "TIPSEARCH_INDEX": str(base / "index"), "TIPSEARCH_CORPUS": str(base / "corpus"),
           "HF_HUB_OFFLINE": "1", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=base, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {proc.stdout.read().decode(errors='replace')}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1400,1800",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager would otherwise try to download one.
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


def _wait_for_text(driver, text: str, timeout: float = 60) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)


def test_a_search_link_shows_cited_answers(server: str, browser, tmp_path: Path):
    browser.get(f"{server}/?q=free+legal+assistance+for+victims")
    _wait_for_text(browser, "para. 4, Recommendation 7")
    time.sleep(1.5)  # let the chart and fonts settle before the picture
    shot = tmp_path / "search.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("TIPSEARCH_SCREENSHOTS"):  # set it to refresh the README's picture
        shutil.copy(shot, ROOT / "docs" / "screenshot-search.png")
    body = browser.find_element("tag name", "body").text
    assert "free legal assistance" in body and "Open in reader" in body


def test_markup_in_a_document_never_runs_or_renders(server: str, browser, tmp_path: Path):
    browser.get(f"{server}/?doc=markup.txt")
    _wait_for_text(browser, "bold claims")
    time.sleep(1.0)
    browser.save_screenshot(str(tmp_path / "reader-markup.png"))
    body = browser.find_element("tag name", "body").text
    assert "<script>document.title='pwned'</script>" in body  # shown as text
    assert "[the link](javascript:alert(1))" in body and "**bold claims**" in body
    assert browser.title != "pwned"
    assert browser.find_elements("id", "injected") == []
    assert browser.find_elements("css selector", "a[href^='javascript']") == []
