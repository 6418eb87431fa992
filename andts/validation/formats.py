"""Reports for people (grouped text) and programs (JSON records): the same results in the same order."""

from __future__ import annotations

from rdflib import Node, URIRef

from andts.namespaces import ANDTS
from andts.validation.explain import SEVERITY_ORDER, path_text, severity_name, short, where
from andts.validation.report import Report, Result


def grouped(report: Report) -> list[tuple[URIRef, Node, list[Result]]]:
    """The results grouped by (severity, shape): violations first, then warnings, then infos; within a
    group by source line, then focus node."""
    groups: dict[tuple[Node, Node], list[Result]] = {}
    for r in report.results:
        groups.setdefault((r.severity, r.source_shape), []).append(r)

    def in_order(r: Result) -> tuple:
        line = report.context.value(r.focus_node, ANDTS.sourceLine) if isinstance(r.focus_node, URIRef) else None
        return (int(line) if line is not None and str(line).isdigit() else 10**9, str(r.focus_node), str(r.value))

    def group_order(kv: tuple[tuple[Node, Node], list[Result]]) -> tuple:
        (severity, shape), _results = kv
        return (SEVERITY_ORDER.get(severity, 3), str(shape))

    return [(severity, shape, sorted(results, key=in_order))  # type: ignore[misc]
            for (severity, shape), results in sorted(groups.items(), key=group_order)]


def result_path(report: Report, r: Result) -> str:
    """A result's path as path_text gives it (a blank-node path's text is kept in the result)."""
    return r.path_text if r.path_text is not None else path_text(report.graph, r.path)


def result_record(report: Report, r: Result) -> dict:
    """One result as a JSON-able record: what the shape says and where the focus node comes from."""
    w = where(report.context, r.focus_node)
    return {
        "severity": severity_name(r.severity),
        "sourceShape": str(r.source_shape),
        "focusNode": str(r.focus_node),
        "focusLabel": w.label,
        "sourceDocument": str(w.source) if w.source is not None else None,
        "sourceDocumentLabel": w.source_label,
        "sourceLine": w.line,
        "path": result_path(report, r) or None,
        "value": str(r.value) if r.value is not None else None,
        "message": r.message("en"),
        "messages": {m.language or "": str(m) for m in r.messages},
    }


def as_json(report: Report) -> dict:
    """The report as JSON: every result with its shape, focus node, label, source document and line."""
    records = [result_record(report, r) for _severity, _shape, group in grouped(report) for r in group]
    return {"conforms": report.conforms, "violations": len(report.violations),
            "warnings": len(report.warnings), "results": records}


def describe(report: Report, r: Result) -> list[str]:
    """One result as lines: the focus node (label and IRI), where it comes from, the value, the message."""
    w = where(report.context, r.focus_node)
    lines = [f"  - {w.label} {short(r.focus_node)}" if w.label else f"  - {short(r.focus_node)}"]
    if w.source is not None or w.line is not None:
        doc = (w.source_label or short(w.source)) if w.source is not None else "?"
        lines.append(f"      source: {doc}" + (f", line {w.line}" if w.line is not None else ""))
    if r.path is not None:
        lines.append(f"      path: {result_path(report, r)}")
    if r.value is not None:
        lines.append(f"      value: {short(r.value) if isinstance(r.value, URIRef) else repr(str(r.value))}")
    lines.append(f"      {r.message('en')}")
    return lines


def as_text(report: Report, limit: int | None = None) -> str:
    """Grouped by severity (violations first) and shape; each result with label, source, line, value and
    message; a last line with the totals. `limit`: at most that many results per group."""
    out: list[str] = []
    for severity, shape, results in grouped(report):
        out.append(f"{severity_name(severity)}: {short(shape)} ({len(results)})")
        for r in results[:limit]:
            out.extend(describe(report, r))
        if limit is not None and len(results) > limit:
            out.append(f"  … and {len(results) - limit} more")
        out.append("")
    n_v, n_w = len(report.violations), len(report.warnings)
    verdict = "Conforms" if report.conforms else "Does not conform"
    out.append(f"{verdict}: {n_v} violation(s), {n_w} warning(s).")
    return "\n".join(out) + "\n"
