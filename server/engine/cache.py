"""Values computed once per build (vocabulary, counts, the search index, the comparison matrix), and the
last few of many (`Recent`: class listings' orders, rendered /compare pages).

The server pins one build, so a value made from it stays right until the build changes; keying on the
build id keeps that true if an engine ever serves a newer build. No web framework here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from andts.server.engine import memory, sparql

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


class Recent:
    """Values of one build that pages asked for last, made once each: at most `size` are kept. Class pages
    keep their instances' order here (a crawler walking every page of a class reads it once), /compare its rendered page (megabytes at
    national size, slow to render)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._values: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[return-value]
        value = make()  # outside the lock: a slow one does not hold up the others
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value
