"""Ingest: a file -> pages of lines (readers) -> clean lines (cleaning) -> units by kind of document (structure)
-> a document with its metadata (metadata); parse runs them for one file."""

from tipsearch.ingest.parse import ParsedFile, corpus_files, parse_file, sha256_file

__all__ = ["ParsedFile", "corpus_files", "parse_file", "sha256_file"]
