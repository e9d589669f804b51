"""Speakers: the most quoted, one actor's statements, profile and timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factcli.queries.fts import quoted
from factcli.queries.sql import (
    DATE_ORDER,
    STATEMENT_FROM,
    STATEMENT_JOINS,
    STATEMENT_SELECT,
    fetch_rows,
    json_list,
    like_pattern,
    sql_limit,
    statement_row,
)

if TYPE_CHECKING:
    from factcli.queries.sql import Connection

PROFILE_KEYS: tuple[str, ...] = (
    "name",
    "kind",
    "role",
    "aliases",
    "statements",
    "articles",
    "first_seen",
    "last_seen",
    "roles",
    "topics",
    "also_matching",
)

_TOP_TOPICS = 10


def actors(db: Connection, limit: int = 50, *, anonymous: bool = False) -> list[dict[str, Any]]:
    """Named speakers (actors with at least one statement), most quoted first; with
    `anonymous`, the sources without a name too, one row per description and organisation
    ("spokesman", "Home Office") counting their statements and articles.

    The counts of named actors are kept up to date by the database (see the second
    migration), so the default listing reads the first `limit` entries of an index.
    """
    sql = """
        SELECT name, role, kind, aliases, statement_count AS statements
        FROM actors
        WHERE statement_count > 0
        ORDER BY statement_count DESC, name COLLATE NOCASE
        LIMIT ?
    """
    rows = fetch_rows(db, sql, [sql_limit(limit)])
    for row in rows:
        row["aliases"] = json_list(row["aliases"])
    if not anonymous:
        return rows
    for row in rows:
        row["organisation"] = None
        row["articles"] = None
    unnamed = fetch_rows(
        db,
        """
        SELECT MAX(anonymous_description) AS name, NULL AS role, 'anonymous' AS kind,
               COUNT(*) AS statements, MAX(anonymous_organisation) AS organisation,
               COUNT(DISTINCT article_id) AS articles
        FROM statements
        WHERE anonymous_description IS NOT NULL
        GROUP BY anonymous_description COLLATE NOCASE, anonymous_organisation COLLATE NOCASE
        ORDER BY statements DESC, name COLLATE NOCASE
        LIMIT ?
        """,
        [sql_limit(limit)],
    )
    for row in unnamed:
        row["aliases"] = []
    merged = sorted(rows + unnamed, key=lambda r: (-r["statements"], str(r["name"]).casefold()))
    return merged[:limit] if limit > 0 else merged


def statements_by_actor(db: Connection, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements by every actor whose name or an alias contains `name`, case-insensitively.

    Partial matching is what lets `actor hegseth` find "Pete Hegseth". From three characters
    on, the trigram index of names narrows the actors down first; LIKE then decides, so the
    answer is the same either way.
    """
    if not name.strip():
        return []
    needle = name.strip()
    params = {
        "pattern": like_pattern(needle),
        "limit": sql_limit(limit),
        "trigrams": quoted(needle),
    }
    candidates = (
        "id IN (SELECT actor_id FROM actor_names WHERE actor_names MATCH :trigrams) AND "
        if len(needle) >= 3
        else ""
    )
    sql = (
        "WITH matching AS ("
        f" SELECT id FROM actors WHERE {candidates}(name LIKE :pattern ESCAPE '\\' OR EXISTS ("
        "  SELECT 1 FROM json_each(actors.aliases) WHERE value LIKE :pattern ESCAPE '\\'))),"
        " ids AS (SELECT id FROM statements WHERE actor_id IN matching ORDER BY id LIMIT :limit)"
        + STATEMENT_SELECT
        + " FROM ids JOIN statements s ON s.id = ids.id"
        + STATEMENT_JOINS
        + " ORDER BY s.id"
    )
    return [statement_row(r) for r in fetch_rows(db, sql, params)]


def matching_actors(db: Connection, name: str) -> list[tuple[int, str]]:
    """Actors whose name or alias contains `name`, best first: the exact name, then an exact
    alias, then the most quoted."""
    name = name.strip()
    if not name:
        return []
    rows = db.execute(
        """
        SELECT ac.id, ac.name,
               ac.name = :name COLLATE NOCASE AS exact,
               EXISTS (SELECT 1 FROM json_each(ac.aliases) WHERE value = :name COLLATE NOCASE)
                   AS alias,
               (SELECT COUNT(*) FROM statements s WHERE s.actor_id = ac.id) AS n
        FROM actors ac
        WHERE ac.name LIKE :pattern ESCAPE '\\' OR EXISTS (
            SELECT 1 FROM json_each(ac.aliases) WHERE value LIKE :pattern ESCAPE '\\'
        )
        ORDER BY exact DESC, alias DESC, n DESC, ac.name COLLATE NOCASE
        """,
        {"name": name, "pattern": like_pattern(name)},
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows if r[4] or r[2]]


def actor_profile(db: Connection, name: str) -> dict[str, Any] | None:
    """The best-matching actor: roles with the dates they were seen, statement and article
    counts, the topics they speak about most, first and last seen; None when no actor
    matches."""
    found = matching_actors(db, name)
    if not found:
        return None
    actor_id = found[0][0]
    row = fetch_rows(
        db,
        """
        SELECT ac.name AS name, ac.kind AS kind, ac.role AS role, ac.aliases AS aliases,
               (SELECT COUNT(*) FROM statements s WHERE s.actor_id = ac.id) AS statements,
               (SELECT COUNT(DISTINCT s.article_id) FROM statements s
                WHERE s.actor_id = ac.id) AS articles
        FROM actors ac WHERE ac.id = ?
        """,
        [actor_id],
    )[0]
    row["aliases"] = json_list(row["aliases"])
    seen = db.execute(
        "SELECT MIN(a.published), MAX(a.published) FROM articles a WHERE a.id IN ("
        " SELECT article_id FROM article_actors WHERE actor_id = ?"
        " UNION SELECT article_id FROM statements WHERE actor_id = ?)",
        [actor_id, actor_id],
    ).fetchone()
    row["first_seen"], row["last_seen"] = seen
    row["roles"] = actor_roles(db, actor_id)
    row["topics"] = [
        {"name": t["name"], "statements": t["statements"]}
        for t in actor_topics(db, actor_id, _TOP_TOPICS)
    ]
    row["also_matching"] = [n for _, n in found[1:6]]
    return {key: row[key] for key in PROFILE_KEYS}


def actor_roles(db: Connection, actor_id: int) -> list[dict[str, Any]]:
    """The roles an actor was seen with, each with the first and last date and its articles,
    earliest first ("Minister" and "Interior Minister" are two rows, as written)."""
    return fetch_rows(
        db,
        """
        SELECT MIN(aa.role) AS role, MIN(a.published) AS first_seen,
               MAX(a.published) AS last_seen, COUNT(DISTINCT aa.article_id) AS articles
        FROM article_actors aa JOIN articles a ON a.id = aa.article_id
        WHERE aa.actor_id = ? AND aa.role IS NOT NULL
        GROUP BY aa.role COLLATE NOCASE
        ORDER BY first_seen IS NULL, first_seen, articles DESC
        """,
        [actor_id],
    )


def actor_topics(db: Connection, actor_id: int, limit: int) -> list[dict[str, Any]]:
    """The topics an actor speaks about most: ``id``, ``name`` and their ``statements``."""
    return fetch_rows(
        db,
        """
        SELECT t.id AS id, t.name AS name, COUNT(*) AS statements
        FROM statements s JOIN statement_topics st ON st.statement_id = s.id
        JOIN topics t ON t.id = st.topic_id
        WHERE s.actor_id = ?
        GROUP BY t.id ORDER BY statements DESC, t.name COLLATE NOCASE LIMIT ?
        """,
        [actor_id, sql_limit(limit)],
    )


def actor_timeline(db: Connection, name: str, limit: int = 0) -> list[dict[str, Any]]:
    """The best-matching actor's statements in date order (undated last)."""
    found = matching_actors(db, name)
    if not found:
        return []
    sql = STATEMENT_SELECT + STATEMENT_FROM + f" WHERE s.actor_id = ? ORDER BY {DATE_ORDER}"
    return [
        statement_row(r) for r in fetch_rows(db, sql + " LIMIT ?", [found[0][0], sql_limit(limit)])
    ]


def complete_names(db: Connection, typed: str, limit: int = 50) -> list[str]:
    """Speakers' names starting with `typed`, most quoted first, for shell completion.

    The match is case-sensitive because the shell keeps only candidates that start with what
    was typed. Typed letters narrow the names down through the index of names (a range, then
    only those rows are sorted); nothing typed reads the first `limit` entries of the index
    of speakers by statement count. Either answers at once among a hundred thousand actors.
    """
    if not typed:
        sql = (
            "SELECT name FROM actors WHERE statement_count > 0"
            " ORDER BY statement_count DESC, name COLLATE NOCASE LIMIT ?"
        )
        return [str(r[0]) for r in db.execute(sql, [sql_limit(limit)])]
    sql = (
        "SELECT name FROM actors WHERE name LIKE ? ESCAPE '\\' AND substr(name, 1, ?) = ?"
        " AND +statement_count > 0"
        " ORDER BY +statement_count DESC, name COLLATE NOCASE LIMIT ?"
    )
    params = [like_pattern(typed)[1:], len(typed), typed, sql_limit(limit)]
    return [str(r[0]) for r in db.execute(sql, params)]
