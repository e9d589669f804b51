"""Every sentence of the archive by what it says, attributed or not."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from factcli.queries.fts import CLOSE_MARK, OPEN_MARK, Hit, match_queries, raw_query_errors, unmark
from factcli.queries.ranking import SENTENCES, Sort, first_matches
from factcli.queries.sql import fetch_rows, sql_limit

if TYPE_CHECKING:
    from factcli.queries.sql import Connection

SENTENCE_KEYS: tuple[str, ...] = (
    "id",
    "article_id",
    "source",
    "title",
    "published",
    "sentence_index",
    "paragraph",
    "start",
    "end",
    "text",
    "snippet",
)


def search_sentences(
    db: Connection,
    text: str,
    limit: int = 20,
    *,
    raw: bool = False,
    sort: Sort | str | None = None,
    notice: Callable[[str], None] | None = None,
) -> list[Hit]:
    """Every sentence matching `text`, attributed or not, with a snippet around the match.

    Matching and order work as in `statements.who_said` (prefix retry, `raw` and `sort`
    included): the page of ids is found first, then only those sentences are read.
    """
    sql = """
        WITH hits AS (SELECT value AS id, key AS pos FROM json_each(:ids))
        SELECT se.id AS id, se.article_id AS article_id, a.source AS source, a.title AS title,
               a.published AS published, se.idx AS sentence_index, se.paragraph AS paragraph,
               se.start AS start, se."end" AS "end", se.text AS text,
               (SELECT snippet(sentences_fts, 0, :open, :close, '…', 24) FROM sentences_fts
                WHERE sentences_fts MATCH :query AND rowid = se.id) AS snippet
        FROM hits
        JOIN sentences se ON se.id = hits.id
        JOIN articles a ON a.id = se.article_id
        ORDER BY hits.pos
    """
    hits = []
    for query in match_queries(text, raw):
        with raw_query_errors(query, raw):
            ids = first_matches(db, SENTENCES, query, sort, sql_limit(limit), notice=notice)
        if not ids:
            continue
        params = {"query": query, "ids": json.dumps(ids), "open": OPEN_MARK, "close": CLOSE_MARK}
        for row in fetch_rows(db, sql, params):
            row["snippet"], ranges = unmark(row["snippet"] or "")
            hits.append(Hit(row, "snippet", ranges))
        break
    return hits
