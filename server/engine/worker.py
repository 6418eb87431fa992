"""One query worker process: `python -m andts.server.engine.worker FD [FD …]`, started by pool.WorkerPool.

Each FD is its end of a socket pair, used as a multiprocessing Connection (pickled messages): a slot that
runs one job at a time. The worker receives the Build to serve on the first, opens it read-only once (or
loads its dump into memory), answers ("ready", pid) on every slot, and then serves each slot in a thread
of its own, answering ("ok", Result) or ("error", typed error). pyoxigraph lets go of the GIL while it
evaluates a query, so the slots of one process run their queries side by side on one copy of the store
(a worker holding the store in memory holds it once). It is started as a fresh
interpreter on this module (not with multiprocessing's spawn) so that the server's own main script is
never re-imported.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from andts.errors import AndtsError
from andts.server.engine import builds, memory, sparql
from andts.server.errors import WorkerFailed


def _watch_parent(parent_pid: int) -> None:
    """Exit when the server process is gone, even in the middle of a long query."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(0)


def serve(conns: list[Connection], parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops the workers
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    try:
        build, in_memory, memory_mb = conns[0].recv()
        if memory_mb > 0:  # an allocation past it fails, and pyoxigraph aborts: the pool answers 503
            resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        store = builds.open_build(build, in_memory)
    except (EOFError, OSError):
        return
    except AndtsError as exc:
        conns[0].send(("error", exc))
        return
    for conn in conns:
        try:
            conn.send(("ready", os.getpid()))
        except (EOFError, OSError):
            return
    slots = [threading.Thread(target=_serve_slot, args=(store, conn), name=f"andts-slot-{i}", daemon=True)
             for i, conn in enumerate(conns[1:], 1)]
    for slot in slots:
        slot.start()
    _serve_slot(store, conns[0])
    for slot in slots:
        slot.join()


def _serve_slot(store: Any, conn: Connection) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the server closed its end
        try:
            conn.send_bytes(b"")  # taken: from now on a failure is this job's, not a dying worker's
        except (EOFError, OSError):
            return
        started = time.perf_counter()
        try:
            reply: tuple[str, Any] = ("ok", sparql.execute(store, job))
        except AndtsError as exc:
            reply = ("error", exc)
        except Exception as exc:  # a bug, not the client's fault: report it and keep serving
            reply = ("error", WorkerFailed(f"the query worker failed: {type(exc).__name__}: {exc}"))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        memory.after_answer(len(reply[1].body) if reply[0] == "ok" else 0, time.perf_counter() - started)
        del reply


def main(argv: list[str]) -> int:
    if not argv or not all(a.isdigit() for a in argv):
        print("usage: python -m andts.server.engine.worker FD [FD ...] (started by the server, not by hand)", file=sys.stderr)
        return 2
    serve([Connection(int(a)) for a in argv], os.getppid())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
