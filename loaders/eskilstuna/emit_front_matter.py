"""The Eskilstuna plan's front matter: the document-type line, the title, and the header table, whose
rows (Beslutad när/av, Diarienummer, Gäller fr o m / t o m) are checked against the metadata file: a
contradiction stops the build, a fact only the header gives is a missing-metadata finding."""

from __future__ import annotations

import re
from datetime import date

from rdflib import Literal
from rdflib.namespace import DCTERMS, SKOS, XSD

from andts.loaders import text as txt
from andts.loaders.common import iso_date
from andts.loaders.eskilstuna.context import Context
from andts.loaders.eskilstuna.emit_prose import emit_prose
from andts.namespaces import ANDTS, ID

_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(\d{4})\b")
_DNR = re.compile(r"\b[A-ZÅÄÖ]+/\d{4}:\d+\b")
MONTHS = {m: i for i, m in enumerate(
    ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
     "november", "december"], start=1)}

#: Header rows the metadata file already says all of; the others are kept verbatim as skos:note @sv on
#: the programme.
HEADER_IN_METADATA = {"Beslutad av", "Diarienummer", "Gäller fr o m"}
HEADER_REQUIRED = ("Beslutad när", "Beslutad av", "Diarienummer", "Gäller fr o m", "Gäller t o m")


def emit_front_matter(ctx: Context, front: list[tuple[int, str]]) -> None:
    """The non-blank lines before the goals: type lines, title, header table, then prose sections."""
    b, doc, prog = ctx.builder, ctx.source.document, ctx.programme
    first_tab = next((i for i, (_, line) in enumerate(front) if "\t" in line), None)
    if first_tab is None or first_tab == 0:
        raise ctx.source.error(front[0][0] if front else 1,
                               "no title and header table (Beslutad när, Diarienummer, …) before the goals")
    *types, (title_line, title) = front[:first_tab]
    for n, line in types:  # "STYRDOKUMENT": the kind of document
        b.add(doc, DCTERMS.type, Literal(txt.collapse(line).capitalize(), lang="sv"))
        b.cover(n, doc)
    expected = ctx.source.meta["document"]["title"]
    if txt.collapse(title) != txt.collapse(expected):
        raise ctx.source.error(title_line, f"the title {title.strip()!r} differs from the metadata's document.title {expected!r}")
    b.cover(title_line, doc)
    b.cover(title_line, prog)
    b.add(prog, ANDTS.sourceLine, Literal(title_line, datatype=XSD.integer))
    end = first_tab
    while end < len(front) and "\t" in front[end][1]:
        end += 1
    _header(ctx, front[first_tab:end])
    emit_prose(ctx, front[end:], programme_title=True)


def _header(ctx: Context, rows: list[tuple[int, str]]) -> None:
    b, prog = ctx.builder, ctx.programme
    seen: dict[str, int] = {}
    for n, line in rows:
        key, _, value = (c.strip() for c in line.partition("\t"))
        value = txt.collapse(value)
        seen[key] = n
        b.cover(n, prog)
        b.check_text(prog, line, n)
        _check_row(ctx, n, line, key, value)
        if key not in HEADER_IN_METADATA:
            b.add(prog, SKOS.note, Literal(f"{key}: {txt.clean(value)}", lang="sv"))
    for key in HEADER_REQUIRED:
        if key not in seen:
            b.finding(prog, rows[0][0], "missing-metadata", rows[0][1],
                      f"The header table has no '{key}' row; the programme's facts come from the metadata file alone.")


def _check_row(ctx: Context, n: int, line: str, key: str, value: str) -> None:
    """A header row against the metadata file (rows the metadata has no counterpart of are not checked)."""
    pmeta = ctx.source.meta.get("programme", {})
    if key == "Beslutad när":
        _check_dates(ctx, n, key, value, [iso_date(d) for d in pmeta.get("decided", [])], "programme.decided")
    elif key == "Diarienummer":
        _check_diary_numbers(ctx, n, line, value, list(pmeta.get("diary_numbers", [])))
    elif key == "Beslutad av":
        _check_adopted_by(ctx, n, value, pmeta.get("adopted_by"))
    elif key == "Gäller fr o m":
        _check_period(ctx, n, key, value, pmeta.get("start"), first=True)
    elif key == "Gäller t o m":
        _check_period(ctx, n, key, value, pmeta.get("end"), first=False)


def _check_dates(ctx: Context, line: int, key: str, value: str, known: list[str], meta_key: str) -> None:
    found = ["-".join(m) for m in _DATE.findall(value)]
    if not known:
        ctx.builder.finding(ctx.programme, line, "missing-metadata", value,
                            f"The metadata file has no {meta_key}; the header's '{key}' gives {', '.join(found)}.")
    elif sorted(found) != sorted(known):
        raise ctx.source.error(line, f"{key} {', '.join(found) or value!r} contradicts the metadata's {meta_key} "
                                     f"{', '.join(known)}")


def _check_diary_numbers(ctx: Context, line: int, raw: str, value: str, known: list[str]) -> None:
    found = _DNR.findall(value)
    if not known:
        ctx.builder.finding(ctx.programme, line, "missing-metadata", raw,
                            "The metadata file records no diary numbers; the header gives " + ", ".join(found) + ".")
    elif sorted(found) != sorted(known):
        raise ctx.source.error(line, f"Diarienummer {', '.join(found) or value!r} contradicts the metadata's "
                                     f"programme.diary_numbers {', '.join(known)}")


def _check_adopted_by(ctx: Context, line: int, value: str, adopted_by: str | None) -> None:
    if adopted_by is None:
        ctx.builder.finding(ctx.programme, line, "missing-metadata", value,
                            f"The metadata file has no programme.adopted_by; the header says '{value}'.")
        return
    expected = ID[adopted_by]
    m = ctx.registry.actors.lookup(value)
    if m is not None:
        if m.iri != expected:
            raise ctx.source.error(line, f"Beslutad av '{value}' is {m.iri}, but the metadata's programme.adopted_by "
                                         f"is {expected}")
    elif txt.slug(value) != adopted_by.rsplit("/", 1)[-1]:
        raise ctx.source.error(line, f"Beslutad av '{value}' contradicts the metadata's programme.adopted_by {adopted_by!r}")


def _check_period(ctx: Context, line: int, key: str, value: str, meta_value: object, *, first: bool) -> None:
    """'Gäller fr o m' (first) or 't o m' against the programme's start or end: a full date must be the
    same day, a year (with a month name or not) the same year (and month)."""
    meta_key = f"programme.{'start' if first else 'end'}"
    if meta_value is None:
        ctx.builder.finding(ctx.programme, line, "missing-metadata", value,
                            f"The metadata file has no {meta_key}; the header's '{key}' says '{value}'.")
        return
    expected = date.fromisoformat(iso_date(meta_value))
    dates = _DATE.findall(value)
    if dates:
        y, m, d = dates[0] if first else dates[-1]
        ok = date(int(y), int(m), int(d)) == expected
    else:
        month = next((MONTHS[w.lower()] for w in re.findall(r"[A-Za-zåäöÅÄÖ]+", value) if w.lower() in MONTHS), None)
        years = _YEAR.findall(value)
        if not years:
            raise ctx.source.error(line, f"{key} '{value}' names no date or year")
        year = int(years[0] if first else years[-1])
        ok = year == expected.year and (month is None or month == expected.month)
    if not ok:
        raise ctx.source.error(line, f"{key} '{value}' contradicts the metadata's {meta_key} {expected.isoformat()}")
