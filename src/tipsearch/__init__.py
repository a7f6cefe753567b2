"""tipsearch: semantic search over anti-trafficking documents, with exact citations."""

from .errors import IndexCorruptError, IndexMissingError, ModelMissingError, NotFoundError, TipsearchError, UnreadableFileError
from .indexing import BuildReport, FileReport
from .library import Library, add, build
from .records import Document, Hit, Paragraph, Unit

__all__ = [
    "Library", "build", "add", "BuildReport", "FileReport", "Document", "Hit", "Paragraph", "Unit",
    "TipsearchError", "IndexMissingError", "IndexCorruptError", "ModelMissingError", "NotFoundError",
    "UnreadableFileError",
]
