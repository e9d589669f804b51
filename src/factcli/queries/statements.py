"""Statements by what they say: full-text matches, and every statement for export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from factcli.queries.fts import (
    CLOSE_MARK,
    OPEN_MARK,
    Hit,
    match_queries,
    run_match,
    unmark,
)
from factcli.queries.sql import (
    STATEMENT_FROM,
    STATEMENT_JOINS,
    STATEMENT_SELECT,
    sql_limit,
    statement_row,
)

if TYPE_CHECKING:
    from factcli.queries.sql import Connection


def who_said(db: Connection, text: str, limit: int = 20, *, raw: bool = False) -> list[Hit]:
    """Statements whose content matches `text`, best match first (bm25).

    Words match in any case and with or without accents; when no statement has them all, the
    words are tried again as prefixes (see `fts_prefix_query`). With `raw`, `text` is FTS5
    query syntax, passed as it is (still as a parameter).

    The full-text index ranks and cuts to `limit` first; only the statements kept are joined to
    their articles, actors and sentences and highlighted, so a common word in a million
    statements costs one pass over its posting list and `limit` row lookups.
    """
    sql = (
        "WITH hits AS ("
        " SELECT rowid AS id, bm25(statements_fts) AS score FROM statements_fts"
        " WHERE statements_fts MATCH :query ORDER BY score, rowid LIMIT :limit)"
        + STATEMENT_SELECT
        + ", (SELECT highlight(statements_fts, 0, :open, :close) FROM statements_fts"
        " WHERE statements_fts MATCH :query AND rowid = s.id) AS _marked"
        " FROM hits JOIN statements s ON s.id = hits.id"
        + STATEMENT_JOINS
        + " ORDER BY hits.score, s.id"
    )
    hits = []
    for query in match_queries(text, raw):
        params = {"query": query, "limit": sql_limit(limit), "open": OPEN_MARK, "close": CLOSE_MARK}
        for row in run_match(db, sql, params, raw):
            marked = row.pop("_marked") or ""
            plain, ranges = unmark(marked)
            hits.append(
                Hit(statement_row(row), "content", ranges if plain == row["content"] else ())
            )
        if hits:
            break
    return hits


def export(db: Connection) -> Iterator[dict[str, Any]]:
    """Every statement in id order, streamed so a large archive never sits in memory."""
    sql = STATEMENT_SELECT + STATEMENT_FROM + " ORDER BY s.id"
    cursor = db.execute(sql)
    keys = [d[0] for d in cursor.description]
    for values in cursor:
        yield statement_row(dict(zip(keys, values, strict=True)))
