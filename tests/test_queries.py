"""Read-only queries over a database built from hand-written extractions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from builders import TEXT_ONE, TEXT_TWO, build_db, extraction_one
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcli.errors import FactcliError
from factcli.queries import actors as actor_queries
from factcli.queries import articles as article_queries
from factcli.queries import fts, sql
from factcli.queries import sentences as sentence_queries
from factcli.queries import statements as statement_queries
from factcli.queries import topics as topic_queries
from factcli.store import latest_version, open_db, open_query_db

CONTRACT = [
    "id",
    "article_id",
    "source",
    "title",
    "published",
    "speaker",
    "speaker_mention",
    "speaker_role",
    "speaker_kind",
    "cue",
    "kind",
    "content",
    "sentence",
    "topics",
    "speaker_start",
    "speaker_end",
    "cue_start",
    "cue_end",
    "content_start",
    "content_end",
]

HOSTILE = [
    '"',
    '""',
    "-",
    "*",
    "AND",
    "OR",
    "NOT",
    "NEAR(",
    "NEAR(a b",
    "(",
    ")",
    ":",
    "^",
    "content:japan",
    "'; DROP TABLE statements; --",
    "",
    "   ",
    "🙂",
    "🇯🇵 partner",
    "x" * 5000,
    " ".join(["japan"] * 500),
    "%",
    "_",
    "\\",
    "\x00",
]


@pytest.fixture(scope="module", params=["writer", "read-only"])
def db(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[sqlite_utils.Database]:
    """Queries work on the writer's sqlite-utils database and on the CLI's read-only sqlite3
    connection alike."""
    path = build_db(tmp_path_factory.mktemp("q") / "f.db")
    database = open_db(path, create=False) if request.param == "writer" else open_query_db(path)
    yield database  # type: ignore[misc]
    database.close()


def texts() -> dict[int, str]:
    return {1: TEXT_ONE, 2: TEXT_TWO}


def test_contract_keys_are_pinned() -> None:
    assert list(sql.STATEMENT_KEYS) == CONTRACT


def test_who_said_finds_the_speaker(db: sqlite_utils.Database) -> None:
    hits = statement_queries.who_said(db, "indispensable")
    assert [h.row["speaker"] for h in hits] == ["Pete Hegseth", "Pete Hegseth"]
    for hit in hits:
        assert list(hit.row) == CONTRACT
        assert hit.field == "content"
        assert hit.highlights
        for start, end in hit.highlights:
            assert hit.row["content"][start:end].lower() == "indispensable"


def test_who_said_phrase_and_stemming(db: sqlite_utils.Database) -> None:
    hits = statement_queries.who_said(db, "Indispensable Partners")
    assert len(hits) == 2
    words = {h.row["content"][s:e].lower() for h in hits for s, e in h.highlights}
    assert words == {"indispensable", "partner"}
    assert (
        statement_queries.who_said(db, "tariffs")[0].row["speaker"] == "Japanese defense officials"
    )


def test_who_said_ranks_by_bm25(db: sqlite_utils.Database) -> None:
    hits = statement_queries.who_said(db, "japan")
    assert hits[0].row["content"] == "Japan an “indispensable partner”"
    assert len(hits) == 3


def test_who_said_limit(db: sqlite_utils.Database) -> None:
    assert len(statement_queries.who_said(db, "japan", limit=1)) == 1
    assert len(statement_queries.who_said(db, "japan", limit=0)) == 3


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_raises(db: sqlite_utils.Database, text: str) -> None:
    assert isinstance(statement_queries.who_said(db, text), list)
    assert isinstance(sentence_queries.search_sentences(db, text), list)
    assert isinstance(actor_queries.statements_by_actor(db, text), list)
    assert isinstance(topic_queries.statements_on_topic(db, text), list)
    assert db.execute("SELECT COUNT(*) FROM statements").fetchone()[0] == 7


def test_fts_syntax_is_taken_literally(db: sqlite_utils.Database) -> None:
    assert statement_queries.who_said(db, "NEAR(") == []
    assert statement_queries.who_said(db, "japan AND") == []
    assert len(statement_queries.who_said(db, '"japan"')) == 3
    assert len(statement_queries.who_said(db, "japan*")) == 3
    assert actor_queries.statements_by_actor(db, "%") == []
    assert actor_queries.statements_by_actor(db, "_") == []


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_text_is_a_valid_query(db: sqlite_utils.Database, text: str) -> None:
    statement_queries.who_said(db, text)
    sentence_queries.search_sentences(db, text)
    actor_queries.statements_by_actor(db, text)
    topic_queries.statements_on_topic(db, text)


def test_offsets_slice_back_to_the_article(db: sqlite_utils.Database) -> None:
    rows = list(statement_queries.export(db))
    assert len(rows) == 7
    for row in rows:
        text = texts()[row["article_id"]]
        assert text[row["content_start"] : row["content_end"]] == row["content"]
        assert text[row["cue_start"] : row["cue_end"]] == row["cue"]
        if row["speaker_mention"] is not None:
            assert text[row["speaker_start"] : row["speaker_end"]] == row["speaker_mention"]
        assert row["content"] in row["sentence"]


def test_export_is_in_id_order_with_contract_keys(db: sqlite_utils.Database) -> None:
    rows = list(statement_queries.export(db))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert all(list(r) == CONTRACT for r in rows)
    first = rows[0]
    assert first["speaker"] == "Pete Hegseth"
    assert first["speaker_mention"] == "Pete Hegseth"
    assert first["speaker_role"] == "U.S. Defense Secretary"
    assert first["speaker_kind"] == "person"
    assert first["source"] == "one.txt"
    assert first["published"] == "2025-05-12"
    assert first["topics"] == ["Japan"]
    assert rows[2]["speaker_mention"] == "He"
    assert rows[2]["topics"] == ["deterrence", "United States"]
    unattributed = rows[4]
    assert unattributed["speaker"] is None and unattributed["speaker_kind"] is None
    assert unattributed["speaker_start"] is None and unattributed["topics"] == []
    assert rows[5]["published"] is None
    assert rows[5]["speaker_role"] == "Defense Secretary"


def test_statements_by_actor_partial_and_alias(db: sqlite_utils.Database) -> None:
    for name in ("hegseth", "HEGSETH", "Pete", "pete hegseth", "Secretary Hegseth"):
        rows = actor_queries.statements_by_actor(db, name)
        assert {r["speaker"] for r in rows} == {"Pete Hegseth"}, name
        assert len(rows) == 4
    assert [r["speaker"] for r in actor_queries.statements_by_actor(db, "nakatani")] == [
        "Gen Nakatani"
    ]
    assert actor_queries.statements_by_actor(db, "Trump") == []
    assert actor_queries.statements_by_actor(db, "") == []
    assert len(actor_queries.statements_by_actor(db, "hegseth", limit=2)) == 2


def test_actors_lists_speakers_only(db: sqlite_utils.Database) -> None:
    rows = actor_queries.actors(db)
    assert [r["name"] for r in rows] == [
        "Pete Hegseth",
        "Gen Nakatani",
        "Japanese defense officials",
    ]
    assert rows[0] == {
        "name": "Pete Hegseth",
        "role": "Defense Secretary",
        "kind": "person",
        "aliases": ["Hegseth", "He", "Secretary Hegseth"],
        "statements": 4,
    }
    assert rows[2]["kind"] == "group"
    assert len(actor_queries.actors(db, limit=1)) == 1


def test_topics_with_counts(db: sqlite_utils.Database) -> None:
    rows = topic_queries.topics(db)
    assert rows[0] == {"name": "Japan", "kind": "place", "statements": 4, "articles": 2}
    by_name = {r["name"]: r for r in rows}
    assert by_name["Tokyo"]["statements"] == 0 and by_name["Tokyo"]["articles"] == 1
    assert by_name["deterrence"]["statements"] == 2
    counts = [(r["statements"], r["articles"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_statements_on_topic(db: sqlite_utils.Database) -> None:
    assert len(topic_queries.statements_on_topic(db, "JAPAN")) == 4
    assert len(topic_queries.statements_on_topic(db, "japan", limit=2)) == 2
    tariffs = topic_queries.statements_on_topic(db, "tariff")
    assert [r["speaker"] for r in tariffs] == ["Japanese defense officials"]
    assert topic_queries.statements_on_topic(db, "Mars") == []
    assert all(list(r) == CONTRACT for r in topic_queries.statements_on_topic(db, "deterrence"))


def test_search_sentences_includes_unattributed_ones(db: sqlite_utils.Database) -> None:
    hits = sentence_queries.search_sentences(db, "trump")
    assert len(hits) == 1
    row = hits[0].row
    assert row["text"] == "President Donald Trump was not in Tokyo."
    assert row["title"] == "Allies Pledge Closer Defense Ties"
    assert row["source"] == "one.txt"
    assert list(row) == list(sentence_queries.SENTENCE_KEYS)
    start, end = hits[0].highlights[0]
    assert row["snippet"][start:end] == "Trump"
    assert TEXT_ONE[row["start"] : row["end"]] == row["text"]


def test_search_ignores_case_and_diacritics(db: sqlite_utils.Database) -> None:
    hits = sentence_queries.search_sentences(db, "CAFE resume")
    assert len(hits) == 1
    assert {hits[0].row["snippet"][s:e] for s, e in hits[0].highlights} == {"café", "résumé"}


def test_articles_and_article(db: sqlite_utils.Database) -> None:
    rows = article_queries.articles(db)
    assert [r["id"] for r in rows] == [1, 2]
    assert list(rows[0]) == list(article_queries.ARTICLE_KEYS)
    assert rows[0]["statements"] == 5 and rows[0]["sentences"] == 6
    assert rows[0]["sha256"] == extraction_one().article.sha256
    one = article_queries.article(db, 1)
    assert one["text"] == TEXT_ONE
    assert [s["cue"] for s in one["statements"]] == [
        "called",
        "stated",
        "expressed",
        "indicated",
        "according to",
    ]
    with pytest.raises(FactcliError, match="no article with id 99"):
        article_queries.article(db, 99)


def test_queries_work_on_a_plain_sqlite3_connection(tmp_path: Path) -> None:
    import sqlite3

    path = build_db(tmp_path / "f.db")
    conn = sqlite3.connect(path)
    assert len(statement_queries.who_said(conn, "indispensable")) == 2  # type: ignore[arg-type]
    assert len(list(statement_queries.export(conn))) == 7  # type: ignore[arg-type]


def test_empty_database(tmp_path: Path) -> None:
    db = open_db(tmp_path / "e.db", create=True)
    assert statement_queries.who_said(db, "anything") == []
    assert actor_queries.actors(db) == []
    assert topic_queries.topics(db) == []
    assert article_queries.articles(db) == []
    assert list(statement_queries.export(db)) == []
    db.close()


class RecordingDb:
    """A database whose every SQL string is recorded, to prove user text only travels as a
    parameter."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.sql: list[str] = []

    def execute(self, sql: str, params: object = None) -> object:
        self.sql.append(sql)
        return self.db.execute(sql, params) if params is not None else self.db.execute(sql)


@pytest.mark.parametrize("raw", [False, True])
def test_user_text_never_becomes_sql(db: sqlite_utils.Database, raw: bool) -> None:
    marker = "zq'x\"; DROP TABLE statements; --"
    recording = RecordingDb(db)
    conn: Any = recording
    for call in (actor_queries.statements_by_actor, topic_queries.statements_on_topic):
        call(conn, marker)
    for search in (statement_queries.who_said, sentence_queries.search_sentences):
        try:
            search(conn, marker, raw=raw)
        except FactcliError:
            assert raw
    assert recording.sql
    assert not any("zq" in sql or "DROP" in sql for sql in recording.sql)
    tables = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    assert tables > 10 and db.execute("SELECT COUNT(*) FROM statements").fetchone()[0] == 7


def test_case_and_diacritics_do_not_matter(db: sqlite_utils.Database) -> None:
    def ids(hits: list[fts.Hit]) -> list[int]:
        return [h.row["id"] for h in hits]

    japan = ids(statement_queries.who_said(db, "japan"))
    assert len(japan) == 3
    assert ids(statement_queries.who_said(db, "JAPAN")) == japan
    assert ids(statement_queries.who_said(db, "Jápàn")) == japan
    nakatani = ids(sentence_queries.search_sentences(db, "Nakatani"))
    assert len(nakatani) == 1
    assert ids(sentence_queries.search_sentences(db, "NAKATANI")) == nakatani
    assert ids(sentence_queries.search_sentences(db, "nakátani")) == nakatani


def test_spelling_variants_found_by_prefix(tmp_path: Path) -> None:
    from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement
    from factcli.store import save_extraction

    text = "Kyiv talks\n\nPresident Volodymyr Zelenskyy said the Zelenskyy plan would work."
    body = text.index("President")
    cue = text.index("said")
    content = text.index("the Zelenskyy")
    extraction = Extraction(
        Article(text=text, source="k.txt", title="Kyiv talks", body_start=body),
        (Sentence(0, 0, body, len(text)),),
        (Actor("Volodymyr Zelenskyy", "person", "President"),),
        (
            Statement(
                0,
                "indirect",
                Span(cue, cue + 4),
                Span(content, len(text) - 1),
                Span(body + 10, body + 29),
                "Volodymyr Zelenskyy",
            ),
        ),
    )
    db = open_db(tmp_path / "z.db", create=True)
    save_extraction(db, extraction)
    for spelling in ("Zelenskyy", "Zelensky", "ZELENSKY", "zelenskyy plan"):
        hits = statement_queries.who_said(db, spelling)
        assert [h.row["speaker"] for h in hits] == ["Volodymyr Zelenskyy"], spelling
        assert len(sentence_queries.search_sentences(db, spelling)) == 1, spelling
    assert statement_queries.who_said(db, "Zelenskyyy plan zebra") == []
    db.close()


def test_prefix_query_is_only_quoted_strings() -> None:
    assert fts.fts_prefix_query('Zelenskyy "x NEAR(') == '"Zelensk"* """x" "NEAR"*'
    assert fts.fts_prefix_query("  ") is None


def test_raw_fts_for_experts(db: sqlite_utils.Database) -> None:
    both = statement_queries.who_said(db, "japan", raw=True)
    assert len(both) == 3
    assert len(statement_queries.who_said(db, "japan NOT partner", raw=True)) == 1
    assert len(statement_queries.who_said(db, "indisp*", raw=True)) == 2
    assert len(statement_queries.who_said(db, "NEAR(japan partner, 2)", raw=True)) == 1
    assert len(statement_queries.who_said(db, "NEAR(japan partner, 5)", raw=True)) == 2
    assert len(sentence_queries.search_sentences(db, "tokyo OR manila", raw=True)) == 3
    assert statement_queries.who_said(db, "   ", raw=True) == []


@pytest.mark.parametrize("text", ['"', "NEAR(", "japan AND", "(a OR", "nosuch:word", "^", "*"])
def test_raw_fts_syntax_error_is_one_message(db: sqlite_utils.Database, text: str) -> None:
    for search in (statement_queries.who_said, sentence_queries.search_sentences):
        with pytest.raises(FactcliError) as info:
            search(db, text, raw=True)
        assert info.value.exit_code == 2
        assert str(info.value).startswith("not a valid FTS5 query")
        assert "\n" not in str(info.value)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_raw_fts_never_raises_anything_else(db: sqlite_utils.Database, text: str) -> None:
    for search in (statement_queries.who_said, sentence_queries.search_sentences):
        try:
            assert isinstance(search(db, text, raw=True), list)
        except FactcliError as err:
            assert err.exit_code == 2


def test_query_connection_is_read_only(tmp_path: Path) -> None:
    conn = open_query_db(build_db(tmp_path / "f.db"))
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM articles")
    conn.close()


def test_query_connection_upgrades_an_older_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database of the first schema, written as the first version wrote it (plain rows),
    is migrated before a query reads it; counts and name index are filled in."""
    import factcli.store.connection as connection
    from factcli.store import migrations

    path = tmp_path / "f.db"
    monkeypatch.setattr(connection, "MIGRATIONS", migrations.MIGRATIONS[:1])
    monkeypatch.setattr(connection, "latest_version", lambda: 1)
    old = open_db(path, create=True)
    monkeypatch.undo()
    old.execute(
        "INSERT INTO articles (id, sha256, source, title, text, body_start, ingested_at)"
        " VALUES (1, 'x', 'a.txt', 'T', 'Pete Hegseth said Japan matters.', 0, '2025-01-01')"
    )
    old.execute(
        "INSERT INTO actors (id, name, role, kind, aliases)"
        " VALUES (1, 'Pete Hegseth', 'Defense Secretary', 'person', '[\"Hegseth\"]')"
    )
    old.execute(
        "INSERT INTO statements (article_id, actor_id, speaker_mention, cue, cue_start, cue_end,"
        " kind, content, content_start, content_end)"
        " VALUES (1, 1, 'Pete Hegseth', 'said', 13, 17, 'indirect', 'Japan matters', 18, 31)"
    )
    old.conn.commit()
    old.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    conn = open_query_db(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert actor_queries.actors(conn)[0] == {
        "name": "Pete Hegseth",
        "role": "Defense Secretary",
        "kind": "person",
        "aliases": ["Hegseth"],
        "statements": 1,
    }
    assert actor_queries.statements_by_actor(conn, "hegset")
    conn.close()


def test_query_connection_errors(tmp_path: Path) -> None:
    with pytest.raises(FactcliError, match="no database at"):
        open_query_db(tmp_path / "nope.db")
    (tmp_path / "notes.db").write_text("notes")
    with pytest.raises(FactcliError, match="not an SQLite database"):
        open_query_db(tmp_path / "notes.db")


def test_listings_match_counting_from_scratch(db: sqlite_utils.Database) -> None:
    """The precomputed counts give what a GROUP BY over every statement would."""
    by_actor = db.execute(
        "SELECT ac.name, COUNT(*) FROM actors ac JOIN statements s ON s.actor_id = ac.id"
        " GROUP BY ac.id ORDER BY COUNT(*) DESC, ac.name COLLATE NOCASE"
    ).fetchall()
    assert [(r["name"], r["statements"]) for r in actor_queries.actors(db, 0)] == by_actor
    by_topic = db.execute(
        "SELECT t.name, (SELECT COUNT(*) FROM statement_topics st WHERE st.topic_id = t.id) AS s,"
        " (SELECT COUNT(*) FROM article_topics at WHERE at.topic_id = t.id) AS a FROM topics t"
        " WHERE s > 0 OR a > 0 ORDER BY s DESC, a DESC, t.name COLLATE NOCASE"
    ).fetchall()
    assert [
        (r["name"], r["statements"], r["articles"]) for r in topic_queries.topics(db, 0)
    ] == by_topic


@pytest.mark.parametrize("name", ["he", "HEG", "hegseth", "Secretary Heg", "akatan"])
def test_actor_search_is_the_same_with_or_without_trigrams(
    db: sqlite_utils.Database, name: str
) -> None:
    found = actor_queries.statements_by_actor(db, name, 0)
    pattern = "%" + name + "%"
    expected = db.execute(
        "SELECT s.id FROM statements s JOIN actors ac ON ac.id = s.actor_id"
        " WHERE ac.name LIKE ? OR EXISTS (SELECT 1 FROM json_each(ac.aliases) WHERE value LIKE ?)"
        " ORDER BY s.id",
        [pattern, pattern],
    ).fetchall()
    assert [r["id"] for r in found] == [r[0] for r in expected]
    assert found
