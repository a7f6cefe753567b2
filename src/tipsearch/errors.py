"""Typed errors: each message names the thing at fault and the next step."""

from __future__ import annotations


class TipsearchError(Exception):
    """Base class for every error the library raises on purpose."""


class UnreadableFileError(TipsearchError):
    """A source file could not be read into text (empty, corrupt, encrypted, scanned...)."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class IndexMissingError(TipsearchError):
    """No index at the given folder."""


class IndexCorruptError(TipsearchError):
    """The index exists but its files disagree or are damaged."""


class IndexBusyError(TipsearchError):
    """Another build holds the index's build lock."""


class ModelMissingError(TipsearchError):
    """The embedding model is not installed."""


class NotFoundError(TipsearchError):
    """A document or unit that was asked for does not exist in the index."""


class BadOptionError(TipsearchError):
    """An option given a value it does not take (a mode, precision, device, vector index kind, a depth k)."""


class UploadRefusedError(TipsearchError):
    """An uploaded file was refused before it was read (name, type or size)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class PackError(TipsearchError):
    """A saved pack or a citation list that cannot be read or resolved."""


class BadFilterError(TipsearchError):
    """A search filter or grouping that cannot be met as given (kind, year range, group size)."""


class StoreUnavailableError(TipsearchError):
    """The store an index lives in (a Milvus server, a Milvus Lite file) cannot be reached or opened."""
