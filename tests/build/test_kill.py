"""`andts build` killed with SIGKILL at any moment: the store published before keeps serving complete data.

Real processes throughout: `andts build` runs as a subprocess (python -m andts.cli) and is SIGKILLed at
points drawn from a seeded random generator spread over a measured build, at the moments its progress lines
and files show (validating, writing, the partial folder, its build.json), and, in a second test, by itself
right after each step of the publication. An `andts serve` subprocess runs all along. After every kill:

* the store link names a complete build: the one published before, or the new one whole, never a partial
  one; its dump.nq hashes to its id (the id is that hash) and its store holds build.json's triple count;
* the server answers a SPARQL COUNT equal to build.json's triples, for the build the link names;
* what a killed build leaves behind is bounded (the next build removes it), and the next build succeeds.

To make every build a real change of publication, three small projects (ANDTS_HOME) hold different
source sets, and each attempt builds a set other than the one published.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import pytest
from support.polling import wait_until
from support.servers import free_port

from andts import paths, store

pytestmark = pytest.mark.slow  # SIGKILLs real build processes at many moments, each followed by a served check

SEED = 20261123
#: Kills at random moments of a build; with the 5 at the moments the build shows, 11 kills in all.
RANDOM_KILLS = 6
#: Small source sets (a build of both real sources takes longer, for nothing more to see): the template's
#: example, and each real programme on its own.
SOURCE_SETS = {"example": [paths.TEMPLATES_DIR / "example.toml", paths.TEMPLATES_DIR / "example-activities.csv"],
               "stockholm": sorted(paths.SOURCES_DIR.glob("stockholm-andts-2023-2026.*")),
               "eskilstuna": sorted(paths.SOURCES_DIR.glob("eskilstuna-andt-2019-2023.*"))}
CYCLE = list(SOURCE_SETS)
BUILD_FILES = {"oxigraph", "dump.trig", "dump.nq", "build.json"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


# --- projects, builds, a server ---------------------------------------------------------------------


def make_home(root: Path, files: list[Path]) -> Path:
    """A project folder (ANDTS_HOME) with the real ontology, shapes, reference data and queries, and only
    the given sources."""
    home = root / "home"
    (home / "data" / "sources").mkdir(parents=True)
    for part in ("ontology", "shapes", "queries"):
        (home / part).symlink_to(paths.ROOT / part)
    (home / "data" / "reference").symlink_to(paths.REFERENCE_DIR)
    for f in files:
        (home / "data" / "sources" / f.name).symlink_to(f)
    return home


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {name: make_home(tmp_path_factory.mktemp(name), files) for name, files in SOURCE_SETS.items()}


def env_for(home: Path) -> dict[str, str]:
    return dict(os.environ, ANDTS_HOME=str(home), PYTHONUNBUFFERED="1")


def andts(*args: str, home: Path, stderr: int | IO[str] = subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "andts.cli", *args], env=env_for(home),
                            stdout=subprocess.DEVNULL, stderr=stderr, text=True)


@dataclass
class Run:
    """A build process whose progress lines (stderr) are read as they come, with their times."""

    proc: subprocess.Popen
    started: float = field(default_factory=time.monotonic)
    lines: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append((time.monotonic() - self.started, line.rstrip("\n")))

    def saw(self, prefix: str) -> bool:
        return any(line.startswith("andts build: " + prefix) for _, line in self.lines)

    def stage(self) -> str:
        """How far the build got, from its progress lines."""
        steps = [line.removeprefix("andts build: ").split(" ")[0] for _, line in self.lines
                 if line.startswith("andts build: ")]
        return steps[-1] if steps else "starting"

    def kill(self) -> int:
        self.killed_at = time.monotonic() - self.started
        self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(timeout=30)
        self._close()
        return code

    def finish(self) -> int:
        code = self.proc.wait(timeout=120)
        self._close()
        return code

    def _close(self) -> None:
        """Once the process has ended: the rest of its lines read, its pipe closed."""
        self.reader.join(timeout=5)
        assert self.proc.stderr is not None
        self.proc.stderr.close()

    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)


def start_build(link: Path, home: Path) -> Run:
    return Run(andts("build", "--store", str(link), home=home))


def complete_build(link: Path, home: Path) -> float:
    """Build to the end; returns the seconds it took."""
    run = start_build(link, home)
    assert run.finish() == 0, run.text()
    return time.monotonic() - run.started


@pytest.fixture
def serve(homes: dict[str, Path], tmp_path: Path) -> Iterator[Callable[[Path], httpx.Client]]:
    """`serve(link)`: an `andts serve` subprocess on a loopback port (it follows new builds), as a client. Its
    stderr (an access-log line a request) goes to a file, which no pipe left unread can make it wait for."""
    procs: list[subprocess.Popen] = []
    clients: list[httpx.Client] = []
    logs: list[IO[str]] = []

    def start(link: Path) -> httpx.Client:
        port = free_port()
        log = (tmp_path / f"serve-{port}.log").open("w+", encoding="utf-8")
        logs.append(log)
        proc = andts("serve", "--store", str(link), "--port", str(port), "--workers", "1", "--timeout", "20",
                     home=homes["stockholm"], stderr=log)
        procs.append(proc)
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        clients.append(http)

        def up() -> bool:
            assert proc.poll() is None, Path(log.name).read_text(encoding="utf-8")[-3000:] or "the server exited"
            try:
                return http.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(up, within=60, what="the server starts", every=0.1)
        return http

    yield start
    for http in clients:
        http.close()
    for proc in procs:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for log in logs:
        log.close()


# --- what must hold after every kill -----------------------------------------------------------------


def published(link: Path) -> store.BuildInfo:
    """The published build, checked complete: its files, its id (the hash of its dump), its store's size."""
    assert link.is_symlink(), f"{link} is not a store link"
    folder = store.current_build_dir(link)
    assert folder is not None, f"{link} names no build folder"
    assert not folder.name.startswith("."), f"{link} names a partial build: {folder.name}"
    assert {p.name for p in folder.iterdir()} == BUILD_FILES
    info = store.read_build_info(link)
    dump = (folder / "dump.nq").read_bytes()
    assert info.id == folder.name == hashlib.sha256(dump).hexdigest()[:16], "the dump is not the build's"
    assert len(dump.splitlines()) == info.triples == sum(info.graphs.values())
    ox_store = store.open_store(link)
    assert len(ox_store) == info.triples, "the published store does not hold build.json's triples"
    del ox_store
    return info


def served(http: httpx.Client, info: store.BuildInfo) -> int:
    """The server's COUNT of all quads, once it serves the build `info` (it follows the link in 2 s)."""
    wait_until(lambda: http.get("/health").json()["build"] == info.id, every=0.1,
               what=lambda: f"the server serves {info.id}, not {http.get('/health').json()['build']}")
    r = http.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def leftovers(link: Path) -> list[str]:
    """What builds leave outside the published and the kept previous build: partial folders, link temps
    (the validation results kept for the next build are no leftover)."""
    partial = [p.name for p in store.builds_dir(link).iterdir()
               if p.name.startswith(".") and p != store.validation_cache_dir(link)]
    temps = [p.name for p in link.parent.iterdir() if p.name.startswith(f".{link.name}.")]
    return partial + temps


def build_folders(link: Path) -> list[Path]:
    """Everything in the builds folder but the validation results kept for the next build."""
    return [p for p in store.builds_dir(link).iterdir() if p != store.validation_cache_dir(link)]


def sources_of(info: store.BuildInfo) -> set[str]:
    """The names of the build's source files (build.json lists each with its hash)."""
    return set(info.sources)


def set_files(name: str) -> set[str]:
    """The source files a build of the set records (the documents the .toml files name, not the .toml)."""
    return {f.name for f in SOURCE_SETS[name] if f.suffix != ".toml"}


def check_after_kill(link: Path, http: httpx.Client, before: store.BuildInfo, target: str) -> store.BuildInfo:
    """The store and the server after a killed build of the set `target`; returns the published build."""
    info = published(link)
    if info.id != before.id:  # the kill came after the link moved: the new build, whole
        assert sources_of(info) == set_files(target)
    assert served(http, info) == info.triples
    # at most the folder of the build just killed; the next build removes it
    assert len([n for n in leftovers(link) if n.endswith(".partial")]) <= 1, leftovers(link)
    assert len([n for n in leftovers(link) if n.endswith(".link")]) <= 1, leftovers(link)
    return info


def next_set(info: store.BuildInfo) -> str:
    """The source set after the published one in the cycle: every build attempt changes the publication."""
    current = next(name for name in SOURCE_SETS if set_files(name) == sources_of(info))
    return CYCLE[(CYCLE.index(current) + 1) % len(CYCLE)]


# --- kills at moments the build shows, and at random moments ------------------------------------------


def wait_for(condition: Callable[[], bool], run: Run, within: float = 60.0) -> None:
    """Poll (every millisecond) until `condition()` or the build ends."""
    deadline = time.monotonic() + within
    while not condition() and run.proc.poll() is None:
        assert time.monotonic() < deadline, "the build never got there"
        time.sleep(0.001)


def partial_folders(link: Path) -> list[Path]:
    return [p for p in store.builds_dir(link).glob(".*.partial") if p.is_dir()]


Moment = float | Callable[[], bool]


def moments(link: Path, durations: list[float]) -> tuple[list[tuple[str, Moment]], dict[str, Run]]:
    """(name, how to wait) for each kill: a delay in seconds, or a condition to poll (on the build in
    the returned dict's "run")."""
    rng = random.Random(SEED)
    span = min(durations) * 0.95  # within the shortest build measured: a kill after a build ended tests nothing
    # stratified: one delay in each of RANDOM_KILLS equal slices of the build, so loading, validating and
    # writing all get kills, yet the points are not fixed
    delays = [rng.uniform(i, i + 1) * span / RANDOM_KILLS for i in range(RANDOM_KILLS)]
    run_ref: dict[str, Run] = {}

    def line(prefix: str) -> Callable[[], bool]:
        return lambda: run_ref["run"].saw(prefix)

    def partial(name: str | None = None) -> Callable[[], bool]:
        def there() -> bool:  # the folder of this build (its pid): one a killed build left may be there too
            folders = store.builds_dir(link).glob(f".build.{run_ref['run'].proc.pid}.*.partial")
            return any(f.is_dir() and (name is None or (f / name).exists()) for f in folders)
        return there

    shown = [("progress line 'validating'", line("validating")), ("progress line 'writing'", line("writing")),
             ("partial folder appears", partial()), ("dump.nq in the partial folder", partial("dump.nq")),
             ("build.json in the partial folder (publishing next)", partial("build.json"))]
    return [(f"after {d:.2f} s", d) for d in delays] + shown, run_ref


def test_sigkill_at_any_moment_leaves_the_published_store_whole(tmp_path: Path, homes: dict[str, Path],
                                                                serve) -> None:
    link = tmp_path / "store"
    t0 = time.monotonic()
    durations = [complete_build(link, homes["example"])]
    first = published(link)
    http = serve(link)
    assert served(http, first) == first.triples
    durations.append(complete_build(link, homes["stockholm"]))  # a whole second build: the link moves
    info = published(link)
    assert info.id != first.id and served(http, info) == info.triples

    plan, run_ref = moments(link, durations)
    log = []
    for name, when in plan:
        target = next_set(info)
        run = run_ref["run"] = start_build(link, homes[target])
        if callable(when):
            wait_for(when, run)
        else:
            time.sleep(max(0.0, when - (time.monotonic() - run.started)))
        code = run.kill()
        assert code in (-signal.SIGKILL, 0), run.text()  # 0: the build had finished before the kill
        before = info
        info = check_after_kill(link, http, before, target)
        log.append(f"{name:<52} killed at {run.killed_at:5.2f} s, stage {run.stage():<10} "
                   f"-> {'new build ' + info.id if info.id != before.id else 'previous build kept'}"
                   f"{'' if code else ' (it had finished)'}; leftovers {leftovers(link)}")

    # the next build succeeds, removes what the killed ones left, and is served
    target = next_set(info)
    complete_build(link, homes[target])
    final = published(link)
    assert sources_of(final) == set_files(target)
    assert served(http, final) == final.triples
    assert leftovers(link) == []
    assert len(build_folders(link)) <= 2, "more than the published and the previous"
    validate = andts("validate", "--store", str(link), home=homes["stockholm"])
    _, err = validate.communicate(timeout=120)
    assert validate.returncode == 0, err
    print(f"\nbuild durations {', '.join(f'{d:.2f} s' for d in durations)}; {len(plan)} kills:\n  "
          + "\n  ".join(log) + f"\ntotal {time.monotonic() - t0:.1f} s")
    # every kill ended the build before it was done, at least in some: the test killed builds, not ran them
    assert sum("finished" not in line for line in log) >= len(plan) - 2


# --- kills right after each step of the publication -----------------------------------------------------

#: Run in the build process: `andts build`, killing itself with SIGKILL right after one step of
#: store.publish (os.replace and os.symlink are wrapped; the steps themselves run for real).
SELF_KILL = """
import os, shutil, signal, sys
from pathlib import Path
from andts import cli, store

step = sys.argv.pop(1)
state = {"publishing": False, "replaced": 0}
real_publish, real_replace, real_symlink, real_rmtree = store.publish, os.replace, Path.symlink_to, shutil.rmtree

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def publish(*args, **kwargs):
    state["publishing"] = True
    return real_publish(*args, **kwargs)

def replace(src, dst, **kwargs):
    real_replace(src, dst, **kwargs)
    if state["publishing"]:
        state["replaced"] += 1
        if (step, state["replaced"]) in {("moved", 1), ("swapped", 2)}:
            die()

def symlink_to(self, target, **kwargs):
    real_symlink(self, target, **kwargs)
    if state["publishing"] and step == "linked":
        die()

def rmtree(path, *args, **kwargs):
    # the old build being pruned: remove part of it, then die in the middle
    if state["replaced"] == 2 and step == "pruning":
        files = sorted(Path(path).rglob("*.sst"))
        for f in files[: len(files) // 2]:
            f.unlink()
        die()
    return real_rmtree(path, *args, **kwargs)

store.publish, os.replace, Path.symlink_to, shutil.rmtree = publish, replace, symlink_to, rmtree
sys.exit(cli.main(sys.argv[1:]))
"""

#: (step, whether the new build is published when the process dies there). In this order, from "stockholm"
#: published and "example" kept, the attempts build "eskilstuna" thrice (each meeting what the one
#: before left: a folder moved into place but not linked, a link temporary), then "example", whose
#: publication prunes "stockholm" and dies half-way through removing it.
STEPS = [("moved", False), ("linked", False), ("swapped", True), ("pruning", True)]


def test_sigkill_at_each_step_of_publishing(tmp_path: Path, homes: dict[str, Path], serve) -> None:
    link = tmp_path / "store"
    for name in ("example", "stockholm"):  # two builds: one published, one kept as the previous
        complete_build(link, homes[name])
    info = published(link)
    http = serve(link)
    assert served(http, info) == info.triples
    for step, moves in STEPS:
        target = next_set(info)
        proc = subprocess.Popen([sys.executable, "-c", SELF_KILL, step, "build", "--store", str(link)],
                                env=env_for(homes[target]), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL, f"{step}: {err}"
        before = info
        info = check_after_kill(link, http, before, target)
        assert (info.id != before.id) == moves, f"killed after {step!r}: published {info.id}, before {before.id}"
    target = next_set(info)
    # a killed publication's link temporary is removed once it is LINK_TEMPORARY_GRACE old (it could be a
    # live build's in another PID namespace before that): let that time pass for the ones left here
    past = time.time() - store.LINK_TEMPORARY_GRACE - 1
    for temporary in link.parent.glob(f".{link.name}.*.link"):
        os.utime(temporary, (past, past), follow_symlinks=False)
    complete_build(link, homes[target])
    final = published(link)
    assert sources_of(final) == set_files(target) and served(http, final) == final.triples
    assert leftovers(link) == []
    assert len(build_folders(link)) <= 2


# --- the clean-up itself ------------------------------------------------------------------------------


def test_a_partial_folder_of_a_live_build_is_never_removed(tmp_path: Path, homes: dict[str, Path]) -> None:
    """Two builds at once: the second one's clean-up must leave the first one's folder alone (its lock is
    held), and both publish."""
    link = tmp_path / "store"
    first = start_build(link, homes["example"])
    # oxigraph/ inside: well after the folder was made and locked
    wait_for(lambda: any((p / "oxigraph").exists() for p in partial_folders(link)), first)
    first.proc.send_signal(signal.SIGSTOP)  # hold it in the middle of writing
    try:
        (held,) = partial_folders(link)
        removed = store.clean_abandoned(link)
        assert removed == [] and held.is_dir()
        complete_build(link, homes["stockholm"])  # its new_build_dir cleans up too
        assert held.is_dir(), "a build in progress lost its folder"
    finally:
        first.proc.send_signal(signal.SIGCONT)
    assert first.finish() == 0, first.text()
    assert sources_of(published(link)) == set_files("example")
    assert leftovers(link) == []
