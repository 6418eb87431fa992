"""A small pool of query worker processes: the only way to stop a pyoxigraph query is to stop its process.

Each worker (worker.py) is a fresh Python process that opens the pinned build read-only once and then
runs jobs one at a time (`sparql.execute`), sending back the complete serialised answer or a typed error.
A request thread takes an idle worker, sends it the job and waits at most the time limit for the answer.
If none comes, the worker is killed, the client gets QueryTimeout (503), and a replacement is started in
the background; the other workers go on answering meanwhile. Nothing reaches the client before the
whole answer is in: a stopped query never becomes a 200 with a truncated body.

Workers are started with subprocess on `python -m andts.server.engine.worker` and talk over a socket pair
wrapped as a multiprocessing Connection (POSIX), rather than with multiprocessing's 'spawn', which
re-imports the server's main script in every worker.

A worker process may serve several slots (a socket pair and a thread each) on one copy of the store:
pyoxigraph evaluates queries without the GIL, so the slots run side by side, and a build held in memory
is held once (`slots_per_process`; the server gives every slot to one process when the store is in
memory). Stopping a query stops its process, so a query running in another slot of it is sent once more,
to the replacement.

One kind of query never goes to a worker: a one-subject lookup (`checks.QueryShape.one_subject`: one
triple pattern with an IRI as subject, the most common request of linked-data clients). It cannot run long
or crash the parser, so the pool answers it itself from the build's store on disk, opened read-only here,
and it is answered even while every worker slot is taken.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Generator
from datetime import datetime, timezone
from typing import NoReturn

import pyoxigraph as ox

from andts.errors import AndtsError, StoreError
from andts.server.engine import builds, clock, sparql
from andts.server.engine.slots import Slot as Slot
from andts.server.engine.slots import Wait as Wait
from andts.server.engine.slots import readable as readable
from andts.server.engine.slots import start_process
from andts.server.errors import Busy, MemoryLimit, QueryTimeout, WorkerFailed

log = logging.getLogger("andts.server.engine.pool")


class WorkerPool:
    """Runs query jobs in `size` worker processes, each query for at most `timeout` seconds."""

    def __init__(self, build: builds.Build, size: int = 2, timeout: float = 5.0, start_timeout: float = 30.0,
                 in_memory: bool = False, memory_mb: int = 0, slots_per_process: int = 1) -> None:
        """`size` slots (queries at once), in processes of `slots_per_process` slots each."""
        self.build, self.size, self.timeout, self.start_timeout = build, size, timeout, start_timeout
        self.in_memory, self.memory_mb = in_memory, memory_mb
        self.slots_per_process = max(1, min(slots_per_process, size))
        self._idle: queue.Queue[Slot] = queue.Queue()
        self._workers: set[Slot] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.restarts = 0
        self.since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        # one-subject lookups are answered here, from the build's store on disk opened read-only (a few MB:
        # the workers hold the copy in memory); see `_answers_itself`
        self._direct: ox.Store | None = builds.open_build(build, in_memory=False)
        started: list[Slot] = []
        try:
            for first in range(0, size, self.slots_per_process):  # start them all, then wait: they boot in parallel
                started.extend(self._start(min(self.slots_per_process, size - first)))
            for w in started:
                self._await_ready(w)
            for w in started:
                self._idle.put(w)
        except BaseException:
            for w in started:
                w.stop()
            raise

    # --- workers -------------------------------------------------------------------------------

    def _start(self, slots: int) -> list[Slot]:
        """A worker process with `slots` slots (not yet ready)."""
        workers = start_process(slots)
        with self._lock:
            self._workers.update(workers)
        try:
            workers[0].conn.send((self.build, self.in_memory, self.memory_mb))
        except OSError as exc:
            for w in workers:
                self._discard(w)
            raise StoreError(f"a query worker failed to start: {exc}") from exc
        return workers

    def _await_ready(self, w: Slot) -> None:
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

    def _discard(self, w: Slot) -> None:
        with self._lock:
            self._workers.discard(w)
        w.stop()

    def _replace(self, w: Slot) -> None:
        """Kill a worker's process now; start its replacement in the background (once for all its slots:
        another slot of it finds it ended and only lets go of its own socket)."""
        with self._lock:
            first = not w.proc.ended
            w.proc.ended = True
            self._workers.discard(w)
            if first:
                self.restarts += 1
                self._workers.difference_update({x for x in self._workers if x.proc is w.proc})
        if first:
            with self._idle.mutex:  # its idle slots leave the queue with it
                idle = [x for x in self._idle.queue if x.proc is w.proc]
                for x in idle:
                    self._idle.queue.remove(x)
            for x in idle:
                x.conn.close()
        w.stop()
        if first:
            threading.Thread(target=self._respawn, args=(w.proc.slots,), name="andts-worker-respawn",
                             daemon=True).start()

    def _respawn(self, slots: int) -> None:
        delay = 0.5
        while not self._closed:
            workers: list[Slot] = []
            try:
                workers = self._start(slots)
                for w in workers:
                    self._await_ready(w)
            except AndtsError as exc:
                for w in workers:
                    self._discard(w)
                log.error("cannot start a query worker (retrying in %.1f s): %s", delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            for w in workers:
                if self._closed:
                    self._discard(w)
                else:
                    self._idle.put(w)
            return

    # --- running jobs --------------------------------------------------------------------------

    def _answers_itself(self, job: sparql.Job) -> bool:
        """A query the server checked (`Job.shape`) and found to read one subject's triples: it cannot run
        long or crash the parser, so the hop to a worker process (about 0.2 ms, a third of a lookup over
        HTTP) buys nothing. Everything else goes to the workers, which can be stopped."""
        return job.shape is not None and job.shape.one_subject and self._direct is not None

    def _answer(self, job: sparql.Job) -> sparql.Result:
        started = time.perf_counter()
        store = self._direct  # closing the pool lets go of it; a lookup under way keeps it to the end
        if store is None:
            raise WorkerFailed("the query workers of this build have been stopped")
        try:
            return sparql.execute(store, job)
        finally:
            clock.clock_query(started)

    def run(self, job: sparql.Job) -> sparql.Result:
        """The job's complete result, or a typed error. Blocks the calling thread (not an event loop).
        A job the worker never took (it was dying) is sent once more, to another worker."""
        if self._answers_itself(job):
            return self._answer(job)
        started = time.perf_counter()
        steps = self._steps(job, retry=True)
        try:
            answer: object = None
            while True:
                wait = steps.send(answer)
                answer = self._idle.get(timeout=wait.seconds) if wait.worker is None else wait.worker.conn.poll(wait.seconds)
        except StopIteration as done:
            return done.value
        except queue.Empty:
            raise self._busy() from None
        finally:
            steps.close()
            clock.clock_query(started)

    async def run_async(self, job: sparql.Job) -> sparql.Result:
        """`run` for a coroutine: the worker's answer is awaited on the event loop, without a thread (the
        hand-off to a thread and back was a tenth of a point lookup's time in the server). Waiting for a
        slot to free up, when none is idle, is done in a thread. A one-subject lookup is answered at once,
        on the loop: it reads one subject's triples (at most the row limit)."""
        if self._answers_itself(job):
            return self._answer(job)
        started = time.perf_counter()
        steps = self._steps(job, retry=True)
        wait = None
        try:
            answer: object = None
            while True:
                wait = steps.send(answer)
                if wait.worker is not None:
                    answer = await readable(wait.worker, wait.seconds)
                else:
                    try:
                        answer = self._idle.get_nowait()
                    except queue.Empty:
                        answer = await asyncio.to_thread(self._idle.get, True, wait.seconds)
        except StopIteration as done:
            return done.value
        except queue.Empty:
            raise self._busy() from None
        except asyncio.CancelledError:
            if wait is not None and wait.worker is not None:
                self._replace(wait.worker)  # its answer will not be read: the slot cannot be reused
            raise
        finally:
            steps.close()
            clock.clock_query(started)

    def _busy(self) -> Busy:
        return Busy(f"every query worker has been busy for {self.timeout:g} s; try again in a moment")

    def _steps(self, job: sparql.Job, retry: bool, budget: float | None = None
               ) -> Generator[Wait, object, sparql.Result]:
        """How a job is run, as the waits it needs: `Wait(None, s)` for an idle slot (answered with the slot,
        or queue.Empty after s seconds), `Wait(slot, s)` for the slot's socket to have something to read
        (answered True, or False after s seconds). `run` waits in its thread, `run_async` on the event loop.
        `budget`: the seconds the query may still run (all of the time limit, but for a query sent once
        more because another slot's query stopped their process)."""
        budget = self.timeout if budget is None else budget
        deadline = time.monotonic() + self.timeout
        while True:
            w = yield Wait(None, max(0.0, deadline - time.monotonic()))
            assert isinstance(w, Slot)
            if not w.alive():  # it died while idle (killed from outside): replace it, take another
                self._replace(w)
                continue
            try:
                w.conn.send(job)
                break
            except (OSError, ValueError):
                self._replace(w)
        sent = time.monotonic()
        if not (yield Wait(w, budget)):
            self._timed_out(w)
        try:
            w.conn.recv_bytes()  # the worker's acknowledgement: it has taken the job
            w.running = True
        except (EOFError, OSError):
            # a worker killed a moment ago still accepts a job into its socket, and never runs it
            self._replace(w)
            if retry:
                return (yield from self._steps(job, retry=False, budget=budget))
            raise WorkerFailed("the query worker stopped before it could run this query") from None
        if not (yield Wait(w, max(0.0, budget - (time.monotonic() - sent)))):
            self._timed_out(w)
        try:
            status, payload = w.conn.recv()
        except (EOFError, OSError):
            return (yield from self._lost(job, w, retry, budget, sent))
        w.running = False
        self._idle.put(w)
        if status == "ok":
            return payload
        raise payload

    def _lost(self, job: sparql.Job, w: Slot, retry: bool, budget: float, sent: float
              ) -> Generator[Wait, object, sparql.Result]:
        """The worker's process stopped before it answered: send the job once more or say why it failed."""
        shared = w.proc.slots > 1
        stopped_by_pool = w.proc.ended  # for another slot's query that ran over its time limit
        out_of_memory = self.memory_mb > 0 and self._aborted(w)
        self._replace(w)
        left = budget - (time.monotonic() - sent)
        if shared and left < 0.1 * self.timeout:
            raise self._timeout()  # its own time was (all but) up too when the process stopped
        if shared and retry:
            # the process ran other slots' queries too: this one may not be what stopped it. It is sent
            # once more, with what is left of its time.
            return (yield from self._steps(job, retry=False, budget=left))
        if shared and stopped_by_pool:
            raise Busy("the query was stopped twice with other queries that ran over the time limit in the "
                       "same worker; try again in a moment") from None
        if out_of_memory:
            raise MemoryLimit(
                f"the query needed more than the {self.memory_mb} MB a query worker may use and was stopped; "
                "make it more selective (a sort or a join of unrelated patterns can grow without bound)"
            ) from None
        raise WorkerFailed(
            "the query worker stopped while running this query (it may have run out of memory)"
        ) from None

    @staticmethod
    def _aborted(w: Slot) -> bool:
        """Whether the worker ended by SIGABRT: what pyoxigraph does when an allocation fails at the limit."""
        try:
            return w.process.wait(timeout=2.0) == -signal.SIGABRT
        except subprocess.TimeoutExpired:
            return False

    def _timed_out(self, w: Slot) -> NoReturn:
        self._replace(w)
        raise self._timeout()

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query ran longer than this endpoint's limit of {self.timeout:g} s and was stopped; "
            "make it more selective or add a LIMIT"
        )

    # --- state ---------------------------------------------------------------------------------

    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._workers if w.alive())

    def pids(self) -> list[int]:
        with self._lock:
            return sorted({w.process.pid for w in self._workers if w.process.pid is not None})

    def busy_pids(self) -> list[int]:
        """The processes running a query now (in any of their slots)."""
        with self._idle.mutex:
            idle = set(self._idle.queue)
        with self._lock:
            return sorted({w.process.pid for w in self._workers if w not in idle and w.process.pid is not None})

    def running_pids(self) -> list[int]:
        """The processes that have taken a query and are running it now."""
        with self._lock:
            return sorted({w.process.pid for w in self._workers if w.running and w.process.pid is not None})

    def running(self) -> int:
        """Slots running a query now."""
        with self._lock:
            return sum(1 for w in self._workers if w.running)

    def ready(self) -> int:
        """Workers alive and serving (a replacement still starting is alive but not ready)."""
        with self._lock:
            return sum(1 for w in self._workers if w.ready and w.alive())

    def health(self) -> dict[str, int]:
        return {"size": self.size, "alive": self.alive(), "ready": self.ready(), "idle": self._idle.qsize(),
                "restarts": self.restarts, "processes": len(self.pids()), "running": self.running()}

    def close(self) -> None:
        self._closed = True
        self._direct = None  # the build's files (it may be pruned once another is served)
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
