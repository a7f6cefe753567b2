"""The index as it is now: the generation its manifest names, reopened when a build switches generations.

A build writes a new generation beside the live one and replaces manifest.json atomically (index/layout.py), keeping
the previous generation for readers still on it. So each request looks at the manifest (one stat), and when it has
changed, one request opens the new generation while the others go on answering from the old one; the old one is
closed once its last request is done. A manifest that points at a damaged generation answers its error (503, "run
`tipsearch build`") until the manifest changes again.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tipsearch.errors import IndexMissingError, TipsearchError
from tipsearch.index.layout import IndexLayout
from tipsearch.library import Library

log = logging.getLogger(__name__)

Stamp = tuple[int, int, int] | None  # the manifest's inode, mtime (ns) and size; None: no manifest


@dataclass
class _Open:
    """One opened generation and the requests answering from it."""

    stamp: Stamp
    library: Library
    users: int = 0
    retired: bool = False


class LiveLibrary:
    """Leases the Library of the live generation to one request at a time (many at once)."""

    def __init__(self, index_dir: Path | str, open_library: Callable[[Path], Library] = Library.open,
                 warm: Callable[[Library], object] | None = None) -> None:
        """open_library: how a generation is opened; warm: run once on a new generation before it answers (loads
        the question encoders, so that the first request after a switch is not the slow one)."""
        self.layout = IndexLayout(Path(index_dir))
        self._open_library = open_library
        self._warm = warm
        self._lock = threading.Lock()  # guards _current, _failed and every _Open's users and retired
        self._opening = threading.Lock()  # one request opens a new generation; the others keep the old one
        self._current: _Open | None = None
        self._failed: tuple[Stamp, TipsearchError] | None = None

    def _stamp(self) -> Stamp:
        try:
            st = os.stat(self.layout.manifest_path)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    @contextmanager
    def lease(self) -> Iterator[Library]:
        """The live generation's Library, kept open until the block ends even if a build switches meanwhile."""
        entry = self._acquire()
        try:
            yield entry.library
        finally:
            self._release(entry)

    def ready(self) -> None:
        """Open (and warm) the live generation now, or raise why it cannot answer."""
        with self.lease():
            pass

    def _acquire(self) -> _Open:
        while True:
            stamp = self._stamp()
            with self._lock:
                current = self._current
                if current is not None and current.stamp == stamp:
                    current.users += 1
                    return current
                if self._failed is not None and self._failed[0] == stamp:
                    raise copy.copy(self._failed[1])  # a copy each: requests in other threads raise it too
                opener = self._opening.acquire(blocking=False)
                if not opener and current is not None:  # another request is opening the new generation
                    current.users += 1
                    return current
            if opener:
                try:
                    return self._switch(stamp)
                finally:
                    self._opening.release()
            with self._opening:  # nothing open yet: wait for the request that is opening it, then look again
                pass

    def _switch(self, stamp: Stamp) -> _Open:
        """Open the generation the manifest names now (the caller holds _opening) and make it current."""
        try:
            if stamp is None:
                raise IndexMissingError(f"no index at {self.layout.root}/: run `tipsearch build` first")
            manifest = self.layout.read_manifest()
            with self._lock:
                current = self._current
                if current is not None and current.library.manifest == manifest:  # touched, not switched
                    current.stamp = stamp
                    current.users += 1
                    return current
            library = self._open_library(self.layout.root)
        except TipsearchError as e:
            log.warning("index %s cannot answer: %r", self.layout.root, str(e))
            with self._lock:
                self._failed = (stamp, e)
                self._retire(self._current)
                self._current = None
            raise
        try:
            if self._warm is not None:
                self._warm(library)
        except Exception:  # the generation opened and checked; a failed warm-up only costs the first request time
            log.exception("warming generation %s failed", library.manifest.generation)
        log.info("answering from generation %s", library.manifest.generation)
        with self._lock:
            old, self._current, self._failed = self._current, _Open(stamp, library, users=1), None
            self._retire(old)
            return self._current

    def _retire(self, entry: _Open | None) -> None:
        """No new request gets entry; it is closed when its last one is done (called with _lock held)."""
        if entry is not None:
            entry.retired = True
            if entry.users == 0:
                entry.library.close()

    def _release(self, entry: _Open) -> None:
        with self._lock:
            entry.users -= 1
            if entry.retired and entry.users == 0:
                entry.library.close()

    def close(self) -> None:
        with self._lock:
            self._retire(self._current)
            self._current = None
