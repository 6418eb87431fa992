"""`andts serve`: its options, a clear error without a store, and a real run in a subprocess."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.polling import wait_until
from support.processes import gone

from andts.commands import serve
from andts.errors import StoreError
from andts.server.settings import Settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="andts serve")
    serve.add_arguments(p)
    p.add_argument("--store", default=None)  # added by the CLI for every command
    return p


def test_defaults_are_the_settings_defaults() -> None:
    args = parser().parse_args([])
    settings = serve.settings_from(args)
    defaults = Settings(store=settings.store)
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert (settings.base_iri, settings.query_timeout, settings.workers) == (
        defaults.base_iri, defaults.query_timeout, defaults.workers)


def test_options_reach_the_settings(tmp_path: Path) -> None:
    args = parser().parse_args(["--store", str(tmp_path), "--base-iri", "http://example.org/kg/",
                                "--timeout", "2.5", "--workers", "3", "--disk", "--worker-memory", "0"])
    s = serve.settings_from(args)
    assert (s.store, s.base_iri, s.query_timeout, s.workers) == (tmp_path, "http://example.org/kg/", 2.5, 3)
    assert (s.in_memory, s.worker_memory_mb) == (False, 0)


@pytest.mark.parametrize("argv", [
    pytest.param(["--timeout", "0"], id="timeout 0"),
    pytest.param(["--timeout", "soon"], id="timeout not a number"),
    pytest.param(["--workers", "0"], id="no workers"),
    pytest.param(["--worker-memory", "-1"], id="negative worker memory"),
    pytest.param(["--worker-memory", "lots"], id="worker memory not a number"),
    pytest.param(["--base-iri", "not an iri"], id="base IRI not an IRI"),
    pytest.param(["--port", "http"], id="port not a number"),
])
def test_bad_options_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_help_documents_every_option() -> None:
    text = parser().format_help()
    for option in ("--host", "--port", "--base-iri", "--timeout", "--workers", "--disk", "--worker-memory",
                   "--no-access-log", "--store-url"):
        assert option in text


def test_no_published_store_is_a_clear_error(tmp_path: Path) -> None:
    args = parser().parse_args(["--store", str(tmp_path / "store")])
    with pytest.raises(StoreError, match="no built store .* run 'andts build' first"):
        serve.run(args)


def _children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


@pytest.mark.slow  # `andts serve` in a process of its own
def test_serve_runs_and_stops_cleanly(store_path: Path, unused_port: int) -> None:
    port = unused_port
    code = ("import sys, argparse\n"
            "from andts.commands import serve\n"
            "p = argparse.ArgumentParser(); serve.add_arguments(p); p.add_argument('--store')\n"
            "sys.exit(serve.run(p.parse_args(sys.argv[1:])))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, "--store", str(store_path), "--port", str(port),
                             "--workers", "1", "--timeout", "2"], stderr=subprocess.PIPE, text=True)
    try:
        health = _started(proc, port)
        assert health.status_code == 200, proc.stderr and proc.stderr.read()
        assert health.json()["build"] == "testbuild0000001"
        workers = _children(proc.pid)
        assert len(workers) == 1
        r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=5)
        assert r.json()["boolean"] is True
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        _, err = proc.communicate(timeout=15)
        assert proc.returncode == 0
        assert "build testbuild0000001" in err and f"http://127.0.0.1:{port}/sparql" in err
        # the server waits for its workers as it stops; re-parented, a worker would live on
        wait_until(lambda: all(gone(w) for w in workers), what="no query worker outlives the server")
    finally:
        if proc.poll() is None:
            proc.kill()
        if not proc.stderr.closed:  # the test stopped before it read what the server said
            proc.communicate()


def _run_serve(store_path: Path, port: int, *extra: str) -> subprocess.Popen:
    code = ("import sys, argparse\n"
            "from andts.commands import serve\n"
            "p = argparse.ArgumentParser(); serve.add_arguments(p); p.add_argument('--store')\n"
            "sys.exit(serve.run(p.parse_args(sys.argv[1:])))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, "--store", str(store_path), "--port", str(port),
                             "--workers", "1", "--timeout", "2", *extra], stderr=subprocess.PIPE, text=True)
    try:
        _started(proc, port)
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    return proc


def _started(proc: subprocess.Popen, port: int) -> httpx.Response:
    """The first answer of `andts serve` (running as `proc`) on /health, once it listens."""
    def health() -> httpx.Response | None:
        assert proc.poll() is None, f"andts serve exited: {proc.stderr.read() if proc.stderr else ''}"
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
        except httpx.TransportError:
            return None

    return wait_until(health, what="andts serve listens", every=0.05)


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    return err


def _access_lines(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


@pytest.mark.slow  # `andts serve` in a process of its own
@pytest.mark.parametrize("store_option", [[], ["--disk"]], ids=["in memory", "on disk"])
def test_access_log_is_one_json_line_a_request_with_query_time(store_path: Path, unused_port: int,
                                                                store_option: list[str]) -> None:
    proc = _run_serve(store_path, unused_port, *store_option)
    base = f"http://127.0.0.1:{unused_port}"
    try:
        assert httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=5).json()["boolean"] is True
        # text from the request cannot make a line of its own: a newline and a fake entry in path and query
        hostile = '"}\n{"path": "/forged", "status": 200}'
        assert httpx.get(f"{base}/id/x%0A%7B%22forged%22%3A1%7D", timeout=5).status_code in (400, 404)
        assert httpx.get(f"{base}/sparql", params={"query": "ASK {} #" + hostile}, timeout=5).status_code == 400
        page = httpx.get(f"{base}/id/municipality/testby", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 200
    finally:
        err = _stop(proc)
    lines = _access_lines(err)
    assert all(set(e) >= {"time", "client", "method", "path", "status", "bytes", "ms", "query_ms"} for e in lines)
    ask = next(e for e in lines if e.get("query") == "ASK { ?s ?p ?o }")
    assert (ask["method"], ask["path"], ask["status"], ask["client"]) == ("GET", "/sparql", 200, "127.0.0.1")
    assert 0 < ask["query_ms"] <= ask["ms"] and ask["bytes"] > 0
    entity = next(e for e in lines if e["path"] == "/id/municipality/testby")
    assert entity["query_ms"] > 0  # a page's own queries count too
    assert not any(e["path"] == "/forged" for e in lines)
    assert sum(1 for line in err.splitlines() if "forged" in line) == 2  # each inside its own request's line
    assert "GET /sparql?query" not in err  # uvicorn's own access log is off


@pytest.mark.slow  # `andts serve` in a process of its own
def test_no_access_log(store_path: Path, unused_port: int) -> None:
    proc = _run_serve(store_path, unused_port, "--no-access-log")
    try:
        assert httpx.get(f"http://127.0.0.1:{unused_port}/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200
    finally:
        err = _stop(proc)
    assert _access_lines(err) == []


@pytest.mark.slow  # `andts serve` in a process of its own; a query runs to the time limit
def test_ready_reports_the_build_and_goes_503_while_a_worker_is_replaced(store_path: Path, unused_port: int) -> None:
    proc = _run_serve(store_path, unused_port, "--timeout", "1")
    base = f"http://127.0.0.1:{unused_port}"
    try:
        r = httpx.get(f"{base}/ready", timeout=5)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        body = r.json()
        assert body["ready"] is True and body["build"] == "testbuild0000001" and body["triples"] > 0
        assert body["created"] == "2025-03-01T12:00:00+00:00" and body["serving_since"].endswith("+00:00")
        # a query past the time limit kills the only worker: not ready until its replacement is up
        # 53^6 rows to count: hours, whatever the machine (53^4 took 0.99 s on a fast one, under the limit)
        slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r }"
        assert httpx.get(f"{base}/sparql", params={"query": slow}, timeout=10).status_code == 503
        states = []

        def ready() -> bool:
            r = httpx.get(f"{base}/ready", timeout=5)
            states.append(r.status_code)
            assert r.status_code == 200 or r.json()["ready"] is False
            return r.status_code == 200

        wait_until(ready, what=lambda: f"ready again: {states}")
        assert states[0] == 503 and states[-1] == 200, states
        assert httpx.get(f"{base}/health", timeout=5).status_code == 200
    finally:
        _stop(proc)
