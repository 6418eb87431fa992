"""Validation for anyone (/validate): a form, or an RDF body, checked against the project's shapes (with
the served build's reference data or without); the SHACL report as Turtle, JSON or a page.
"""

from __future__ import annotations

import email.parser
import email.policy
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import Depends
from rdflib import Graph, URIRef
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from andts import store as layout
from andts import validation
from andts.errors import RdfParseError
from andts.server.engine import reader, sparql
from andts.server.errors import BadRequest, Busy, NotAcceptable, UnsupportedMediaType
from andts.server.http import negotiation
from andts.server.http.deps import read_body
from andts.server.http.negotiation import HTML, Offer
from andts.server.http.params import Lang, Reference
from andts.server.views import context, render
from andts.server.views.context import page_context

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


def validate_form(request: Request, lang: Lang = None) -> Response:
    ctx = page_context(request, lang)
    return HTMLResponse(_page(ctx, form=Form()))


@dataclass
class Form:
    data: str = ""
    format: str = "auto"
    reference: bool = True
    filename: str | None = None


def validate_post(request: Request, body: bytes = Depends(read_body), reference: Reference = "1",
                  lang: Lang = None) -> Response:
    """A form post (the page) or an RDF body (the API): parse, validate, answer the report."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    is_form = media in FORM_TYPES
    offers = (HTML, *REPORT_OFFERS[:2]) if is_form else REPORT_OFFERS
    offer = negotiation.best_offer(request.headers.get("accept"), offers)
    if offer is None:
        raise NotAcceptable("a validation report is available as " + ", ".join(o.media_type for o in REPORT_OFFERS))
    ctx = page_context(request, lang) if offer is HTML else None
    if is_form:
        form, payload = _read_form(media, content_type, body)
        fmt = _form_format(form, payload)
        with_reference = form.reference
        name = form.filename or "the pasted data"
    elif media in validation.MEDIA_TYPES:
        form, payload = None, body
        fmt = validation.MEDIA_TYPES[media]
        flag = reference
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


def _refuse(ctx: context.PageContext | None, form: Form | None, message: str, line: int | None = None) -> Response:
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


def served_results(engine: sparql.Engine) -> list[dict]:
    """The SHACL results of the served data, for a store `andts build` did not record them for."""
    report = validation.validate_dataset(_dataset(engine))
    return [validation.result_record(report, r) for _sev, _shape, group in validation.grouped(report) for r in group]


def _validate(request: Request, graphs: dict[URIRef | None, Graph], with_reference: bool) -> validation.Report:
    """Validate an upload as the build validates a programme: with the served build's reference data
    (the project's reference files if the build has none, e.g. an old dump). One at a time."""
    settings, engine, cache = context.parts(request)
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
    _, engine, _ = context.parts(request)
    iris = sorted({str(r.focus_node) for r in report.results if isinstance(r.focus_node, URIRef)})[:MAX_LINKED]
    known: set[str] = set()
    for start in range(0, len(iris), 500):
        values = " ".join(reader.term(ox.NamedNode(i)) for i in iris[start:start + 500])
        rows = reader.select(engine, f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
        known |= {row["s"].value for row in rows}
    return known


@dataclass
class Entry:
    focus: context.Link
    label: str | None
    source: context.Link | None
    line: int | None
    path: str
    value: str | None
    message: str


def _groups(ctx: context.PageContext, report: validation.Report, known: set[str]) -> list[dict[str, object]]:
    out = []
    for severity, shape, results in validation.grouped(report):
        entries = []
        for r in results:
            w = validation.where(report.context, r.focus_node, ctx.lang)
            iri = str(r.focus_node)
            focus = context.Link(label=w.label or iri, href=ctx.href(iri) if iri in known else "", iri=iri)
            source = None
            if w.source is not None:
                source = context.Link(label=w.source_label or str(w.source),
                                    href=ctx.href(str(w.source)) if str(w.source) in known else "", iri=str(w.source))
            entries.append(Entry(focus=focus, label=w.label, source=source, line=w.line,
                                 path=validation.result_path(report, r),
                                 value=validation.short(r.value) if r.value is not None else None,
                                 message=r.message(ctx.lang)))
        out.append({"severity": validation.severity_name(severity), "shape": validation.short(shape),
                    "entries": entries})
    return out


def _page(ctx: context.PageContext, *, form: Form, report: validation.Report | None = None, known: set[str] = frozenset(),
          error: str | None = None, line: int | None = None) -> str:
    groups = _groups(ctx, report, set(known)) if report is not None else []
    return render.render_page("validate.html", ctx, form=form, formats=FORM_FORMATS, report=report, groups=groups,
                         error=error, line=line)
