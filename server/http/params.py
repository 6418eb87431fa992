"""The query parameters the routes take, declared once as typed FastAPI parameters: the routes' signatures
carry them, so /openapi.json describes each route from its own code.

They are declared leniently on purpose: FastAPI would answer a value it refuses with a 422 JSON body, while
this server answers a bad parameter with 400 and a message for people (on the page, for a browser). So the
values are plain strings, refused by the route with its own message; the allowed values are stated for the
schema only (`json_schema_extra`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from andts.server.http import negotiation
from andts.server.views import i18n

#: The largest page number taken (more digits than int() reads quickly; beyond it, the last page).
MAX_PAGE = 10**18 - 1


def _enum(values: object) -> dict[str, object]:
    return {"enum": list(dict.fromkeys(values))}  # type: ignore[call-overload]


Lang = Annotated[str | None, Query(
    description="The page's language; anything else is the default (sv).", json_schema_extra=_enum(i18n.LANGS))]

#: `format`: a short name or a media type (anything with a '/'), repeatable (SPARQLWrapper sends a name and a
#: media type); it replaces the Accept header. An unknown name is 400.
Formats = Annotated[list[str], Query(
    alias="format", description="The format of the answer, instead of the Accept header: a short name or a "
                                "media type.",
    json_schema_extra={"items": {"anyOf": [{"type": "string", **_enum(negotiation.FORMAT_NAMES)},
                                           {"type": "string", "pattern": "/"}]}})]

QueryText = Annotated[str | None, Query(
    alias="query", json_schema_extra={"minLength": 1},
    description="The SPARQL query (exactly once). Without it, GET answers the service description or the query "
                "form. An update, or an `update` parameter, is refused with 403.",
    examples=["SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3"])]
DefaultGraphs = Annotated[list[str], Query(
    alias="default-graph-uri", description="The graphs whose merge is the default graph (SPARQL 1.1 Protocol).",
    json_schema_extra={"items": {"type": "string", "format": "iri"}})]
NamedGraphs = Annotated[list[str], Query(
    alias="named-graph-uri", description="The named graphs of the dataset (SPARQL 1.1 Protocol).",
    json_schema_extra={"items": {"type": "string", "format": "iri"}})]

SearchText = Annotated[str, Query(alias="q", description="The words to look for (the first 200 characters are "
                                                         "used).", examples=["förebyggande"])]
GoalKey = Annotated[str, Query(alias="goal", description="The last segment of a national goal's IRI, or `none`; "
                                                         "other values are 400.", examples=["none"])]
MunicipalityKey = Annotated[str, Query(alias="municipality", description="The last segment of a municipality's "
                                                                         "IRI; other values are 400.",
                                       examples=["stockholm"])]

Sort = Annotated[str, Query(description="A class's instances sorted by (default document).",
                            json_schema_extra=_enum(("document", "label", "municipality")))]
Order = Annotated[str, Query(description="Ascending (default) or descending.", json_schema_extra=_enum(("asc", "desc")))]
Page = Annotated[str, Query(description="Which page of 50 instances (default 1; past the last: the last).",
                            json_schema_extra={"type": "integer", "minimum": 0, "maximum": MAX_PAGE})]

ProgrammeKey = Annotated[str | None, Query(
    alias="programme", description="The last part of a programme graph's IRI: that programme's findings and "
                                   "warnings only; other values are 400.",
    examples=["stockholm-andts-2023-2026"])]
ShapeKey = Annotated[str | None, Query(
    alias="shape", description="A shape as shapes:Name: its warnings only; a shape without warnings in the build "
                               "is 400.", examples=["shapes:FocusArea-activity"])]
Reference = Annotated[str, Query(
    description="For an RDF body: validate with the reference data of the build served (1, the default) or not.",
    json_schema_extra=_enum(("1", "0", "true", "false")))]
Run = Annotated[str | None, Query(alias="run", description="Present: run the query with its defaults (a browser); any other "
                                              "client always gets the results.")]
