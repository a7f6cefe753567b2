"""The notebooks run from top to bottom with the real model, and their saved outputs are what they print.

Refresh the saved outputs with
`TIPSEARCH_SAVE_NOTEBOOKS=1 python -m pytest tests/test_notebooks.py`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

import tipsearch

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
QUICKSTART = NOTEBOOKS / "01-quickstart.ipynb"
TOPICS = NOTEBOOKS / "02-topics-across-years.ipynb"
CELL_TIMEOUT = 300  # seconds for one cell; the first loads the model, which is slow on a busy machine
KERNEL = "tipsearch-test"
SAVED_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

# tests/data/multiyear/README.md: the paragraphs on each theme, in date order (2019 rapporteur: none).
THEMES = {
    "not punishing victims": [
        "CTOC/COP/WG.4/2010/6, para. 6",
        "CTOC/COP/WG.4/2015/6, para. 5, Recommendation 1",
        "Background paper 2019, 11 March 2019, para. 4",
        "CTOC/COP/WG.4/2023/4, para. 4, Recommendation 2",
    ],
    "joint investigation teams": [
        "CTOC/COP/WG.4/2010/6, para. 8",
        "CTOC/COP/WG.4/2015/6, para. 5, Recommendation 3",
        "Background paper 2019, 11 March 2019, para. 7",
        "CTOC/COP/WG.4/2023/4, para. 4, Recommendation 4",
    ],
    "the review mechanism": [
        "CTOC/COP/WG.4/2010/6, para. 10",
        "CTOC/COP/WG.4/2015/6, para. 9",
        "CTOC/COP/WG.4/2023/4, para. 8",
    ],
}
REPORT_2022 = "Report of the Working Group on Trafficking in Persons, 14 July 2022"


def kernel_dir(tmp: Path) -> Path:
    """A kernelspec for this interpreter that imports the tipsearch under test, wherever the kernel starts."""
    src = str(Path(tipsearch.__file__).resolve().parent.parent)
    path = os.pathsep.join([src, *(str(Path(p).resolve())
                                   for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)])
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "tipsearch tests", "language": "python",
        "env": {"PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false"},
    }
    (tmp / KERNEL).mkdir(parents=True)
    (tmp / KERNEL / "kernel.json").write_text(json.dumps(spec))
    return tmp


def execute(path: Path, cwd: Path, tmp: Path) -> nbformat.NotebookNode:
    """Run a notebook in a fresh kernel started in cwd; save it back with its outputs when asked."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir(tmp))]))
    NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, record_timing=False, resources={"metadata": {"path": str(cwd)}}
                   ).execute()
    if os.environ.get("TIPSEARCH_SAVE_NOTEBOOKS"):
        nb.metadata["kernelspec"] = SAVED_KERNELSPEC
        nb.metadata.get("language_info", {}).pop("version", None)  # the Python version would churn the diff
        nbformat.write(nb, path)
    return nb


def outputs(nb: nbformat.NotebookNode, mime: str | None = None) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if mime is None or mime in o.get("data", {})]


def text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook printed or displayed as text or Markdown."""
    parts = []
    for o in outputs(nb):
        if o.output_type == "stream":
            parts.append(o.text)
        for mime in ("text/plain", "text/markdown"):
            parts.append(o.get("data", {}).get(mime, ""))
    return "\n".join(parts)


def summary(nb: nbformat.NotebookNode) -> dict[str, list[str]]:
    """The topics notebook's last printout: `theme: citation -> citation ...`, one line a theme."""
    # The kernel may deliver one print loop's output in several stream chunks: join the cell's.
    printing = [c for c in nb.cells if c.cell_type == "code" and any(o.output_type == "stream" for o in c.outputs)]
    last = "".join(o.text for o in printing[-1].outputs if o.output_type == "stream")
    return {theme: cites.split(" -> ") for theme, cites in (line.split(": ", 1) for line in last.splitlines())}


def chart_svg(nb: nbformat.NotebookNode) -> str:
    """The one Altair chart, drawn as SVG in the notebook (readable offline, no JavaScript)."""
    (svg,) = [o["data"]["image/svg+xml"] for o in outputs(nb, "image/svg+xml")]
    return svg


def check_quickstart(nb: nbformat.NotebookNode) -> None:
    printed = text(nb)
    # The legal-assistance question is answered first by Recommendation 7, with its own words as answer.
    assert f"1. {REPORT_2022}, para. 4, Recommendation 7" in printed
    assert "free legal assistance to trafficking victims" in printed
    # The prosecution question finds Recommendation 1; context shows the neighbours of Recommendation 7.
    assert f"-> {REPORT_2022}, para. 4, Recommendation 1" in printed
    assert f">> {REPORT_2022}, para. 4, Recommendation 7" in printed
    assert f"   {REPORT_2022}, para. 4, Recommendation 6" in printed
    # The pack is shown as Markdown with its sources and written as DOCX with the two cited items.
    (md,) = [o["data"]["text/markdown"] for o in outputs(nb, "text/markdown")]
    assert "## Sources" in md and "Recommendation 7" in md and "Recommendation 1" in md
    assert "wrote reading-pack.docx" in printed
    assert f"  2. {REPORT_2022}, para. 4, Recommendation 1" in printed


def check_topics(nb: nbformat.NotebookNode) -> None:
    assert summary(nb) == THEMES
    assert "FICTIONAL" in "".join(c.source for c in nb.cells if c.cell_type == "markdown").upper()
    printed = text(nb)
    assert printed.count("the same paragraphs as the timeline found: yes") == 3
    svg = chart_svg(nb)
    assert svg.count('aria-roledescription="point"') == 11  # the documents treating each theme: 4 + 4 + 3
    assert "Where each theme appears" in svg and "document date" in svg
    for theme in THEMES:
        assert f"theme: {theme}" in svg


def test_saved_notebooks_carry_their_outputs() -> None:
    """Without running anything: the committed notebooks show what they printed, and nothing failed."""
    for path in (QUICKSTART, TOPICS):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), f"{path.name} was saved without running every cell"
        assert not [o for o in outputs(nb) if o.output_type == "error"], f"{path.name} was saved with an error"
        assert "/tmp" not in text(nb) and str(ROOT) not in text(nb), f"{path.name} shows a machine's paths"
        assert nb.metadata["kernelspec"]["name"] == "python3"
    check_quickstart(nbformat.read(QUICKSTART, as_version=4))
    check_topics(nbformat.read(TOPICS, as_version=4))


@pytest.mark.model
def test_quickstart_runs_from_the_notebooks_folder(tmp_path: Path) -> None:
    check_quickstart(execute(QUICKSTART, NOTEBOOKS, tmp_path))


@pytest.mark.model
def test_topics_runs_from_the_repository_root(tmp_path: Path) -> None:
    check_topics(execute(TOPICS, ROOT, tmp_path))
