"""Counts and full-text indexes brought up to date once per chunk of articles, not per row.

Row by row, the triggers of `migrations.COUNTING_TRIGGERS` cost about half of the time spent
storing an article: every sentence and statement goes into a full-text index on its own, and
every link of a statement or an article to a topic updates the topic's counts and its rows of
``topic_months`` and ``topic_days``. While the writer holds a row in ``counting_deferred``
(from `deferring` to its end), those triggers stand aside, and `catch_up` does their work
for every row from the ids recorded in that row on: the same counts and the same index
entries, in one statement per table. Deletes fire their triggers as always, so the writer
catches up before it deletes (`--force`).

An actor's ``statement_count`` is read when the next article's speakers are matched
(`identity.resolve`), so the writer counts each article's statements by actor at once
(`count_actor_statements`); everything else waits for the end of the chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from factcli.store.migrations import DEFERRED_COUNTING, TOPIC_PERIOD_TABLES

if TYPE_CHECKING:
    from sqlite_utils import Database

_SINCE = {
    table: f"(SELECT since_{column} FROM {DEFERRED_COUNTING})"
    for table, column in (
        ("articles", "article"),
        ("sentences", "sentence"),
        ("statements", "statement"),
    )
}

_START = (
    f"INSERT INTO {DEFERRED_COUNTING} (since_article, since_sentence, since_statement)"
    " SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM articles),"
    " (SELECT COALESCE(MAX(id), 0) + 1 FROM sentences),"
    " (SELECT COALESCE(MAX(id), 0) + 1 FROM statements)"
)

_RESTART = (
    f"UPDATE {DEFERRED_COUNTING} SET"
    " since_article = (SELECT COALESCE(MAX(id), 0) + 1 FROM articles),"
    " since_sentence = (SELECT COALESCE(MAX(id), 0) + 1 FROM sentences),"
    " since_statement = (SELECT COALESCE(MAX(id), 0) + 1 FROM statements)"
)


def _period_catch_up(table: str, key: str, length: int) -> str:
    """The rows of `table` (by `key` and topic) for the new article and statement topics of
    dated articles: what ``article_topics_{table}_ai`` and ``statement_topics_{table}_ai``
    add row by row. New statement topics belong to new statements of new articles."""
    date = f"substr(a.published, 1, {length})"
    return f"""INSERT INTO {table} ({key}, topic_id, articles, salient, statements)
        SELECT {key}, topic_id, SUM(articles), SUM(salient), SUM(statements) FROM (
            SELECT {date} AS {key}, at.topic_id AS topic_id, 1 AS articles,
                   at.salient AS salient, 0 AS statements
            FROM article_topics at JOIN articles a ON a.id = at.article_id
            WHERE at.article_id >= {_SINCE["articles"]} AND a.published IS NOT NULL
            UNION ALL
            SELECT {date}, st.topic_id, 0, 0, 1
            FROM statements s JOIN statement_topics st ON st.statement_id = s.id
            JOIN articles a ON a.id = s.article_id
            WHERE s.id >= {_SINCE["statements"]} AND a.published IS NOT NULL)
        WHERE true GROUP BY {key}, topic_id
        ON CONFLICT ({key}, topic_id) DO UPDATE SET articles = articles + excluded.articles,
            salient = salient + excluded.salient, statements = statements + excluded.statements"""


CATCH_UP = (
    f"""INSERT INTO sentences_fts (rowid, text)
        SELECT id, text FROM sentences WHERE id >= {_SINCE["sentences"]} ORDER BY id""",
    f"""INSERT INTO statements_fts (rowid, content)
        SELECT id, content FROM statements WHERE id >= {_SINCE["statements"]} ORDER BY id""",
    f"""UPDATE topics SET statement_count = statement_count + c.n
        FROM (SELECT topic_id, COUNT(*) AS n FROM statement_topics
              WHERE statement_id >= {_SINCE["statements"]} GROUP BY +topic_id) AS c
        WHERE topics.id = c.topic_id""",
    f"""UPDATE topics SET article_count = article_count + c.n,
            salient_count = salient_count + c.salient,
            score = (salient_count + c.salient) * specificity
        FROM (SELECT topic_id, COUNT(*) AS n, SUM(salient) AS salient FROM article_topics
              WHERE article_id >= {_SINCE["articles"]} GROUP BY +topic_id) AS c
        WHERE topics.id = c.topic_id""",
    *(_period_catch_up(table, key, length) for table, key, length in TOPIC_PERIOD_TABLES),
    f"""INSERT INTO stats_counts (subject, key, value)
        SELECT subject, key, n FROM (
            SELECT 'total' AS subject, 'statements' AS key, COUNT(*) AS n FROM statements
                WHERE id >= {_SINCE["statements"]}
            UNION ALL SELECT 'kind', kind, COUNT(*) FROM statements
                WHERE id >= {_SINCE["statements"]} AND +kind IS NOT NULL GROUP BY +kind
            UNION ALL SELECT 'total', 'anonymous_statements', COUNT(*) FROM statements
                WHERE id >= {_SINCE["statements"]} AND anonymous_description IS NOT NULL)
        WHERE n > 0
        ON CONFLICT (subject, key) DO UPDATE SET value = value + excluded.value""",
)
"""What the deferred insert triggers would have done for the rows from the recorded ids on:
full-text entries in id order, topic counts and score, topic months and days, `stats`. Each
reads the new rows by a range of ids (a unary ``+`` keeps SQLite from walking a whole index
in the order of its GROUP BY instead)."""


def is_deferring(db: Database) -> bool:
    return db.execute(f"SELECT 1 FROM {DEFERRED_COUNTING}").fetchone() is not None


@contextmanager
def deferring(db: Database) -> Iterator[bool]:
    """Inside the caller's transaction: the counting triggers stand aside until the block
    ends, then `catch_up` does their work once. Nested use joins the outer block. Gives
    whether they stand aside: not on a schema older than m014 (while migrations run)."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [DEFERRED_COUNTING]
    ).fetchone()
    if exists is None or is_deferring(db):
        yield exists is not None
        return
    db.execute(_START)
    try:
        yield True
        catch_up(db)
    finally:
        if db.conn.in_transaction:  # a failed block's transaction rolls back; never commit it
            db.execute(f"DELETE FROM {DEFERRED_COUNTING}")


def catch_up(db: Database) -> None:
    """Count and index the rows inserted since the recorded ids; record the next ids."""
    for sql in CATCH_UP:
        db.execute(sql)
    restart(db)


def restart(db: Database) -> None:
    """Record the next ids as the first to count (after rows were deleted, a new row may take
    the id of a deleted one)."""
    db.execute(_RESTART)


def count_actor_statements(db: Database, article_id: int) -> None:
    """Add an article's statements to their actors' counts (``statements_count_ai``, which
    stands aside while deferring), one update per actor."""
    db.execute(
        """UPDATE actors SET statement_count = statement_count + c.n
        FROM (SELECT actor_id, COUNT(*) AS n FROM statements
              WHERE article_id = ? AND actor_id IS NOT NULL GROUP BY actor_id) AS c
        WHERE actors.id = c.actor_id""",
        [article_id],
    )
