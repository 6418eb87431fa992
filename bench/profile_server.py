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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from entity_sample import entity_sample  # noqa: E402
from server_process import Server, free_port  # noqa: E402

import pyoxigraph as ox  # noqa: E402

from andts import store as layout  # noqa: E402

BIN = Path(sys.executable).parent
#: Leaf functions of a thread that waits (py-spy still samples some of these as active).
WAITS = {"Connection._recv", "Condition.wait", "EpollSelector.select", "_PollLikeSelector.select", "_watch_parent",
         "Queue.get", "Event.wait", "sleep", "select", "Connection._poll", "wait"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("var/bench-national/profile.txt"))
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    build = layout.current_build_dir(args.store)
    disk = ox.Store.read_only(str(build / layout.OXIGRAPH_DIR))
    iris = entity_sample(disk, 200, 1)
    del disk
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    server = Server([str(BIN / "andts"), "serve", "--store", str(args.store.absolute()),
                     "--host", "127.0.0.1", "--port", str(port), "--workers", "2"], base + "/health",
                    args.out.with_suffix(".server.log"))
    stop = threading.Event()
    done = Counter()

    def load(c: int) -> None:
        rng = random.Random(c)
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                i = rng.choice(iris)
                client.get("/sparql", params={"query": f"CONSTRUCT {{ <{i}> ?p ?o }} WHERE {{ <{i}> ?p ?o }}"},
                           headers={"Accept": "application/n-triples"})
                done[c] += 1

    try:
        threads = [threading.Thread(target=load, args=(c,)) for c in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(1)
        start = sum(done.values())
        subprocess.run([str(BIN / "py-spy"), "record", "--pid", str(server.process.pid), "--subprocesses",
                        "--duration", str(int(args.seconds)), "--rate", "200", "--format", "raw", "--output",
                        str(args.out)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        requests = sum(done.values()) - start
        stop.set()
        for t in threads:
            t.join()
    finally:
        server.stop()
    print(f"{requests} lookups in {args.seconds:g} s under the profiler ({requests / args.seconds:.0f}/s, "
          f"{args.clients} client(s))")
    per_process: Counter = Counter()
    inclusive: dict[str, Counter] = defaultdict(Counter)
    own: dict[str, Counter] = defaultdict(Counter)
    for line in args.out.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        procs = [f for f in frames if f.startswith("process ")]
        key = "query worker" if procs and "andts.server.worker" in procs[-1] else "server (uvicorn + FastAPI)"
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
        for f, m in inclusive[key].most_common(args.top):
            print(f"  {m / n:6.1%}  {f[:150]}")
        print("own:")
        for f, m in own[key].most_common(10):
            print(f"  {m / n:6.1%}  {f[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
