"""The HTTP client the benchmarks drive every server with: one keep-alive connection of the standard library's
`http.client` (what urllib and SPARQLWrapper are built on), nothing else per request.

Why not httpx: its own cost per request is as large as what Oxigraph's server needs to answer a point
lookup (bench/overhead.py measures both clients side by side; the figures are in bench/results/national.md),
and a benchmark of servers should spend its time in the servers. The client asks for no compression (as
urllib, SPARQLWrapper and curl do by default), the same for every server.
"""

from __future__ import annotations

import http.client
from urllib.parse import urlencode, urlsplit


class Client:
    """GET requests over one persistent connection to `base` (http://host:port); reconnects once when the
    server has closed it between requests."""

    def __init__(self, base: str, timeout: float = 30.0, headers: dict[str, str] | None = None) -> None:
        url = urlsplit(base)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"an http:// base URL is needed, not {base!r}")
        self.host, self.port, self.timeout = url.hostname, url.port or 80, timeout
        self.headers = dict(headers or {})
        self._conn: http.client.HTTPConnection | None = None

    def get(self, path: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
            ) -> tuple[int, bytes]:
        """(status, body) of GET path?params."""
        target = f"{path}?{urlencode(params)}" if params else path
        merged = {**self.headers, **(headers or {})}
        for attempt in (1, 2):
            conn = self._conn or self._connect()
            try:
                conn.request("GET", target, headers=merged)
                response = conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed the kept connection: once more on a new one
                if attempt == 2:
                    raise
                continue
            except Exception:
                self.close()  # a timeout or a broken answer leaves the connection unusable
                raise
            if response.will_close:
                self.close()
            return response.status, body
        raise AssertionError("unreachable")

    def _connect(self) -> http.client.HTTPConnection:
        self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
