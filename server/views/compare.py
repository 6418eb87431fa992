"""The comparison of municipalities (/compare): activities per national goal and municipality, actors per
national goal, and one cell's activities (/compare/activities). The matrix is computed once per build;
cells are looked up in it by key, never put into a query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from andts.server.engine import reader, sparql
from andts.server.engine.cache import BuildCache, Recent
from andts.server.errors import BadRequest
from andts.server.http.params import GoalKey, Lang, MunicipalityKey
from andts.server.views import context, vocabulary

if TYPE_CHECKING:
    pass
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from andts.server.views.context import DCTERMS, SCHEMA, PageContext, natural, page_context, parts, respond
from andts.server.views.render import render_page
from andts.server.views.vocabulary import SKOS


def _key(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def compare(request: Request, lang: Lang = None) -> Response:
    def render() -> bytes:
        _, engine, cache = parts(request)
        ctx = page_context(request, lang)
        pages_kept: Recent = cache.get(engine, "rendered-pages", lambda e: Recent(size=4))
        # the page is a function of the build, the query string and the root path (as its ETag says)
        key = ("compare", ctx.root, str(request.url.query))
        return pages_kept.get(key, lambda: made(engine, cache, ctx).encode("utf-8"))

    def made(engine: sparql.Engine, cache: BuildCache, ctx: context.PageContext) -> str:
        comp: Comparison = cache.get(engine, "comparison", lambda e: comparison(e, ctx.ns))
        actors = {a for by in comp.actors.values() for a in by}
        wanted = ({g.iri for g in comp.goals} | {e for g in comp.goals for e in g.earlier} | set(comp.municipalities)
                  | actors | ({comp.strategy} if comp.strategy else set()))
        name = context.Namer(ctx, context.labels_of(engine, wanted))
        rows = [(g.iri, g.notation, g.earlier) for g in comp.goals] + [("", "", [])]
        most = max((len(comp.cell(g, m)) for g, _, _ in rows for m in comp.municipalities), default=0)
        goals = []
        for iri, notation, earlier in rows:
            label = name.link(iri) if iri else context.Link(label=ctx.t("comparison_unlinked"), href="#", iri="", local=True)
            cells = []
            for m in comp.municipalities:
                n = len(comp.cell(iri, m))
                cells.append({"count": n, "heat": heat(n, most),
                              "href": ctx.page("compare/activities", [("goal", _key(iri) if iri else "none"),
                                                                      ("municipality", _key(m))]),
                              "title": f"{name.link(m).label}, {notation or label.label}"})
            if iri or any(c["count"] for c in cells):
                goals.append({"link": label, "notation": notation, "earlier": [name.link(e) for e in earlier],
                              "cells": cells})
        municipalities = [{"link": name.link(m), "total": comp.total(m)} for m in comp.municipalities]
        overarching = "Ö" if ctx.lang == "sv" else "O"
        goal_heads = [{"short": g.notation or overarching, "title": name.link(g.iri).label} for g in comp.goals] + [{"short": "–", "title": ctx.t("comparison_unlinked")}]
        actor_tables = []
        for m in comp.municipalities:
            by_actor = comp.actors.get(m, {})
            most_here = max((n for gs in by_actor.values() for n in gs.values()), default=0)
            table_rows = []
            for actor, by_goal in by_actor.items():
                cells = [{"count": by_goal.get(g.iri, 0), "heat": heat(by_goal.get(g.iri, 0), most_here)}
                         for g in comp.goals]
                cells.append({"count": by_goal.get("", 0), "heat": heat(by_goal.get("", 0), most_here)})
                table_rows.append({"link": name.link(actor), "cells": cells, "total": sum(by_goal.values()),
                                   "coordinates": comp.coordinators.get(m, {}).get(actor, 0)})
            table_rows.sort(key=lambda r: (-r["total"], r["link"].label.casefold()))
            actor_tables.append({"municipality": name.link(m), "rows": table_rows})
        return compare_page(ctx, strategy=name.link(comp.strategy) if comp.strategy else None, goals=goals,
                                  municipalities=municipalities, goal_heads=goal_heads, actor_tables=actor_tables)

    return respond(request, render)


def compare_cell(request: Request, goal_key: GoalKey, municipality_key: MunicipalityKey,
                 lang: Lang = None) -> Response:
    """One cell of the comparison: looked up by the keys in the computed matrix, never put into a query."""
    _, engine, cache = parts(request)
    ctx = page_context(request, lang)
    comp: Comparison = cache.get(engine, "comparison", lambda e: comparison(e, ctx.ns))
    goal = "" if goal_key == "none" else next((g.iri for g in comp.goals if _key(g.iri) == goal_key), None)
    municipality = next((m for m in comp.municipalities if _key(m) == municipality_key), None)
    if goal is None or municipality is None:
        raise BadRequest("goal must be the last part of a national goal's IRI (or none) and municipality the last part "
                         "of a municipality's IRI, as the links on /compare have them")

    def render() -> str:
        activities = comp.cell(goal, municipality)
        ns = ctx.ns
        rows: list[reader.Row] = []
        if activities:
            values = " ".join(reader.term(ox.NamedNode(a)) for a in activities)
            rows = reader.select(engine, f"""
SELECT ?activity ?area ?notation ?goal ?line WHERE {{ VALUES ?activity {{ {values} }}
  OPTIONAL {{ ?activity <{ns}focusArea> ?area OPTIONAL {{ ?area <{vocabulary.SKOS}notation> ?notation }}
             OPTIONAL {{ ?area <{ns}goal> ?goal }} }}
  OPTIONAL {{ ?activity <{ns}sourceLine> ?line }}
}}""")
        wanted = {v.value for r in rows for v in r.values() if isinstance(v, ox.NamedNode)} | {municipality}
        if goal:
            wanted.add(goal)
        name = context.Namer(ctx, context.labels_of(engine, wanted))
        seen: set[str] = set()
        items = []
        for r in sorted(rows, key=lambda r: (context.natural(reader.text(r, "notation")), reader.integer(r, "line"))):
            if r["activity"].value in seen:
                continue
            seen.add(r["activity"].value)
            items.append({"link": name.link(r["activity"].value),
                          "area": name.link(r["area"].value) if "area" in r else None,
                          "area_notation": reader.text(r, "notation"),
                          "goal": name.link(r["goal"].value) if "goal" in r else None})
        notation = next((g.notation for g in comp.goals if g.iri == goal), "") if goal else ""
        heading = ctx.t("comparison_cell", municipality=name.link(municipality).label,
                        goal=notation or (name.link(goal).label[:40] if goal else ctx.t("comparison_unlinked")))
        return compare_cell_page(ctx, heading=heading, goal=name.link(goal) if goal else None, items=items)

    return respond(request, render)


@dataclass
class GoalRow:
    iri: str  # a national goal of the current strategy
    notation: str  # "1", … or "" for the overarching goal
    earlier: list[str]  # goals of earlier strategies that correspond to it


@dataclass
class Comparison:
    strategy: str | None  # the current national strategy (not replaced by another)
    goals: list[GoalRow]
    municipalities: list[str]
    cells: dict[tuple[str, str], list[str]]  # (goal row IRI or "", municipality) → activity IRIs
    actors: dict[str, dict[str, dict[str, int]]]  # municipality → actor → goal row IRI ("" none) → activities
    coordinators: dict[str, dict[str, int]]  # municipality → actor → activities it coordinates
    activities: dict[str, str]  # activity IRI → municipality

    def cell(self, goal: str, municipality: str) -> list[str]:
        return self.cells.get((goal, municipality), [])

    def total(self, municipality: str) -> int:
        return sum(1 for m in self.activities.values() if m == municipality)


def comparison(engine: sparql.Engine, ns: str) -> Comparison:
    """Activities per national goal (of the strategy in force) and municipality; actors per goal."""
    current, rows, row_of = _goal_rows(engine, ns)
    # Simple joins, each read whole and joined here: one query with the paths and OPTIONAL is far slower at
    # national size, and an activity per row outgrows the pages' row limit (per build, so once).
    activities = {r["activity"].value: r["municipality"].value for r in reader.select(engine, f"""
SELECT ?activity ?municipality WHERE {{
  ?activity a <{ns}Activity> ; <{ns}programme> ?programme . ?programme <{ns}municipality> ?municipality }}""",
        max_rows=reader.WHOLE_READ_ROWS)}
    rows_of_activity = _rows_of_activities(engine, ns, activities, row_of)
    cells: dict[tuple[str, str], set[str]] = defaultdict(set)
    for activity, found in rows_of_activity.items():
        linked = found - {""}
        for row in linked or {""}:
            cells[(row, activities[activity])].add(activity)
    actors, coordinators = _actors(engine, ns, activities, rows_of_activity)
    ordered = sorted(rows.values(), key=lambda g: (g.notation != "", natural(g.notation)))
    return Comparison(
        strategy=current, goals=ordered, municipalities=sorted(set(activities.values())),
        cells={k: sorted(v) for k, v in cells.items()}, actors=actors, coordinators=coordinators,
        activities=activities,
    )


def _goal_rows(engine: sparql.Engine, ns: str) -> tuple[str | None, dict[str, GoalRow], dict[str, str]]:
    """The strategy in force, a row per national goal of it, and the row of every goal (earlier strategies'
    goals go to the row of the goal they correspond to)."""
    strategies = reader.select(engine, f"""
SELECT ?strategy ?start WHERE {{
  ?strategy a <{ns}NationalStrategy> .
  FILTER NOT EXISTS {{ ?strategy <{DCTERMS}isReplacedBy> ?newer }}
  OPTIONAL {{ ?strategy <{SCHEMA}startDate> ?start }}
}} ORDER BY DESC(STR(?start)) ?strategy""")
    current = strategies[0]["strategy"].value if strategies else None
    goal_rows = reader.select(engine, f"""
SELECT ?goal ?strategy ?notation ?same WHERE {{
  ?goal <{ns}strategy> ?strategy .
  OPTIONAL {{ ?goal <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?goal <{ns}correspondsTo> ?same }}
}}""")
    strategy_of = {r["goal"].value: r["strategy"].value for r in goal_rows}
    rows: dict[str, GoalRow] = {}
    for r in goal_rows:
        if r["strategy"].value == current and r["goal"].value not in rows:
            rows[r["goal"].value] = GoalRow(iri=r["goal"].value, notation=reader.text(r, "notation"), earlier=[])
    row_of: dict[str, str] = {g: g for g in rows}
    for r in goal_rows:
        goal, same = r["goal"].value, r.get("same")
        if goal not in rows and isinstance(same, ox.NamedNode) and strategy_of.get(same.value) == current:
            row_of[goal] = same.value
            if goal not in rows[same.value].earlier:
                rows[same.value].earlier.append(goal)
    return current, rows, row_of


def _rows_of_activities(engine: sparql.Engine, ns: str, activities: dict[str, str], row_of: dict[str, str]
                        ) -> dict[str, set[str]]:
    """The national-goal rows of each activity, through its focus area's goal or its own ("" for none)."""
    rows_of_activity: dict[str, set[str]] = {a: set() for a in activities}
    for via_area in (True, False):
        path = f"<{ns}focusArea> ?area . ?area <{ns}goal> ?goal" if via_area else f"<{ns}goal> ?goal"
        for r in reader.select(engine, f"""
SELECT ?activity ?national WHERE {{ ?activity {path} . ?goal <{ns}nationalGoal> ?national }}""",
                               max_rows=reader.WHOLE_READ_ROWS):
            activity, national = r["activity"].value, r["national"]
            if activity in rows_of_activity and isinstance(national, ox.NamedNode):
                rows_of_activity[activity].add(row_of.get(national.value, ""))
    return rows_of_activity


def _actors(engine: sparql.Engine, ns: str, activities: dict[str, str], rows_of_activity: dict[str, set[str]]
            ) -> tuple[dict[str, dict[str, dict[str, int]]], dict[str, dict[str, int]]]:
    """Per municipality, the activities each responsible actor has per goal row, and those it coordinates."""
    actors: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    coordinators: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    coordinating = {(r["activity"].value, r["actor"].value) for r in reader.select(engine, f"""
SELECT ?activity ?actor WHERE {{ ?activity <{ns}coordinator> ?actor }}""", max_rows=reader.WHOLE_READ_ROWS)}
    responsible = {(r["activity"].value, r["actor"].value) for r in reader.select(engine, f"""
SELECT ?activity ?actor WHERE {{ ?activity <{ns}responsible> ?actor }}""", max_rows=reader.WHOLE_READ_ROWS)}
    for activity, actor in responsible:
        municipality = activities.get(activity)
        if municipality is None:  # the subject of andts:responsible is not an activity
            continue
        linked = rows_of_activity[activity] - {""}
        for row in linked or {""}:
            actors[municipality][actor][row] += 1
        if (activity, actor) in coordinating:
            coordinators[municipality][actor] += 1
    return ({m: {a: dict(gs) for a, gs in by.items()} for m, by in actors.items()},
            {m: dict(c) for m, c in coordinators.items()})


def heat(count: int, most: int, levels: int = 5) -> int:
    """A shade from 0 (none) to `levels` for a count, relative to the largest count in the table; any
    count above zero gets at least shade 1, so a cell with one activity is never mistaken for none."""
    if count <= 0 or most <= 0:
        return 0
    bounds = [most * i / levels for i in range(1, levels)]
    return min(levels, 1 + bisect_right(bounds, count - 1e-9))


def compare_page(ctx: PageContext, **values: object) -> str:
    return render_page("compare.html", ctx, **values)


def compare_cell_page(ctx: PageContext, **values: object) -> str:
    return render_page("compare_cell.html", ctx, **values)
