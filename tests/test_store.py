"""Storage: opening, migrations, one transaction per article, actors and topics across articles."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from builders import TEXT_ONE, extraction_one, extraction_two

from factcli.errors import FactcliError
from factcli.store import (
    find_article,
    latest_version,
    open_db,
    save_extraction,
    save_extractions,
    transaction,
)
from factcli.store import migrations as migrations_module


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    database = open_db(tmp_path / "f.db", create=True)
    yield database
    database.close()


def count(db: sqlite_utils.Database, table: str) -> int:
    return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_create_makes_parent_dir_and_private_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "factcli.db"
    db = open_db(path, create=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert db.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    db.close()


def test_missing_database_without_create(tmp_path: Path) -> None:
    path = tmp_path / "nope.db"
    with pytest.raises(FactcliError) as info:
        open_db(path, create=False)
    assert str(info.value) == f"no database at {path}; run factcli ingest first"
    assert not path.exists()


def test_not_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    with pytest.raises(FactcliError) as info:
        open_db(path, create=True)
    assert "not an SQLite database" in str(info.value)
    assert "\n" not in str(info.value)
    assert path.read_text() == "these are my notes, not a database\n"


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FactcliError, match="is a directory"):
        open_db(tmp_path, create=True)


def test_unwritable_location(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(FactcliError) as info:
        open_db(blocker / "sub" / "f.db", create=True)
    assert "cannot create database" in str(info.value)


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(FactcliError, match="did not create"):
        open_db(path, create=False)


def test_empty_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    db = open_db(path, create=False)
    assert "statements" in db.table_names()
    db.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    open_db(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(FactcliError, match="newer than this factcli"):
        open_db(path, create=False)


def test_older_schema_is_migrated_with_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.db"
    db = open_db(path, create=True)
    save_extraction(db, extraction_one())
    db.close()
    old = latest_version()

    def add_note(database: sqlite_utils.Database) -> None:
        database.execute("ALTER TABLE articles ADD COLUMN note TEXT")

    monkeypatch.setattr(migrations_module, "MIGRATIONS", [*migrations_module.MIGRATIONS, add_note])
    import factcli.store.connection as connection

    monkeypatch.setattr(connection, "MIGRATIONS", migrations_module.MIGRATIONS)
    db = open_db(path, create=False)
    assert db.execute("PRAGMA user_version").fetchone()[0] == old + 1
    assert "note" in db.table("articles").columns_dict
    assert count(db, "statements") == 5
    db.close()
    backup = tmp_path / f"f.db.v{old}.bak"
    assert backup.exists()
    assert sqlite3.connect(backup).execute("PRAGMA user_version").fetchone()[0] == old


def test_migrations_are_registered_in_order() -> None:
    assert latest_version() == len(migrations_module.MIGRATIONS) >= 1
    assert migrations_module.MIGRATIONS[0].__name__ == "m001_initial"


def test_opens_in_plain_sqlite_utils(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    db = open_db(path, create=True)
    save_extraction(db, extraction_one())
    db.close()
    plain = sqlite_utils.Database(path)
    assert {"articles", "sentences", "actors", "statements", "topics"} <= set(plain.table_names())
    assert plain.table("statements").detect_fts() == "statements_fts"
    assert plain.table("sentences").detect_fts() == "sentences_fts"
    found = list(plain.table("statements").search("indispensable"))
    assert len(found) == 2
    fks = {(fk.column, fk.other_table) for fk in plain.table("statements").foreign_keys}
    assert ("article_id", "articles") in fks and ("actor_id", "actors") in fks


def test_save_extraction_stores_everything(db: sqlite_utils.Database) -> None:
    extraction = extraction_one()
    article_id = save_extraction(db, extraction)
    assert find_article(db, extraction.article.sha256) == article_id
    assert find_article(db, "0" * 64) is None
    assert count(db, "articles") == 1
    assert count(db, "sentences") == len(extraction.sentences)
    assert count(db, "statements") == len(extraction.statements)
    row = db.execute("SELECT text, title, published, body_start FROM articles").fetchone()
    assert row == (
        TEXT_ONE,
        "Allies Pledge Closer Defense Ties",
        "2025-05-12",
        TEXT_ONE.index("TOKYO"),
    )
    for text, start, end in db.execute('SELECT text, start, "end" FROM sentences'):
        assert TEXT_ONE[start:end] == text
    rows = db.execute(
        "SELECT content, content_start, content_end, cue, cue_start, cue_end,"
        " speaker_mention, speaker_start, speaker_end FROM statements ORDER BY id"
    ).fetchall()
    for content, cs, ce, cue, qs, qe, mention, ss, se in rows:
        assert TEXT_ONE[cs:ce] == content
        assert TEXT_ONE[qs:qe] == cue
        if mention is not None:
            assert TEXT_ONE[ss:se] == mention
    assert [r[0] for r in rows] == [s.content.text(TEXT_ONE) for s in extraction.statements]


def test_statement_ids_follow_extraction_order(db: sqlite_utils.Database) -> None:
    save_extraction(db, extraction_one())
    ids = [r[0] for r in db.execute("SELECT id FROM statements ORDER BY content_start")]
    by_id = [r[0] for r in db.execute("SELECT cue FROM statements ORDER BY id")]
    assert by_id == ["called", "stated", "expressed", "indicated", "according to"]
    assert len(ids) == 5


def test_unattributed_statement_has_no_actor(db: sqlite_utils.Database) -> None:
    save_extraction(db, extraction_one())
    row = db.execute(
        "SELECT actor_id, speaker_mention FROM statements WHERE cue = 'according to'"
    ).fetchone()
    assert row == (None, None)


def test_actors_are_shared_across_articles(db: sqlite_utils.Database) -> None:
    save_extraction(db, extraction_one())
    save_extraction(db, extraction_two())
    rows = db.execute(
        "SELECT name, role, kind, aliases FROM actors WHERE name = 'PETE HEGSETH'"
    ).fetchall()
    assert len(rows) == 1
    name, role, kind, aliases = rows[0]
    assert name == "Pete Hegseth"
    assert role == "Defense Secretary"
    assert kind == "person"
    assert json.loads(aliases) == ["Hegseth", "He", "Secretary Hegseth"]
    hegseth_statements = db.execute(
        "SELECT COUNT(*) FROM statements s JOIN actors a ON a.id = s.actor_id"
        " WHERE a.name = 'Pete Hegseth'"
    ).fetchone()[0]
    assert hegseth_statements == 4


def test_role_kept_when_new_article_gives_none(db: sqlite_utils.Database) -> None:
    from dataclasses import replace

    save_extraction(db, extraction_one())
    two = extraction_two()
    two = replace(two, actors=tuple(replace(a, role=None) for a in two.actors))
    save_extraction(db, two)
    role = db.execute("SELECT role FROM actors WHERE name = 'Pete Hegseth'").fetchone()[0]
    assert role == "U.S. Defense Secretary"


def test_topics_are_linked(db: sqlite_utils.Database) -> None:
    save_extraction(db, extraction_one())
    save_extraction(db, extraction_two())
    japan = db.execute("SELECT id, kind FROM topics WHERE name = 'japan'").fetchall()
    assert len(japan) == 1 and japan[0][1] == "place"
    linked = db.execute(
        "SELECT COUNT(*) FROM statement_topics WHERE topic_id = ?", [japan[0][0]]
    ).fetchone()[0]
    assert linked == 4
    counts = dict(
        db.execute(
            "SELECT t.name, at.count FROM article_topics at JOIN topics t ON t.id = at.topic_id"
            " WHERE at.article_id = 1"
        ).fetchall()
    )
    assert counts["Japan"] == 3
    assert counts["Tokyo"] == 2
    assert counts["United States"] == 1


def test_saving_the_same_text_twice_needs_replace(db: sqlite_utils.Database) -> None:
    save_extraction(db, extraction_one())
    with pytest.raises(FactcliError, match="already stored"):
        save_extraction(db, extraction_one())
    assert count(db, "articles") == 1


def test_replace_swaps_the_article_and_its_index(db: sqlite_utils.Database) -> None:
    first = save_extraction(db, extraction_one())
    save_extraction(db, extraction_two())
    again = save_extraction(db, extraction_one("renamed.txt"), replace=True)
    assert again != first
    assert count(db, "articles") == 2
    assert count(db, "statements") == 7
    assert count(db, "sentences") == 9
    assert db.execute("SELECT source FROM articles WHERE id = ?", [again]).fetchone()[0] == (
        "renamed.txt"
    )
    hits = db.execute(
        "SELECT COUNT(*) FROM statements_fts WHERE statements_fts MATCH 'indispensable'"
    ).fetchone()[0]
    assert hits == 2
    assert count(db, "statement_topics") == 10
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_deleting_an_article_cascades(db: sqlite_utils.Database) -> None:
    save_extraction(db, extraction_one())
    save_extraction(db, extraction_two())
    db.execute("DELETE FROM articles WHERE id = 1")
    assert count(db, "sentences") == 3
    assert count(db, "statements") == 2
    assert count(db, "article_topics") == 4
    assert (
        db.execute(
            "SELECT COUNT(*) FROM sentences_fts WHERE sentences_fts MATCH 'Tokyo'"
        ).fetchone()[0]
        == 0
    )


def test_a_failing_article_leaves_nothing(db: sqlite_utils.Database) -> None:
    from dataclasses import replace

    save_extraction(db, extraction_two())
    one = extraction_one()
    bad_statement = replace(one.statements[1], kind=None)  # type: ignore[arg-type]
    broken = replace(one, statements=(one.statements[0], bad_statement))
    with pytest.raises(sqlite3.IntegrityError):
        save_extraction(db, broken)
    assert count(db, "articles") == 1
    assert count(db, "sentences") == 3
    assert count(db, "statements") == 2
    assert find_article(db, broken.article.sha256) is None
    assert not db.conn.in_transaction


def test_batch_transaction_rolls_back_all_articles(db: sqlite_utils.Database) -> None:
    with pytest.raises(RuntimeError), transaction(db):
        save_extraction(db, extraction_one())
        save_extraction(db, extraction_two())
        raise RuntimeError("stop")
    assert count(db, "articles") == 0
    with transaction(db):
        save_extraction(db, extraction_one())
        save_extraction(db, extraction_two())
    assert count(db, "articles") == 2


def test_unknown_actor_name_is_kept(db: sqlite_utils.Database) -> None:
    from dataclasses import replace

    one = extraction_one()
    one = replace(one, actors=())
    save_extraction(db, one)
    assert db.execute("SELECT name, kind FROM actors ORDER BY id").fetchall() == [
        ("Pete Hegseth", None),
        ("Japanese defense officials", None),
    ]


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_database_and_its_side_files_are_user_only(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "f.db"
    db = open_db(path, create=True)
    save_extraction(db, extraction_one())
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    assert wal.exists() and shm.exists()
    assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    db.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_backup_before_migrating_is_user_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    path = tmp_path / "f.db"
    db = open_db(path, create=True)
    save_extraction(db, extraction_one())
    db.close()
    import factcli.store.connection as connection

    def add_note(database: sqlite_utils.Database) -> None:
        database.execute("ALTER TABLE articles ADD COLUMN note TEXT")

    migrations = [*migrations_module.MIGRATIONS, add_note]
    monkeypatch.setattr(migrations_module, "MIGRATIONS", migrations)
    monkeypatch.setattr(connection, "MIGRATIONS", migrations)
    seen: list[int] = []
    real_connect = sqlite3.connect

    def connect(target: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(target).endswith(".bak"):
            seen.append(mode(Path(target)))  # already there, before any data is written
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(connection.sqlite3, "connect", connect)
    open_db(path, create=False).close()
    backup = tmp_path / f"f.db.v{len(migrations) - 1}.bak"
    assert seen == [0o600]
    assert mode(backup) == 0o600
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT COUNT(*) FROM statements").fetchone()[0] == 5
    copy.close()


def test_interrupted_migration_leaves_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration that fails half way is rolled back whole: the database keeps its old
    version and data, and the backup copy is there."""
    path = tmp_path / "f.db"
    db = open_db(path, create=True)
    save_extraction(db, extraction_one())
    db.close()
    import factcli.store.connection as connection

    def half_done(database: sqlite_utils.Database) -> None:
        database.execute("ALTER TABLE articles ADD COLUMN note TEXT")
        raise KeyboardInterrupt

    migrations = [*migrations_module.MIGRATIONS, half_done]
    monkeypatch.setattr(migrations_module, "MIGRATIONS", migrations)
    monkeypatch.setattr(connection, "MIGRATIONS", migrations)
    with pytest.raises(KeyboardInterrupt):
        open_db(path, create=False)
    monkeypatch.undo()
    db = open_db(path, create=False)
    assert db.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert "note" not in db.table("articles").columns_dict
    assert count(db, "statements") == 5
    db.close()
    assert (tmp_path / f"f.db.v{latest_version()}.bak").exists()


def damaged_copies(path: Path) -> Iterator[tuple[str, bytes]]:
    data = path.read_bytes()
    yield "pages overwritten", data[:4096] + b"\x5a" * (len(data) - 4096)
    yield "header page overwritten", data[:16] + b"\xff" * 84 + data[100:]
    yield "truncated", data[: len(data) // 3]
    torn = bytearray(data)
    for at in range(8192, len(data), 4096):
        torn[at : at + 50] = b"\x00\xff" * 25
    yield "torn pages", bytes(torn)


def test_damaged_database_is_reported_and_left_alone(tmp_path: Path) -> None:
    from builders import build_db

    good = build_db(tmp_path / "good.db")
    for name, data in damaged_copies(good):
        path = tmp_path / "bad.db"
        path.write_bytes(data)
        try:
            db = open_db(path, create=True)
            db.execute("SELECT COUNT(*) FROM statements").fetchall()
            db.close()
        except FactcliError as e:
            assert "is damaged" in str(e) and "left as it is" in str(e), name
            assert "\n" not in str(e)
        else:
            pytest.fail(f"{name}: opened without an error")
        assert path.read_bytes() == data, name
        path.unlink()


def counts(db: sqlite_utils.Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    actors = db.execute("SELECT name, statement_count FROM actors ORDER BY id").fetchall()
    topics = db.execute(
        "SELECT name, statement_count, article_count FROM topics ORDER BY id"
    ).fetchall()
    return actors, topics


def counted(db: sqlite_utils.Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The same counts computed from scratch, as the precomputed ones must always be."""
    actors = db.execute(
        "SELECT name, (SELECT COUNT(*) FROM statements s WHERE s.actor_id = actors.id)"
        " FROM actors ORDER BY id"
    ).fetchall()
    topics = db.execute(
        "SELECT name, (SELECT COUNT(*) FROM statement_topics st WHERE st.topic_id = topics.id),"
        " (SELECT COUNT(*) FROM article_topics at WHERE at.topic_id = topics.id)"
        " FROM topics ORDER BY id"
    ).fetchall()
    return actors, topics


def test_precomputed_counts_follow_inserts_and_replacements(db: sqlite_utils.Database) -> None:
    save_extraction(db, extraction_one())
    save_extraction(db, extraction_two())
    assert counts(db) == counted(db)
    assert dict(counts(db)[0])["Pete Hegseth"] == 4
    save_extraction(db, extraction_one(), replace=True)
    assert counts(db) == counted(db)
    db.execute("DELETE FROM articles")
    assert counts(db) == counted(db)
    assert all(n == 0 for _, n in counts(db)[0])


def test_counts_are_backfilled_when_an_old_database_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import factcli.store.connection as connection

    path = tmp_path / "f.db"
    monkeypatch.setattr(connection, "MIGRATIONS", migrations_module.MIGRATIONS[:1])
    monkeypatch.setattr(connection, "latest_version", lambda: 1)
    old = open_db(path, create=True)
    old.execute("BEGIN")
    old.execute(
        "INSERT INTO articles (sha256, source, text, ingested_at) VALUES ('x', 's', 't', 'now')"
    )
    old.execute("INSERT INTO actors (name) VALUES ('Ana Ruiz')")
    old.execute("INSERT INTO topics (name) VALUES ('ports')")
    for n in range(3):
        old.execute(
            "INSERT INTO statements (article_id, actor_id, cue, cue_start, cue_end, kind, content,"
            " content_start, content_end) VALUES (1, 1, 'said', 0, 1, 'direct', ?, 0, 1)",
            [f"c{n}"],
        )
        old.execute("INSERT INTO statement_topics VALUES (?, 1)", [n + 1])
    old.execute("INSERT INTO article_topics VALUES (1, 1, 3)")
    old.execute("COMMIT")
    old.close()
    monkeypatch.undo()
    db = open_db(path, create=False)
    assert counts(db) == ([("Ana Ruiz", 3)], [("ports", 3, 1)])
    db.close()


def test_save_extractions_keeps_each_article_whole(db: sqlite_utils.Database) -> None:
    """One transaction for the batch, one savepoint per article: the failing one (already
    stored) is rolled back alone and reported in its place."""
    first = save_extraction(db, extraction_one())
    before = count(db, "statements")
    results = save_extractions(db, [extraction_two(), extraction_one(), extraction_two("3.txt")])
    assert isinstance(results[0], int) and results[0] > first
    assert isinstance(results[1], FactcliError)
    assert isinstance(results[2], FactcliError)  # same text as the first of the batch
    assert count(db, "articles") == 2
    assert count(db, "statements") == before + len(extraction_two().statements)
    assert counts(db) == counted(db)


def keys_by_statement(db: sqlite_utils.Database) -> tuple[list[Any], list[Any]]:
    """(statement, key) pairs of `quote_keys` and of the JSON arrays of `quote_key_lists`."""
    table = sorted(db.execute("SELECT statement_id, key FROM quote_keys").fetchall())
    rows = db.execute("SELECT statement_id, keys FROM quote_key_lists")
    return table, sorted((sid, key) for sid, keys in rows for key in json.loads(keys))


def test_quote_keys_are_listed_by_statement_and_go_with_their_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """m012 lists each quote's band keys by statement and drops the `statement_id` index of
    `quote_keys`; deleting or replacing an article still takes its keys along."""
    import factcli.store.connection as connection
    from factcli.store.migrations import m012_quote_band_keys

    before = migrations_module.MIGRATIONS.index(m012_quote_band_keys)
    path = tmp_path / "f.db"
    monkeypatch.setattr(connection, "MIGRATIONS", migrations_module.MIGRATIONS[:before])
    monkeypatch.setattr(connection, "latest_version", lambda: before)
    old = open_db(path, create=True)
    save_extraction(old, extraction_one())
    save_extraction(old, extraction_two())
    stored = sorted(old.execute("SELECT statement_id, key FROM quote_keys").fetchall())
    old.close()
    monkeypatch.undo()
    db = open_db(path, create=False)
    assert len({sid for sid, _ in stored}) >= 3
    assert keys_by_statement(db) == (stored, stored)
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "idx_quote_keys_statement" not in indexes
    two = {r[0] for r in db.execute("SELECT s.id FROM statements s WHERE s.article_id = 2")}
    save_extraction(db, extraction_one(), replace=True)
    table, rows = keys_by_statement(db)
    assert table == rows and {sid for sid, _ in table} & two
    assert len(table) == len(stored)  # the replaced article's old keys went, its new ones came
    with transaction(db):
        db.execute("DELETE FROM articles WHERE id = 2")
    table, rows = keys_by_statement(db)
    assert table == rows and not {sid for sid, _ in table} & two
    db.close()
