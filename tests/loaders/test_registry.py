"""Lexicon.find skips a label when its probe (the label without word boundaries) is not in the text; that
must never change what it finds. Checked against the plain scan of every label's pattern, on random texts
made of the labels' own pieces (case changed, spaces doubled, glued to letters), with the real actor,
method and law registries and the thesaurus's lexicons (andts.loaders.dimensions) as well as random labels."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from andts.build import reference_graphs, reference_union
from andts.loaders.dimensions import Dimensions
from andts.loaders.registry import Lexicon, Match, Registry, _Spans
from andts.namespaces import ID


def plain_find(lexicon: Lexicon, text: str) -> list[Match]:
    """What find did before it had probes: every label's pattern over the whole text."""
    taken, found = _Spans(), []
    for e in lexicon.entries:
        for m in e.pattern.finditer(text):
            claim = m.span("core") if "core" in e.pattern.groupindex else m.span()
            if not taken.overlaps(*claim):
                taken.add(*claim)
                found.append(Match(e.iri, e.label, m.group(0), m.start(), m.end(), e.kind))
    return sorted(found, key=lambda m: m.start)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(reference_union(reference_graphs()), ID["municipality/eskilstuna"])


@pytest.fixture(scope="module")
def lexicons(registry: Registry) -> list[Lexicon]:
    return [registry.actors, registry.methods, registry.laws, *Dimensions(registry.reference).lexicons.values()]


words = st.text("aAbBåÅöÖ-/ ", min_size=1, max_size=6).filter(str.strip)
labels = st.lists(st.tuples(words, st.sampled_from(["pref", "alt", "hidden"])), min_size=1, max_size=8)


def variants(label: str) -> st.SearchStrategy[str]:
    return st.sampled_from([label, label.upper(), label.lower(), label.replace(" ", "  "), "x" + label,
                            label + "s", label.replace(" ", "\n")])


@settings(max_examples=300, deadline=None)
@given(data=st.data(), entries=labels, prefix=st.booleans())
def test_probes_change_nothing_on_random_labels(data: st.DataObject, entries: list[tuple[str, str]],
                                                prefix: bool) -> None:
    lexicon = Lexicon([(label, URIRef(f"https://example.org/{i}"), kind) for i, (label, kind) in enumerate(entries)],
                      prefix=prefix)
    pieces = data.draw(st.lists(st.one_of(words, *(variants(label) for label, _ in entries)), max_size=8))
    text = data.draw(st.sampled_from([" ", "", ", ", "och "])).join(pieces)
    assert lexicon.find(text) == plain_find(lexicon, text)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_probes_change_nothing_with_the_real_registries(lexicons: list[Lexicon], data: st.DataObject) -> None:
    lexicon = data.draw(st.sampled_from(lexicons))
    chosen = data.draw(st.lists(st.sampled_from(lexicon.entries), max_size=5))
    pieces = [data.draw(variants(e.label)) for e in chosen]
    text = data.draw(st.sampled_from([" ", "", ", ", " och ", "/"])).join(pieces)
    assert lexicon.find(text) == plain_find(lexicon, text)
    if chosen and text == " ".join(e.label.strip("*") for e in chosen):
        assert lexicon.find(text)  # the real labels, written as they are, are found


def test_a_probe_matches_wherever_its_pattern_does(lexicons: list[Lexicon]) -> None:
    for lexicon in lexicons:
        for e in lexicon.entries:
            text = f"— {e.label.strip('*')} —"
            assert e.pattern.search(text) and e.probe.search(text)
            assert not re.search(e.probe.pattern, "", e.probe.flags)
