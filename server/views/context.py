"""What every page needs: the request's language, root and vocabulary (PageContext), links and names for
IRIs (Link, Namer), and the page's validators and 304 answer (`respond`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from andts.server.engine import reader, sparql
from andts.server.engine.cache import BuildCache
from andts.server.http import conditional
from andts.server.settings import Settings
from andts.server.views import i18n
from andts.server.views.vocabulary import RDF, RDFS, SKOS, Vocabulary

if TYPE_CHECKING:
    pass


ANDTS_PATH = "def/"


DCTERMS = "http://purl.org/dc/terms/"


PROV = "http://www.w3.org/ns/prov#"


XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "https://schema.org/"


@dataclass(frozen=True)
class PageContext:
    """Where a page is and how it links: the base IRI, this server's root path, the page language."""

    base: str
    root: str
    lang: str
    vocabulary: Vocabulary
    #: The page itself (server path and query parameters), for the language switch.
    path: str = "/"
    params: tuple[tuple[str, str], ...] = ()

    @property
    def ns(self) -> str:
        return self.base + ANDTS_PATH

    def href(self, iri: str) -> str:
        """A link for an IRI: this server's own path for IRIs under the base (in the page's language),
        the IRI itself otherwise."""
        if iri.startswith(self.base):
            return i18n.with_lang(self.root + iri[len(self.base):], self.lang)
        # only web links leave the site: an IRI like javascript:… or data:… is shown, never linked
        return iri if iri.lower().startswith(("http://", "https://")) else ""

    def page(self, path: str, params: list[tuple[str, str]] | None = None) -> str:
        """A link to one of this server's pages (path without the leading slash)."""
        return i18n.with_lang(self.root + path.lstrip("/"), self.lang, params)

    def switch(self, lang: str) -> str:
        """This page in another language."""
        return i18n.with_lang(self.path, lang, list(self.params))

    def term(self, iri: str) -> str:
        return self.vocabulary.label(iri, self.lang)

    def t(self, key: str, **values: object) -> str:
        return i18n.text(key, self.lang, **values)


@dataclass
class Link:
    label: str
    href: str
    iri: str
    lang: str | None = None  # the language of the label, for the lang attribute
    local: bool = True  # under our base (else an outside link)


@dataclass
class Value:
    text: str
    link: Link | None = None
    lang: str | None = None
    datatype: str | None = None  # a prefixed name, for typed literals other than strings


_DIGITS = re.compile(r"(\d+)")


def natural(text: str | None) -> tuple:
    """A sort key that puts 1.2 before 1.10 and O.2 after 6.1."""
    if not text:
        return ((1, ""),)
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in _DIGITS.split(text) if part)


def labels_of(engine: sparql.Engine, iris: set[str]) -> dict[str, dict[str, str]]:
    """skos:prefLabel (preferred) or rdfs:label of each IRI, by language. (A FILTER on the
    property, not a second VALUES: with two VALUES Oxigraph scans every label in the store.)"""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    ordered = sorted(iris)
    for start in range(0, len(ordered), 500):
        chunk = " ".join(reader.term(ox.NamedNode(i)) for i in ordered[start:start + 500])
        rows = reader.select(engine, f"""
SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {chunk} }} ?s ?p ?l FILTER(?p IN (<{SKOS}prefLabel>, <{RDFS}label>)) }}""")
        # prefLabel wins over rdfs:label in the same language
        for row in sorted(rows, key=lambda r: r["p"].value == SKOS + "prefLabel"):
            label = row["l"]
            if isinstance(label, ox.Literal):
                out[row["s"].value][label.language or ""] = label.value
    return dict(out)


class Namer:
    """Turns IRIs into links with labels in the page language, once the labels are known."""

    def __init__(self, ctx: PageContext, labels: dict[str, dict[str, str]]) -> None:
        self.ctx, self.labels = ctx, labels

    def link(self, iri: str, fallback: str | None = None) -> Link:
        texts = self.labels.get(iri, {})
        lang = next((k for k in (self.ctx.lang, "sv", "en", "") if k in texts), None)
        label = texts[lang] if lang is not None else None
        if label is None:
            term = self.ctx.vocabulary.terms.get(iri)
            label = term.label(self.ctx.lang) if term else None
            lang = self.ctx.lang if label else None
        return Link(label=label or fallback or self.ctx.vocabulary.compact(iri), href=self.ctx.href(iri), iri=iri,
                    lang=lang or None, local=iri.startswith(self.ctx.base))

    def value(self, node: object) -> Value:
        if isinstance(node, ox.NamedNode):
            return Value(text="", link=self.link(node.value))
        if isinstance(node, ox.Literal):
            datatype = node.datatype.value
            shown = None if node.language or datatype in (XSD + "string", RDF + "langString") else \
                self.ctx.vocabulary.compact(datatype)
            return Value(text=node.value, lang=node.language or None, datatype=shown)
        return Value(text=str(node))


def parts(request: Request) -> tuple[Settings, sparql.Engine, BuildCache]:
    app = request.scope["app"]
    return app.state.settings, app.state.engine, app.state.pages


def page_context(request: Request, lang: str | None = None) -> PageContext:
    """What the page needs of the request: its language (`lang`, the route's parameter), root and path."""
    settings, engine, cache = parts(request)
    vocabulary = cache.get(engine, "vocabulary",
                           lambda e: Vocabulary.load(e, settings.base_iri, settings.prefixes))
    params = tuple((k, v) for k, v in request.query_params.multi_items() if k != "lang")
    return PageContext(base=settings.base_iri, root=request.scope.get("root_path", "") + "/",
                             lang=i18n.lang_of(lang), vocabulary=vocabulary,
                             path=request.url.path, params=params)


def validators(request: Request) -> dict[str, str]:
    """ETag/Last-Modified of a page: the build, the path and the query string decide its content."""
    _, engine, _ = parts(request)
    return conditional.build_validators(engine.build, f"html {request.url.path}?{request.url.query}")


def respond(request: Request, render, status: int = 200) -> Response:  # noqa: ANN001  (render: () -> str | bytes)
    headers = validators(request)
    if status == 200 and conditional.not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(render(), status_code=status, headers=headers if status == 200 else None)
