"""What every response passes through, in one plain ASGI layer (no per-request task, unlike
BaseHTTPMiddleware): the security headers, and one structured access-log line per request.

The pages load nothing from other hosts and run no inline script (the query editor's script is
/static/editor.js; the embedded JSON-LD is a data block, which CSP does not execute), so the policy can be
strict: only our own scripts, styles, images and form targets, no frames, no plugins.

The access log is one JSON object a line on the `andts.access` logger: time, client, method, path, status,
bytes, total milliseconds and the milliseconds spent in queries (`clock.query_clock`). Being JSON, text
from the request (a path, a query) cannot forge a line of its own.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from andts.server.engine import clock

HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]

access_log = logging.getLogger("andts.access")

#: The most characters of a query kept in a log line.
LOGGED_QUERY_CHARS = 500


class Edge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status, size = 0, 0
        spent = clock.start_query_clock()

        async def send_with_headers(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *HEADERS]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(_line(scope, status, size, time.perf_counter() - start, spent[0]))


def _line(scope: Scope, status: int, size: int, seconds: float, query_seconds: float) -> str:
    client = scope.get("client")
    entry: dict[str, object] = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "client": client[0] if client else None,
        "method": scope["method"],
        "path": scope["path"],
        "status": status or 500,  # no response started: the app failed before answering
        "bytes": size,
        "ms": round(seconds * 1000, 2),
        "query_ms": round(query_seconds * 1000, 2),
    }
    query = scope.get("state", {}).get("query")
    if query:
        entry["query"] = query[:LOGGED_QUERY_CHARS]
    return json.dumps(entry, ensure_ascii=False)
