"""The home page: municipalities and their programmes with counts, the dataset's counts per class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from andts.server.engine import reader, sparql
from andts.server.http.params import Lang
from andts.server.views import context, ontology

if TYPE_CHECKING:
    pass
from collections import defaultdict
from dataclasses import dataclass

from andts.server.http.void import Statistics
from andts.server.views.context import DCTERMS, SCHEMA, Link, PageContext, page_context, parts, respond
from andts.server.views.render import render_page

#: Kinds of entity counted on the home page, in this order.
HOME_CLASSES = ("Programme", "Goal", "FocusArea", "Activity", "ExistingWork", "SubGoal", "Actor", "Method", "Law",
                "Substance", "NationalGoal", "Finding")


PROGRAMME_COUNTS = ("Goal", "FocusArea", "Activity", "Finding")


def home(request: Request, lang: Lang = None) -> Response:
    def render() -> str:
        settings, engine, cache = parts(request)
        ctx = page_context(request, lang)
        ns = ctx.ns
        programmes = cache.get(engine, "programmes", lambda e: read_programmes(e, ns))
        municipalities = cache.get(engine, "municipalities", lambda e: read_municipalities(e, ns))
        stats = request.scope["app"].state.statistics.get(engine)
        names = {p.iri for p in programmes} | {p.strategy for p in programmes if p.strategy} | {m for m, _ in municipalities}
        name = context.Namer(ctx, context.labels_of(engine, names))

        def programme(p: ProgrammeSummary) -> dict[str, object]:
            counts = []
            for local in PROGRAMME_COUNTS:
                n = sum(v for k, v in p.counts.items() if k in _with_subclasses(ctx, ns + local))
                counts.append((ctx.t(f"plural_{local}"), n, ctx.href(p.iri)))
            valid = "–".join(x[:4] if x else "" for x in (p.start, p.end)) if p.start or p.end else None
            return {"link": name.link(p.iri), "valid": valid, "strategy": name.link(p.strategy) if p.strategy else None,
                    "counts": counts}

        munis = [{"link": name.link(m), "code": code,
                  "programmes": [programme(p) for p in programmes if p.municipality == m]} for m, code in municipalities]
        counts = [(context.Link(label=ctx.t(f"plural_{c}"), href=ctx.href(ns + c), iri=ns + c),
                   ontology.class_count(ctx, ns + c, stats)) for c in HOME_CLASSES]
        return home_page(ctx, munis, counts, stats)

    return respond(request, render)


def _with_subclasses(ctx: context.PageContext, iri: str) -> set[str]:
    return {iri, *ctx.vocabulary.descendants(iri)}


@dataclass
class ProgrammeSummary:
    iri: str
    municipality: str
    start: str | None
    end: str | None
    strategy: str | None
    counts: dict[str, int]  # class IRI → entities of the programme


def read_programmes(engine: sparql.Engine, ns: str) -> list[ProgrammeSummary]:
    rows = reader.select(engine, f"""
SELECT ?programme ?municipality ?start ?end ?strategy WHERE {{
  ?programme a <{ns}Programme> ; <{ns}municipality> ?municipality .
  OPTIONAL {{ ?programme <{SCHEMA}startDate> ?start }}
  OPTIONAL {{ ?programme <{SCHEMA}endDate> ?end }}
  OPTIONAL {{ ?programme <{ns}followsStrategy> ?strategy }}
}} ORDER BY ?municipality ?start ?programme""")
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in reader.select(engine, f"""
SELECT ?programme ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {{
  ?e <{ns}programme> ?programme ; a ?type .
}} GROUP BY ?programme ?type"""):
        counts[r["programme"].value][r["type"].value] = reader.integer(r, "n")
    for r in reader.select(engine, f"""
SELECT ?programme (COUNT(DISTINCT ?f) AS ?n) WHERE {{
  GRAPH ?g {{ ?programme a <{ns}Programme> . ?f a <{ns}Finding> }}
}} GROUP BY ?programme"""):  # a programme's findings are those its source's loader reported, in its graph
        counts[r["programme"].value][ns + "Finding"] = reader.integer(r, "n")
    out: dict[str, ProgrammeSummary] = {}
    for r in rows:
        iri = r["programme"].value
        if iri not in out:
            out[iri] = ProgrammeSummary(iri=iri, municipality=r["municipality"].value, start=reader.text(r, "start") or None,
                                        end=reader.text(r, "end") or None, strategy=reader.text(r, "strategy") or None,
                                        counts=counts.get(iri, {}))
    return list(out.values())


def read_municipalities(engine: sparql.Engine, ns: str) -> list[tuple[str, str | None]]:
    """Every municipality with its kommunkod, by code."""
    rows = reader.select(engine, f"""
SELECT ?m ?code WHERE {{ ?m a <{ns}Municipality> OPTIONAL {{ ?m <{DCTERMS}identifier> ?code }} }} ORDER BY ?code ?m""")
    return [(r["m"].value, reader.text(r, "code") or None) for r in rows]


def home_page(ctx: PageContext, municipalities: list[dict[str, object]], counts: list[tuple[Link, int]],
              stats: Statistics) -> str:
    return render_page("home.html", ctx, municipalities=municipalities, counts=counts, stats=stats)
