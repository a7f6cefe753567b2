"""Models: the embedders (all-MiniLM-L6-v2 in plain torch, a hashing embedder for tests) and the ONNX question
encoder built from the same packaged weights."""

from tipsearch.models.embedders import HASHING, MINILM, Embedder, HashingEmbedder, MiniLMEmbedder, load_embedder

__all__ = ["HASHING", "MINILM", "Embedder", "HashingEmbedder", "MiniLMEmbedder", "load_embedder"]
