"""The documented orders of full-text matches (--sort), for rare words and for common ones."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from typer.testing import CliRunner

from factcli.cli import app
from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement
from factcli.queries import quotes as quote_queries
from factcli.queries import ranking
from factcli.queries import sentences as sentence_queries
from factcli.queries import statements as statement_queries
from factcli.store import open_db, open_query_db, save_extraction

MARA = Actor("Mara Lind", "person")
TOMAS = Actor("Tomas Berg", "person")

# (source, published, [(speaker, content)]) in the order they are stored
ARTICLES = [
    ("a.txt", "2024-03-01", [(MARA, "The harbour will reopen in spring"), (TOMAS, "Boats wait")]),
    (
        "b.txt",
        "2025-01-10",
        [
            (TOMAS, "The harbour, the harbour, the harbour is shut"),
            (MARA, "Harbour fees rise again"),
        ],
    ),
    ("c.txt", None, [(TOMAS, "A new harbour opens in the north")]),
    ("d.txt", "2024-03-01", [(MARA, "The harbour crane broke down")]),
]
# statement ids are given in storage order: a1=1, a2=2, b1=3, b2=4, c1=5, d1=6
NEWEST = [3, 4, 6, 1, 5]
OLDEST = [1, 6, 3, 4, 5]


def save(
    db: sqlite_utils.Database, source: str, published: str | None, said: list[tuple[Actor, str]]
) -> None:
    text = ""
    sentences: list[Sentence] = []
    statements: list[Statement] = []
    for i, (actor, content) in enumerate(said):
        start = len(text)
        line = f"{actor.name} said “{content}”.\n"
        text += line
        c0 = start + len(actor.name) + len(" said “")
        sentences.append(Sentence(i, i, start, start + len(line) - 1))
        cue = Span(start + len(actor.name) + 1, start + len(actor.name) + 5)
        statements.append(
            Statement(
                i,
                "direct",
                cue,
                Span(c0, c0 + len(content)),
                Span(start, start + len(actor.name)),
                actor.name,
            )
        )
    actors = tuple({a.name: a for a, _ in said}.values())
    article = Article(text=text, source=source, published=published)
    save_extraction(db, Extraction(article, tuple(sentences), actors, tuple(statements)))


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ranking") / "r.db"
    db = open_db(path, create=True)
    for source, published, said in ARTICLES:
        save(db, source, published, said)
    db.close()
    return path


@pytest.fixture(params=["rare", "known", "common"])
def conn(
    request: pytest.FixtureRequest, path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sqlite3.Connection]:
    """Each test runs three times, "harbour" being rare (matches sorted), fairly common (all
    matches read, articles walked in date order) and very common (articles walked in date
    order, each looked up): the answers must be the same."""
    if request.param != "rare":
        monkeypatch.setattr(ranking, "FEW_MATCHES", 2)
    if request.param == "common":
        monkeypatch.setattr(ranking, "MANY_MATCHES", 2)
        monkeypatch.setattr(ranking, "COMMON_MATCHES", 2)
    connection = open_query_db(path)
    yield connection
    connection.close()


def ids(hits: list[Any]) -> list[int]:
    return [h.row["id"] for h in hits]


def test_newest_is_by_date_latest_first_undated_last(conn: sqlite3.Connection) -> None:
    assert ids(statement_queries.who_said(conn, "harbour", 0, sort="newest")) == NEWEST
    assert ids(statement_queries.who_said(conn, "harbour", 2, sort="newest")) == NEWEST[:2]
    assert ids(statement_queries.who_said(conn, "harbour", 4, sort="newest")) == NEWEST[:4]


def test_oldest_is_by_date_earliest_first_undated_last(conn: sqlite3.Connection) -> None:
    assert ids(statement_queries.who_said(conn, "harbour", 0, sort="oldest")) == OLDEST
    assert ids(statement_queries.who_said(conn, "harbour", 1, sort="oldest")) == OLDEST[:1]


def test_relevance_is_bm25_best_first(conn: sqlite3.Connection) -> None:
    found = ids(statement_queries.who_said(conn, "harbour", 0, sort="relevance"))
    expected = [
        r[0]
        for r in conn.execute(
            "SELECT rowid FROM statements_fts WHERE statements_fts MATCH 'harbour'"
            " ORDER BY bm25(statements_fts), rowid"
        )
    ]
    assert found == expected and found[0] == 3  # the statement that repeats the word


def test_search_orders_sentences_the_same_way(conn: sqlite3.Connection) -> None:
    newest = sentence_queries.search_sentences(conn, "harbour", 0, sort="newest")
    assert [(h.row["source"], h.row["sentence_index"]) for h in newest] == [
        ("b.txt", 0),
        ("b.txt", 1),
        ("d.txt", 0),
        ("a.txt", 0),
        ("c.txt", 0),
    ]
    oldest = sentence_queries.search_sentences(conn, "harbour", 3, sort="oldest")
    assert [h.row["source"] for h in oldest] == ["a.txt", "d.txt", "b.txt"]


def test_grouped_who_said_follows_the_order(conn: sqlite3.Connection) -> None:
    grouped = quote_queries.who_said_grouped(conn, "harbour", 0, sort="oldest")
    assert ids(grouped) == OLDEST


def test_default_order_depends_on_how_common_the_words_are(conn: sqlite3.Connection) -> None:
    default = ids(statement_queries.who_said(conn, "harbour", 0))
    common = ranking.COMMON_MATCHES <= 5
    assert default == (
        NEWEST if common else ids(statement_queries.who_said(conn, "harbour", 0, sort="relevance"))
    )


def test_relevance_on_common_words_says_it_is_slower(conn: sqlite3.Connection) -> None:
    heard: list[str] = []
    statement_queries.who_said(conn, "harbour", 3, sort="relevance", notice=heard.append)
    statement_queries.who_said(conn, "harbour", 3, sort="newest", notice=heard.append)
    statement_queries.who_said(conn, "harbour", 3, notice=heard.append)
    if ranking.COMMON_MATCHES <= 5:
        assert len(heard) == 1 and "slower" in heard[0]
    else:
        assert heard == []


def test_cli_sort_option_and_warning(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    base = ["--db", str(path), "--json", "-n", "0"]
    result = runner.invoke(app, ["who-said", "harbour", "--sort", "oldest", "--no-group", *base])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == OLDEST
    result = runner.invoke(app, ["search", "harbour", "--sort", "newest", *base])
    assert [r["source"] for r in json.loads(result.stdout)][:2] == ["b.txt", "b.txt"]
    monkeypatch.setattr(ranking, "COMMON_MATCHES", 2)
    result = runner.invoke(app, ["who-said", "harbour", "--sort", "relevance", *base])
    assert result.exit_code == 0
    assert result.stderr.startswith("factcli: warning:") and "slower" in result.stderr
    assert json.loads(result.stdout)[0]["id"] == 3
    result = runner.invoke(app, ["who-said", "harbour", "--sort", "sideways", *base])
    assert result.exit_code == 2


def test_an_article_stored_again_keeps_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of another article between an article's first and last id are never its own."""
    db = open_db(tmp_path / "again.db", create=True)
    save(db, "a.txt", "2024-01-01", [(MARA, "The harbour is open")])
    save(db, "b.txt", "2023-01-01", [(TOMAS, "The harbour was shut")])
    # a statement of a.txt stored after b.txt's: a.txt's ids now enclose b.txt's
    db.execute(
        "INSERT INTO statements (article_id, actor_id, cue, cue_start, cue_end, kind, content,"
        " content_start, content_end) VALUES (1, 1, 'said', 0, 4, 'direct', 'A harbour tax',"
        " 0, 13)"
    )
    db.conn.commit()
    db.close()
    for few, many in ((2, 50), (2, 2)):
        monkeypatch.setattr(ranking, "FEW_MATCHES", few)
        monkeypatch.setattr(ranking, "MANY_MATCHES", many)
        conn = open_query_db(tmp_path / "again.db")
        assert ids(statement_queries.who_said(conn, "harbour", 0, sort="newest")) == [1, 3, 2]
        assert ids(statement_queries.who_said(conn, "harbour", 2, sort="oldest")) == [2, 1]
        conn.close()
