"""Ingest: a file -> pages of lines, each with the heading level and emphasis its format gives (readers,
pdf_styles, docx_reader, html_reader, markdown_reader) -> clean lines (cleaning) -> units by kind of document, part
and language (structure) -> a document with its metadata (metadata) and what looks wrong in its reading (checks);
parse runs them for one file."""

from tipsearch.ingest.parse import ParsedFile, corpus_files, parse_file, sha256_file

__all__ = ["ParsedFile", "corpus_files", "parse_file", "sha256_file"]
