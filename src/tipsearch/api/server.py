"""Start the API on uvicorn: loopback unless a token file says who may ask; N worker processes, each with its own
LiveLibrary (uvicorn restarts a worker that dies)."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from fastapi import FastAPI

from tipsearch.api.app import Limits, create_app
from tipsearch.errors import BadOptionError, TipsearchError
from tipsearch.library import Library

log = logging.getLogger(__name__)

ENVIRONMENT = "TIPSEARCH_SERVE"  # how the parent hands its options to the worker processes (JSON)
MIN_TOKEN = 16


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_token(path: Path) -> str:
    """The token in a file (one line); refused if missing, short or not printable ASCII."""
    hint = f"python -c 'import secrets; print(secrets.token_urlsafe(32))' > {path}"
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise TipsearchError(f"cannot read the token file {path} ({e.__class__.__name__}): make one with {hint}") from e
    if len(token) < MIN_TOKEN or not token.isascii() or not token.isprintable() or " " in token:
        raise TipsearchError(f"the token in {path} is not {MIN_TOKEN} or more printable ASCII characters without "
                             f"spaces: make one with {hint}")
    return token


def app_from_environment() -> FastAPI:
    """The app for one worker process, from the options its parent put in TIPSEARCH_SERVE."""
    options = json.loads(os.environ[ENVIRONMENT])
    token = read_token(Path(options["token_file"])) if options["token_file"] else None
    store = options.get("store")
    return create_app(Path(options["index"]), token, Limits(**options["limits"]),
                      open_library=lambda index: Library.open(index, store=store))


def serve(index_dir: Path | str, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          token_file: Path | str | None = None, limits: Limits = Limits(), access_log: bool = True,
          store: str | None = None) -> None:
    """Serve until interrupted. Without token_file only a loopback address is allowed. store: where the vectors
    are (index/store_uri.py; default: where the index was built)."""
    import uvicorn  # the server is only imported by `tipsearch serve`

    if token_file is not None:
        read_token(Path(token_file))  # refuse a bad token now, not in each worker
    elif not is_loopback(host):
        raise TipsearchError(f"refusing to listen on {host} without --token-file: anyone who reaches it could "
                             "search the collection; give a token file, or listen on 127.0.0.1")
    if workers < 1 or not 0 <= port <= 65535:
        raise BadOptionError(f"--workers must be 1 or more (got {workers}) and --port 0-65535 (got {port})")
    if not (Path(index_dir) / "manifest.json").is_file():
        log.warning("no index at %s/ yet: /health says not ready until `tipsearch build` makes one", index_dir)
    os.environ[ENVIRONMENT] = json.dumps({"index": str(Path(index_dir).resolve()), "limits": asdict(limits),
                                          "token_file": str(Path(token_file).resolve()) if token_file else None,
                                          "store": store})
    uvicorn.run("tipsearch.api.server:app_from_environment", factory=True, host=host, port=port, workers=workers,
                access_log=access_log, server_header=False, timeout_graceful_shutdown=5,
                log_level="info" if access_log else "warning")
