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
    `since` and `until` (ISO dates, inclusive) rank the topics of the dated articles in range,
    from the per-month and per-day counts the store keeps (``topic_months``, ``topic_days``).
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
    sql = f"""
        WITH ranked AS (
            SELECT topic_id AS id, SUM(salient) AS salient, SUM(articles) AS articles,
                   SUM(statements) AS statements
            FROM ({period_rows(since, until)})
            GROUP BY topic_id HAVING SUM(articles) > 0 OR SUM(statements) > 0
        )
        SELECT t.name AS name, t.kind AS kind, r.salient AS salient, r.articles AS articles,
               r.statements AS statements, r.salient * t.specificity AS score
        FROM ranked r JOIN topics t ON t.id = r.id
        WHERE (:kind IS NULL OR t.kind = :kind)
        ORDER BY score DESC, r.articles DESC, t.name COLLATE NOCASE
        LIMIT :limit
    """
    params = {"kind": kind, "since": since, "until": until, "limit": sql_limit(limit)}
    params.update(period_bounds(since, until))
    return rounded_scores(fetch_rows(db, sql, params))


def period_bounds(since: str | None, until: str | None) -> dict[str, str]:
    """The months wholly inside [since, until] lie strictly between `first_month` and
    `last_month`; the days of those two edge months are read one by one."""
    first = since[:7] if since else ""
    last = until[:7] if until else "9999-99"
    return {"first_month": first, "last_month": last}


def period_rows(since: str | None, until: str | None) -> str:
    """SQL for the per-period topic counts covering [since, until] (ISO dates, inclusive;
    None is open): whole months from ``topic_months``, the edge months day by day from
    ``topic_days``, so the cost follows the number of months and not of articles."""
    months = "SELECT * FROM topic_months WHERE month > :first_month AND month < :last_month"
    low = "day >= :since" if since else "1"
    high = "day <= :until" if until else "1"
    edges = [
        f"SELECT * FROM topic_days WHERE {low} AND day < :first_month || '-99' AND {high}"
        if since
        else "",
        f"SELECT * FROM topic_days WHERE day > :last_month AND {low} AND {high}" if until else "",
    ]
    if since and until and since[:7] == until[:7]:
        edges = [f"SELECT * FROM topic_days WHERE {low} AND {high}"]
    return " UNION ALL ".join([months, *(e for e in edges if e)])


def rounded_scores(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scores to two decimals, rounded in Python so every backend prints the same figure."""
    for row in rows:
        row["score"] = round(row["score"], 2)
    return rows


def topic_ids(db: Connection, name: str) -> list[int]:
    """The topics `name` means: its own spelling in any case and its variants ("interest rates",
    "rates of interest" → "interest rate"), else every topic whose name contains it, so that
    `topic tariff` still finds "trade tariff"."""
    from factcli.topic_names import name_variants

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
