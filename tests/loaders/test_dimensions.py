"""The analytic dimensions (substances, umbrella scope, target groups, settings, laws) against a blind
annotation of the rubric, the matcher's handling of Swedish word forms, and the counts that must hold over
the real build: no substance from an umbrella word, every tag with evidence, every concept named in Swedish
and English."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from andts.loaders.dimensions import _ENDINGS, DIMENSIONS, MAX_PLACES, Dimensions, unique
from andts.loaders.registry import Registry
from andts.namespaces import ANDTS, ID
from andts.validation import reference_graph

ANNOTATIONS = Path(__file__).parent / "fixtures" / "dimensions" / "annotations.toml"
#: The annotation's keys and the property each one is about.
KEYS = {"substance": ANDTS.substance, "scope": ANDTS.substanceScope, "target_group": ANDTS.targetGroup,
        "setting": ANDTS.setting, "law": ANDTS.law}
THRESHOLD = 0.9
TAGGED = (ANDTS.Activity, ANDTS.FocusArea, ANDTS.SubGoal, ANDTS.ExistingWork)
PERIOD_STH = (None, None)


@pytest.fixture(scope="module")
def reference() -> Graph:
    return reference_graph()


@pytest.fixture(scope="module")
def graphs(real_build) -> dict[str, Graph]:
    """The real programmes as the session's build loaded them (tests/conftest.py), by the first word of their
    slug (stockholm, eskilstuna)."""
    return {load.source.slug.split("-")[0]: load.graph for load in real_build.loads}


@pytest.fixture(scope="module")
def dims(reference) -> Dimensions:
    return Dimensions(reference)


def local(iri: URIRef) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def annotated() -> list[dict]:
    return tomllib.loads(ANNOTATIONS.read_text(encoding="utf-8"))["activity"]


def scores(graphs: dict[str, Graph]) -> dict[str, tuple[float, float, float, list]]:
    acts = {}
    for doc, g in graphs.items():
        for a in g.subjects(RDF.type, ANDTS.Activity):
            acts[(doc, int(g.value(a, ANDTS.sourceLine)))] = (g, a)
    out = {}
    for key, prop in KEYS.items():
        tp = fp = fn = 0
        wrong = []
        for e in annotated():
            g, a = acts[(e["document"], e["line"])]
            got = {local(o) for o in g.objects(a, prop)}
            want = ({"andts"} if e["scope"] else set()) if key == "scope" else set(e[key])
            tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
            if got != want:
                wrong.append((e["document"], e["line"], sorted(got - want), sorted(want - got)))
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        out[key] = (p, r, 2 * p * r / (p + r) if p + r else 0.0, wrong)
    return out


# ---------------------------------------------------------------------------------------------------
# Against the annotation
# ---------------------------------------------------------------------------------------------------

def test_the_annotation_covers_both_documents_and_every_key():
    entries = annotated()
    assert len(entries) >= 40
    assert {e["document"] for e in entries} == {"stockholm", "eskilstuna"}
    for e in entries:
        assert set(KEYS) <= set(e), e["line"]


def test_annotated_rows_are_the_activities_they_quote(graphs):
    """The fixture's line numbers point at the activities whose text it quotes (it stays in step with the sources)."""
    for e in annotated():
        g = graphs[e["document"]]
        acts = [a for a in g.subjects(ANDTS.sourceLine, None) if (a, RDF.type, ANDTS.Activity) in g
                and int(g.value(a, ANDTS.sourceLine)) == e["line"]]
        assert len(acts) == 1, e["line"]
        source = str(g.value(acts[0], ANDTS.sourceText) or g.value(acts[0], DCTERMS.description))
        assert source.startswith(e["text"][:20]), (e["line"], source[:40], e["text"][:40])


@pytest.mark.parametrize("key", list(KEYS))
def test_precision_recall_and_f1_per_dimension(graphs, key):
    p, r, f1, wrong = scores(graphs)[key]
    report = "\n".join(f"  {doc} line {line}: extra {extra}, missing {missing}" for doc, line, extra, missing in wrong)
    print(f"{key}: precision {p:.2f}, recall {r:.2f}, F1 {f1:.2f}\n{report}")
    assert p >= THRESHOLD and r >= THRESHOLD and f1 >= THRESHOLD, f"{key}: P={p:.2f} R={r:.2f} F1={f1:.2f}\n{report}"


# ---------------------------------------------------------------------------------------------------
# The matcher
# ---------------------------------------------------------------------------------------------------

def concepts_of(dims: Dimensions, text: str, prop: URIRef = ANDTS.substance) -> set[str]:
    return {local(t.concept) for t in dims.read(text) if t.prop == prop}


FILLER = st.lists(st.sampled_from(["Staden", "arbetar", "med", "att", "och", "insatser", "för", "samverkan",
                                   "utvecklas", "genom", "ska", "årligen", "stöd", "kunskap"]), max_size=6)
ENDINGS = _ENDINGS.split("|")


@settings(max_examples=150, deadline=None)
@given(before=FILLER, after=FILLER, ending=st.sampled_from(["", *ENDINGS]),
       word=st.sampled_from([("alkohol", "alkohol"), ("folköl", "alkohol"), ("narkotika", "narkotika"),
                             ("cannabis", "narkotika"), ("dopningsmedel", "dopning"), ("snus", "tobak"),
                             ("rökning", "tobak"), ("berusning", "alkohol")]))
def test_inflected_forms_name_their_substance(dims, before, after, ending, word):
    text = " ".join([*before, word[0] + ending, *after])
    assert word[1] in concepts_of(dims, text), text


@settings(max_examples=150, deadline=None)
@given(before=FILLER, after=FILLER, head=st.sampled_from(["alkohol", "tobaks", "nikotin", "narkotika", "cannabis",
                                                          "dopnings", "spelberoende"]),
       tail=st.sampled_from(["servering", "försäljning", "fria", "användning", "förebyggande", "tillsyn", "", "t"]))
def test_compounds_name_their_substance(dims, before, after, head, tail):
    expected = {"alkohol": "alkohol", "tobaks": "tobak", "nikotin": "tobak", "narkotika": "narkotika",
                "cannabis": "narkotika", "dopnings": "dopning", "spelberoende": "spel"}[head]
    text = " ".join([*before, head + tail, *after])
    assert expected in concepts_of(dims, text), text


@settings(max_examples=100, deadline=None)
@given(before=FILLER, after=FILLER, word=st.sampled_from(["spelar", "spelade", "spela", "spelas", "vinter", "vinst",
                                                          "spritt", "ölands", "narkos", "tobias", "alkov"]))
def test_a_word_inside_another_word_is_not_a_substance(dims, before, after, word):
    assert concepts_of(dims, " ".join([*before, word, *after])) == set()


def test_named_forms_the_rubric_lists(dims):
    cases = {
        "Tobaksförsäljning kontrolleras": {"tobak"}, "Alkoholservering på krogen": {"alkohol"},
        "Sänka berusningsgraden vid evenemang": {"alkohol"}, "alkoholfria alternativ": {"alkohol"},
        "Samverkan mot alkohol och droger i trafiken": {"alkohol", "narkotika"},
        "Arbete mot öppna drogsцен": {"narkotika"},  # look-alike letters (rubric, clarification 8)
        "Spel om pengar och spelproblem": {"spel"}, "ANDTS-förebyggande arbete": set(),
        "Information om droger till unga": set(), "Langning till unga": set(),
    }
    for text, expected in cases.items():
        assert concepts_of(dims, text) == expected, text


def test_umbrella_words_give_the_scope_and_no_substance(dims):
    for text in ("Skolor arbetar med undervisning om ANDTS.", "ANDT-förebyggande arbete", "bruk av ANDS",
                 "screenar för ANS-bruk", "drogförebyggande insatser", "personer med beroendeproblematik",
                 "missbruksproblem hos vuxna"):
        tags = dims.read(text)
        assert {local(t.concept) for t in tags if t.prop == ANDTS.substanceScope} == {"andts"}, text
        assert not [t for t in tags if t.prop == ANDTS.substance], text
    assert not [t for t in dims.read("Insatser beroende på behov") if t.prop == ANDTS.substanceScope]


def test_target_groups_settings_and_statutory_tasks(reference):
    sth = Dimensions(reference, period=(_date("2023-01-01"), _date("2026-12-31")))
    esk = Dimensions(reference, period=(_date("2019-01-01"), _date("2023-12-31")))
    assert concepts_of(sth, "Föräldramöten för vårdnadshavare", ANDTS.targetGroup) == {"foraldrar"}
    assert concepts_of(sth, "Samverkan kring unga och unga vuxna", ANDTS.targetGroup) == {"barn-och-unga", "unga-vuxna"}
    assert concepts_of(sth, "Utbildningar till krogpersonal", ANDTS.targetGroup) == {"naringsidkare"}
    assert concepts_of(sth, "vid stora idrottsevenemang", ANDTS.setting) == {"idrott", "servering"}
    assert concepts_of(sth, "gymnasieskolans elevhälsa", ANDTS.setting) == {"skola"}
    assert concepts_of(sth, "Tillsyn av serveringsställen", ANDTS.law) == {"sfs-2010-1622"}
    assert concepts_of(sth, "gör orosanmälningar vid behov", ANDTS.law) == {"sfs-2001-453", "sfs-2025-400"}
    assert concepts_of(esk, "gör orosanmälningar vid behov", ANDTS.law) == {"sfs-2001-453"}
    assert concepts_of(esk, "Tillsyn av rökfria miljöer på skolgårdar", ANDTS.law) == {"sfs-2018-2088"}
    assert concepts_of(sth, "Arbetet med rökfria miljöer utvecklas", ANDTS.law) == set()  # no supervision


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.sampled_from(["injektions-missbruk", "brotts-förebyggande", "alkohol", "ANDTS-bruk", "unga",
                                       "tobakstillsyn", "föräldrar", "skolan", "och", "drogsцен", "Tillsyn",
                                       "serveringsställen"]), min_size=1, max_size=10))
def test_evidence_words_are_the_text_at_their_offsets(dims, words):
    text = " ".join(words)
    for t in dims.read(text):
        assert t.words == text[t.start:t.end]


# ---------------------------------------------------------------------------------------------------
# Over the real build
# ---------------------------------------------------------------------------------------------------

def test_every_tag_has_evidence_and_every_evidence_its_tag(graphs):
    for g in graphs.values():
        for cls in TAGGED:
            for s in g.subjects(RDF.type, cls):
                for prop, _ in DIMENSIONS.values():
                    for value in g.objects(s, prop):
                        backed = [e for e in g.objects(s, ANDTS.evidence)
                                  if g.value(e, ANDTS.tagProperty) == prop and g.value(e, ANDTS.tagValue) == value]
                        assert backed, (s, prop, value)
        for e in g.subjects(RDF.type, ANDTS.TagEvidence):
            s = g.value(None, ANDTS.evidence, e)
            assert (s, g.value(e, ANDTS.tagProperty), g.value(e, ANDTS.tagValue)) in g


def test_no_substance_rests_on_an_umbrella_word(graphs, reference):
    umbrella = {str(lit).lower() for p in (SKOS.altLabel, SKOS.hiddenLabel)
                for lit in reference.objects(ID["substance-scope/andts"], p)}
    for g in graphs.values():
        for e in g.subjects(RDF.type, ANDTS.TagEvidence):
            if g.value(e, ANDTS.tagProperty) == ANDTS.substance and g.value(e, ANDTS.words) is not None:
                term = str(g.value(e, ANDTS.entryTerm)).lower()
                concept = g.value(e, ANDTS.tagValue)
                assert term not in umbrella or (concept, ANDTS.contrastLabel, None) in reference, (e, term)
    sth = graphs["stockholm"]
    ands = [a for a in sth.subjects(RDF.type, ANDTS.Activity) if "ANDTS" in str(sth.value(a, DCTERMS.description))]
    assert ands and all((a, ANDTS.substanceScope, ID["substance-scope/andts"]) in sth for a in ands)
    gambling = [a for a in sth.subjects(ANDTS.substance, ID["substance/spel"]) if (a, RDF.type, ANDTS.Activity) in sth]
    assert 1 <= len(gambling) <= 3, "gambling is named by one or two activities, not by every ANDTS one"


def test_evidence_points_into_the_text_it_names(graphs):
    for g in graphs.values():
        for e in g.subjects(RDF.type, ANDTS.TagEvidence):
            words = g.value(e, ANDTS.words)
            if words is None:
                assert g.value(e, ANDTS.impliedBy) is not None, e
                continue
            text = str(g.value(g.value(e, ANDTS.inTextOf), DCTERMS.description))
            assert text[int(g.value(e, ANDTS.start)):int(g.value(e, ANDTS.end))] == str(words), e


def test_every_kind_of_text_carries_dimensions(graphs):
    esk, sth = graphs["eskilstuna"], graphs["stockholm"]
    for g, classes in ((esk, TAGGED), (sth, (ANDTS.Activity, ANDTS.FocusArea))):
        for cls in classes:
            tagged = [s for s in g.subjects(RDF.type, cls) if (s, ANDTS.evidence, None) in g]
            assert tagged, cls


def test_every_thesaurus_concept_is_named_in_swedish_and_english(reference):
    for _, cls in DIMENSIONS.values():
        concepts = set(reference.subjects(RDF.type, cls))
        assert concepts, cls
        for c in concepts:
            langs = {getattr(lit, "language", None) for lit in reference.objects(c, SKOS.prefLabel)}
            assert {"sv", "en"} <= langs, c
            assert list(reference.objects(c, SKOS.definition)) or cls == ANDTS.Law, c
    for basis in reference.subjects(RDF.type, ANDTS.TagBasis):
        assert {lit.language for lit in reference.objects(basis, SKOS.prefLabel)} == {"sv", "en"}


def test_methods_and_laws_imply_tags_from_reference_data(graphs):
    sth, esk = graphs["stockholm"], graphs["eskilstuna"]
    prog = "https://w3id.org/andts/id/programme/"
    gym = URIRef(prog + "stockholm-andts-2023-2026/focus-area/1.4/activity/2")  # 100% ren hårdträning
    assert (gym, ANDTS.substance, ID["substance/dopning"]) in sth
    smadit = URIRef(prog + "stockholm-andts-2023-2026/focus-area/6.3/activity/1")
    assert {ID["substance/alkohol"], ID["substance/narkotika"]} <= set(sth.objects(smadit, ANDTS.substance))
    assert (smadit, ANDTS.setting, ID["setting/trafik"]) in sth
    prodis = [a for a in esk.subjects(ANDTS.method, ID["method/prodis"]) if (a, RDF.type, ANDTS.Activity) in esk]
    assert prodis and all((a, ANDTS.substance, ID["substance/dopning"]) in esk for a in prodis)
    implied = [e for e in sth.objects(gym, ANDTS.evidence) if sth.value(e, ANDTS.basis) == ID["tag-basis/implied-by-method"]]
    assert {sth.value(e, ANDTS.impliedBy) for e in implied} == {ID["method/100-procent-ren-hardtraning"]}


def _date(text: str):
    from datetime import date
    return date.fromisoformat(text)


def test_a_runaway_text_is_read_in_linear_time_and_keeps_a_few_places(reference):
    """A cell naming a method and a law 20,000 times (a runaway paste) is read at once, and its tags keep
    their first places as evidence, not 20,000 nodes each."""
    registry = Registry(reference, ID["municipality/stockholm"])
    dims = Dimensions(reference, laws=registry.laws, names=[registry.methods])
    tags = dims.read("MUMIN och SoL, " * 20_000)  # ~1.5 s; a copy of the text per name would take minutes
    kept = [t for t in unique(tags) if t.concept == ID["law/sfs-2001-453"]]
    assert len(kept) == MAX_PLACES and kept[0].start == len("MUMIN och ")
