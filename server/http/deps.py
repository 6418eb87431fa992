"""What routes receive by FastAPI's dependency injection: the settings, the engine serving the build, and
the request body read up to the size limit.
"""

from __future__ import annotations

from fastapi import Request

from andts.server import errors
from andts.server.engine import sparql
from andts.server.settings import Settings


# async: FastAPI runs a plain-def dependency in its thread pool, a thread hand-off per request for nothing
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine(request: Request) -> sparql.Engine:
    return request.app.state.engine


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it is larger than the limit."""
    limit = request.app.state.settings.max_body_bytes
    too_large = errors.RequestTooLarge(f"the request body is larger than this endpoint's limit of {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)
