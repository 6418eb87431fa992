"""The server's typed errors: plain exceptions that the query engine, the protocol parsing and the pages
raise. Their message is written for the client and sent as is; `http/errors.py` maps each to its HTTP
status in one table."""

from __future__ import annotations

from andts.errors import AndtsError


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
