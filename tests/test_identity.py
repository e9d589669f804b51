"""One actor across articles, manual merges and splits, quote groups: store-level, no NLP."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from factcli.errors import FactcliError
from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement
from factcli.queries import actors as actor_queries
from factcli.queries import quotes as quote_queries
from factcli.store import identity, open_db, save_extraction
from factcli.store.identity import given_names_agree, person_name, roles_agree


def article(
    db: sqlite_utils.Database,
    source: str,
    said: list[tuple[Actor, str, str]],
    published: str | None = None,
    *,
    replace: bool = False,
) -> int:
    """Save an article whose sentences are ``MENTION said “CONTENT”.`` for each triple."""
    text = ""
    sentences, statements = [], []
    for i, (actor, mention, content) in enumerate(said):
        start = len(text)
        line = f"{mention} said “{content}”.\n"
        text += line
        m0 = start
        c0 = start + len(mention) + len(" said “")
        sentences.append(Sentence(i, i, start, start + len(line) - 1))
        statements.append(
            Statement(
                i,
                "direct",
                Span(m0 + len(mention) + 1, m0 + len(mention) + 5),
                Span(c0, c0 + len(content)),
                Span(m0, m0 + len(mention)),
                actor.name,
            )
        )
    actors = tuple({a.name: a for a, _, _ in said}.values())
    extraction = Extraction(
        Article(text=text, source=source, published=published),
        tuple(sentences),
        actors,
        tuple(statements),
    )
    return save_extraction(db, extraction, replace=replace)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_db(tmp_path / "i.db", create=True)


def names(db: sqlite_utils.Database) -> dict[str, int]:
    return {r["name"]: r["statements"] for r in actor_queries.actors(db)}


HEGSETH = Actor("Pete Hegseth", "person", "Defense Secretary", ("Hegseth",))


def test_name_parsing_and_agreement() -> None:
    assert person_name("Pete Hegseth") == identity.PersonName("pete", "hegseth")
    assert person_name("Sen. Elizabeth Warren") == identity.PersonName("elizabeth", "warren")
    assert person_name("Secretary Hegseth") == identity.PersonName(None, "hegseth")
    assert person_name("Gen Nakatani") == identity.PersonName("gen", "nakatani")
    assert person_name("Martin Luther King Jr.") == identity.PersonName("martin", "king")
    assert person_name("the minister") is None
    assert given_names_agree("pete", "peter") and given_names_agree("p", "pete")
    assert not given_names_agree("clara", "tomas")
    assert roles_agree("Minister", ["interior minister"]) is True
    assert roles_agree("dairy farmer", ["interior minister"]) is False
    assert roles_agree(None, ["interior minister"]) is None


def test_one_person_under_different_names(db: sqlite_utils.Database) -> None:
    article(db, "a", [(HEGSETH, "Pete Hegseth", "Japan is our partner")], "2025-04-19")
    article(
        db,
        "b",
        [(Actor("Hegseth", "person", "Secretary"), "Secretary Hegseth", "The alliance holds")],
        "2025-05-02",
    )
    article(
        db,
        "c",
        [(Actor("Hegseth", "person"), "Hegseth", "We will deter aggression")],
        "2025-05-03",
    )
    assert names(db) == {"Pete Hegseth": 3}
    profile = actor_queries.actor_profile(db, "hegseth")
    assert profile is not None
    assert profile["first_seen"] == "2025-04-19" and profile["last_seen"] == "2025-05-03"
    assert [(r["role"], r["first_seen"]) for r in profile["roles"]] == [
        ("Defense Secretary", "2025-04-19"),
        ("Secretary", "2025-05-02"),
    ]


def test_fuller_name_arriving_later_renames(db: sqlite_utils.Database) -> None:
    article(db, "a", [(Actor("Hegseth", "person", "Secretary"), "Hegseth", "One")])
    article(db, "b", [(HEGSETH, "Pete Hegseth", "Two")])
    rows = actor_queries.actors(db)
    assert [(r["name"], r["statements"]) for r in rows] == [("Pete Hegseth", 2)]
    assert "Hegseth" in rows[0]["aliases"]


def test_people_sharing_a_surname_stay_apart(db: sqlite_utils.Database) -> None:
    clara = Actor("Clara Voss", "person", "interior minister")
    tomas = Actor("Tomas Voss", "person", "dairy farmer")
    article(db, "a", [(clara, "Clara Voss", "No tariff rise")])
    article(db, "b", [(tomas, "Tomas Voss", "The rain never came")])
    article(db, "c", [(Actor("Voss", "person", "Minister"), "Minister Voss", "No rise")])
    article(db, "d", [(Actor("Voss", "person", "farmer"), "Voss", "The herd halved")])
    article(db, "e", [(Actor("Voss", "person"), "Voss", "Who knows")])
    assert names(db) == {"Clara Voss": 2, "Tomas Voss": 2, "Voss": 1}


def test_organisations_match_without_case_or_article(db: sqlite_utils.Database) -> None:
    authority = Actor("The Regional Water Authority", "organisation")
    article(db, "a", [(authority, "The Regional Water Authority", "Reservoirs are low")])
    other = Actor("regional water authority", "organisation")
    article(db, "b", [(other, "The regional water authority", "Use less water")])
    assert list(names(db).values()) == [2]


def test_merge_and_split_survive_reingest(db: sqlite_utils.Database) -> None:
    clara = Actor("Clara Voss", "person", "interior minister")
    article(db, "a", [(clara, "Clara Voss", "No tariff rise")])
    said_b = [(Actor("Voss", "person"), "Voss", "The rain never came")]
    article(db, "b", said_b)
    assert names(db) == {"Clara Voss": 2}
    assert identity.split(db, "Clara Voss", "Voss")["statements_moved"] == 1
    assert names(db) == {"Clara Voss": 1, "Voss": 1}
    article(db, "b", said_b, replace=True)
    assert names(db) == {"Clara Voss": 1, "Voss": 1}
    identity.merge(db, "Clara Voss", "Voss")
    assert names(db) == {"Clara Voss": 2}
    article(db, "b", said_b, replace=True)
    assert names(db) == {"Clara Voss": 2}
    with pytest.raises(FactcliError, match="no actor called"):
        identity.merge(db, "Clara Voss", "Nobody")
    with pytest.raises(FactcliError, match="already one actor"):
        identity.merge(db, "Clara Voss", "clara voss")
    with pytest.raises(FactcliError, match="own name"):
        identity.split(db, "Clara Voss", "clara voss")


def test_near_identical_quotes_are_grouped(db: sqlite_utils.Database) -> None:
    quote = "We will not raise the water tariff this year"
    clara = Actor("Clara Voss", "person")
    article(db, "wire", [(clara, "Clara Voss", quote + ",")], "2025-03-03")
    article(
        db,
        "herald",
        [(clara, "Clara Voss", quote.replace("tariff", "tariffs") + "!")],
        "2025-03-02",
    )
    article(db, "ledger", [(clara, "Clara Voss", "We will raise taxes on water next year")])
    other = Actor("Rui Salgado", "person")
    article(db, "echo", [(other, "Rui Salgado", quote)], "2025-03-01")
    hits = quote_queries.who_said_grouped(db, "water tariff", 10)
    by_speaker = {(h.row["speaker"], h.row["articles"]) for h in hits}
    assert by_speaker == {("Clara Voss", 2), ("Rui Salgado", 1)}
    grouped = next(h.row for h in hits if h.row["articles"] == 2)
    assert grouped["first_published"] == "2025-03-02"
    found = quote_queries.quote(db, grouped["id"])
    assert [c["source"] for c in found["carried_by"]] == ["herald", "wire"]
    assert found["first_published"] == "2025-03-02"


def test_version_one_database_is_brought_forward(tmp_path: Path) -> None:
    """A database written before the archive schema gets article views and quote groups."""
    from factcli.store import migrations

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.m001_initial(old)
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO articles (id, sha256, source, text, ingested_at)"
        " VALUES (1, 'a', 'a.txt', 'x', 'now'), (2, 'b', 'b.txt', 'y', 'now')"
    )
    old.execute("INSERT INTO actors (id, name, kind) VALUES (1, 'Clara Voss', 'person')")
    for sid, article_id in ((1, 1), (2, 2)):
        old.execute(
            "INSERT INTO statements (id, article_id, actor_id, speaker_role, cue, cue_start,"
            " cue_end, kind, content, content_start, content_end)"
            " VALUES (?, ?, 1, 'minister', 'said', 0, 4, 'direct', ?, 0, 1)",
            [sid, article_id, "We will not raise the water tariff this year"],
        )
    old.conn.commit()
    old.close()
    db = open_db(path, create=False)
    views = db.execute("SELECT article_id, name, role FROM article_actors ORDER BY 1").fetchall()
    assert views == [(1, "Clara Voss", "minister"), (2, "Clara Voss", "minister")]
    assert db.execute("SELECT DISTINCT quote_id FROM statement_quotes").fetchall() == [(1,)]
    article(db, "c", [(Actor("Voss", "person", "Minister"), "Voss", "Bridges")])
    assert names(db) == {"Clara Voss": 3}


def test_a_generational_suffix_tells_father_and_son_apart(tmp_path: Path) -> None:
    db = open_db(tmp_path / "a.db", create=True)
    father = identity.resolve(db, Actor("Orrin Delacourt", "person"))
    son = identity.resolve(db, Actor("Orrin Delacourt Jr.", "person"))
    assert son != father
    assert identity.resolve(db, Actor("Orrin J. Delacourt", "person")) == father
    george = identity.resolve(db, Actor("Amos W. Pellham", "person"))
    assert identity.resolve(db, Actor("Amos P. Pellham", "person")) != george


def test_a_nickname_is_the_same_person(db: sqlite_utils.Database) -> None:
    vp = Actor("Joseph R. Vell Jr.", "person", "Vice President")
    article(db, "a", [(vp, "Joseph R. Vell Jr.", "We stand firm")])
    article(db, "b", [(Actor("Joe Vell", "person", "Vice President"), "Joe Vell", "We hold")])
    article(db, "c", [(Actor("Garrett Vell", "person", "farmer"), "Garrett Vell", "Rain")])
    article(db, "d", [(Actor("Gary Vell", "person", "nominee"), "Gary Vell", "Vote")])
    assert given_names_agree("joe", "joseph") and given_names_agree("bob", "robert")
    assert not given_names_agree("carly", "frank")
    assert names(db) == {"Joseph R. Vell Jr.": 2, "Garrett Vell": 1, "Gary Vell": 1}


def test_a_bare_surname_goes_to_the_person_quoted_far_more(db: sqlite_utils.Database) -> None:
    joe = Actor("Joe Vell", "person", "Vice President")
    said = [(joe, "Joe Vell", f"Point {n}") for n in range(25)]
    # a one-sentence description as role, before and after the full name is well known
    article(db, "a", [(Actor("Vell", "person", "loyal lieutenant"), "Vell", "Early")])
    article(db, "b", said)
    article(db, "c", [(Actor("Vell", "person", "loyal lieutenant"), "Vell", "Late")])
    assert names(db)["Joe Vell"] == 26


def test_kind_and_casing_are_what_most_articles_say(db: sqlite_utils.Database) -> None:
    article(db, "a", [(Actor("Supreme court", "person"), "Supreme court", "No")])
    for n in range(3):
        court = Actor("Supreme Court", "organisation")
        article(db, f"b{n}", [(court, "Supreme Court", f"Ruling {n}")])
    row = db.execute("SELECT name, kind FROM actors").fetchall()
    assert row == [("Supreme Court", "organisation")]


def test_an_organisation_never_takes_a_person_s_fuller_name(db: sqlite_utils.Database) -> None:
    article(db, "a", [(Actor("Labour", "person"), "Labour", "Vote")])
    for n in range(3):
        article(db, f"b{n}", [(Actor("Labour", "organisation"), "Labour", f"Vote {n}")])
    article(db, "c", [(Actor("Labour", "person"), "Labour", "Vote again")])
    article(db, "d", [(Actor("New Labour", "person"), "New Labour", "Vote")])
    assert db.execute("SELECT kind FROM actors WHERE name = 'Labour'").fetchall() == [
        ("organisation",)
    ]
