"""The slots of query worker processes: a process (worker.py) serving one or more slots, each a socket
pair over which it takes one job at a time; and waiting on a slot's socket from an event loop."""

from __future__ import annotations

import asyncio
import os
import select
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from andts.errors import StoreError


@dataclass(eq=False)
class Process:
    popen: subprocess.Popen
    slots: int
    ended: bool = False  # stopped by the pool: its slots are being replaced

    def stop(self) -> None:
        try:
            self.popen.kill()
            self.popen.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass


@dataclass(eq=False)  # compared and hashed by identity: kept in a set
class Slot:
    """One slot of a worker process: it runs one job at a time."""

    proc: Process
    conn: Connection
    ready: bool = False  # it has opened the store and said so
    running: bool = False  # it has taken a job (acknowledged it) and not yet answered
    #: For `readable`'s look without waiting: Connection.poll(0) builds and registers a selector each time.
    poller: select.poll = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.poller = select.poll()
        self.poller.register(self.conn.fileno(), select.POLLIN)

    @property
    def process(self) -> subprocess.Popen:
        return self.proc.popen

    def alive(self) -> bool:
        return not self.proc.ended and self.proc.popen.poll() is None

    def stop(self) -> None:
        self.proc.stop()
        self.conn.close()


@dataclass(frozen=True)
class Wait:
    worker: Slot | None  # None: for an idle slot
    seconds: float


async def readable(w: Slot, seconds: float) -> bool:
    """Whether the slot's socket has something to read (or its other end closed) within `seconds`, awaited on
    the loop."""
    if w.poller.poll(0):
        return True
    conn = w.conn
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(True))
    # a timer on the future itself: asyncio.wait_for wraps it in a task and more, twice per lookup
    timer = loop.call_later(seconds, lambda: ready.done() or ready.set_result(False))
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        # uvloop (libuv) leaves a watched socket non-blocking: the blocking read of an answer that arrives
        # in several pieces would then fail half-way, as if the worker had died
        os.set_blocking(fd, True)


def start_process(slots: int) -> list[Slot]:
    """A worker process with `slots` slots, started by subprocess (not multiprocessing's 'spawn', which would
    re-import the server's main script in every worker); not yet ready."""
    pairs = [socket.socketpair() for _ in range(slots)]
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "andts.server.engine.worker", *(str(theirs.fileno()) for _o, theirs in pairs)],
            pass_fds=[theirs.fileno() for _o, theirs in pairs], stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        for ours, _theirs in pairs:
            ours.close()
        raise StoreError(f"cannot start a query worker: {exc}") from exc
    finally:
        for _ours, theirs in pairs:
            theirs.close()
    proc = Process(process, slots)
    return [Slot(proc, Connection(ours.detach())) for ours, _theirs in pairs]
