"""The requests of bench/load.py, how one is sent, and the outcomes the server documents for them
(server/README.md): a status, and for a 503 which one, read from its body."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
MAX_ROWS = 50_000  # server/settings.py's default; `andts serve` has no flag for it
MAX_BODY = 1_000_000  # likewise max_body_bytes

# What the bodies of the documented refusals say (server/pool.py, server/sparql.py, server/app.py). Checked
# without apostrophes: an HTML page escapes them.
TIMEOUT_TEXT = "ran longer than"
BUSY_TEXT = "has been busy for"
MEMORY_TEXT = "a query worker may use"
ROWS_TEXT = "the result has more than"
BODY_TEXT = "larger than this endpoint"
BODY_OF = {"503 timeout": TIMEOUT_TEXT, "503 busy": BUSY_TEXT, "503 memory": MEMORY_TEXT, "422": ROWS_TEXT, "413": BODY_TEXT}

OK = frozenset({"200"})
# whichever limit the query reaches first: rows, time, or the worker's memory (--worker-memory)
REFUSED_BY_SIZE_OR_TIME = frozenset({"422", "503 timeout", "503 memory"})
STOPPED = frozenset({"503 timeout", "503 memory"})
DOCUMENTED_503 = ("503 timeout", "503 busy", "503 memory")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    chunked: bool = False  # send the body without Content-Length, so only the streaming check can stop it


@dataclass(frozen=True)
class Kind:
    """One row of the report: requests of one sort, and the outcomes the server documents for them."""

    name: str
    requests: tuple[Request, ...]  # request i of this kind sends requests[i % len(requests)]
    expected: frozenset[str]
    hostile: bool = False


@dataclass(frozen=True)
class Sample:
    phase: str
    kind: str
    outcome: str  # "200", "422", "503 timeout", "503 busy", "503 other", "error: …"
    seconds: float
    detail: str  # the start of the body of a non-200, or the exception
    under_load: bool  # a hostile request was in flight when this one was sent


def sparql(query: str, accept: str = JSON) -> Request:
    return Request("GET", "/sparql", params={"query": query}, headers={"Accept": accept})


def post_query(query: str, chunked: bool = False) -> Request:
    return Request("POST", "/sparql", headers={"Content-Type": "application/sparql-query", "Accept": JSON},
                   body=query.encode(), chunked=chunked)


def outcome_of(status: int, body: str) -> str:
    """The status, and for a 503 which of the documented ones it is (or that it is none of them)."""
    if status != 503:
        return str(status)
    text = body.lower()
    if TIMEOUT_TEXT in text:
        return "503 timeout"
    if BUSY_TEXT in text:
        return "503 busy"
    if MEMORY_TEXT in text:
        return "503 memory"
    return "503 other"


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i:i + size]


def send(client: httpx.Client, req: Request) -> tuple[str, str]:
    """(outcome, detail) of one request; a transport error is an outcome too, not an exception."""
    content = _chunks(req.body) if req.chunked and req.body is not None else req.body
    try:
        r = client.request(req.method, req.path, params=req.params, headers=req.headers, content=content)
    except httpx.HTTPError as exc:
        return f"error: {type(exc).__name__}", str(exc)[:200]
    out = outcome_of(r.status_code, r.text)
    detail = "" if r.status_code == 200 else " ".join(r.text.split())[:200]
    if out in BODY_OF and BODY_OF[out] not in r.text:
        out += " (unexpected body)"  # the right status with another message is not the documented answer
    return out, detail
