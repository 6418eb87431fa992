"""Values computed once per build (vocabulary, counts, the search index, the comparison matrix).

The server pins one build, so a value made from it stays right until the build changes; keying on the
build id keeps that true if an engine ever serves a newer build. No web framework here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from andts.server import memory, sparql

T = TypeVar("T")


class BuildCache:
    """`get(engine, key, make)`: `make(engine)` once per build and key; concurrent callers wait for the one
    computing it rather than all running the same queries."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], Any] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, engine: sparql.Engine, key: str, make: Callable[[sparql.Engine], T]) -> T:
        slot = (engine.build.info.id, key)
        if slot in self._values:
            return self._values[slot]
        with self._guard:
            lock = self._locks.setdefault(slot, threading.Lock())
        with lock:
            if slot not in self._values:
                value = make(engine)
                with self._guard:
                    # an older build's values are of no further use
                    for old in [s for s in self._values if s[0] != slot[0]]:
                        del self._values[old]
                    self._values[slot] = value
                memory.give_back()  # what making it read and parsed (whole reads of the store) is garbage now
            return self._values[slot]
