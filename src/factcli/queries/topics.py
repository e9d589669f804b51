"""Topics: the most discussed, the statements on one, and who speaks about it most."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factcli.queries.sql import (
    STATEMENT_JOINS,
    STATEMENT_SELECT,
    fetch_rows,
    like_pattern,
    sql_limit,
    statement_row,
)

if TYPE_CHECKING:
    from factcli.queries.sql import Connection

SPEAKER_KEYS: tuple[str, ...] = ("name", "role", "kind", "statements", "articles")


def topics(db: Connection, limit: int = 50) -> list[dict[str, Any]]:
    """Topics with how many statements and articles touch them, most discussed first."""
    sql = """
        SELECT name, kind, statement_count AS statements, article_count AS articles
        FROM topics
        WHERE article_count > 0 OR statement_count > 0
        ORDER BY statement_count DESC, article_count DESC, name COLLATE NOCASE
        LIMIT ?
    """
    return fetch_rows(db, sql, [sql_limit(limit)])


def statements_on_topic(db: Connection, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements tagged with the topic `name` (case-insensitive); if no topic has exactly that
    name, topics containing it, so `topic tariff` still finds "trade tariffs"."""
    name = name.strip()
    if not name:
        return []
    exact = db.execute("SELECT id FROM topics WHERE name = ?", [name]).fetchall()
    if exact:
        ids = "SELECT statement_id AS id FROM statement_topics WHERE topic_id = ?"
        params: list[Any] = [exact[0][0]]
    else:
        ids = (
            "SELECT DISTINCT statement_id AS id FROM statement_topics"
            " WHERE topic_id IN (SELECT id FROM topics WHERE name LIKE ? ESCAPE '\\')"
        )
        params = [like_pattern(name)]
    sql = (
        f"WITH ids AS ({ids} ORDER BY statement_id LIMIT ?)"
        + STATEMENT_SELECT
        + " FROM ids JOIN statements s ON s.id = ids.id"
        + STATEMENT_JOINS
        + " ORDER BY s.id"
    )
    return [statement_row(r) for r in fetch_rows(db, sql, [*params, sql_limit(limit)])]


def topic_speakers(db: Connection, name: str, limit: int = 10) -> list[dict[str, Any]]:
    """Who speaks about a topic most: actors with their statements (and articles) on it.

    The topic is found as in `statements_on_topic`: exact name, else containing it.
    """
    name = name.strip()
    if not name:
        return []
    exact = db.execute("SELECT id FROM topics WHERE name = ?", [name]).fetchall()
    if exact:
        condition, params = "st.topic_id = ?", [exact[0][0]]
    else:
        condition = "st.topic_id IN (SELECT id FROM topics WHERE name LIKE ? ESCAPE '\\')"
        params = [like_pattern(name)]
    sql = f"""
        SELECT ac.name AS name, ac.role AS role, ac.kind AS kind,
               COUNT(DISTINCT s.id) AS statements, COUNT(DISTINCT s.article_id) AS articles
        FROM statement_topics st JOIN statements s ON s.id = st.statement_id
        JOIN actors ac ON ac.id = s.actor_id
        WHERE {condition}
        GROUP BY ac.id
        ORDER BY statements DESC, articles DESC, ac.name COLLATE NOCASE
        LIMIT ?
    """
    return fetch_rows(db, sql, [*params, sql_limit(limit)])


def complete_names(db: Connection, typed: str, limit: int = 50) -> list[str]:
    """Topic names starting with `typed` (case-sensitive, as shells match), most discussed
    first, for shell completion; found as `actors.complete_names` finds names."""
    used = "(article_count > 0 OR statement_count > 0)"
    order = "ORDER BY +statement_count DESC, article_count DESC, name COLLATE NOCASE LIMIT ?"
    if not typed:
        sql = f"SELECT name FROM topics WHERE {used} {order.replace('+', '')}"
        return [str(r[0]) for r in db.execute(sql, [sql_limit(limit)])]
    sql = (
        "SELECT name FROM topics WHERE name LIKE ? ESCAPE '\\' AND substr(name, 1, ?) = ?"
        f" AND {used} {order}"
    )
    params = [like_pattern(typed)[1:], len(typed), typed, sql_limit(limit)]
    return [str(r[0]) for r in db.execute(sql, params)]
