"""Stored articles: the list with counts, and one article with its statements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError
from factcli.queries.sql import (
    STATEMENT_FROM,
    STATEMENT_SELECT,
    fetch_rows,
    like_pattern,
    sql_limit,
    statement_row,
)

if TYPE_CHECKING:
    from factcli.queries.sql import Connection

ARTICLE_KEYS: tuple[str, ...] = (
    "id",
    "source",
    "title",
    "published",
    "sha256",
    "ingested_at",
    "sentences",
    "statements",
    "outlet",
    "url",
)


def articles(
    db: Connection,
    limit: int = 50,
    *,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """Stored articles in the order they were ingested, with sentence and statement counts.

    `source` keeps articles from that outlet (any case) or whose path or URL contains it;
    `since` and `until` (ISO dates, inclusive) keep dated articles in that range.
    """
    sql = """
        SELECT a.id AS id, a.source AS source, a.title AS title, a.published AS published,
               a.sha256 AS sha256, a.ingested_at AS ingested_at,
               (SELECT COUNT(*) FROM sentences se WHERE se.article_id = a.id) AS sentences,
               (SELECT COUNT(*) FROM statements s WHERE s.article_id = a.id) AS statements,
               a.outlet AS outlet, a.url AS url
        FROM articles a
        WHERE (:source IS NULL OR a.outlet = :source COLLATE NOCASE
               OR a.source LIKE :pattern ESCAPE '\\' OR a.url LIKE :pattern ESCAPE '\\')
          AND (:since IS NULL OR a.published >= :since)
          AND (:until IS NULL OR a.published <= :until)
        ORDER BY a.id
        LIMIT :limit
    """
    params = {
        "source": source,
        "pattern": like_pattern(source) if source else None,
        "since": since,
        "until": until,
        "limit": sql_limit(limit),
    }
    return fetch_rows(db, sql, params)


def article(db: Connection, article_id: int) -> dict[str, Any]:
    """One article with its text and all of its statements in order."""
    rows = fetch_rows(
        db,
        "SELECT id, source, title, published, sha256, ingested_at, body_start, text"
        " FROM articles WHERE id = ?",
        [article_id],
    )
    if not rows:
        raise FactcliError(f"no article with id {article_id}; see factcli articles")
    result = rows[0]
    sql = STATEMENT_SELECT + STATEMENT_FROM + " WHERE s.article_id = ? ORDER BY s.id"
    result["statements"] = [statement_row(r) for r in fetch_rows(db, sql, [article_id])]
    return result
