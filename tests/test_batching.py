"""Ingest counts and indexes a chunk at once (`store.batching`, m014): every kept count and
full-text index must still agree with a recount, after every kind of write."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement, Topic
from factcli.store import (
    identity,
    migrations,
    open_db,
    save_extraction,
    save_extractions,
    transaction,
)
from factcli.store.checks import count_drift

PEOPLE = ("Ruth Okafor", "Lena Marsh", "Piet Vos")
PLACES = ("Harbour", "Valley Road", "North Pier", "the ferry", "tolls")
SAYINGS = (
    "the ferry timetable will change in autumn",
    "tolls on the bridge pay for the repairs",
    "nobody on the council saw the report",
)


def article(n: int, rng: random.Random, version: int = 0) -> Extraction:
    """An article of two or three statements with statement and article topics, some salient,
    dated on a few days of two months (some undated); `version` changes everything but the
    text, as a re-extraction with --force would."""
    text = f"Notes number {n}\n"
    sentences, statements = [], []
    words = random.Random(n)  # the text depends on `n` alone
    for index in range(2 + n % 2):
        who = words.choice(PEOPLE)
        saying = words.choice(SAYINGS)
        line = f"{who} said that {saying}."
        start = len(text)
        cue = start + len(who) + 1
        content = cue + len("said that ")
        topics = tuple(rng.sample(PLACES, rng.randint(0, 2)))
        statements.append(
            Statement(
                index,
                rng.choice(("direct", "indirect")),  # type: ignore[arg-type]
                Span(cue, cue + 4),
                Span(content, content + len(saying)),
                Span(start, start + len(who)),
                who,
                topics,
            )
        )
        sentences.append(Sentence(index, index, start, start + len(line)))
        text += line + "\n"
    day = None if n % 5 == 0 else f"2024-0{3 + n % 2}-0{1 + (n + version) % 4}"
    topics = tuple(
        (Topic(name, "phrase" if name.islower() else "place", 0.5, salient=rng.random() < 0.5), 2)
        for name in rng.sample(PLACES, 3)
    )
    actors = tuple(Actor(s.actor or "", "person") for s in statements)
    return Extraction(
        Article(text=text, source=f"notes/{n}.txt", published=day, outlet="Coast Post"),
        tuple(sentences),
        tuple(dict.fromkeys(actors)),
        tuple(statements),
        topics,
        extractor="model",
        model_version=f"m-{version}",
    )


def articles(numbers: range, seed: int, version: int = 0) -> list[Extraction]:
    rng = random.Random(seed)
    return [article(n, rng, version) for n in numbers]


def test_counts_and_indexes_agree_with_a_recount_after_every_write(tmp_path: Path) -> None:
    db = open_db(tmp_path / "a.db", create=True)
    assert all(isinstance(r, int) for r in save_extractions(db, articles(range(12), 1)))
    assert count_drift(db) == []
    assert db.execute("SELECT COUNT(*) FROM topic_days").fetchone()[0] > 0
    assert db.execute("SELECT COUNT(*) FROM statements_fts WHERE statements_fts MATCH 'tolls'")
    # --force in a chunk: articles stored before, one stored earlier in the same chunk, new ones
    again = articles(range(8, 14), 2, version=1)
    batch = [again[0], again[4], *again, again[5]]
    save_extractions(db, batch, replace=True)
    assert count_drift(db) == []
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 14
    save_extraction(db, articles(range(3, 4), 3, version=2)[0], replace=True)
    assert count_drift(db) == []
    with transaction(db):
        db.execute("DELETE FROM articles WHERE id IN (SELECT id FROM articles LIMIT 4)")
    assert count_drift(db) == []
    identity.merge(db, PEOPLE[0], PEOPLE[1])
    assert count_drift(db) == []
    # another writer's plain inserts still fire the triggers row by row
    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO statement_topics SELECT id, 1 FROM statements WHERE id % 3 = 0"
        )
        db.execute(
            'INSERT INTO sentences (article_id, idx, paragraph, start, "end", text)'
            " SELECT id, 99, 9, 0, 5, 'Tolls rise' FROM articles"
        )
    assert count_drift(db) == []
    assert db.execute("SELECT COUNT(*) FROM counting_deferred").fetchone()[0] == 0
    db.close()


def test_a_failed_article_or_chunk_leaves_the_counts_right(tmp_path: Path) -> None:
    db = open_db(tmp_path / "b.db", create=True)
    first, second = articles(range(2), 4)
    save_extraction(db, first)
    results = save_extractions(db, [second, first])  # the second is stored already: rolled back
    assert isinstance(results[0], int) and isinstance(results[1], Exception)
    assert count_drift(db) == []
    good = articles(range(5, 6), 4)[0]
    kindless = replace(good.statements[-1], kind=None)  # NOT NULL: the last insert fails
    broken = replace(good, statements=(*good.statements[:-1], kindless))
    with pytest.raises(sqlite3.IntegrityError):
        save_extraction(db, broken)
    assert count_drift(db) == []
    assert db.execute("SELECT COUNT(*) FROM counting_deferred").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 2
    db.close()


def test_an_older_database_is_migrated_with_its_counts_and_waiting_triggers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import factcli.store.connection as connection

    before = migrations.MIGRATIONS.index(migrations.m014_ingest_batched_triggers)
    monkeypatch.setattr(connection, "MIGRATIONS", migrations.MIGRATIONS[:before])
    monkeypatch.setattr(connection, "latest_version", lambda: before)
    path = tmp_path / "old.db"
    old = open_db(path, create=True)
    save_extractions(old, articles(range(6), 5))
    # a bulk load cut short left two triggers set aside, to be put back by the next load
    with transaction(old):
        for name in ("sentences_ai", "article_topics_count_ai"):
            sql = old.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
            old.execute("INSERT INTO deferred_schema (name, sql) VALUES (?, ?)", [name, sql[0]])
            old.execute(f"DROP TRIGGER {name}")
    old.close()
    monkeypatch.undo()
    db = open_db(path, create=False)
    triggers = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    waiting = dict(db.execute("SELECT name, sql FROM deferred_schema"))
    for name in migrations.COUNTING_TRIGGERS:
        assert "counting_deferred" in {**triggers, **waiting}[name], name
    with transaction(db):  # put back as the next load would
        for sql in waiting.values():
            db.execute(sql)
        db.execute("DELETE FROM deferred_schema")
    save_extractions(db, articles(range(6, 12), 6))
    assert count_drift(db) == []
    db.close()


def test_the_counting_condition_joins_a_trigger_own() -> None:
    plain = "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END"
    guarded = "CREATE TRIGGER t AFTER INSERT ON x\n WHEN NEW.a IS NOT NULL BEGIN SELECT 1; END"
    assert migrations.counting_condition(plain).startswith(
        "CREATE TRIGGER t AFTER INSERT ON x WHEN NOT EXISTS (SELECT 1 FROM counting_deferred)"
    )
    assert "WHEN NEW.a IS NOT NULL AND NOT EXISTS" in migrations.counting_condition(guarded)
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE x (a)")
    con.execute("CREATE TABLE counting_deferred (since_article)")
    con.execute(migrations.counting_condition(guarded))
