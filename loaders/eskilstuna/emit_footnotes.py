"""Footnotes of the Eskilstuna plan: each body ("¹ …", which the extraction puts apart, at a page end)
becomes a skos:note @sv of the entity whose text carries its marker, the last such before it; markers,
removed from the published text, are reported as layout-debris."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import SKOS

from andts.loaders import text as txt
from andts.loaders.eskilstuna.context import Context
from andts.loaders.eskilstuna.layout import Footnote, plain


def emit_footnotes(ctx: Context, footnotes: list[Footnote]) -> None:
    """Run once all text is published (`ctx.marked` holds every marker)."""
    b = ctx.builder
    used: set[str] = set()
    for fn in footnotes:
        targets = ctx.marked.get(fn.mark, [])
        if not targets:
            raise ctx.source.error(fn.line, f"footnote {plain(fn.mark)} has no marker in the text")
        before = [t for t in targets if t[1] < fn.line]
        iri, line = before[-1] if before else targets[0]
        used.add(fn.mark)
        b.cover(fn.line, iri)
        b.add(iri, SKOS.note, Literal(txt.clean(fn.raw), lang="sv"))
        b.check_text(iri, fn.raw, fn.line)
        b.finding(iri, line, "layout-debris", ctx.lines[line - 1].strip(),
                  f"Inline footnote marker (superscript {plain(fn.mark)}); removed from the published text (kept in "
                  f"andts:sourceText). The footnote body stands apart at line {fn.line} and is kept as a skos:note of "
                  f"this entity.")
    for mark, targets in sorted(ctx.marked.items()):
        if mark not in used:
            for iri, line in targets:
                b.finding(iri, line, "layout-debris", ctx.lines[line - 1].strip(),
                          f"Inline footnote marker (superscript {plain(mark)}) with no footnote body in the document; "
                          "removed from the published text.")
