"""Following the store link: when `andts build` publishes a new build, the server starts serving it
without a restart, and no request sees a mix of builds.

A thread looks at the link every `follow_builds` seconds. When it points to another complete build (builds
are written whole before the link moves), a new worker pool is started on it; once its workers are ready it
becomes `app.state.engine`, so requests that start from then on are answered from the new build, and the
old pool is closed when the queries it is running have finished (or after the query time limit). A build
whose workers cannot start is logged and the old one keeps serving. No web framework here.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from andts import store as layout
from andts.errors import AndtsError
from andts.server.engine import builds
from andts.server.engine.pool import WorkerPool
from andts.server.settings import Settings

log = logging.getLogger("andts.server.engine.follow")

#: Seconds an old pool stays open after the switch before waiting for its running queries.
GRACE = 1.0


class BuildFollower:
    def __init__(self, state: Any, settings: Settings) -> None:
        """`state`: where the engine is kept (the app's `state`, whose `engine` is a WorkerPool)."""
        self.state, self.settings = state, settings
        self.switches = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="andts-build-follower", daemon=True)

    def start(self) -> BuildFollower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.follow_builds):
            try:
                self.check()
            except Exception:  # the follower must never die: the old build keeps serving
                log.exception("following the store link failed")

    def check(self) -> bool:
        """Switch to the build the link points to now, if it is another one. True when it switched."""
        current: WorkerPool = self.state.engine
        folder = layout.current_build_dir(self.settings.store)
        if folder is None or folder == current.build.folder:
            return False
        try:
            build = builds.locate_build(self.settings.store)
            fresh = WorkerPool(build, size=self.settings.workers, timeout=self.settings.query_timeout,
                               start_timeout=self.settings.worker_start_timeout, in_memory=self.settings.in_memory,
                               memory_mb=self.settings.worker_memory_mb,
                               slots_per_process=self.settings.slots_per_process)
        except AndtsError as exc:
            log.error("a new build was published but cannot be served (still serving %s): %s",
                      current.build.info.id, exc)
            return False
        self.state.engine = fresh
        self.switches += 1
        log.info("now serving build %s (was %s)", build.info.id, current.build.info.id)
        threading.Thread(target=self._retire, args=(current,), name="andts-retire-pool", daemon=True).start()
        return True

    def _retire(self, pool: WorkerPool) -> None:
        """Close the old pool once its running queries are done (at most the query time limit)."""
        # requests that took the old pool just before the switch get a moment to send their queries
        time.sleep(GRACE)
        deadline = time.monotonic() + self.settings.query_timeout + 1
        while time.monotonic() < deadline and pool.busy_pids():
            time.sleep(0.05)
        pool.close()
