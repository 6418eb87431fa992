"""The server's README documents every setting, every error and every route; errors map to statuses."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest

from andts.server import errors
from andts.server.http import errors as statuses
from andts.server.settings import Settings

README = (Path(errors.__file__).parent / "README.md").read_text(encoding="utf-8")

ERROR_TYPES = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, errors.QueryError) and c is not errors.QueryError]


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Settings)])
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in README
    source = inspect.getsource(Settings).splitlines()
    line = next(i for i, text in enumerate(source) if text.strip().startswith(f"{name}:"))
    assert source[line - 1].strip().startswith("#:"), f"Settings.{name} has no #: comment"


@pytest.mark.parametrize("error", ERROR_TYPES, ids=lambda c: c.__name__)
def test_every_error_has_a_status_and_is_documented(error: type[errors.QueryError]) -> None:
    assert error in statuses.STATUS, f"{error.__name__} would fall back to 500"
    assert f"| {statuses.STATUS[error]} | `{error.__name__}` |" in README


ROUTES = ["/", "/sparql", "/health", "/ready", "/.well-known/void", "/dumps/dataset.trig", "/dumps/dataset.nq", "/static",
          "/def", "/def.{ext}", "/id/{rest:path}", "/def/{rest:path}", "/graph/{rest:path}",
          "/queries", "/queries/{name}", "/search", "/compare", "/compare/activities", "/validate", "/quality"]


@pytest.mark.parametrize("route", ["GET /sparql?query=…", "POST /sparql", "GET /sparql", "GET /health", "GET /",
                                   "GET /.well-known/void", "GET /dumps/dataset.trig", "GET /dumps/dataset.nq",
                                   "GET /queries", "GET /queries/{name}", "GET /search", "GET /compare",
                                   "GET /compare/activities", "GET /validate", "POST /validate", "GET /quality"])
def test_every_route_is_documented(route: str) -> None:
    assert f"`{route}`" in README


def test_routes_in_the_app_are_the_documented_ones(settings: Settings) -> None:
    from andts.server.http.app import create_app

    paths = {getattr(r, "path", None) for r in create_app(settings).routes}
    assert set(ROUTES) <= paths
    assert paths - {*ROUTES, "/openapi.json"} == set()


def test_unknown_exceptions_are_500() -> None:
    assert statuses.status_of(RuntimeError("bug")) == 500
