"""Index: the folder on disk (layout + manifest), one Generation that opens and checks a built one, its rows
(SQLite + FTS5), vectors (FAISS), keyword impacts and word pieces, and the build that writes them."""

from tipsearch.index.build import BuildOptions, BuildReport, FileReport, build_index
from tipsearch.index.generation import Generation

__all__ = ["BuildOptions", "BuildReport", "FileReport", "Generation", "build_index"]
