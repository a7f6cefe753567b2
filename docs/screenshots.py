"""Retake docs/screenshot-related.png and docs/screenshot-timeline.png in headless Chromium.

The pictures show the fictional multi-year test fixtures (tests/data/multiyear/) indexed with
all-MiniLM-L6-v2 (the installed model package; nothing is downloaded). Needs Debian's chromium
and chromium-driver. Run from the repository root:

    PYTHONPATH=src .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tipsearch import build
from tipsearch.models.embedders import MiniLMEmbedder

ROOT = Path(__file__).resolve().parent.parent
RELATED = "/?q=persons+trafficked+should+not+be+held+criminally+liable&body=Working+Group+on+Trafficking+in+Persons&group=1"
TIMELINE = "/?view=timeline&q=joint+investigation+teams+sharing+evidence"


def _serve(index: Path, cwd: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TIPSEARCH_INDEX": str(index), "HF_HUB_OFFLINE": "1",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("streamlit did not start")


def _browser(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                 "--window-size=1400,1700", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        build(ROOT / "tests" / "data" / "multiyear", base / "index", embedder=MiniLMEmbedder(), progress=False)
        proc, url = _serve(base / "index", base)
        driver = _browser(base / "profile")
        wait = lambda text: WebDriverWait(driver, 120).until(
            lambda d: text in d.find_element(By.TAG_NAME, "body").text)
        try:
            driver.get(url + RELATED)
            wait("CTOC/COP/WG.4/2010/6, para. 6")
            time.sleep(1.5)
            driver.find_elements(By.XPATH, "//label[.//p[text()='Related']]")[0].click()
            wait("Same subject in other documents")
            time.sleep(4)  # the rerun redraws the page; let it settle before the picture
            driver.save_screenshot(str(ROOT / "docs" / "screenshot-related.png"))
            driver.get(url + TIMELINE)
            wait("CTOC/COP/WG.4/2023/4, para. 4")
            time.sleep(4)
            driver.save_screenshot(str(ROOT / "docs" / "screenshot-timeline.png"))
        finally:
            driver.quit()
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
