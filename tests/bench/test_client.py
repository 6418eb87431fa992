"""bench/client.py, the benchmarks' HTTP client, against a real HTTP/1.1 server on loopback (the standard
library's): answers, kept connections, and a connection the server closed."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import pytest

from andts import paths

ROOT = Path(paths.__file__).resolve().parents[1]


def _import_client() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_client", ROOT / "bench" / "client.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench_client = _import_client()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless told otherwise

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        url = urlsplit(self.path)
        server: Recording = self.server  # type: ignore[assignment]
        server.seen.append((url.path, parse_qs(url.query), dict(self.headers), self.client_address[1]))
        body = f"{url.path} {parse_qs(url.query).get('query', [''])[0]}".encode()
        status = 404 if url.path == "/missing" else 200
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if url.path == "/close":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        if url.path == "/drop":  # close the kept connection without saying so, as a server may when idle
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


class Recording(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, dict, dict, int]] = []


@pytest.fixture()
def server() -> Iterator[Recording]:
    s = Recording()
    t = threading.Thread(target=s.serve_forever, daemon=True)
    t.start()
    yield s
    s.shutdown()
    s.server_close()


def _base(s: Recording) -> str:
    return f"http://127.0.0.1:{s.server_address[1]}"


def test_an_answer_with_its_parameters_and_headers(server: Recording) -> None:
    with bench_client.Client(_base(server), headers={"Accept": "text/turtle", "X-A": "1"}) as c:
        status, body = c.get("/sparql", params={"query": "SELECT * { ?s ?p \"å & ö\" }"},
                             headers={"Accept": "application/n-triples"})
        assert status == 200 and body == "/sparql SELECT * { ?s ?p \"å & ö\" }".encode()
        assert c.get("/missing")[0] == 404
    path, query, headers, _ = server.seen[0]
    assert query == {"query": ["SELECT * { ?s ?p \"å & ö\" }"]}
    assert headers["Accept"] == "application/n-triples" and headers["X-A"] == "1"  # the request's header wins
    assert "Accept-Encoding" not in headers or headers["Accept-Encoding"] == "identity"  # no compression asked


def test_requests_share_one_kept_connection(server: Recording) -> None:
    with bench_client.Client(_base(server)) as c:
        for _ in range(5):
            assert c.get("/a")[0] == 200
    assert len({port for *_, port in server.seen}) == 1


@pytest.mark.parametrize("how", ["/close", "/drop"])
def test_a_connection_closed_by_the_server_is_opened_again(server: Recording, how: str) -> None:
    with bench_client.Client(_base(server)) as c:
        assert c.get(how) == (200, f"{how} ".encode())
        assert c.get("/after") == (200, b"/after ")
    assert [p for p, *_ in server.seen] == [how, "/after"]
    assert len({port for *_, port in server.seen}) == 2


def test_a_server_that_is_not_there_is_an_error() -> None:
    s = Recording()
    base = _base(s)
    s.server_close()
    with bench_client.Client(base, timeout=5) as c, pytest.raises(ConnectionError):
        c.get("/")


def test_only_plain_http_base_urls() -> None:
    with pytest.raises(ValueError, match="http://"):
        bench_client.Client("https://example.org")
