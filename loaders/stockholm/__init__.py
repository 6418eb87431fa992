"""Stockholms stad: *Aktiviteter inom ANDTS-programmets insatsområden*, appendix to the ANDTS programme
2023–2026 (data/sources/stockholm-andts-2023-2026.txt).

The document is a title page, two introduction paragraphs and ten tab-separated tables of three columns
(Insatsområde | Aktivitet | Utförare). Each table starts with a header row: "Insatsområden mål N" for the
goals 1–6 and "Insatsområden - Organisation|Samverkan|Kunskap" / "Insatsområden Uppföljning" for the four
internal parts. A row whose first cell starts with a notation ("1.1", "O.2", also inside "<p>…</p>")
opens a focus area; a row whose first cell is empty continues it. Every row with activity text is one
andts:Activity (a list cell such as 4.3's priority groups or S.5's partners is one activity whose list
items become concepts); an empty Aktivitet cell leaves only the focus area and its Utförare.

What the loader decides, beyond what the cells say (each decision is visible in the graph):
- an empty Utförare cell on a continuation row takes over the actors of the row above (a row span lost
  in extraction) and is reported as `inherited-cell`; on a focus area's first row it is `empty-cell`;
- the Utförare phrases "Initieras av X och omfattar Y", "X har tillsynsansvar" and "X huvudansvar…"
  give initiator/participant, supervisor and coordinator roles (each also materialised as responsible);
- the mapping of goals 1–6 to the national strategy's goals is inferred (the appendix has no goal texts).

Malformed input raises SourceError naming the file and line. `load` is pure: it reads the document and
the reference graph, and returns a LoadResult.

The steps, one module each: `read_title_page` and `read_tables` turn the text into the plain structures
of `layout` (no RDF; every check that stops the build is there), `read_responsible` cuts an Utförare cell
into roles; `emit_title_page`, `emit_tables` and `emit_links` put what was read into the graph, sharing a
`context`.
"""

from __future__ import annotations

from rdflib import Graph

from andts.loaders.common import LoadResult, SourceInfo, document_and_programme
from andts.loaders.stockholm.context import Context
from andts.loaders.stockholm.emit_tables import emit_table
from andts.loaders.stockholm.emit_title_page import emit_title_page
from andts.loaders.stockholm.read_tables import national_goal_numbers, read_tables
from andts.loaders.stockholm.read_title_page import read_title_page


def load(source: SourceInfo, reference: Graph) -> LoadResult:
    """Load the Stockholm appendix into a programme graph with its findings."""
    ctx = Context.of(source, reference)
    lines = source.read_lines()
    start = next((i for i, line in enumerate(lines) if "\t" in line), None)
    if start is None:
        # an empty file has no last line to point at: its line 1 is where the text should begin
        what = "truncated" if any(line.strip() for line in lines) else "empty file"
        raise source.error(max(len(lines), 1),
                           f"{what}: the document has no goal table ('Insatsområden mål 1\\tAktivitet\\tUtförare')")
    page = read_title_page(source, lines, start)
    tables = read_tables(source, lines, start, national_goal_numbers(reference, ctx.strategy))
    document_and_programme(ctx.builder)
    emit_title_page(ctx, lines, page)
    for table in tables:
        emit_table(ctx, lines, table, tables)
    return ctx.builder.result()
