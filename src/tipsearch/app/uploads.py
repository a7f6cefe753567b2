"""Files that arrive from a browser: a safe name, a size cap, staged inside the index folder only."""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tipsearch.errors import UploadRefusedError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a long UN report as PDF is a few MB; 50 MB leaves room, not abuse
MAX_NAME_CHARS = 120
STAGING = ".uploads"  # inside the index folder: nothing from a browser is written anywhere else first

# The formats the project ingests; whether this build can read one is the reader's call, reported per file.
ACCEPTED = (".pdf", ".docx", ".html", ".htm", ".txt", ".md")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    """A browser file: the name it came with and its bytes."""

    name: str
    data: bytes


def safe_name(name: str) -> str:
    """A file name with no folders, no `..`, no hidden dot and only [A-Za-z0-9._-]; the suffix kept.

    `../../etc/passwd.txt` -> `passwd.txt`; `Rapport final (2021).pdf` -> `Rapport_final_2021_.pdf`.
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[: MAX_NAME_CHARS] or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def check(upload: Upload, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The safe name of an acceptable upload, or UploadRefusedError saying why not."""
    name = safe_name(upload.name)
    if Path(name).suffix not in ACCEPTED:
        raise UploadRefusedError(upload.name, f"not a supported type; upload {', '.join(ACCEPTED)}")
    if not upload.data:
        raise UploadRefusedError(upload.name, "the file is empty")
    if len(upload.data) > max_bytes:
        raise UploadRefusedError(
            upload.name, f"{len(upload.data) / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit; split it or add it with `tipsearch add`"
        )
    return name


def stage(uploads: list[Upload], index_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[list[Path], list[tuple[str, str]]]:
    """Write acceptable uploads under index_dir/.uploads/; return their paths and the (name, reason) refused."""
    folder = Path(index_dir) / STAGING
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    paths: list[Path] = []
    refused: list[tuple[str, str]] = []
    for upload in uploads:
        try:
            name = check(upload, max_bytes)
        except UploadRefusedError as e:
            refused.append((e.name, e.reason))
            continue
        path = folder / name
        path.write_bytes(upload.data)
        paths.append(path)
    return paths, refused


def unstage(index_dir: Path) -> None:
    shutil.rmtree(Path(index_dir) / STAGING, ignore_errors=True)
