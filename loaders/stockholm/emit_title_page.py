"""The Stockholm appendix's title page in the graph: the programme's heading line and description, and
findings about what the page layout left behind and what the document does not say."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import DCTERMS

from andts.loaders import text as txt
from andts.loaders.stockholm.context import Context
from andts.loaders.stockholm.layout import TitlePage
from andts.namespaces import ANDTS


def emit_title_page(ctx: Context, lines: list[str], page: TitlePage) -> None:
    b, doc, prog = ctx.builder, ctx.source.document, ctx.source.programme
    _layout_debris(ctx, lines, page)
    for n in page.titles:
        b.cover(n, doc)
    if page.headings:
        b.add(prog, ANDTS.sourceLine, Literal(page.headings[0]))
        for n in page.headings:
            b.cover(n, prog)
    if page.paragraphs:
        _introduction(ctx, lines, page.paragraphs)
    _missing_metadata(ctx, lines, page)


def _layout_debris(ctx: Context, lines: list[str], page: TitlePage) -> None:
    b, doc = ctx.builder, ctx.source.document
    if page.leading_blank:
        b.finding(doc, 1, "layout-debris", "\n".join(lines[:page.leading_blank]),
                  f"The document begins with {page.leading_blank} blank lines, left over from the page layout.")
    if page.logo:
        text = "\n".join(lines[n - 1] for n in page.logo)
        f = b.finding(doc, page.logo[0], "layout-debris", text,
                      f"The publisher's logo text is split over lines {page.logo[0]}–{page.logo[-1]} "
                      f"({' / '.join(repr(lines[n - 1].strip()) for n in page.logo)}); it is not part of the title.")
        for n in page.logo[1:]:
            b.cover(n, f)
    for n in page.stray:
        b.finding(doc, n, "layout-debris", lines[n - 1], "A line holding only white space, left over from the page layout.")


def _introduction(ctx: Context, lines: list[str], paragraphs: list[int]) -> None:
    """The introduction paragraphs as the programme's description."""
    b, prog = ctx.builder, ctx.source.programme
    cleaned = []
    for n in paragraphs:
        raw = lines[n - 1]
        cleaned.append(txt.clean(raw))
        b.check_text(prog, raw, n)
        if raw.rstrip().endswith(","):
            b.finding(prog, n, "stray-punctuation", raw, "The paragraph ends with a comma instead of a full stop.",
                      suggestion=txt.clean(raw).rstrip(",") + ".")
        b.cover(n, prog)
    b.add(prog, DCTERMS.description, Literal("\n\n".join(cleaned), lang="sv"))
    raw_text = "\n\n".join(lines[n - 1] for n in paragraphs)
    if raw_text != "\n\n".join(cleaned):
        b.add(prog, ANDTS.sourceText, Literal(raw_text))


def _missing_metadata(ctx: Context, lines: list[str], page: TitlePage) -> None:
    """The adoption facts the metadata file lacks: the appendix itself gives none of them."""
    pmeta = ctx.source.meta.get("programme", {})
    missing = [what for key, what in (("adopted_by", "the deciding body"), ("decided", "the decision date"),
                                      ("diary_numbers", "a diary number")) if not pmeta.get(key)]
    if missing:
        line = page.titles[0] if page.titles else 1
        ctx.builder.finding(ctx.source.document, line, "missing-metadata", lines[line - 1],
                            f"The document names neither {', nor '.join(missing)}; the programme's adoption cannot be "
                            f"traced from it. It also gives its period only as years ('2023-2026').")
