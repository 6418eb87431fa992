"""Hostile requests over a real socket: path traversal on every route, and header injection.

Sent as raw HTTP/1.1 (an HTTP client would normalise `..` away before it leaves), to the loopback uvicorn
of `live`. Whatever a route does with such a path, it must not read outside what it serves, answer with a
server error, show a server path, or let request text become a header of its own.
"""

from __future__ import annotations

import socket

import pytest

from andts import paths

#: A file outside everything served, and one of the project's own files beside the served folders.
SECRETS = {"root:x:0:0": "/etc/passwd", "[build-system]": str(paths.ROOT / "pyproject.toml")}

#: Every route prefix of the app (tests/server/test_docs.py checks the list against the app).
PREFIXES = ["/", "/sparql", "/health", "/ready", "/.well-known/void", "/dumps/dataset.nq", "/static/", "/def",
            "/id/", "/def/", "/graph/", "/queries/", "/search", "/compare", "/compare/activities", "/validate",
            "/quality", "/openapi.json"]

TRAVERSALS = ["../../../../../../etc/passwd", "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
              "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "..%5c..%5c..%5cetc%5cpasswd",
              "....//....//....//etc/passwd", "%252e%252e%252fetc%252fpasswd", "..%00/etc/passwd",
              "../../pyproject.toml", "../../../pyproject.toml", "static/../../pyproject.toml",
              "%2e%2e%2f%2e%2e%2fpyproject.toml", "/etc/passwd", "//etc/passwd"]


def raw_get(port: int, target: str, headers: str = "Accept: */*\r\n") -> tuple[int, str, bytes]:
    """Status line code, header block and body of one raw GET (Connection: close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
                  .encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, _, header_block = head.decode("latin-1").partition("\r\n")
    return int(status_line.split()[1]), header_block, body


@pytest.mark.parametrize("prefix", PREFIXES)
def test_path_traversal_on_every_route(live, prefix: str) -> None:
    for traversal in TRAVERSALS:
        target = prefix.rstrip("/") + "/" + traversal.lstrip("/") if prefix != "/" else "/" + traversal
        status, _, body = raw_get(live.port, target)
        text = body.decode("utf-8", "replace")
        assert status < 500 or status == 503, (target, status, text[:300])
        for secret, where in SECRETS.items():
            assert secret not in text, f"{target} answered with the content of {where}"
        assert str(paths.ROOT) not in text and "site-packages" not in text, (target, text[:300])


INJECTIONS = [
    "/id/x%0d%0aSet-Cookie:%20injected=1",
    "/id/x%0aSet-Cookie:%20injected=1",
    "/def/Activity%0d%0aSet-Cookie:%20injected=1",
    "/graph/x%0d%0aX-Injected:%201",
    "/sparql?query=ASK%7B%7D&format=json%0d%0aSet-Cookie:%20injected=1",
    "/search?q=x%0d%0aSet-Cookie:%20injected=1",
    "/def/Activity?sort=label%0d%0aSet-Cookie:%20injected=1",
    "/compare/activities?goal=x%0d%0aSet-Cookie:%20injected=1&municipality=y",
    "/queries/activities-per-goal?municipality=x%0d%0aSet-Cookie:%20injected=1",
    "/?lang=en%0d%0aSet-Cookie:%20injected=1",
]


@pytest.mark.parametrize("target", INJECTIONS)
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_request_text_never_becomes_a_header(live, target: str, accept: str) -> None:
    status, header_block, _ = raw_get(live.port, target, f"Accept: {accept}\r\n")
    assert status < 500, (target, status)
    names = [line.split(":", 1)[0].strip().lower() for line in header_block.split("\r\n") if line]
    assert "set-cookie" not in names and "x-injected" not in names, header_block
    # every header line is a name and a value: no bare line (a split header) anywhere
    assert all(":" in line for line in header_block.split("\r\n") if line), header_block
