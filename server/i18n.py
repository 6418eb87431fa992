"""The pages' own words in Swedish and English, and the language a page is shown in.

Pages are Swedish by default, as are the data's labels; `?lang=en` asks for English (the language switch in
every page header keeps the rest of the URL). Only these two: the data has labels in no other language.
"""

from __future__ import annotations

from urllib.parse import urlencode

LANGS = ("sv", "en")
DEFAULT = "sv"

#: key → (Swedish, English)
STRINGS: dict[str, tuple[str, str]] = {
    "site": ("ANDTS-kunskapsgraf", "ANDTS knowledge graph"),
    "tagline": ("Kommunala program mot alkohol, narkotika, dopning, tobak och spel som länkade data.",
                "Municipal programmes against alcohol, narcotics, doping, tobacco and gambling as linked data."),
    "skip": ("Hoppa till innehållet", "Skip to content"),
    "nav": ("Huvudmeny", "Main menu"),
    "home": ("Start", "Home"),
    "compare": ("Jämför", "Compare"),
    "ontology": ("Ontologi", "Ontology"),
    "queries": ("Frågor", "Queries"),
    "sparql": ("SPARQL", "SPARQL"),
    "search": ("Sök", "Search"),
    "search_label": ("Sök bland namn och texter", "Search names and texts"),
    "search_hint": ("Versaler och accenter spelar ingen roll: ”forebyggande” hittar ”förebyggande”.",
                    "Case and accents do not matter: “forebyggande” finds “förebyggande”."),
    "search_results": ("Sökresultat", "Search results"),
    "search_none": ("Inga träffar.", "No matches."),
    "search_count": ("{n} träffar", "{n} matches"),
    "search_more": ("Visar de {n} första.", "Showing the first {n}."),
    "language": ("Språk", "Language"),
    "in_english": ("In English", "In English"),
    "in_swedish": ("På svenska", "På svenska"),
    "breadcrumbs": ("Du är här", "You are here"),
    "type": ("Typ", "Type"),
    "iri": ("IRI", "IRI"),
    "properties": ("Uppgifter", "Properties"),
    "property": ("Egenskap", "Property"),
    "value": ("Värde", "Value"),
    "incoming": ("Länkas från", "Linked from"),
    "incoming_via": ("via ”{p}”", "via “{p}”"),
    "incoming_more": ("Visar {shown} av {total}; alla finns i", "Showing {shown} of {total}; all of them in"),
    "query_all": ("SPARQL-frågan", "the SPARQL query"),
    "provenance": ("Härkomst", "Provenance"),
    "source_document": ("Källdokument", "Source document"),
    "source_line": ("Rad", "Line"),
    "source_text": ("Texten i källan", "Text in the source"),
    "source_text_same": ("Texten publiceras som den står i källan.", "The text is published as it stands in the source."),
    "source_text_cleaned": ("Den publicerade texten är rensad; så här står det i källan:",
                            "The published text is cleaned; this is how the source has it:"),
    "named_graph": ("Namngiven graf", "Named graph"),
    "reference_source": ("Underlag", "Based on"),
    "confidence": ("Säkerhet", "Confidence"),
    "findings": ("Anmärkningar om källan", "Findings about the source"),
    "finding_kind": ("Slag", "Kind"),
    "finding_message": ("Anmärkning", "Finding"),
    "finding_suggestion": ("Förslag", "Suggestion"),
    "no_findings": ("Inga anmärkningar.", "No findings."),
    "formats": ("Andra format", "Other formats"),
    "contents": ("Innehåll", "Contents"),
    "goals": ("Mål", "Goals"),
    "parts": ("Delar", "Parts"),
    "focus_areas": ("Insatsområden", "Focus areas"),
    "activities": ("Aktiviteter", "Activities"),
    "activities_n": ("{n} aktiviteter", "{n} activities"),
    "national_goal": ("Nationellt mål", "National goal"),
    "no_focus_area": ("Inga insatsområden.", "No focus areas."),
    "municipality": ("Kommun", "Municipality"),
    "municipalities": ("Kommuner", "Municipalities"),
    "programme": ("Program", "Programme"),
    "programmes": ("Program", "Programmes"),
    "valid": ("Giltighet", "Validity"),
    "counts": ("Omfattning", "Size"),
    "label": ("Namn", "Name"),
    "notation": ("Nr", "No."),
    "instances": ("Förekomster", "Instances"),
    "instances_count": ("{n} st.", "{n} in all"),
    "page_n_of": ("Sida {page} av {pages}", "Page {page} of {pages}"),
    "previous": ("Föregående", "Previous"),
    "next": ("Nästa", "Next"),
    "sort_by": ("Sortera efter {column}", "Sort by {column}"),
    "ascending": ("stigande", "ascending"),
    "descending": ("fallande", "descending"),
    "pagination": ("Sidor", "Pages"),
    "term_definition": ("Definition", "Definition"),
    "term_domain": ("Gäller", "Domain"),
    "term_range": ("Värden", "Range"),
    "term_parents": ("Specialfall av", "Specialises"),
    "term_children": ("Specialfall", "Specialisations"),
    "term_usage": ("Används", "Used"),
    "term_usage_class": ("{n} förekomster", "{n} instances"),
    "term_usage_property": ("{n} tripler", "{n} triples"),
    "term_properties": ("Egenskaper med denna klass som domän", "Properties with this class as domain"),
    "classes": ("Klasser", "Classes"),
    "properties_list": ("Egenskaper", "Properties"),
    "ontology_intro": ("Ontologin beskriver programmen, målen, insatserna och aktörerna. Varje term har namn på svenska och engelska.",
                       "The ontology describes the programmes, goals, activities and actors. Every term has Swedish and English names."),
    "any": ("vad som helst", "anything"),
    "dataset": ("Datamängden", "The dataset"),
    "triples": ("tripler", "triples"),
    "dumps": ("Hela datamängden", "The whole dataset"),
    "void": ("VoID-beskrivning", "VoID description"),
    "editor": ("Frågeeditor (SPARQL)", "Query editor (SPARQL)"),
    "query_catalogue": ("Färdiga frågor", "Query catalogue"),
    "comparison": ("Jämförelse mellan kommuner", "Comparison of municipalities"),
    "comparison_intro": ("Antal aktiviteter under varje nationellt mål, per kommun. Kommunernas mål är kopplade till den nationella strategi de följer; mål i den äldre strategin räknas under motsvarande mål i {strategy}.",
                         "Activities under each national goal, per municipality. Municipal goals are linked to the national strategy they follow; goals of the older strategy count under the corresponding goal of {strategy}."),
    "comparison_none": ("inga aktiviteter", "no activities"),
    "comparison_unlinked": ("Inte kopplade till något nationellt mål", "Not linked to a national goal"),
    "comparison_total": ("Summa", "Total"),
    "comparison_actors": ("Ansvar per mål", "Responsibilities per goal"),
    "comparison_actors_intro": ("Hur många aktiviteter varje aktör är ansvarig för under varje nationellt mål. Mörkare ruta: fler aktiviteter.",
                                "How many activities each actor is responsible for under each national goal. Darker cell: more activities."),
    "comparison_cell": ("{municipality}: aktiviteter under nationellt mål {goal}", "{municipality}: activities under national goal {goal}"),
    "comparison_back": ("Tillbaka till jämförelsen", "Back to the comparison"),
    "actor": ("Aktör", "Actor"),
    "coordinator_mark": ("varav samordnare", "of which coordinator"),
    # the kinds of entity counted on the home page, in the plural
    "plural_Programme": ("program", "programmes"),
    "plural_Goal": ("mål", "goals"),
    "plural_FocusArea": ("insatsområden", "focus areas"),
    "plural_Activity": ("aktiviteter", "activities"),
    "plural_ExistingWork": ("befintliga arbeten", "items of existing work"),
    "plural_SubGoal": ("delmål", "sub-goals"),
    "plural_Actor": ("aktörer", "actors"),
    "plural_Method": ("metoder", "methods"),
    "plural_Law": ("lagar", "laws"),
    "plural_Substance": ("substanser", "substances"),
    "plural_NationalGoal": ("nationella mål", "national goals"),
    "plural_Finding": ("anmärkningar", "findings"),
    "not_found": ("Hittades inte", "Not found"),
    "not_found_text": ("{iri} beskrivs inte i den här datamängden.", "{iri} is not described in this dataset."),
    "focus_area": ("Insatsområde", "Focus area"),
    "goal": ("Mål", "Goal"),
    "graph_triples": ("Grafens tripler", "The graph's triples"),
    "subject": ("Subjekt", "Subject"),
    "graph_summary": ("Grafen har {n} tripler, fler än en sida visar; hämta den i ett RDF-format nedan eller som hela datamängden.",
                      "The graph has {n} triples, more than one page shows; get it in an RDF format below or as the whole dataset."),
}


def lang_of(value: str | None) -> str:
    """The page language from the `lang` parameter: sv or en, anything else is the default."""
    return value if value in LANGS else DEFAULT


def text(key: str, lang: str, **values: object) -> str:
    sv, en = STRINGS[key]
    template = en if lang == "en" else sv
    return template.format(**values) if values else template


def with_lang(path: str, lang: str, params: list[tuple[str, str]] | None = None) -> str:
    """A link to one of our pages that keeps the page language (the default needs no parameter)."""
    pairs = [(k, v) for k, v in (params or []) if k != "lang"]
    if lang != DEFAULT:
        pairs.append(("lang", lang))
    return path + ("?" + urlencode(pairs) if pairs else "")
