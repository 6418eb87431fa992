"""The one place pages are rendered: the Jinja2 environment over templates/ (autoescaping everything), the
static folder, and the links to a described page's RDF variants. No remote assets anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from andts.server.views import i18n
from andts.server.views.context import PageContext

TEMPLATES = Path(__file__).parent / "templates"


STATIC = Path(__file__).parent / "static"


env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True,
                  lstrip_blocks=True)
#: The pages' own words (i18n.STRINGS) in a template: `ui("key", L)`; L is the page language ("en" where a
#: page has no language switch, like the query editor).
env.globals["ui"] = i18n.text
env.globals["with_lang"] = i18n.with_lang
#: Defaults for pages rendered without a PageContext (the query editor, VoID): English, at the server root.
env.globals["L"] = "en"
env.globals["root"] = "/"


#: The RDF variants every described page links to: (extension, name, media type).
FORMATS = ((".ttl", "Turtle", "text/turtle"), (".jsonld", "JSON-LD", "application/ld+json"),
           (".nt", "N-Triples", "application/n-triples"), (".rdf", "RDF/XML", "application/rdf+xml"))


@dataclass(frozen=True)
class Format:
    name: str
    href: str
    media_type: str


def formats(ctx: PageContext, path: str) -> list[Format]:
    """Links to the RDF variants of the document at `path` (a server path like /id/x)."""
    return [Format(name, ctx.root + path.lstrip("/") + ext, media) for ext, name, media in FORMATS]


def render_page(template: str | list[str], ctx: PageContext, **values: object) -> str:
    chosen = env.get_or_select_template(template)
    return chosen.render(ctx=ctx, L=ctx.lang, root=ctx.root, **values)


def not_found_page(ctx: PageContext, iri: str) -> str:
    return render_page("not_found.html", ctx, iri=iri)
