"""Topics: what the archive is about, the statements on one, and who speaks about it most."""

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


def topics(
    db: Connection,
    limit: int = 50,
    *,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """Topics ranked by how much the archive is about them: the number of articles in which a
    topic is salient, weighted by its specificity (`score`); then by articles mentioning it.

    Without dates the ranking is the store's own (kept by triggers, read through an index);
    `since` and `until` (ISO dates, inclusive) rank the topics of the dated articles in range.
    """
    if since is None and until is None:
        sql = f"""
            SELECT name, kind, salient_count AS salient, article_count AS articles,
                   statement_count AS statements, score
            FROM topics
            WHERE (article_count > 0 OR statement_count > 0){" AND kind = :kind" if kind else ""}
            ORDER BY topics.score DESC, article_count DESC, topics.name COLLATE NOCASE
            LIMIT :limit
        """
        return rounded_scores(fetch_rows(db, sql, {"kind": kind, "limit": sql_limit(limit)}))
    sql = """
        WITH ranked AS (
            SELECT at.topic_id AS id, SUM(at.salient) AS salient, COUNT(*) AS articles
            FROM articles a JOIN article_topics at ON at.article_id = a.id
            WHERE a.published IS NOT NULL
              AND (:since IS NULL OR a.published >= :since)
              AND (:until IS NULL OR a.published <= :until)
            GROUP BY at.topic_id
        ), top AS (
            SELECT t.id AS id, t.name AS name, t.kind AS kind, r.salient AS salient,
                   r.articles AS articles, r.salient * t.specificity AS score
            FROM ranked r JOIN topics t ON t.id = r.id
            WHERE (:kind IS NULL OR t.kind = :kind)
            ORDER BY score DESC, r.articles DESC, t.name COLLATE NOCASE
            LIMIT :limit
        )
        SELECT name, kind, salient, articles,
               (SELECT COUNT(*) FROM statement_topics st JOIN statements s ON s.id = st.statement_id
                JOIN articles a ON a.id = s.article_id
                WHERE st.topic_id = top.id AND a.published IS NOT NULL
                  AND (:since IS NULL OR a.published >= :since)
                  AND (:until IS NULL OR a.published <= :until)) AS statements,
               score
        FROM top
        ORDER BY top.score DESC, articles DESC, name COLLATE NOCASE
    """
    params = {"kind": kind, "since": since, "until": until, "limit": sql_limit(limit)}
    return rounded_scores(fetch_rows(db, sql, params))


def rounded_scores(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scores to two decimals, rounded in Python so every backend prints the same figure."""
    for row in rows:
        row["score"] = round(row["score"], 2)
    return rows


def topic_ids(db: Connection, name: str) -> list[int]:
    """The topics `name` means: its own spelling in any case and its variants ("interest rates",
    "rates of interest" → "interest rate"), else every topic whose name contains it, so that
    `topic tariff` still finds "trade tariff"."""
    from factcli.topics import name_variants

    variants = name_variants(name)
    marks = ", ".join("?" for _ in variants)
    found = db.execute(f"SELECT id FROM topics WHERE name IN ({marks})", variants).fetchall()
    if not found:
        found = db.execute(
            "SELECT id FROM topics WHERE name LIKE ? ESCAPE '\\'", [like_pattern(name)]
        ).fetchall()
    return [int(row[0]) for row in found]


def statements_on_topic(db: Connection, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements tagged with the topic `name` or its variants (see `topic_ids`)."""
    name = name.strip()
    if not name:
        return []
    ids = topic_ids(db, name)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    sql = (
        "WITH ids AS (SELECT DISTINCT statement_id AS id FROM statement_topics"
        f" WHERE topic_id IN ({marks}) ORDER BY statement_id LIMIT ?)"
        + STATEMENT_SELECT
        + " FROM ids JOIN statements s ON s.id = ids.id"
        + STATEMENT_JOINS
        + " ORDER BY s.id"
    )
    return [statement_row(r) for r in fetch_rows(db, sql, [*ids, sql_limit(limit)])]


def topic_speakers(db: Connection, name: str, limit: int = 10) -> list[dict[str, Any]]:
    """Who speaks about a topic most: actors with their statements (and articles) on it.

    The topic is found as in `statements_on_topic`: its name or variants, else containing it.
    """
    name = name.strip()
    if not name:
        return []
    ids = topic_ids(db, name)
    if not ids:
        return []
    condition = f"st.topic_id IN ({', '.join('?' for _ in ids)})"
    params: list[Any] = [*ids]
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
