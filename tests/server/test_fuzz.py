"""Fuzzing every operation of the OpenAPI schema against a real server: no server errors, no internals.

Schemathesis generates requests from GET /openapi.json (server/openapi.py: every route, parameter and
body) and sends them to uvicorn on a loopback port serving the test store (conftest.py's `live`). Each
answer must be one the schema declares (status and Content-Type), never a 5xx other than the documented
503s (a query or validation that ran out of time, busy workers), and never show a Python traceback or a
path of the machine the server runs on. The number of examples is bounded and generation is
deterministic (no example database on disk), so CI sees the same requests every run.
"""

from __future__ import annotations

import copy
import re
from datetime import timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance
from support.servers import LiveServer

from andts.server.http.app import create_app
from andts.server.settings import Settings

pytestmark = pytest.mark.slow  # about 3000 generated requests to a real server

#: Examples per operation in the fuzzing phase; with the examples and coverage phases' own cases about 3000
#: requests, 45-75 s on a shared 2-core machine.
MAX_EXAMPLES = 40

#: The 503 answers the server documents (server/README.md, Statuses): a query stopped at its time limit,
#: every worker busy, another validation running.
DOCUMENTED_503 = re.compile(r"the query ran longer than this endpoint's limit|every query worker has been busy"
                            r"|another validation has been running")

#: What must never reach a client: a Python stack trace, or a path of the server's machine.
LEAKS = ("Traceback", 'File "/', "/work/", "site-packages", ".venv")

#: Body media types schemathesis has no serialiser for: they are text (RDF, SPARQL), sent as such.
schemathesis.serializer.alias(["application/sparql-query", "application/x-turtle", "application/trig",
                               "application/n-triples", "application/n-quads", "application/ld+json",
                               "application/rdf+xml"], "text/plain")

#: If-Modified-Since values (the schema's "http-date"): real dates, and dates with any number in any field,
#: as a broken client or a prober sends them (a 20-digit hour once overflowed the date parser: a 500).
HTTP_DATES = st.one_of(
    st.datetimes(timezones=st.just(timezone.utc)).map(lambda d: format_datetime(d, usegmt=True)),
    st.builds("{}, {} {} {} {}:{}:{} {}".format, st.sampled_from(["Mon", "Sun", "Xyz"]), st.integers(),
              st.sampled_from(["Jan", "Feb", "Dec", "Foo"]), st.integers(), st.integers(), st.integers(),
              st.integers(), st.sampled_from(["GMT", "+0000", "-2359", "+9999", "UT"])),
)
schemathesis.openapi.format("http-date", HTTP_DATES)

#: Every operation a fuzz case was sent to ("GET /sparql"), to check that none was left out.
REACHED: set[str] = set()


def no_server_error(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No 5xx but a documented 503 (for HEAD, which has no body: Busy's Retry-After)."""
    status = response.status_code
    if status < 500:
        return None
    documented = (DOCUMENTED_503.search(response.text or "") is not None
                  or (case.method == "HEAD" and "retry-after" in {k.lower() for k in response.headers}))
    assert status == 503 and documented, (f"{status} from {case.method} {case.formatted_path} {case.query or ''} "
                                          f"{case.headers or ''}: {response.text[:500]!r}")
    return None


def no_internals(store: Path) -> schemathesis.CheckFunction:
    """No traceback or server path in any body, including the store's own folder."""
    leaks = (*LEAKS, str(store.resolve().parent))

    def check(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        body = response.content.decode("utf-8", "replace") if response.content else ""
        found = [leak for leak in leaks if leak in body]
        assert not found, f"{case.method} {case.formatted_path} {case.query or ''} answered {found}: {body[:500]!r}"
        return None

    check.__name__ = "no_internals"
    return check


#: Values that name something in the test store (tests/server/data/fixture.trig), by operation path and
#: parameter: the fuzzed schema offers them beside any string, so that fuzzing reaches the pages and
#: descriptions of real entities (a class page's sort, order and page) and not only 404s and 400s.
FIXTURE_VALUES: dict[tuple[str, str], list[str]] = {
    ("/id/{rest}", "rest"): ["municipality/testby", "programme/testby-andts-2024-2027", "actor/testby/socialnamnden",
                             "activity/testby-andts-2024-2027/3.html", "municipality/provstad.jsonld"],
    ("/def/{rest}", "rest"): ["Activity", "Programme", "municipality", "Actor.html"],
    ("/graph/{rest}", "rest"): ["ontology", "programme/testby-andts-2024-2027", "reference/municipalities.html"],
}


def _with_fixture_values(schema: dict) -> dict:
    fuzz = copy.deepcopy(schema)
    for (path, name), values in FIXTURE_VALUES.items():
        for operation in fuzz["paths"][path].values():
            param = next(p for p in operation["parameters"] if p["name"] == name)
            param["schema"] = {"anyOf": [{"type": "string", "enum": values}, param["schema"]]}
    return fuzz


#: The app's schema, made without a store (create_app opens none; the schema depends on the code and the
#: named queries only); test_the_server_serves_this_schema checks that the live server serves it.
SCHEMA = create_app(Settings(store=Path("no-store-needed-for-the-schema"))).openapi()
fuzzed = schemathesis.openapi.from_dict(_with_fixture_values(SCHEMA), config=schemathesis.Config.from_dict({
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
}))


def test_the_server_serves_this_schema(live: LiveServer) -> None:
    response = live.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == SCHEMA


@fuzzed.parametrize()
# Hypothesis' health checks are about its own speed and filtering: requests to a real server are slow by
# its measure, and enums and required parameters filter; neither says anything about the server.
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case: Case, live: LiveServer, store_path: Path) -> None:
    REACHED.add(f"{case.method} {case.operation.path}")
    response = case.call(base_url=live.url, timeout=30)
    case.validate_response(response, checks=[no_server_error, no_internals(store_path), status_code_conformance,
                                             content_type_conformance])


def test_every_operation_was_fuzzed() -> None:
    """Each operation of the schema got requests. Runs after the fuzzing (pytest keeps the file's order), so
    it fails when run alone: run the module."""
    operations = {f"{method.upper()} {path}" for path, ops in SCHEMA["paths"].items() for method in ops}
    assert len(operations) > 30
    assert operations - REACHED == set()
