"""Every sentence of the archive by what it says, attributed or not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from factcli.queries.fts import CLOSE_MARK, OPEN_MARK, Hit, match_queries, run_match, unmark
from factcli.queries.sql import sql_limit

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


def search_sentences(db: Connection, text: str, limit: int = 20, *, raw: bool = False) -> list[Hit]:
    """Every sentence matching `text`, attributed or not, with a snippet around the match.

    Matching works as in `who_said` (prefix retry and `raw` included), and is ranked and cut
    to `limit` inside the full-text index first.
    """
    sql = """
        WITH hits AS (
            SELECT rowid AS id, bm25(sentences_fts) AS score FROM sentences_fts
            WHERE sentences_fts MATCH :query ORDER BY score, rowid LIMIT :limit
        )
        SELECT se.id AS id, se.article_id AS article_id, a.source AS source, a.title AS title,
               a.published AS published, se.idx AS sentence_index, se.paragraph AS paragraph,
               se.start AS start, se."end" AS "end", se.text AS text,
               (SELECT snippet(sentences_fts, 0, :open, :close, '…', 24) FROM sentences_fts
                WHERE sentences_fts MATCH :query AND rowid = se.id) AS snippet
        FROM hits
        JOIN sentences se ON se.id = hits.id
        JOIN articles a ON a.id = se.article_id
        ORDER BY hits.score, se.id
    """
    hits = []
    for query in match_queries(text, raw):
        params = {"query": query, "limit": sql_limit(limit), "open": OPEN_MARK, "close": CLOSE_MARK}
        for row in run_match(db, sql, params, raw):
            row["snippet"], ranges = unmark(row["snippet"] or "")
            hits.append(Hit(row, "snippet", ranges))
        if hits:
            break
    return hits
