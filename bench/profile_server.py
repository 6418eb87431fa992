"""Where a request's time goes in our server: py-spy over `andts serve` under a load of point lookups.

    .venv/bin/python bench/profile_server.py --store var/bench-national/n30/store [--seconds 20] [--clients 1]

Starts `andts serve --workers 2` on the store, sends point lookups (CONSTRUCT of one random entity) from
`--clients` threads, and samples the server process and its query workers with `py-spy record
--subprocesses` (threads on the CPU or waiting for the GIL; idle ones are not sampled) for `--seconds`. Prints the share of samples per process, and per process the
functions with the most samples (inclusive, and own time), so the per-request overhead outside pyoxigraph
shows. The raw collapsed stacks are kept in --out (default var/bench-national/profile.txt).
Needs py-spy (`pip install py-spy`) and ptrace rights (root, or kernel.yama.ptrace_scope=0).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import pyoxigraph as ox

# siblings in bench/: Python puts this file's folder first on sys.path when it runs it
from entity_sample import entity_sample
from server_process import Server, free_port

from andts import store as layout

BIN = Path(sys.executable).parent
#: Leaf functions of a thread that waits (py-spy still samples some of these as active).
WAITS = {"Connection._recv", "Condition.wait", "EpollSelector.select", "_PollLikeSelector.select", "_watch_parent",
         "Queue.get", "Event.wait", "sleep", "select", "Connection._poll", "wait"}


class LookupLoad:
    """`clients` threads sending point lookups of random entities until stopped; `done` counts them."""

    def __init__(self, base: str, iris: list[str], clients: int) -> None:
        self.base, self.iris = base, iris
        self.stop = threading.Event()
        self.done: Counter = Counter()
        self.threads = [threading.Thread(target=self._client, args=(c,)) for c in range(clients)]
        for t in self.threads:
            t.start()

    def _client(self, c: int) -> None:
        rng = random.Random(c)
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                i = rng.choice(self.iris)
                client.get("/sparql", params={"query": f"CONSTRUCT {{ <{i}> ?p ?o }} WHERE {{ <{i}> ?p ?o }}"},
                           headers={"Accept": "application/n-triples"})
                self.done[c] += 1

    def end(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


def profile(server: Server, load: LookupLoad, seconds: float, out: Path) -> int:
    """py-spy over the server and its workers for `seconds`, a second into the load; the lookups made meanwhile."""
    time.sleep(1)
    start = sum(load.done.values())
    subprocess.run([str(BIN / "py-spy"), "record", "--pid", str(server.process.pid), "--subprocesses",
                    "--duration", str(int(seconds)), "--rate", "200", "--format", "raw", "--output",
                    str(out)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return sum(load.done.values()) - start


def print_hottest(raw: Path, top: int) -> None:
    """Per process (server or query worker, busy or waiting) its share of the samples and hottest functions."""
    per_process: Counter = Counter()
    inclusive: dict[str, Counter] = defaultdict(Counter)
    own: dict[str, Counter] = defaultdict(Counter)
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        procs = [f for f in frames if f.startswith("process ")]
        key = "query worker" if procs and "andts.server.engine.worker" in procs[-1] else "server (uvicorn + FastAPI)"
        frames = [f for f in frames if not f.startswith("process ")]
        if not frames or frames[-1].split(" (")[0] in WAITS:
            key += ", waiting"
        per_process[key] += int(n)
        for f in set(frames):
            inclusive[key][f] += int(n)
        own[key][frames[-1]] += int(n)
    total = sum(per_process.values())
    for key, n in per_process.most_common():
        print(f"\n## {key}: {n} samples ({n / total:.0%})")
        print("inclusive:")
        for f, m in inclusive[key].most_common(top):
            print(f"  {m / n:6.1%}  {f[:150]}")
        print("own:")
        for f, m in own[key].most_common(10):
            print(f"  {m / n:6.1%}  {f[:150]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("var/bench-national/profile.txt"))
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    build = layout.current_build_dir(args.store)
    iris = entity_sample(ox.Store.read_only(str(build / layout.OXIGRAPH_DIR)), 200, 1)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    server = Server([str(BIN / "andts"), "serve", "--store", str(args.store.absolute()),
                     "--host", "127.0.0.1", "--port", str(port), "--workers", "2"], base + "/health",
                    args.out.with_suffix(".server.log"))
    try:
        load = LookupLoad(base, iris, args.clients)
        try:
            requests = profile(server, load, args.seconds, args.out)
        finally:
            load.end()
    finally:
        server.stop()
    print(f"{requests} lookups in {args.seconds:g} s under the profiler ({requests / args.seconds:.0f}/s, "
          f"{args.clients} client(s))")
    print_hottest(args.out, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
