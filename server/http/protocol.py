"""The SPARQL 1.1 Protocol's query operation: which parameters a request carries, however it was sent.

    GET  /sparql?query=…&default-graph-uri=…&named-graph-uri=…
    POST /sparql  Content-Type: application/x-www-form-urlencoded   (the same parameters in the body)
    POST /sparql  Content-Type: application/sparql-query            (the query as the body; graphs in the URL)

No web framework here: `parse(method, content_type, url_params, body)` takes the request's parts and
returns a QueryRequest, or None for a GET without a query (the service description), or raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from andts.server.errors import BadRequest, UnsupportedMediaType, UpdateRefused

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

READ_ONLY = ("this endpoint is read-only: SPARQL Update is not accepted. "
             "Send a SELECT, ASK, CONSTRUCT or DESCRIBE query as `query`.")

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()  # the `format` parameters, if any (SPARQLWrapper sends two)


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header ('' when there is none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _charset(content_type: str | None) -> str:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


def _decode(body: bytes, content_type: str | None) -> str:
    charset = _charset(content_type)
    try:
        return body.decode(charset)
    except LookupError:
        raise UnsupportedMediaType(f"unknown charset {charset!r}; send UTF-8") from None
    except UnicodeError as exc:  # not only UnicodeDecodeError: punycode and 'undefined' raise UnicodeError itself
        raise BadRequest(f"the request body is not valid {charset}: {exc}") from None


def _from_params(params: Params) -> QueryRequest:
    names = [k for k, _ in params]
    if "update" in names:
        raise UpdateRefused(READ_ONLY)
    queries = [v for k, v in params if k == "query"]
    if not queries:
        raise BadRequest("missing the `query` parameter")
    if len(queries) > 1:
        raise BadRequest(f"the `query` parameter is given {len(queries)} times; give it exactly once")
    if not queries[0].strip():
        raise BadRequest("the query is empty")
    return QueryRequest(
        query=queries[0],
        default_graphs=tuple(v for k, v in params if k == "default-graph-uri"),
        named_graphs=tuple(v for k, v in params if k == "named-graph-uri"),
        formats=tuple(v for k, v in params if k == "format"),
    )


def parse(method: str, content_type: str | None, url_params: Params, body: bytes = b"") -> QueryRequest | None:
    """The query request in an HTTP request; None for a GET that asks no query (and no update)."""
    if method in ("GET", "HEAD"):
        names = {k for k, _ in url_params}
        if "query" not in names and "update" not in names:
            if names & {"default-graph-uri", "named-graph-uri"}:
                raise BadRequest("missing the `query` parameter")
            return None
        return _from_params(url_params)
    if method != "POST":
        raise BadRequest(f"{method} is not a SPARQL protocol operation; use GET or POST")
    mtype = media_type(content_type)
    if mtype == FORM:
        return _from_params([*url_params, *parse_qsl(_decode(body, content_type), keep_blank_values=True)])
    if mtype == SPARQL_QUERY:
        if any(k == "query" for k, _ in url_params):
            raise BadRequest("the query is given both as the body and as a `query` parameter; give it once")
        return _from_params([*url_params, ("query", _decode(body, content_type))])
    if mtype == SPARQL_UPDATE:
        raise UpdateRefused(READ_ONLY)
    raise UnsupportedMediaType(
        f"a query can be POSTed as {FORM} or {SPARQL_QUERY}, not as {mtype or 'a body without Content-Type'}"
    )
