"""The BERT encoder layers both models share (all-MiniLM-L6-v2 and multilingual-e5-small): post-norm attention
and a GELU feed-forward, with the attribute names of the models' published weights (encoder.layer.N....)."""

from __future__ import annotations

import torch
from torch import nn


class _SelfAttention(nn.Module):
    def __init__(self, cfg: dict) -> None:
        super().__init__()
        size = cfg["hidden_size"]
        self.heads = cfg["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(size, size), nn.Linear(size, size), nn.Linear(size, size)
        self.qkv: nn.Linear | None = None

    def fuse(self) -> None:
        """One matrix product for query, key and value instead of three: same numbers, ~15% less time."""
        size = self.query.in_features
        self.qkv = nn.Linear(size, 3 * size)
        with torch.no_grad():
            self.qkv.weight.copy_(torch.cat([self.query.weight, self.key.weight, self.value.weight]))
            self.qkv.bias.copy_(torch.cat([self.query.bias, self.key.bias, self.value.bias]))
        del self.query, self.key, self.value

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, size = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, size // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        # the fused kernel: several times faster than softmax(q k^T / sqrt(d) + bias) v written out
        out = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        return out.transpose(1, 2).reshape(b, n, size)


class _Dense(nn.Module):
    """A dense layer, added back to its input and normalised (BERT's "output" blocks)."""

    def __init__(self, cfg: dict, size_in: int) -> None:
        super().__init__()
        self.dense = nn.Linear(size_in, cfg["hidden_size"])
        self.LayerNorm = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class _Attention(nn.Module):
    def __init__(self, cfg: dict) -> None:
        super().__init__()
        self.self = _SelfAttention(cfg)
        self.output = _Dense(cfg, cfg["hidden_size"])

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, bias), x)


class _Intermediate(nn.Module):
    def __init__(self, cfg: dict) -> None:
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["intermediate_size"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, cfg: dict) -> None:
        super().__init__()
        self.attention = _Attention(cfg)
        self.intermediate = _Intermediate(cfg)
        self.output = _Dense(cfg, cfg["intermediate_size"])

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        x = self.attention(x, bias)
        return self.output(self.intermediate(x), x)


class Encoder(nn.Module):
    def __init__(self, cfg: dict) -> None:
        super().__init__()
        self.layer = nn.ModuleList(Layer(cfg) for _ in range(cfg["num_hidden_layers"]))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The last layer's vector of every position of the embedded x; mask says which positions are real."""
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layer:
            x = layer(x, bias)
        return x
