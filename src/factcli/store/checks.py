"""What every connection shares, reading or writing: the file check before SQLite opens it,
the busy timeout, and SQLite's failures as messages a user can act on; and a recount of the
counts and indexes the database keeps (`count_drift`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from factcli.errors import FactcliError

if TYPE_CHECKING:
    from sqlite_utils import Database

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite itself gives a cryptic error."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise FactcliError(f"cannot read database {path}: {e.strerror or e}") from None
    if head and head != SQLITE_HEADER:
        raise FactcliError(f"{path} is not an SQLite database; choose another --db")


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another connection holds the write lock."""
    reason = str(error)
    return isinstance(error, sqlite3.OperationalError) and ("locked" in reason or "busy" in reason)


def describe_error(path: Path | str, error: sqlite3.Error) -> str:
    """One line for an SQLite failure on the database at `path`, saying what the user can do.

    A damaged file is only ever reported: factcli never repairs, replaces or overwrites it.
    """
    reason = str(error)
    if "malformed" in reason or "not a database" in reason or "corrupt" in reason:
        return (
            f"{path} is damaged ({reason}); it was left as it is: restore a backup or choose "
            "another --db"
        )
    if "full" in reason:
        return f"cannot write database {path}: {reason}"
    if "readonly" in reason or "unable to open" in reason or "disk I/O" in reason:
        return f"cannot write database {path}: {reason}"
    if is_busy(error):
        return f"database {path} stayed busy (another program kept it locked); try again later"
    return f"database {path}: {reason}"


def count_drift(db: Database) -> list[str]:
    """What the kept counts and full-text indexes say that a recount from the rows does not:
    one line per disagreeing table (empty when all agree). Triggers and the writer's catch-up
    (`factcli.store.batching`) keep them; this is how a test, or a doubtful user, checks them.
    """
    from factcli.store.migrations import TOPIC_PERIOD_TABLES

    found = []
    checks = {
        "actors.statement_count": """SELECT COUNT(*) FROM actors WHERE statement_count !=
            (SELECT COUNT(*) FROM statements s WHERE s.actor_id = actors.id)""",
        "topics counts": """SELECT COUNT(*) FROM topics WHERE
            statement_count != (SELECT COUNT(*) FROM statement_topics st
                WHERE st.topic_id = topics.id)
            OR article_count != (SELECT COUNT(*) FROM article_topics at
                WHERE at.topic_id = topics.id)
            OR salient_count != (SELECT COUNT(*) FROM article_topics at
                WHERE at.topic_id = topics.id AND at.salient)
            OR score IS NOT salient_count * specificity""",
    }
    for table, key, length in TOPIC_PERIOD_TABLES:
        recount = f"""SELECT {key}, topic_id, SUM(articles), SUM(salient), SUM(statements) FROM (
            SELECT substr(a.published, 1, {length}) AS {key}, at.topic_id AS topic_id,
                1 AS articles, at.salient AS salient, 0 AS statements
            FROM article_topics at JOIN articles a ON a.id = at.article_id
            WHERE a.published IS NOT NULL
            UNION ALL SELECT substr(a.published, 1, {length}), st.topic_id, 0, 0, 1
            FROM statement_topics st JOIN statements s ON s.id = st.statement_id
            JOIN articles a ON a.id = s.article_id WHERE a.published IS NOT NULL)
            GROUP BY 1, 2"""
        kept = f"""SELECT {key}, topic_id, articles, salient, statements FROM {table}
            WHERE articles != 0 OR salient != 0 OR statements != 0"""
        checks[table] = _differing(kept, recount)
    checks["stats_counts"] = _differing(
        "SELECT subject, key, value FROM stats_counts WHERE value != 0", _STATS_RECOUNT
    )
    several = """SELECT sq.quote_id FROM statement_quotes sq
        JOIN statements s ON s.id = sq.statement_id
        GROUP BY sq.quote_id HAVING MIN(s.article_id) != MAX(s.article_id)"""
    checks["quotes_in_several_articles"] = _differing(
        "SELECT quote_id FROM quotes_in_several_articles", several
    )
    checks["actor_kind_counts"] = _differing(
        "SELECT actor_id, kind, articles FROM actor_kind_counts",
        """SELECT actor_id, kind, COUNT(*) FROM article_actors WHERE kind IS NOT NULL
            GROUP BY actor_id, kind""",
    )
    checks["actor_name_counts"] = _differing(
        "SELECT actor_id, name, spelling, articles FROM actor_name_counts",
        """SELECT actor_id, name, name, COUNT(*) FROM article_actors
            GROUP BY actor_id, name COLLATE BINARY""",
    )
    for name, sql in checks.items():
        wrong = db.execute(sql).fetchone()[0]
        if wrong:
            found.append(f"{name}: {wrong} rows disagree with a recount")
    for fts in ("statements_fts", "sentences_fts"):
        try:
            db.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as e:
            found.append(f"{fts}: {e}")
    return found


def _differing(kept: str, recount: str) -> str:
    """The number of rows in one of two queries and not in the other."""
    return f"""SELECT (SELECT COUNT(*) FROM ({kept} EXCEPT {recount}))
        + (SELECT COUNT(*) FROM ({recount} EXCEPT {kept}))"""


_STATS_RECOUNT = """SELECT * FROM (
    SELECT 'total' AS subject, 'articles' AS key, COUNT(*) AS value FROM articles
    UNION ALL SELECT 'total', 'undated_articles', COUNT(*) FROM articles WHERE published IS NULL
    UNION ALL SELECT 'total', 'statements', COUNT(*) FROM statements
    UNION ALL SELECT 'total', 'anonymous_statements', COUNT(*) FROM statements
        WHERE anonymous_description IS NOT NULL
    UNION ALL SELECT 'total', 'actors', COUNT(*) FROM actors WHERE statement_count > 0
    UNION ALL SELECT 'total', 'topics', COUNT(*) FROM topics
    UNION ALL SELECT 'total', 'quotes_in_several_articles', COUNT(*)
        FROM quotes_in_several_articles
    UNION ALL SELECT 'kind', kind, COUNT(*) FROM statements WHERE kind IS NOT NULL GROUP BY kind
    UNION ALL SELECT 'outlet', outlet, COUNT(*) FROM articles
        WHERE outlet IS NOT NULL GROUP BY outlet
    UNION ALL SELECT 'extractor', json_array(extractor, model_version, spacy_pipeline), COUNT(*)
        FROM articles GROUP BY extractor, model_version, spacy_pipeline)
    WHERE value != 0"""
"""Every figure of ``stats_counts`` counted from the rows (as `STATS_COUNTS_REBUILD` does)."""
