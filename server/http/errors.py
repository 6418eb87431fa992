"""The HTTP status each typed error (`andts.server.errors`) is answered with, in one table. The
app's one exception handler (http/endpoint.py) looks errors up here.

Status choices that the SPARQL 1.1 Protocol leaves open:
  * SPARQL Update in any form (an `update` parameter, an application/sparql-update body, or an update
    sent as `query`) is refused with 403 Forbidden: the request is understood, the endpoint is read-only.
  * SERVICE is refused with 403 too (a policy, not a syntax error) unless the server allows it.
  * A query that outlives the time limit is stopped and answered with 503; so is a request that finds
    every worker busy for that long (with Retry-After).
  * A result larger than the row limit is answered with 422: the query is valid but too broad, and the
    client has to narrow it. A truncated result is never sent with 200.
"""

from __future__ import annotations

from andts.errors import StoreError
from andts.server.errors import (
    BadRequest,
    Busy,
    MalformedQuery,
    MemoryLimit,
    NotAcceptable,
    QueryFailed,
    QueryTimeout,
    QueryTooComplex,
    RequestTooLarge,
    ServiceRefused,
    TooManyRows,
    UnsupportedMediaType,
    UpdateRefused,
    WorkerFailed,
)

#: The one mapping from error type to HTTP status. Looked up along the class hierarchy.
STATUS: dict[type[BaseException], int] = {
    BadRequest: 400,
    MalformedQuery: 400,
    QueryTooComplex: 400,
    UpdateRefused: 403,
    ServiceRefused: 403,
    NotAcceptable: 406,
    RequestTooLarge: 413,
    UnsupportedMediaType: 415,
    TooManyRows: 422,
    QueryFailed: 500,
    WorkerFailed: 500,
    QueryTimeout: 503,
    MemoryLimit: 503,
    Busy: 503,
    StoreError: 503,
}

#: Extra response headers for some errors.
HEADERS: dict[type[BaseException], dict[str, str]] = {
    Busy: {"Retry-After": "1"},
    UpdateRefused: {"Allow": "GET, POST"},
}


def _lookup(table: dict[type[BaseException], object], exc: BaseException) -> object | None:
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return None


def status_of(exc: BaseException) -> int:
    """The HTTP status for an error (500 for anything unexpected)."""
    status = _lookup(STATUS, exc)
    return status if isinstance(status, int) else 500


def headers_of(exc: BaseException) -> dict[str, str]:
    headers = _lookup(HEADERS, exc)
    return dict(headers) if isinstance(headers, dict) else {}
