"""How large each input channel of multilingual-e5-small's int8 products grows: what the int8 graph
(models/e5_graph.py) needs to smooth them (SmoothQuant), measured once and shipped beside this file.

    e5-inputs.npz   layerN.PART -> float32 (channels,): the largest |input| of that product (question_graph.PARTS)
                    over the calibration text, on the float32 torch model

The calibration text is the project's own: the units of the seed report and of the tests' documents (other years,
other kinds, Spanish and French: tests/data/{multiyear,series,kinds,languages}) read as passages, and their
sentences read as questions; never the question sets the vectors are checked on. Remeasure after a change of model file:

    PYTHONPATH=src .venv/bin/python -m tipsearch.models.e5_calibration
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tipsearch.errors import ModelMissingError

if TYPE_CHECKING:
    from tipsearch.models.bert import Encoder

INPUTS = Path(__file__).with_name("e5-inputs.npz")
ROOT = Path(__file__).resolve().parents[3]  # the repository, where the calibration text is


def input_maxima() -> dict[str, np.ndarray]:
    """The shipped measure: layerN.PART -> each input channel's largest |value|."""
    try:
        with np.load(INPUTS) as data:
            return {name: data[name].astype(np.float32) for name in data.files}
    except (OSError, ValueError) as e:
        raise ModelMissingError(f"{INPUTS} is missing or damaged ({e}): reinstall tipsearch") from e


def product_inputs(encoder: Encoder, run: Callable[[], object]) -> dict[str, np.ndarray]:
    """layerN.PART -> the largest |input| of each channel of that product of encoder (models/bert.py, its query,
    key and value fused) while run() runs it."""
    import torch

    seen: dict[str, torch.Tensor] = {}

    def keep(name: str):  # noqa: ANN202 - a forward pre-hook
        def hook(_module: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
            x = inputs[0].detach().float().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0)
            seen[name] = torch.maximum(seen[name], x) if name in seen else x
        return hook

    hooks = [module.register_forward_pre_hook(keep(f"layer{i}.{part}"))
             for i, layer in enumerate(encoder.layer)
             for part, module in (("qkv", layer.attention.self.qkv), ("attention_out", layer.attention.output.dense),
                                  ("up", layer.intermediate.dense), ("down", layer.output.dense))]
    try:
        with torch.inference_mode():
            run()
    finally:
        for hook in hooks:
            hook.remove()
    return {name: x.numpy().astype(np.float32) for name, x in seen.items()}


def measure(passages: list[str], questions: list[str]) -> dict[str, np.ndarray]:
    """Each product's largest |input| per channel over the texts, on multilingual-e5-small in float32 (torch)."""
    from tipsearch.models.e5_file import E5File
    from tipsearch.models.e5_reader import E5Reader
    from tipsearch.models.e5_tokens import PASSAGE, QUERY, E5Tokenizer
    from tipsearch.models.e5_torch import E5Model, torch_run

    f = E5File()
    model = E5Model(f).eval()
    reader = E5Reader(E5Tokenizer(f.vocabulary), torch_run(model), f.config.positions, f.config.hidden)
    return product_inputs(model.encoder, lambda: (reader.encode(passages, PASSAGE), reader.encode(questions, QUERY)))


def calibration_text() -> tuple[list[str], list[str]]:
    """(passages, questions): the units of the seed and of the tests' documents; their sentences."""
    from tipsearch.ingest.parse import corpus_files, parse_file
    from tipsearch.models.embedders import sentences

    data = ROOT / "tests" / "data"
    files = corpus_files(ROOT / "corpus") + [p for folder in ("multiyear", "series", "kinds", "languages")
                                             for p in sorted((data / folder).glob("*.txt"))]
    units = [u.text for path in files for u in parse_file(path).units]
    return units, [t[a:b] for t in units for a, b in sentences(t)]


def main() -> int:
    passages, questions = calibration_text()
    maxima = measure(passages, questions)
    np.savez_compressed(INPUTS, **maxima)
    print(f"{INPUTS}: {len(maxima)} products, from {len(passages)} passages and {len(questions)} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
