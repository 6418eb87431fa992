"""The Eskilstuna loader: *Plan mot alkohol, narkotika, dopningsmedel och tobak (ANDT) 2019–2022*,
extended to 2023-12-31 (data/sources/eskilstuna-andt-2019-2023.txt).

The document is a text extraction of a Word document. Its layout, top to bottom:

- a document-type line ("STYRDOKUMENT"), the title, and a header table (tab-separated "key<TAB>value"
  rows: Beslutad när/av, Diarienummer, Ersätter, …) that is cross-checked against the metadata file;
- prose sections under short headings (the municipality's boilerplate definitions of Program, Plan,
  Policy and Riktlinje, then background): kept as `skos:note`s on the programme, one per section;
- "Övergripande mål" and its text, then "Mål n. <text>" headings. A goal has explanatory paragraphs,
  optionally "Delmål" (sub-goal paragraphs, each followed by an "Ansvarig: …" line whose bold body
  coordinates), "Befintligt arbete" (bullet lists, " - " nested bullets, footnote bodies "¹ …"
  dumped between them) and focus areas: a heading line followed by the table header
  "Insats/Utvecklingsområde<TAB>Ansvarig" and one row per activity. Page breaks show as blank lines,
  as separator rows ("---<TAB>--") and as rows split in two (the second part has an empty Ansvarig cell);
- prose sections again (decisions the plan relates to).

Parsing is structural. The plan's own vocabulary is known ("Övergripande mål", "Mål n.", "Delmål",
"Befintligt arbete", "Insatsområden", the table header); focus-area and prose headings are recognised by
shape and position (a focus-area heading is the line before a table header; a prose heading is a short
line that does not end like a sentence), never by a list of this document's headings. Actors, methods,
laws and substances are resolved through the reference registry (longest match, no guessing at spaces).
Every non-blank line becomes data or a finding; every defect is a finding (the document's known errata
are the `[[errata]]` list of its metadata file, reported by ProgrammeBuilder.check_text; a match on a
registry skos:hiddenLabel is reported as misspelt-name).

Decisions (each also stated where it is reported):
- Coordinator: of a sub-goal, the body in bold in its "Ansvarig:" line (none for "Alla nämnder och
  bolag"); of an activity, the first actor of the cell (the plan's l.59 says the first, bold body
  coordinates; the bold is lost in the tables).
- A table row whose Ansvarig cell is empty and whose text starts in lower case continues the row above
  (a page break split it): one activity, sourceLine = first line, a split-row finding on the fragment.
  An empty cell that continues nothing is a SourceError.
- Top-level bullets right after a footnote body, when the list before the footnote ended in nested
  bullets, continue that nested list (the page break lost their indentation): l.208–210 become items
  9.6–9.8 of goal 3 under l.199, with a placement finding.
- Footnote bodies ("¹ …") become a skos:note @sv on the entity whose text carries the marker; markers
  are removed from published text (kept in andts:sourceText) and reported as layout-debris.
- Sub-goals, items and activities have no names or numbers in the document; their skos:prefLabel @sv
  is the first sentence of their text (no numbering is invented, and focus areas get no skos:notation).
- Dimensions (substances, umbrella scope, target groups, settings, laws) by the shared matcher
  (andts.loaders.dimensions): of focus areas from their heading, of activities from their text and their
  focus area's heading, of sub-goals and existing-work items from their text; goals are not tagged (a
  goal's text is the national goal's, naming every substance). Bodies outside the municipality named in
  an activity's text are its partners; every body an existing-work item names is a partner of it.

The steps, one module each: `emit_front_matter` (type, title, header table checked against the metadata)
and `emit_prose` (prose sections) work on the lines before and after the goals; `read_plan` reads the
goals into the plain structures of `layout` (no RDF); `emit_goals`, `emit_focus_areas` and `emit_text`
put them into the graph; `emit_footnotes` runs last, when every marker has been met. They share a
`context`.
"""

from __future__ import annotations

from rdflib import Graph

from andts.loaders.common import LoadResult, SourceInfo, document_and_programme
from andts.loaders.eskilstuna.context import Context
from andts.loaders.eskilstuna.emit_footnotes import emit_footnotes
from andts.loaders.eskilstuna.emit_front_matter import emit_front_matter
from andts.loaders.eskilstuna.emit_goals import emit_goal
from andts.loaders.eskilstuna.emit_prose import emit_prose
from andts.loaders.eskilstuna.layout import GOAL_LIKE, OVERARCHING
from andts.loaders.eskilstuna.read_plan import read_plan


def load(source: SourceInfo, reference: Graph) -> LoadResult:
    """The Eskilstuna ANDT plan as a programme graph with its findings (pure: reads only the document)."""
    ctx = Context.of(source, reference)
    entries = [(n, line) for n, line in enumerate(ctx.lines, start=1) if line.strip()]
    start = next((i for i, (_, line) in enumerate(entries)
                  if line.strip() == OVERARCHING or GOAL_LIKE.match(line.strip())), None)
    if start is None:
        last = entries[-1][0] if entries else 1
        raise source.error(last, "no goals ('Övergripande mål' or 'Mål n. …'): the file is truncated or not this plan")
    document_and_programme(ctx.builder)
    emit_front_matter(ctx, entries[:start])
    plan = read_plan(source, entries[start:])
    for goal in plan.goals:
        emit_goal(ctx, goal)
    emit_prose(ctx, plan.back, programme_title=False)
    emit_footnotes(ctx, plan.footnotes)
    return ctx.builder.result()
