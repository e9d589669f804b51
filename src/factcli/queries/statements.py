"""Statements by what they say: full-text matches, and every statement for export."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from factcli.queries.fts import (
    CLOSE_MARK,
    OPEN_MARK,
    Hit,
    match_queries,
    raw_query_errors,
    unmark,
)
from factcli.queries.ranking import STATEMENTS, Sort, first_matches
from factcli.queries.sql import (
    STATEMENT_FROM,
    STATEMENT_JOINS,
    STATEMENT_SELECT,
    fetch_rows,
    sql_limit,
    statement_row,
)

if TYPE_CHECKING:
    from factcli.queries.sql import Connection


def who_said(
    db: Connection,
    text: str,
    limit: int = 20,
    *,
    raw: bool = False,
    sort: Sort | str | None = None,
    notice: Callable[[str], None] | None = None,
) -> list[Hit]:
    """Statements whose content matches `text`, in the order `sort` names (see
    `factcli.queries.ranking`): by default best match first, or newest first for words found
    in a great many statements.

    Words match in any case and with or without accents; when no statement has them all, the
    words are tried again as prefixes (see `fts_prefix_query`). With `raw`, `text` is FTS5
    query syntax, passed as it is (still as a parameter).

    The page of ids is found first; only the statements kept are joined to their articles,
    actors and sentences and highlighted, so any word costs `limit` row lookups on top.
    """
    sql = (
        "WITH hits AS (SELECT value AS id, key AS pos FROM json_each(:ids))"
        + STATEMENT_SELECT
        + ", (SELECT highlight(statements_fts, 0, :open, :close) FROM statements_fts"
        " WHERE statements_fts MATCH :query AND rowid = s.id) AS _marked"
        " FROM hits JOIN statements s ON s.id = hits.id" + STATEMENT_JOINS + " ORDER BY hits.pos"
    )
    hits = []
    for query in match_queries(text, raw):
        with raw_query_errors(query, raw):
            ids = first_matches(db, STATEMENTS, query, sort, sql_limit(limit), notice=notice)
        if not ids:
            continue
        params = {"query": query, "ids": json.dumps(ids), "open": OPEN_MARK, "close": CLOSE_MARK}
        for row in fetch_rows(db, sql, params):
            marked = row.pop("_marked") or ""
            plain, ranges = unmark(marked)
            hits.append(
                Hit(statement_row(row), "content", ranges if plain == row["content"] else ())
            )
        break
    return hits


def export(db: Connection) -> Iterator[dict[str, Any]]:
    """Every statement in id order, streamed so a large archive never sits in memory."""
    sql = STATEMENT_SELECT + STATEMENT_FROM + " ORDER BY s.id"
    cursor = db.execute(sql)
    keys = [d[0] for d in cursor.description]
    for values in cursor:
        yield statement_row(dict(zip(keys, values, strict=True)))
