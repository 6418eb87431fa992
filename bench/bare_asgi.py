"""A bare ASGI app for bench/overhead.py: it answers every request with the same N-Triples body of
$BARE_ASGI_BYTES bytes (default 2,000), so that uvicorn serving it shows what HTTP alone costs (the client,
loopback, uvicorn with uvloop and httptools, as `andts serve` runs) before any of our code."""

from __future__ import annotations

import os

BODY = b"x" * int(os.environ.get("BARE_ASGI_BYTES", "2000"))
HEADERS = [(b"content-type", b"application/n-triples"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict, receive, send) -> None:  # noqa: ANN001 - the ASGI callables
    if scope["type"] == "lifespan":
        while True:
            kind = (await receive())["type"].removeprefix("lifespan.")  # startup, then shutdown
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
