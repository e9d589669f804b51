"""Actors a reader can trust: names, roles, kinds and anonymous sources on hand-written text.

Every sentence is made up for these tests; one class of defect seen on real archives per test.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import ExtractText
from typer.testing import CliRunner

from factcli.cli import app
from factcli.models import Actor, Extraction
from factcli.roles import clean_role, is_not_a_name, more_specific, organisation_key


def actors(extracted: tuple[str, Extraction]) -> dict[str, Actor]:
    return {a.name: a for a in extracted[1].actors}


def speakers(extracted: tuple[str, Extraction]) -> list[str | None]:
    return [st.actor for st in extracted[1].statements]


# -- roles are titles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, name, role",
    [
        # a lone adjective or adverb before the name is no role
        ("Defiant Marta Lindqvist said she would stay on.", "Marta Lindqvist", None),
        # a state label in brackets is no role
        ("Sen. Oren Whitcombe (R-Tex.) said the bill was flawed.", "Oren Whitcombe", None),
        # a relative clause ends the role
        (
            "Dana Prell, a Democratic pollster who has advised three governors, said turnout"
            " would fall.",
            "Dana Prell",
            "Democratic pollster",
        ),
        # a hyphenated word stays whole
        (
            "Jane Okafor, the project co-ordinator, said the work was done.",
            "Jane Okafor",
            "project co-ordinator",
        ),
        # a stray quote mark never stays in a role
        (
            "Ilse Baumer, the Quarry” director, said she was pleased.",
            "Ilse Baumer",
            "Quarry director",
        ),
        # the pre-name title
        ("Home Secretary Alan Pryce said the law would change.", "Alan Pryce", "Home Secretary"),
        # the copula, when its complement is a position
        (
            "Alan Pryce is the chief executive of Vantor. Pryce said sales rose.",
            "Alan Pryce",
            "chief executive of Vantor",
        ),
        ("Ilse Baumer is optimistic. Baumer said sales rose.", "Baumer", None),
        # whose someone is, alone, is no position
        ("Sharon Velde, his wife, said the tour was over.", "Sharon Velde", None),
        # a description of the moment is no position
        (
            "Tomas Ekberg, a potential hazard for the party, said he would run.",
            "Tomas Ekberg",
            None,
        ),
    ],
)
def test_roles_are_titles(
    extract_text: ExtractText, text: str, name: str, role: str | None
) -> None:
    found = actors(extract_text(text))
    assert name in found, found
    assert found[name].role == role


def test_a_headline_is_not_part_of_a_name(extract_text: ExtractText) -> None:
    found = actors(extract_text("Certainly Tomas Ekberg Says He Will Run Again\n\nHe said so."))
    assert list(found) == ["Tomas Ekberg"]


def test_the_most_specific_role_is_kept() -> None:
    assert more_specific("Republican presidential nominee", "nominee")
    assert not more_specific("senator", "Republican presidential nominee")
    assert more_specific("senator", None)


def test_a_dateline_is_not_part_of_the_role(nlp: object) -> None:
    doc = nlp("JERUSALEM - Israeli Prime Minister")  # type: ignore[operator]
    assert clean_role(list(doc)) == "Israeli Prime Minister"


# -- anonymous sources -------------------------------------------------------------------------


def test_an_anonymous_source_keeps_its_organisation(extract_text: ExtractText) -> None:
    found = actors(extract_text("A Home Office spokesman said the plan would go ahead."))
    (source,) = found.values()
    assert source.kind == "anonymous"
    assert source.description == "spokesman"
    assert source.organisation == "Home Office"


def test_plural_sources_keep_their_casing(extract_text: ExtractText) -> None:
    found = actors(extract_text("MPs said the bill was flawed."))
    assert list(found) == ["MPs"]
    assert found["MPs"].kind == "anonymous"


def test_a_description_resolves_to_the_named_holder(extract_text: ExtractText) -> None:
    text = (
        "Prime Minister Rhona Castell said taxes would not rise. "
        "The prime minister added that spending would be reviewed."
    )
    assert speakers(extract_text(text)) == ["Rhona Castell", "Rhona Castell"]


def test_a_description_without_a_holder_stays_anonymous(extract_text: ExtractText) -> None:
    found = actors(extract_text("The prime minister said the talks had gone well."))
    assert [(a.name, a.kind) for a in found.values()] == [("prime minister", "anonymous")]


# -- words that are no actor -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "No one predicted the result.",
        "Nobody said the road would close.",
        "Some say the plan failed.",
        "Those who know him say he is honest.",
        "“Quarry Lights” went on to say nothing at all.",
    ],
)
def test_no_actor_for_words_that_name_nobody(extract_text: ExtractText, text: str) -> None:
    assert not extract_text(text)[1].actors


def test_not_names() -> None:
    assert is_not_a_name("those") and is_not_a_name("A") and is_not_a_name("no one")
    assert not is_not_a_name("US") and not is_not_a_name("Pryce")


# -- kinds and organisation names --------------------------------------------------------------


def test_a_country_that_speaks_is_a_place(extract_text: ExtractText) -> None:
    found = actors(extract_text("The US said it would respond. Germany said talks had failed."))
    assert {a.kind for a in found.values()} == {"place"}
    assert set(found) == {"US", "Germany"}


def test_initials_and_company_words_name_organisations(extract_text: ExtractText) -> None:
    found = actors(extract_text("Halvard Energy said output fell. GM said sales rose."))
    assert {(a.name, a.kind) for a in found.values()} == {
        ("Halvard Energy", "organisation"),
        ("GM", "organisation"),
    }


def test_a_plural_party_name_is_a_group(extract_text: ExtractText) -> None:
    found = actors(extract_text("The Democrats said the tax was unfair."))
    assert found["Democrats"].kind == "group"


def test_company_suffixes_are_one_actor(extract_text: ExtractText) -> None:
    text = "Vantor Corp said profits rose. Vantor said on Monday it would hire staff."
    extracted = extract_text(text)
    assert len({s for s in speakers(extracted) if s}) == 1
    assert organisation_key("Vantor Corp.") == organisation_key("Vantor") == "vantor"
    assert organisation_key("Harlow & Co") == organisation_key("Harlow") == "harlow"


def test_company_basename_is_cleancos() -> None:
    """The look-up gives cleanco's answer, its order of removal and repeated terms included."""
    import itertools

    from cleanco import basename

    from factcli.roles import company_basename

    terms = ["Co", "Ltd", "Inc.", "GmbH & Co KG", "S.A.", "SA", "LLC", "L.L.C.", "plc", "Pty Ltd"]
    names = [
        f"{base} {a}{sep} {b}"
        for base in ("Harlow", "The Vantor Group", "Müller-Lüdenscheid")
        for a, b in itertools.product(terms, repeat=2)
        for sep in ("", ",")
    ]
    names += ["", "Co", "Ltd Co", "Harlow Co Ltd", "Harlow Ltd Co", "Ærø Holdings Inc.", "..."]
    assert [company_basename(n) for n in names] == [basename(n) for n in names]
    assert company_basename("Harlow Co Ltd") == "Harlow Co"
    assert company_basename("Harlow Ltd Co") == "Harlow"


# -- the archive: anonymous sources never merge across articles --------------------------------


ARTICLE_A = (
    "Budget row deepens\n\nAnalysts said the budget would raise borrowing. "
    "A Treasury spokesman said the figures were sound. "
    "Vantor Corp said it would cut jobs."
)
ARTICLE_B = (
    "Shares fall\n\nAnalysts said shares would fall further. Vantor Inc. said its plant would"
    " close."
)


def test_anonymous_sources_stay_with_their_articles(tmp_path: Path, extract_text: object) -> None:
    for n, text in enumerate((ARTICLE_A, ARTICLE_B)):
        (tmp_path / f"{n}.txt").write_text(text, encoding="utf-8")
    db = str(tmp_path / "a.db")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(tmp_path), "--db", db, "--jobs", "1"]).exit_code == 0
    named = json.loads(runner.invoke(app, ["actors", "--db", db, "--json"]).stdout)
    assert [(r["name"], r["kind"], r["statements"]) for r in named] == [
        ("Vantor Corp", "organisation", 2)
    ]
    rows = json.loads(runner.invoke(app, ["actors", "--db", db, "--anonymous", "--json"]).stdout)
    anonymous = {(r["name"], r["organisation"]): r for r in rows if r["kind"] == "anonymous"}
    assert anonymous[("analysts", None)]["statements"] == 2
    assert anonymous[("analysts", None)]["articles"] == 2
    assert anonymous[("spokesman", "Treasury")]["statements"] == 1
    stats = json.loads(runner.invoke(app, ["stats", "--db", db, "--json"]).stdout)
    assert stats["anonymous_statements"] == 3
    assert stats["anonymous_share"] == round(3 / stats["statements"], 3)
    said = json.loads(runner.invoke(app, ["who-said", "borrowing", "--db", db, "--json"]).stdout)
    assert [(r["speaker"], r["speaker_kind"]) for r in said] == [("analysts", "anonymous")]
    # the browser's view names an unnamed source as who-said does, not by its raw mention
    with sqlite3.connect(db) as conn:
        view = conn.execute(
            "SELECT speaker, speaker_kind FROM who_said WHERE statement LIKE '%figures%'"
        ).fetchall()
    assert view == [("Treasury spokesman", "anonymous")]


def test_a_colon_cue_across_paragraphs_resolves_in_its_own_paragraph(
    extract_text: ExtractText,
) -> None:
    """The speaker of "… Brennick said:" lives in the paragraph before the quote;
    resolving it against the quote's shorter paragraph used to fail the whole article."""
    text = (
        "After a long speech in the old city hall on a cold Monday evening, Walter Brennick"
        " said:\n\n"
        '"Is he honest?"'
    )
    extracted = extract_text(text)
    assert "Walter Brennick" in speakers(extracted)


# -- names built whole, kinds from what the article shows ----------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # a given name ending in -ly is no adverb of a headline
        (
            "Kelly Ashworth said the vote was close. Ashworth added that she would run again.",
            {("Kelly Ashworth", "person")},
        ),
        # a generational suffix does not hide the surname
        (
            "Harold T. Brennick Jr. said the port would close. Brennick said that jobs would go.",
            {("Harold T. Brennick Jr.", "person")},
        ),
        # a platform or firm the tagger called a person
        (
            "Flimmer, the biggest social network in Norway, said it had removed the post.",
            {("Flimmer", "organisation")},
        ),
        # a newspaper's short name is the newspaper the article named
        (
            "The Halden Post reported that the mayor had resigned. The Post said it stood by"
            " the story.",
            {("Halden Post", "organisation")},
        ),
        # a country is no short name of an organisation
        (
            "Amnesty International Norway said the law was unfair. Norway said it would review"
            " the law.",
            {("Amnesty International Norway", "organisation"), ("Norway", "place")},
        ),
        # an honorific is no part of a campaign's name
        (
            "Lindqvist's campaign said the poll was wrong. Mrs. Lindqvist's campaign said it"
            " would appeal.",
            {("Lindqvist campaign", "organisation")},
        ),
        # plural names are groups, with every capitalised word of the name
        ("The Lib Dems said they would vote against it.", {("Lib Dems", "group")}),
        ("Liberal Democrats said the tax was unfair.", {("Liberal Democrats", "group")}),
        # a double surname: "Ms. Acosta" of "Melba Acosta Febo"
        (
            "Melba Acosta Febo said the bank was solvent. Ms. Acosta said the payments would"
            " be made.",
            {("Melba Acosta Febo", "person")},
        ),
        # a firm described as one, whatever the tagger said
        (
            "Russian oil giant Vetrok said output fell. Vetrok said it would appeal.",
            {("Vetrok", "organisation")},
        ),
        # an honorific makes a person of a name the tagger called an organisation
        (
            "Robert Kilroy-Vance left the party. Mr Kilroy-Vance said he would stand again.",
            {("Robert Kilroy-Vance", "person")},
        ),
        # a date is nobody
        ("Marta Lindqvist released her records in July, which showed she was fit.", set()),
    ],
)
def test_names_and_kinds(
    extract_text: ExtractText, text: str, expected: set[tuple[str, str]]
) -> None:
    found = actors(extract_text(text))
    assert {(a.name, a.kind) for a in found.values() if a.kind != "anonymous"} == expected


def test_a_given_name_alone_is_the_person_the_article_names(extract_text: ExtractText) -> None:
    text = (
        "Oskar Brandt, a donor to the Bill, Marta & Lena Lindqvist Foundation, said the gift"
        " was legal. Marta Lindqvist said so too. Later Marta said she had no regrets."
    )
    extracted = extract_text(text)
    found = actors(extracted)
    assert "Marta" not in found and "Marta" in found["Marta Lindqvist"].aliases
    # a role is never cut inside a run of names
    assert found["Oskar Brandt"].role == "donor"


def test_a_capitalised_determiner_opening_a_name_stays_in_the_role(
    extract_text: ExtractText,
) -> None:
    found = actors(extract_text("All Blacks captain Tana Umaga said the tour was over."))
    assert found["Tana Umaga"].role == "All Blacks captain"


def test_a_source_known_only_by_a_first_name_stays_anonymous(extract_text: ExtractText) -> None:
    text = (
        "“There never was an order,” said the base chief known as Bob, speaking publicly."
        " Bob said he stayed."
    )
    found = actors(extract_text(text))
    assert found["Bob"].kind == "anonymous"
    assert not [a for a in found.values() if a.kind == "person"]


def test_given_names_answer_as_gender_guesser_does() -> None:
    """The compact table of given names gives gender-guesser's own answer for every name it
    knows, whatever the case, and "unknown" for the rest."""
    import gender_guesser.detector as detector

    from factcli.actors import _country_count, _given_names, given_name_gender, is_given_name

    table = _given_names()
    reference = detector.Detector(case_sensitive=False)
    assert set(table) == set(reference.names)
    assert all(table[name] == reference.get_gender(name) for name in reference.names)
    assert _country_count("1 2 A  D") == (4, 26)
    assert _country_count("1 é") == (2, 1 + ord("é") - 55)
    assert given_name_gender("MARY.") == "f" and given_name_gender("John-Paul") == "m"
    assert not is_given_name("Zzyzxq") and given_name_gender("Zzyzxq") is None
