"""The model folder's tokenizer and window, without torch: the question path (ONNX Runtime) needs only these."""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer


def max_seq_length(path: Path) -> int:
    """The word pieces the model folder's sentence-transformers config lets it read (256 here)."""
    return int(json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"])


def load_tokenizer(path: Path, truncate: bool = True) -> Tokenizer:
    """The model folder's tokenizer, without padding; cut at the model's window unless not truncate."""
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.no_padding()
    if truncate:
        tokenizer.enable_truncation(max_seq_length(path))
    else:
        tokenizer.no_truncation()
    return tokenizer
