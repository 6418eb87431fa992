"""A small pool of query worker processes: the only way to stop a pyoxigraph query is to stop its process.

Each worker (worker.py) is a fresh Python process that opens the pinned build read-only once and then
runs jobs one at a time (`sparql.execute`), sending back the complete serialised answer or a typed error.
A request thread takes an idle worker, sends it the job and waits at most the time limit for the answer.
If none comes, the worker is killed, the client gets QueryTimeout (503), and a replacement is started in
the background; the other workers go on answering meanwhile. Nothing reaches the client before the
whole answer is in: a stopped query never becomes a 200 with a truncated body.

Workers are started with subprocess on `python -m andts.server.worker` and talk over a socket pair
wrapped as a multiprocessing Connection (POSIX), rather than with multiprocessing's 'spawn', which
re-imports the server's main script in every worker.
"""

from __future__ import annotations

import logging
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NoReturn
from multiprocessing.connection import Connection

from andts.errors import AndtsError, StoreError
from andts.server import sparql
from andts.server.errors import Busy, MemoryLimit, QueryTimeout, WorkerFailed

log = logging.getLogger("andts.server.pool")


@dataclass(eq=False)  # compared and hashed by identity: kept in a set
class _Worker:
    process: subprocess.Popen
    conn: Connection
    ready: bool = False  # it has opened the store and said so
    running: bool = False  # it has taken a job (acknowledged it) and not yet answered

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.conn.close()


class WorkerPool:
    """Runs query jobs in `size` worker processes, each query for at most `timeout` seconds."""

    def __init__(self, build: sparql.Build, size: int = 2, timeout: float = 5.0, start_timeout: float = 30.0,
                 in_memory: bool = False, memory_mb: int = 0) -> None:
        self.build, self.size, self.timeout, self.start_timeout = build, size, timeout, start_timeout
        self.in_memory, self.memory_mb = in_memory, memory_mb
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.restarts = 0
        self.since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        started = [self._start() for _ in range(size)]  # start them all, then wait: they boot in parallel
        try:
            for w in started:
                self._await_ready(w)
                self._idle.put(w)
        except BaseException:
            for w in started:
                w.stop()
            raise

    # --- workers -------------------------------------------------------------------------------

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "andts.server.worker", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            ours.close()
            raise StoreError(f"cannot start a query worker: {exc}") from exc
        finally:
            theirs.close()
        w = _Worker(process, Connection(ours.detach()))
        with self._lock:
            self._workers.add(w)
        try:
            w.conn.send((self.build, self.in_memory, self.memory_mb))
        except OSError as exc:
            self._discard(w)
            raise StoreError(f"a query worker failed to start: {exc}") from exc
        return w

    def _await_ready(self, w: _Worker) -> None:
        try:
            if not w.conn.poll(self.start_timeout):
                raise StoreError(f"a query worker did not start within {self.start_timeout:g} s")
            status, payload = w.conn.recv()
        except (EOFError, OSError) as exc:
            self._discard(w)
            raise StoreError(f"a query worker failed to start: {exc or 'it exited'}") from exc
        except StoreError:
            self._discard(w)
            raise
        if status != "ready":
            self._discard(w)
            raise payload if isinstance(payload, BaseException) else StoreError(str(payload))
        w.ready = True

    def _discard(self, w: _Worker) -> None:
        with self._lock:
            self._workers.discard(w)
        w.stop()

    def _replace(self, w: _Worker) -> None:
        """Kill a worker now; start its replacement in the background."""
        self._discard(w)
        with self._lock:
            self.restarts += 1
        threading.Thread(target=self._respawn, name="andts-worker-respawn", daemon=True).start()

    def _respawn(self) -> None:
        delay = 0.5
        while not self._closed:
            try:
                w = self._start()
                self._await_ready(w)
            except AndtsError as exc:
                log.error("cannot start a query worker (retrying in %.1f s): %s", delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if self._closed:
                self._discard(w)
            else:
                self._idle.put(w)
            return

    # --- running jobs --------------------------------------------------------------------------

    def run(self, job: sparql.Job) -> sparql.Result:
        """The job's complete result, or a typed error. Blocks the calling thread (not an event loop).
        A job the worker never took (it was dying) is sent once more, to another worker."""
        started = time.perf_counter()
        try:
            return self._run(job, retry=True)
        finally:
            sparql.clock_query(started)

    def _run(self, job: sparql.Job, retry: bool) -> sparql.Result:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                w = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise Busy(
                    f"every query worker has been busy for {self.timeout:g} s; try again in a moment"
                ) from None
            if not w.alive():  # it died while idle (killed from outside): replace it, take another
                self._replace(w)
                continue
            try:
                w.conn.send(job)
                break
            except (OSError, ValueError):
                self._replace(w)
        sent = time.monotonic()
        if not w.conn.poll(self.timeout):
            self._timed_out(w)
        try:
            w.conn.recv_bytes()  # the worker's acknowledgement: it has taken the job
            w.running = True
        except (EOFError, OSError):
            # a worker killed a moment ago still accepts a job into its socket, and never runs it
            self._replace(w)
            if retry:
                return self._run(job, retry=False)
            raise WorkerFailed("the query worker stopped before it could run this query") from None
        if not w.conn.poll(max(0.0, self.timeout - (time.monotonic() - sent))):
            self._timed_out(w)
        try:
            status, payload = w.conn.recv()
        except (EOFError, OSError):
            out_of_memory = self.memory_mb > 0 and self._aborted(w)
            self._replace(w)
            if out_of_memory:
                raise MemoryLimit(
                    f"the query needed more than the {self.memory_mb} MB a query worker may use and was stopped; "
                    "make it more selective (a sort or a join of unrelated patterns can grow without bound)"
                ) from None
            raise WorkerFailed(
                "the query worker stopped while running this query (it may have run out of memory)"
            ) from None
        w.running = False
        self._idle.put(w)
        if status == "ok":
            return payload
        raise payload

    @staticmethod
    def _aborted(w: _Worker) -> bool:
        """Whether the worker ended by SIGABRT: what pyoxigraph does when an allocation fails at the limit."""
        try:
            return w.process.wait(timeout=2.0) == -signal.SIGABRT
        except subprocess.TimeoutExpired:
            return False

    def _timed_out(self, w: _Worker) -> NoReturn:
        self._replace(w)
        raise QueryTimeout(
            f"the query ran longer than this endpoint's limit of {self.timeout:g} s and was stopped; "
            "make it more selective or add a LIMIT"
        )

    # --- state ---------------------------------------------------------------------------------

    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._workers if w.alive())

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._workers if w.process.pid is not None)

    def busy_pids(self) -> list[int]:
        """The processes running a query now."""
        with self._idle.mutex:
            idle = {w.process.pid for w in self._idle.queue}
        return [pid for pid in self.pids() if pid not in idle]

    def running_pids(self) -> list[int]:
        """The processes that have taken a query and are running it now."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers if w.running and w.process.pid is not None)

    def ready(self) -> int:
        """Workers alive and serving (a replacement still starting is alive but not ready)."""
        with self._lock:
            return sum(1 for w in self._workers if w.ready and w.alive())

    def health(self) -> dict[str, int]:
        return {"size": self.size, "alive": self.alive(), "ready": self.ready(), "idle": self._idle.qsize(),
                "restarts": self.restarts}

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
