"""The server's typed errors and, in one table, the HTTP status each one is answered with.

The errors are plain exceptions (no web framework here): the query engine and the protocol parsing raise
them, and the one exception handler in `app.py` turns any of them into a response by looking it up in
STATUS. Their message is written for the client and sent as is.

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

from andts.errors import AndtsError, StoreError


class QueryError(AndtsError):
    """A SPARQL request the server will not or cannot answer."""


class BadRequest(QueryError):
    """The request breaks the SPARQL protocol (no query, a repeated query, a bad parameter)."""


class QueryTooComplex(BadRequest):
    """A query nested deeper or longer than the parser can take without overflowing its stack."""


class MalformedQuery(QueryError):
    """The query does not parse; the message is the parser's."""


class UpdateRefused(QueryError):
    """SPARQL Update sent to the read-only endpoint."""


class ServiceRefused(QueryError):
    """A federated query (SERVICE) while the server does not allow them."""


class NotAcceptable(QueryError):
    """None of the media types the client accepts fits the query's result."""


class RequestTooLarge(QueryError):
    """The request body is larger than the server accepts."""


class UnsupportedMediaType(QueryError):
    """A POST body in a media type the protocol does not define for queries."""


class TooManyRows(QueryError):
    """The result has more rows (solutions or triples) than the server returns."""


class QueryTimeout(QueryError):
    """The query ran longer than the time limit and was stopped."""


class Busy(QueryError):
    """Every query worker stayed busy for as long as the time limit."""


class MemoryLimit(QueryError):
    """The query needed more memory than a query worker may use; its worker was stopped."""


class WorkerFailed(QueryError):
    """A query worker died or failed in a way that is not the query's fault."""


class QueryFailed(QueryError):
    """The query parsed but its evaluation failed (a store error, a failing SERVICE call)."""


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
