"""The attribute table sets what spaCy's attribute ruler sets, token for token."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest
import spacy
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token

from factcli.attributes import AttributeTable, install, supported

if TYPE_CHECKING:
    from spacy.language import Language

COMPARED = ["POS", "TAG", "MORPH", "LEMMA", "DEP"]


def spacy_ruler(nlp: Language) -> AttributeRuler:
    """spaCy's own ruler with the patterns the table took over from the installed pipeline."""
    table = nlp.get_pipe("attribute_ruler")
    assert isinstance(table, AttributeTable)
    ruler = AttributeRuler(nlp.vocab)
    ruler.add_patterns(table.patterns)
    return ruler


def both(ruler: AttributeRuler, table: AttributeTable, doc: Doc) -> tuple[Doc, Doc]:
    return ruler(doc.copy()), table(doc.copy())


def assert_same(a: Doc, b: Doc) -> None:
    assert a.to_array(COMPARED).tolist() == b.to_array(COMPARED).tolist()


def built(nlp: Language, rows: list[tuple[str, str, str]], spaces: list[bool] | None = None) -> Doc:
    """A doc of (word, tag, dep) rows, each token headed by the first (no model involved)."""
    words, tags, deps = (list(col) for col in zip(*rows, strict=True))
    heads = [0] * len(words)
    return Doc(nlp.vocab, words=words, spaces=spaces, tags=tags, deps=deps, heads=heads)


def test_load_swaps_the_ruler_for_the_table(nlp: Language) -> None:
    assert isinstance(nlp.get_pipe("attribute_ruler"), AttributeTable)
    assert len(nlp.get_pipe("attribute_ruler").patterns) > 100


def test_the_pattern_classes_on_built_docs(nlp: Language) -> None:
    ruler, table = spacy_ruler(nlp), nlp.get_pipe("attribute_ruler")
    rows = [
        ("I", "PRP", "nsubj"), ("'d", "MD", "aux"), ("say", "VB", "ROOT"),
        ("something", "NN", "dobj"), ("but", "CC", "advmod"), ("she", "PRP", "nsubj"),
        ("'d", "VBD", "aux"), ("gon", "VBG", "xcomp"), ("na", "TO", "aux"), ("let", "VB", "dep"),
        ("'s", "PRP", "nsubj"), ("there", "EX", "expl"), ("is", "VBZ", "ccomp"),
        ("\n\n", "_SP", "dep"), ("  ", "NN", ""), ("it", "PRP", "pobj"), ("ai", "VBP", "aux"),
        ("nt", "RB", "neg"), ("y", "PRP", "nsubj"), ("all", "DT", "appos"), ("Had", "VBD", "ROOT"),
        ("that", "DT", "nsubj"), ("that", "DT", "det"), ("nothin'", "NN", "dobj"),
    ]  # fmt: skip
    a, b = both(ruler, table, built(nlp, rows))
    assert_same(a, b)
    got = {(t.i, t.text): (t.pos_, t.lemma_, t.tag_, t.dep_) for t in b}
    assert got[(1, "'d")][:2] == ("AUX", "would")
    assert got[(3, "something")][0] == "PRON"
    assert got[(4, "but")][0] == "ADV"
    assert got[(6, "'d")][:2] == ("AUX", "have")
    assert got[(7, "gon")][1] == "go" and got[(8, "na")][1] == "to"
    assert got[(10, "'s")][1] == "us"
    assert got[(12, "is")][0] == "VERB"
    assert got[(13, "\n\n")][:1] == ("SPACE",)
    assert got[(14, "  ")][0] == "SPACE" and got[(14, "  ")][2] == "_SP"
    assert got[(16, "ai")][1] == "be" and got[(18, "y")][1] == "you"
    assert got[(20, "Had")][0] == "VERB" and got[(21, "that")][0] == "PRON"
    assert got[(23, "nothin'")][1] == "nothing"
    assert str(b[15].morph).startswith("Case=Acc")


def test_parsed_sentences_through_the_whole_pipeline(nlp: Language) -> None:
    ruler, table = spacy_ruler(nlp), nlp.get_pipe("attribute_ruler")
    before = [proc for name, proc in nlp.pipeline[: nlp.pipe_names.index("attribute_ruler")]]
    texts = [
        "I'd like something, but he said he'd go.  They are gonna win, let's see.",
        "There is nothing to it, y'all.\n\nGive it to me, but I ain't done. Whose is this?",
        "She got ta go. \"We've had enough,\" the mayor's aide said on Tuesday; it wasn't so.",
    ]
    for text in texts:
        doc = nlp.make_doc(text)
        for proc in before:
            doc = proc(doc)
        assert_same(*both(ruler, table, doc))


def test_random_docs_over_the_patterns_words(nlp: Language) -> None:
    """Tokens drawn from the words, tags and labels the patterns name and from others, so that
    rules overlap and two-token patterns meet at random."""
    ruler, table = spacy_ruler(nlp), nlp.get_pipe("attribute_ruler")
    words = ["'d", "'s", "but", "gon", "na", "let", "is", "there", "got", "ta", "it", "you"]
    words += ["ai", "n't", "y'", "y", "all", "that", "do", "had", "something", "Said", "  ", "\n"]
    tags = list(nlp.get_pipe("tagger").labels) + ["_SP"]
    deps = list(nlp.get_pipe("parser").labels) + [""]
    rng = random.Random(7)
    for _ in range(60):
        rows = [(rng.choice(words), rng.choice(tags), rng.choice(deps)) for _ in range(12)]
        assert_same(*both(ruler, table, built(nlp, rows)))


@pytest.fixture
def blank() -> Language:
    return spacy.blank("en")


def test_a_tiny_pipeline_with_every_predicate(blank: Language) -> None:
    ruler = blank.add_pipe("attribute_ruler")
    ruler.add_patterns([
        {"patterns": [[{"LOWER": {"REGEX": "^wh"}}]], "attrs": {"POS": "PRON"}},
        {"patterns": [[{"ORTH": {"NOT_IN": ["The"]}, "IS_PUNCT": False}]], "attrs": {"LEMMA": "x"}},
        {"patterns": [[{"TEXT": "The"}, {}]], "attrs": {"POS": "NOUN"}, "index": -1},
        {"patterns": [[{"LOWER": {"IN": ["who", "cat"]}}]], "attrs": {"MORPH": "Number=Sing"}},
        {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE"}},
    ])  # fmt: skip
    texts = ["The cat, who sat.", "Where  is what? The   end", ""]
    expected = [[(t.pos_, t.lemma_, str(t.morph), t.tag_) for t in blank(x)] for x in texts]
    assert supported(ruler) and install(blank)
    assert isinstance(blank.get_pipe("attribute_ruler"), AttributeTable)
    got = [[(t.pos_, t.lemma_, str(t.morph), t.tag_) for t in blank(x)] for x in texts]
    assert got == expected
    assert got[0][:2] == [("", "", "", ""), ("NOUN", "x", "Number=Sing", "")]


def test_patterns_beyond_the_table_keep_spacys_ruler(blank: Language) -> None:
    if not Token.has_extension("factcli_test_flag"):
        Token.set_extension("factcli_test_flag", default=False)
    beyond = [
        {"patterns": [[{"LOWER": "very", "OP": "+"}]], "attrs": {"POS": "ADV"}},
        {"patterns": [[{"LENGTH": {">=": 3}}]], "attrs": {"POS": "X"}},
        {"patterns": [[{"LOWER": "x"}]], "attrs": {"NORM": "y"}},
        {"patterns": [[{"LOWER": "x"}]], "attrs": {"_": {"factcli_test_flag": True}}},
    ]
    for k, pattern in enumerate(beyond):
        blank.add_pipe("attribute_ruler", name=f"ruler{k}").add_patterns([pattern])
    assert not install(blank)
    assert all(type(pipe) is AttributeRuler for _, pipe in blank.pipeline)
