"""Text cleaning and slugs: markup goes, words stay; IRIs segments are stable and safe."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from andts.loaders.text import clean, foreign_letters, has_markup, replace_look_alikes, slug, strip_markup

#: sh:pattern of shapes:Entity-labelMarkup and shapes:Entity-descriptionMarkup (shapes/andts-shapes.ttl).
SHAPES_MARKUP_FREE = r"[^<>*]*(\*[^<>*]+)*\*?"


def test_html_list_cell_keeps_its_words():
    raw = '<p>Exempel på samverkans-aktörer:</p> <ul style="list-style-type: none"> • Skola • Förskola'
    assert clean(raw) == "Exempel på samverkans-aktörer: • Skola • Förskola"


def test_nested_markdown_emphasis():
    assert clean("*Ansvarig: **Socialnämnden**, Vård och omsorgsnämnden*") == "Ansvarig: Socialnämnden, Vård och omsorgsnämnden"


def test_cyrillic_look_alikes_in_a_swedish_word():
    raw = "Platssamverkan, exempelvis kring öppen drogsцен"
    assert [c for _, c in foreign_letters(raw)] == ["ц", "е", "н"]
    assert replace_look_alikes(raw) == "Platssamverkan, exempelvis kring öppen drogscen"


def test_a_wholly_cyrillic_word_is_not_a_look_alike():
    assert foreign_letters("Москва och Stockholm") == []


def test_slugs():
    assert slug("100 % ren hårdträning") == "100-procent-ren-hardtraning"
    assert slug("Barn- och utbildningsnämnden") == "barn-och-utbildningsnamnden"
    assert slug("Råd & stöd") == "rad-och-stod"


@given(st.text())
def test_slug_is_a_safe_iri_segment(s: str):
    out = slug(s)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|x", out)
    assert slug(s) == out  # deterministic


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_clean_is_idempotent_and_markup_free(s: str):
    once = clean(s)
    assert clean(once) == once
    assert not re.search(r"</?[a-zA-Z][^>]*>", once)
    assert re.fullmatch(SHAPES_MARKUP_FREE, once), "what the shapes accept as a name or a description"
    assert once == once.strip() and "  " not in once


@given(st.lists(st.sampled_from(["Skola", "förebyggande", "ANDTS-bruk", "SoN", "100 %"]), min_size=1))
def test_markup_around_words_is_removed_and_words_kept(words: list[str]):
    plain = " ".join(words)
    for wrapped in (f"<p>{plain}</p>", f"**{plain}**", f"<i>{plain}</i>", f"*{plain}*"):
        assert has_markup(wrapped)
        assert clean(wrapped) == plain
        assert strip_markup(wrapped).strip() == plain


def test_escaped_markup_and_stray_brackets_are_markup():
    """Found by test_mutation.py: "&lt;b&gt;" reached the graph as "<b>" (a SHACL violation) with no
    finding; a lone '<' or '**' would have too."""
    for raw, published in [("a &lt;b&gt;fet&lt;/b&gt; text", "a fet text"), ("barn < 18 år", "barn 18 år"),
                           ("pil -> mål", "pil - mål"), ("fet** text", "fet text"), ("&#42;&#42;ord", "ord")]:
        assert has_markup(raw), raw
        assert clean(raw) == published
        assert re.fullmatch(SHAPES_MARKUP_FREE, clean(raw))
    assert not has_markup("Råd &amp; stöd") and clean("Råd &amp; stöd") == "Råd & stöd"


def test_no_character_before_the_greek_block_is_greek_or_cyrillic() -> None:
    """foreign_letters skips text whose largest character is below U+0370: that is exact only if no
    character there is named GREEK or CYRILLIC."""
    from andts.loaders import text as txt

    assert not [hex(i) for i in range(0x370) if txt._script(chr(i)) in ("GREEK", "CYRILLIC")]
    assert txt._script(txt._FIRST_GREEK_OR_CYRILLIC) == "GREEK"
    assert txt.foreign_letters("Sоcialnämnden") == [(1, "о")]  # a Cyrillic o among Latin letters
    assert txt.foreign_letters("Socialnämnden – åtgärder") == []
