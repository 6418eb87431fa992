"""Content negotiation: an Accept header (with q-values) or a `format` parameter → the media type to send.

Offers are listed in the server's order of preference, which breaks ties: for `*/*` (or no Accept at
all) SELECT and ASK get SPARQL JSON and CONSTRUCT and DESCRIBE get Turtle. An explicit `format`
parameter replaces the Accept header. No web framework here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from andts.server.errors import BadRequest, NotAcceptable


@dataclass(frozen=True, eq=False)  # each offer is one constant below: equal when the same, hashed by identity
class Offer:
    media_type: str  # what the response's Content-Type says
    key: str  # the serialiser: a sparql.RESULTS_FORMATS / GRAPH_FORMATS key, or "html"

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type


HTML = Offer("text/html", "html")

#: For SELECT and ASK. The canonical types first, then aliases that some clients send.
RESULTS_OFFERS: tuple[Offer, ...] = (
    Offer("application/sparql-results+json", "json"),
    Offer("application/sparql-results+xml", "xml"),
    Offer("text/csv", "csv"),
    Offer("text/tab-separated-values", "tsv"),
    HTML,
    Offer("application/json", "json"),
    Offer("application/xml", "xml"),
    Offer("text/xml", "xml"),
)

#: For CONSTRUCT, DESCRIBE and the service description.
GRAPH_OFFERS: tuple[Offer, ...] = (
    Offer("text/turtle", "turtle"),
    Offer("application/n-triples", "ntriples"),
    Offer("application/rdf+xml", "rdfxml"),
    Offer("application/ld+json", "jsonld"),
    HTML,
    Offer("application/x-turtle", "turtle"),
    Offer("text/plain", "ntriples"),
    Offer("application/xml", "rdfxml"),
    Offer("text/xml", "rdfxml"),
    Offer("application/json", "jsonld"),
)

#: Short names for the `format` parameter, each standing for the Accept header it replaces.
FORMAT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json, application/ld+json",
    "xml": "application/sparql-results+xml, application/rdf+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",  # SPARQLWrapper's name
    "n3": "text/turtle",  # SPARQLWrapper's name; Turtle is N3
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "html": "text/html",
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int | None:
        """How specifically this range matches (2 exact, 1 type/*, 0 */*), or None."""
        t, _, s = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == t and self.subtype == "*":
            return 1
        if self.type == t and self.subtype == s:
            return 2
        return None


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header. No header, or an empty one, accepts anything."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        mtype = fields[0].lower()
        if not mtype:
            continue
        if mtype == "*":  # sent by some clients for */*
            mtype = "*/*"
        t, slash, s = mtype.partition("/")
        if not slash or not t or not s:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # an unreadable weight: do not guess that the client wants it
        ranges.append(MediaRange(t, s, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q-value the most specific matching range gives the media type (0: not acceptable)."""
    best: tuple[int, float] | None = None
    for r in ranges:
        spec = r.matches(media_type)
        if spec is not None and (best is None or spec > best[0] or (spec == best[0] and r.q > best[1])):
            best = (spec, r.q)
    return best[1] if best else 0.0


def best_offer(accept: str | None, offers: Sequence[Offer]) -> Offer | None:
    """The acceptable offer with the highest q-value; ties go to the earlier (preferred) offer."""
    offers = tuple(offers)
    if accept is not None and len(accept) > CACHED_ACCEPT_CHARS:
        return _best_offer.__wrapped__(accept, offers)
    return _best_offer(accept, offers)


#: Clients send few distinct Accept headers, so answers are cached; for headers up to this length only, in at
#: most 1,024 entries, because the header is the client's to choose.
CACHED_ACCEPT_CHARS = 512


@lru_cache(maxsize=1024)
def _best_offer(accept: str | None, offers: tuple[Offer, ...]) -> Offer | None:
    ranges = parse_accept(accept)
    scored = [(quality(ranges, o.media_type), -i, o) for i, o in enumerate(offers)]
    q, _, offer = max(scored, key=lambda x: (x[0], x[1]))
    return offer if q > 0 else None


def accept_for(accept: str | None, formats: str | Sequence[str] | None) -> str | None:
    """The Accept header to negotiate with: the `format` parameter's, if there is one. Several `format`
    values (SPARQLWrapper sends a name and a media type) are accepted alike."""
    if isinstance(formats, str):
        formats = [formats]
    names = [f.strip().lower() for f in formats or () if f.strip()]
    if not names:
        return accept
    out = []
    for name in names:
        if name in FORMAT_NAMES:
            out.append(FORMAT_NAMES[name])
        elif "/" in name:  # a media type given as the format, as some endpoints allow
            out.append(name)
        else:
            raise BadRequest(f"unknown format {name!r}; use one of {', '.join(FORMAT_NAMES)} or a media type")
    return ", ".join(out)


@dataclass(frozen=True)
class Choice:
    """What to send for each kind of result; None where the client accepts nothing we offer."""

    results: Offer | None  # SELECT, ASK
    graph: Offer | None  # CONSTRUCT, DESCRIBE

    def for_kind(self, kind: str) -> Offer | None:
        return self.graph if kind == "graph" else self.results

    @property
    def html(self) -> bool:
        return HTML in (self.results, self.graph)


def _offered(offers: Sequence[Offer]) -> str:
    return ", ".join(dict.fromkeys(o.media_type for o in offers))


def choose(accept: str | None, formats: str | Sequence[str] | None = None) -> Choice:
    """The formats for a query's answer. Raises NotAcceptable when no kind of result can be sent."""
    header = accept_for(accept, formats)
    choice = Choice(best_offer(header, RESULTS_OFFERS), best_offer(header, GRAPH_OFFERS))
    if choice.results is None and choice.graph is None:
        raise NotAcceptable(
            f"cannot answer in any of the accepted media types ({header}); this endpoint offers "
            f"{_offered(RESULTS_OFFERS)} for SELECT and ASK and {_offered(GRAPH_OFFERS)} for CONSTRUCT and DESCRIBE"
        )
    return choice


def choose_graph(accept: str | None, formats: str | Sequence[str] | None = None) -> Offer:
    """The format for an RDF document (the service description): Turtle, another RDF format, or HTML."""
    header = accept_for(accept, formats)
    offer = best_offer(header, GRAPH_OFFERS)
    if offer is None:
        raise NotAcceptable(f"cannot answer in any of the accepted media types ({header}); "
                            f"this resource is available as {_offered(GRAPH_OFFERS)}")
    return offer


def not_acceptable_for(kind: str, accept: str | None) -> NotAcceptable:
    offers = GRAPH_OFFERS if kind == "graph" else RESULTS_OFFERS
    forms = "CONSTRUCT and DESCRIBE" if kind == "graph" else "SELECT and ASK"
    return NotAcceptable(f"{forms} results cannot be sent as any of the accepted media types ({accept}); "
                         f"they are available as {_offered(offers)}")
