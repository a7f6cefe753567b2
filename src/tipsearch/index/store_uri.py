"""Where an index's vectors and keyword lists live, named by one string (`--store`):

    local                    SQLite + FTS5 + FAISS in the index folder (the default; nothing to set up)
    milvus-lite:PATH.db      Milvus Lite, embedded in the process (PyPI milvus-lite; one process at a time)
    http://HOST:19530        a Milvus standalone or cluster (https:// too)

A `#NAME` suffix names the alias (default "tipsearch"), so that one Milvus serves several indexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tipsearch.errors import BadOptionError

LOCAL = "local"
MILVUS_LITE = "milvus-lite"
MILVUS = "milvus"
DEFAULT_ALIAS = "tipsearch"
_ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_EXAMPLES = "local, milvus-lite:index/milvus.db or http://localhost:19530"


@dataclass(frozen=True)
class StoreURI:
    kind: str  # LOCAL, MILVUS_LITE or MILVUS
    address: str = ""  # milvus-lite: the .db path, absolute; milvus: http(s)://host:port
    alias: str = DEFAULT_ALIAS

    @classmethod
    def parse(cls, text: str | None) -> StoreURI:
        """A store from its `--store` string; None or "" is local."""
        text = (text or LOCAL).strip()
        if text == LOCAL:
            return cls(LOCAL)
        body, _, alias = text.partition("#")
        alias = alias or DEFAULT_ALIAS
        if not _ALIAS.match(alias):
            raise BadOptionError(f"store alias {alias!r} must be letters, digits and _ (a Milvus name): "
                                 f"e.g. {body}#tipsearch")
        if body.startswith(f"{MILVUS_LITE}:"):
            path = body[len(MILVUS_LITE) + 1:]
            if not path.endswith(".db"):
                raise BadOptionError(f"a Milvus Lite store is a path ending in .db, not {path!r}: "
                                     "e.g. --store milvus-lite:index/milvus.db")
            return cls(MILVUS_LITE, str(Path(path).expanduser().resolve()), alias)
        if body.startswith(("http://", "https://")):
            return cls(MILVUS, body.rstrip("/"), alias)
        raise BadOptionError(f"store must be one of {_EXAMPLES}, not {text!r}")

    @property
    def is_milvus(self) -> bool:
        return self.kind != LOCAL

    @property
    def text(self) -> str:
        """The string that parses back to this store (what the manifest keeps)."""
        if self.kind == LOCAL:
            return LOCAL
        body = f"{MILVUS_LITE}:{self.address}" if self.kind == MILVUS_LITE else self.address
        return body if self.alias == DEFAULT_ALIAS else f"{body}#{self.alias}"
