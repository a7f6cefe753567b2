"""tipsearch: semantic search over anti-trafficking documents, with exact citations."""

from tipsearch.errors import IndexCorruptError, IndexMissingError, ModelMissingError, NotFoundError, TipsearchError, UnreadableFileError
from tipsearch.index.build import BuildReport, FileReport
from tipsearch.library import Library, add, build
from tipsearch.records import Document, Hit, Paragraph, Unit

__all__ = [
    "Library", "build", "add", "BuildReport", "FileReport", "Document", "Hit", "Paragraph", "Unit",
    "TipsearchError", "IndexMissingError", "IndexCorruptError", "ModelMissingError", "NotFoundError",
    "UnreadableFileError",
]
