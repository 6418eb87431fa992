"""Validation for maintainers over HTTP, and the quality of the build served.

    GET  /validate           a form: paste RDF or upload a file (any RDF format), with or without the
                             reference data
    POST /validate           the form (multipart/form-data or urlencoded: fields `data`, `file`, `format`,
                             `reference`) → the report as a page; or an RDF body (Content-Type text/turtle,
                             application/trig, application/n-triples, application/n-quads,
                             application/ld+json, application/rdf+xml; `?reference=0` without the
                             reference data) → the report as Turtle (the SHACL validation report, the
                             default), JSON (`andts validate --format json`) or HTML, by Accept
    GET  /quality            the served build's findings (andts:Finding) and its SHACL warnings; past
                             FULL_LIST_LIMIT of them, counts per programme and shape; `?programme=`
                             lists one programme's, `?shape=` one shape's warnings

The validation is `andts.validation.validate_dataset`, the build's gate: each programme graph with the
reference data of the build served (read once per build from its dump). It runs pyshacl in this process,
so it is bounded: the body by `max_body_bytes` (413), one validation at a time (another waits at most
`query_timeout` seconds, then 503 `Busy`). An upload that does not parse is 400 with the parser's line.

The warnings on /quality were recorded by `andts build` in the build's build.json (the build validated
its data anyway, so the server repeats no validation); over a remote store (`--store-url`), which has no
build.json, the server validates the data it serves once per build (cache.py) instead. The findings come
from the store by a query.
No FastAPI here: app.py registers the routes and hands the bounded body to `validate_post`.
"""

from __future__ import annotations

import email.parser
import email.policy
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from rdflib import Graph, URIRef
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from andts import store as layout, validation
from andts.errors import RdfParseError
from andts.server.http import conditional, negotiation
from andts.server.views import pages, site, entity as views
from andts.server.engine import reader, sparql
from andts.server.errors import BadRequest, Busy, NotAcceptable, UnsupportedMediaType
from andts.server.http.negotiation import HTML, Offer

#: What a validation report is answered as: the SHACL report in Turtle first (the default for an API
#: call), the JSON of `andts validate --format json`, a page.
REPORT_OFFERS: tuple[Offer, ...] = (Offer("text/turtle", "turtle"), Offer("application/json", "json"), HTML)
#: Input formats the form offers (the `format` field): auto-detection and validation.FORMAT_NAMES.
FORM_FORMATS = ("auto", "turtle", "trig", "ntriples", "nquads", "jsonld", "rdfxml")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
#: Focus nodes looked up in the served build to decide which get a link to their page.
MAX_LINKED = 2000

_lock_guard = threading.Lock()


def _validation_lock(request: Request) -> threading.BoundedSemaphore:
    state = request.scope["app"].state
    with _lock_guard:
        if getattr(state, "validation_lock", None) is None:
            state.validation_lock = threading.BoundedSemaphore(1)
        return state.validation_lock


# --- the form and the report ---------------------------------------------------------------------------


def validate_form(request: Request) -> Response:
    ctx = site.context(request)
    return HTMLResponse(_page(ctx, form=Form()))


@dataclass
class Form:
    data: str = ""
    format: str = "auto"
    reference: bool = True
    filename: str | None = None


def validate_post(request: Request, body: bytes) -> Response:
    """A form post (the page) or an RDF body (the API): parse, validate, answer the report."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    is_form = media in FORM_TYPES
    offers = (HTML, *REPORT_OFFERS[:2]) if is_form else REPORT_OFFERS
    offer = negotiation.best_offer(request.headers.get("accept"), offers)
    if offer is None:
        raise NotAcceptable("a validation report is available as " + ", ".join(o.media_type for o in REPORT_OFFERS))
    ctx = site.context(request) if offer is HTML else None
    if is_form:
        form, payload = _read_form(media, content_type, body)
        fmt = _form_format(form, payload)
        with_reference = form.reference
        name = form.filename or "the pasted data"
    elif media in validation.MEDIA_TYPES:
        form, payload = None, body
        fmt = validation.MEDIA_TYPES[media]
        flag = request.query_params.get("reference", "1")
        if flag not in ("0", "1", "true", "false"):
            raise BadRequest("reference must be 1 (validate with the reference data, the default) or 0")
        with_reference = flag in ("1", "true")
        name = "the request body"
    else:
        raise UnsupportedMediaType(
            f"POST /validate takes a form ({', '.join(FORM_TYPES)}) or RDF in one of: "
            + ", ".join(sorted(validation.MEDIA_TYPES)))
    if not payload.strip():
        return _refuse(ctx, form, "nothing to validate: paste RDF or choose a file")
    try:
        graphs = validation.parse_rdf(payload, fmt, name)
    except RdfParseError as exc:
        return _refuse(ctx, form, str(exc), line=getattr(exc, "line", None))
    report = _validate(request, graphs, with_reference)
    if offer is HTML:
        assert ctx is not None
        return HTMLResponse(_page(ctx, form=form or Form(reference=with_reference), report=report,
                                  known=_known(request, report)))
    headers = {"Vary": "Accept"}
    if offer.key == "json":
        import json

        body_out = json.dumps(validation.as_json(report), ensure_ascii=False, indent=1)
        return Response(body_out, media_type="application/json", headers=headers)
    return Response(report.graph.serialize(format="turtle"), media_type=offer.content_type, headers=headers)


def _refuse(ctx: views.PageContext | None, form: Form | None, message: str, line: int | None = None) -> Response:
    """400: the message (with the line) as the page for a browser, else as BadRequest's plain text."""
    if ctx is None:
        raise BadRequest(message)
    return HTMLResponse(_page(ctx, form=form or Form(), error=message, line=line), status_code=400)


def _read_form(media: str, content_type: str, body: bytes) -> tuple[Form, bytes]:
    """The form's fields: a file (if one was chosen) wins over pasted text."""
    fields: dict[str, str] = {}
    file_data, filename = b"", None
    if media == "application/x-www-form-urlencoded":
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise BadRequest("the form is not UTF-8") from None
    else:
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        if not message.is_multipart():
            raise BadRequest("the multipart/form-data body has no parts (is the boundary right?)")
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if name == "file" and part.get_filename():
                file_data, filename = payload, part.get_filename()
            elif isinstance(name, str):
                try:
                    fields[name] = payload.decode("utf-8")
                except UnicodeDecodeError:
                    raise BadRequest(f"the form field {name!r} is not UTF-8") from None
    fmt = fields.get("format", "auto") or "auto"
    if fmt not in FORM_FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORM_FORMATS)}")
    form = Form(data=fields.get("data", ""), format=fmt, reference=fields.get("reference", "") in ("1", "on", "true"),
                filename=filename if file_data.strip() else None)
    return form, file_data if file_data.strip() else form.data.encode("utf-8")


def _form_format(form: Form, payload: bytes) -> ox.RdfFormat:
    """The format chosen, else from the file's name, else from the text: JSON-LD if it starts with { or [,
    RDF/XML if with <? or <rdf, else TriG (which reads Turtle, N-Triples and N-Quads as well)."""
    if form.format != "auto":
        return validation.FORMAT_NAMES[form.format]
    if form.filename and "." in form.filename:
        suffix = "." + form.filename.rsplit(".", 1)[-1].lower()
        if suffix in validation.SUFFIXES:
            found = validation.SUFFIXES[suffix]
            return ox.RdfFormat.TRIG if found in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) else found
    start = payload.lstrip()[:5]
    if start[:1] in (b"{", b"["):
        return ox.RdfFormat.JSON_LD
    if start.startswith((b"<?xml", b"<rdf:")):
        return ox.RdfFormat.RDF_XML
    return ox.RdfFormat.TRIG


def _dataset(engine: sparql.Engine) -> dict[URIRef | None, Graph]:
    """The served dataset, graph by graph: the build's N-Quads dump, or for a remote store (no build
    folder) the store's quads."""
    folder = engine.build.folder
    if folder is None:
        data = engine.dump(ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]
        return validation.parse_rdf(data, ox.RdfFormat.N_QUADS, "the remote store")
    dump = folder / layout.DUMP_NQ
    if not dump.is_file():
        return {}
    return validation.parse_rdf(dump.read_bytes(), ox.RdfFormat.N_QUADS, str(dump))


def _reference(engine: sparql.Engine) -> dict[URIRef | None, Graph]:
    """The served build's reference graphs."""
    return {name: g for name, g in _dataset(engine).items() if validation.is_reference(name)}


def _served_results(engine: sparql.Engine) -> list[dict]:
    """The SHACL results of the served data, for a store `andts build` did not record them for."""
    report = validation.validate_dataset(_dataset(engine))
    return [validation.result_record(report, r) for _sev, _shape, group in validation.grouped(report) for r in group]


def _validate(request: Request, graphs: dict[URIRef | None, Graph], with_reference: bool) -> validation.Report:
    """Validate an upload as the build validates a programme: with the served build's reference data
    (the project's reference files if the build has none, e.g. an old dump). One at a time."""
    settings, engine, cache = site._parts(request)
    data = {name: g for name, g in graphs.items() if not validation.is_reference(name)} or dict(graphs)
    if with_reference and not any(validation.is_reference(n) for n in graphs):
        data.update(cache.get(engine, "validation-reference", _reference))
    lock = _validation_lock(request)
    if not lock.acquire(timeout=settings.query_timeout):
        raise Busy(f"another validation has been running for {settings.query_timeout} s; try again")
    try:
        return validation.validate_dataset(data, with_reference=with_reference)
    finally:
        lock.release()


def _known(request: Request, report: validation.Report) -> set[str]:
    """The focus nodes that the served build describes (they get links to their pages)."""
    _, engine, _ = site._parts(request)
    iris = sorted({str(r.focus_node) for r in report.results if isinstance(r.focus_node, URIRef)})[:MAX_LINKED]
    known: set[str] = set()
    for start in range(0, len(iris), 500):
        values = " ".join(reader.term(ox.NamedNode(i)) for i in iris[start:start + 500])
        rows = reader.select(engine, f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
        known |= {row["s"].value for row in rows}
    return known


@dataclass
class Entry:
    focus: views.Link
    label: str | None
    source: views.Link | None
    line: int | None
    path: str
    value: str | None
    message: str


def _groups(ctx: views.PageContext, report: validation.Report, known: set[str]) -> list[dict[str, object]]:
    out = []
    for severity, shape, results in validation.grouped(report):
        entries = []
        for r in results:
            w = validation.where(report.context, r.focus_node, ctx.lang)
            iri = str(r.focus_node)
            focus = views.Link(label=w.label or iri, href=ctx.href(iri) if iri in known else "", iri=iri)
            source = None
            if w.source is not None:
                source = views.Link(label=w.source_label or str(w.source),
                                    href=ctx.href(str(w.source)) if str(w.source) in known else "", iri=str(w.source))
            entries.append(Entry(focus=focus, label=w.label, source=source, line=w.line,
                                 path=validation.result_path(report, r),
                                 value=validation.short(r.value) if r.value is not None else None,
                                 message=r.message(ctx.lang)))
        out.append({"severity": validation.severity_name(severity), "shape": validation.short(shape),
                    "entries": entries})
    return out


def _page(ctx: views.PageContext, *, form: Form, report: validation.Report | None = None, known: set[str] = frozenset(),
          error: str | None = None, line: int | None = None) -> str:
    groups = _groups(ctx, report, set(known)) if report is not None else []
    return pages._render("validate.html", ctx, form=form, formats=FORM_FORMATS, report=report, groups=groups,
                         error=error, line=line)


# --- /quality -------------------------------------------------------------------------------------------


def _programmes(engine: sparql.Engine, ns: str) -> dict[str, str]:
    """Each programme graph's programme (to name the graph by the programme's label)."""
    rows = reader.select(engine, f"SELECT ?g ?p WHERE {{ GRAPH ?g {{ ?p a <{ns}Programme> }} }}")
    return {row["g"].value: row["p"].value for row in rows}


def _findings(engine: sparql.Engine, ns: str) -> list[reader.Row]:
    return reader.select(engine, f"""
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?f ?g ?kind ?about ?line ?description ?text ?suggestion WHERE {{
  GRAPH ?g {{ ?f a <{ns}Finding> }}
  OPTIONAL {{ ?f <{ns}findingKind> ?kind }}
  OPTIONAL {{ ?f <{ns}about> ?about }}
  OPTIONAL {{ ?f <{ns}sourceLine> ?line }}
  OPTIONAL {{ ?f dcterms:description ?description }}
  OPTIONAL {{ ?f <{ns}sourceText> ?text }}
  OPTIONAL {{ ?f <{ns}suggestion> ?suggestion }}
}}""")


#: Past this many findings and warnings /quality shows counts per programme, each programme's list on its
#: own page (`?programme=`): at 290 municipalities the one list was 13.6 MB of HTML and took 2 s.
FULL_LIST_LIMIT = 1000


def _documents(engine: sparql.Engine, ns: str) -> dict[str, str]:
    """Each programme's source document → the programme's graph (a recorded warning names its document)."""
    rows = reader.select(engine, f"""
SELECT ?g ?doc WHERE {{ GRAPH ?g {{ ?p a <{ns}Programme> ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?doc }} }}""")
    return {row["doc"].value: row["g"].value for row in rows}


def quality(request: Request) -> Response:
    """The served build's findings, by programme (the named graph) in source order, and its SHACL
    warnings as `andts build` recorded them, by shape; past FULL_LIST_LIMIT of them, the counts per
    programme and per shape, and the list of one programme (`?programme=` the last part of its graph's IRI)
    or of one shape's warnings (`?shape=shapes:Name`) a page."""
    headers = site.validators(request)
    if conditional.not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    _, engine, cache = site._parts(request)
    ctx = site.context(request)
    rows = cache.get(engine, "quality-findings", lambda e: _findings(e, ctx.ns))
    warnings = engine.build.info.warnings
    if engine.build.folder is None:  # a remote store: no build.json; validate what it serves, once per build
        warnings = cache.get(engine, "quality-warnings", _served_results)
    programme_of = cache.get(engine, "quality-programmes", lambda e: _programmes(e, ctx.ns))
    graph_of_document = cache.get(engine, "quality-documents", lambda e: _documents(e, ctx.ns))

    def graph_of(w: dict) -> str:  # "" for what no programme's document holds (the reference data)
        return graph_of_document.get(w.get("sourceDocument") or "", "")

    key, shape_key = request.query_params.get("programme"), request.query_params.get("shape")
    chosen: str | None = None
    shape_counts: list[dict[str, object]] | None = None
    if shape_key is not None:
        warnings = [w for w in warnings if validation.short(URIRef(w["sourceShape"])) == shape_key]
        if not warnings:
            raise BadRequest("shape must be a shape with warnings in this build (shapes:Name), as the links on "
                             "/quality have them")
    if key is not None:
        chosen = next((g for g in programme_of if g.rsplit("/", 1)[-1] == key), None)
        if chosen is None:
            raise BadRequest("programme must be the last part of a programme graph's IRI, as the links on /quality "
                             "have them")
    summary: list[dict[str, object]] | None = None
    all_findings, all_warnings = len(rows), len(warnings)
    if chosen is not None:
        rows = [r for r in rows if r["g"].value == chosen]
        warnings = [w for w in warnings if graph_of(w) == chosen]
    elif shape_key is not None:
        rows = []  # that shape's warnings only
    elif len(rows) + len(warnings) > FULL_LIST_LIMIT:
        found: dict[str, int] = {}
        for r in rows:
            found[r["g"].value] = found.get(r["g"].value, 0) + 1
        warned: dict[str, int] = {}
        for w in warnings:
            warned[graph_of(w)] = warned.get(graph_of(w), 0) + 1
        summary = [{"graph": g, "findings": found.get(g, 0), "warnings": warned.get(g, 0),
                    "href": ctx.page("quality", [("programme", g.rsplit("/", 1)[-1])])}
                   for g in sorted(set(found) | set(warned) | set(programme_of)) if g]
        counted_kinds = rows
        rows = []
        per_shape: dict[tuple[str, str], int] = {}
        for w in warnings:
            group = (w["severity"], validation.short(URIRef(w["sourceShape"])))
            per_shape[group] = per_shape.get(group, 0) + 1
        shape_counts = [{"severity": severity, "shape": shape, "n": n, "href": ctx.page("quality", [("shape", shape)])}
                        for (severity, shape), n in sorted(per_shape.items())]
        warnings = []
    wanted = set(programme_of.values()) | ({v.value for r in rows for k, v in r.items() if k in ("g", "kind", "about") and isinstance(v, ox.NamedNode)}
              | {w["focusNode"] for w in warnings} | {w["sourceDocument"] for w in warnings if w.get("sourceDocument")})
    if summary is not None:
        wanted |= {r["kind"].value for r in counted_kinds if "kind" in r}
    name = views.Namer(ctx, views.labels_of(engine, wanted))
    programmes: dict[str, list[dict[str, object]]] = {}
    kinds: dict[str, int] = {}
    for r in (counted_kinds if summary is not None else rows):
        kind = name.link(r["kind"].value) if "kind" in r else None
        if kind is not None:
            kinds[kind.label] = kinds.get(kind.label, 0) + 1
    for r in sorted(rows, key=lambda r: (reader.text(r, "g"), reader.integer(r, "line"), reader.text(r, "f"))):
        programmes.setdefault(r["g"].value, []).append({
            "link": views.Link(label=ctx.t("finding"), href=ctx.href(r["f"].value), iri=r["f"].value),
            "kind": name.link(r["kind"].value) if "kind" in r else None,
            "about": name.link(r["about"].value) if "about" in r else None,
            "line": reader.text(r, "line"), "description": reader.text(r, "description"),
            "text": reader.text(r, "text"), "suggestion": reader.text(r, "suggestion"),
        })
    by_shape: dict[tuple[str, str], list[dict[str, object]]] = {}
    for w in warnings:
        by_shape.setdefault((w["severity"], validation.short(URIRef(w["sourceShape"]))), []).append({
            "focus": name.link(w["focusNode"], fallback=w.get("focusLabel")),
            "source": name.link(w["sourceDocument"], fallback=w.get("sourceDocumentLabel"))
            if w.get("sourceDocument") else None,
            "line": w.get("sourceLine"), "path": w.get("path"), "value": w.get("value"),
            "message": (w.get("messages") or {}).get(ctx.lang) or w.get("message", ""),
        })
    if summary is not None:
        for item in summary:
            item["programme"] = name.link(programme_of.get(item["graph"], item["graph"]))
    body = pages._render("quality.html", ctx, build=engine.build.info,
                         programmes=[(name.link(programme_of.get(g, g)), items) for g, items in programmes.items()],
                         kinds=sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])),
                         findings=all_findings if chosen is None else len(rows), warnings=sorted(by_shape.items()),
                         warning_count=all_warnings if chosen is None else len(warnings), summary=summary,
                         chosen=name.link(programme_of.get(chosen, chosen)) if chosen else None,
                         shape_counts=shape_counts, chosen_shape=shape_key,
                         all_href=ctx.page("quality"))
    return HTMLResponse(body, headers=headers)


#: (path, route, methods, summary); POST /validate is registered by app.py with the bounded body.
ROUTES = [
    ("/validate", validate_form, ["GET", "HEAD"], "Validate RDF against the shapes: the form"),
    ("/quality", quality, ["GET", "HEAD"], "The served build's findings and SHACL warnings"),
]
