"""Quotes carried by many outlets: who-said with repeats folded, and one quote's carriers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError
from factcli.queries.fts import CLOSE_MARK, OPEN_MARK, Hit, match_queries, raw_query_errors, unmark
from factcli.queries.ranking import STATEMENTS, Sort, decide, ranked_ids
from factcli.queries.sql import (
    DATE_ORDER,
    STATEMENT_FROM,
    STATEMENT_SELECT,
    fetch_rows,
    sql_limit,
)

if TYPE_CHECKING:
    from factcli.queries.sql import Connection

QUOTE_GROUP_KEYS: tuple[str, ...] = (
    "id",
    "quote_id",
    "speaker",
    "speaker_role",
    "kind",
    "content",
    "articles",
    "statements",
    "first_published",
    "first_article_id",
    "first_title",
    "first_outlet",
)

CARRIER_KEYS: tuple[str, ...] = (
    "statement_id",
    "article_id",
    "published",
    "outlet",
    "title",
    "source",
    "url",
    "speaker_mention",
    "cue",
    "content",
)


def who_said_grouped(
    db: Connection,
    text: str,
    limit: int = 20,
    *,
    raw: bool = False,
    sort: Sort | str | None = None,
    notice: Callable[[str], None] | None = None,
) -> list[Hit]:
    """`statements.who_said`, with near-identical quotes of one speaker shown once.

    Each hit is the first statement of a quote group in the chosen order (its `id` works with
    `quote`), with how many articles carried the quote and the earliest date it was
    published. Matching and order are the same as `who_said`'s (prefix retry, `raw` and
    `sort` included).
    """
    chosen: dict[int, int] = {}
    query = ""
    wanted = sql_limit(limit)
    for query in match_queries(text, raw):
        with raw_query_errors(query, raw):
            order, _ = decide(db, STATEMENTS, query, sort, notice=notice)
            # take a page of matches at a time, and widen it until enough distinct quotes
            # are found or matches run out
            page = wanted + 10 if wanted > 0 else -1
            while True:
                ids = ranked_ids(db, STATEMENTS, query, order, page)
                rows = _with_quotes(db, ids)
                chosen.clear()
                for statement_id, quote_id in rows:
                    if quote_id not in chosen:
                        chosen[quote_id] = statement_id
                        if len(chosen) == wanted:
                            break
                if len(chosen) == wanted or page < 0 or len(rows) < page:
                    break
                page *= 4
        if chosen:
            break
    hits = []
    for quote_id, statement_id in chosen.items():
        sql = (
            STATEMENT_SELECT
            + f", highlight(statements_fts, 0, '{OPEN_MARK}', '{CLOSE_MARK}') AS _marked"
            + STATEMENT_FROM
            + " JOIN statements_fts ON statements_fts.rowid = s.id"
            " WHERE statements_fts MATCH ? AND s.id = ?"
        )
        row = fetch_rows(db, sql, [query, statement_id])[0]
        plain, ranges = unmark(row.pop("_marked"))
        group = _group_summary(db, quote_id, statement_id)
        record = {
            **{k: row[k] for k in ("id", "speaker", "speaker_role", "kind", "content")},
            **group,
        }
        hits.append(
            Hit(
                {key: record[key] for key in QUOTE_GROUP_KEYS},
                "content",
                ranges if plain == row["content"] else (),
            )
        )
    return hits


def _with_quotes(db: Connection, ids: list[int]) -> list[tuple[int, int]]:
    """(statement id, quote id) for `ids`, in their order; a statement in no group is its own."""
    sql = (
        "SELECT statement_id, quote_id FROM statement_quotes"
        " WHERE statement_id IN (SELECT value FROM json_each(?))"
    )
    quotes = dict(db.execute(sql, [json.dumps(ids)]).fetchall())
    return [(i, int(quotes.get(i, i))) for i in ids]


def _group_summary(db: Connection, quote_id: int, statement_id: int) -> dict[str, Any]:
    members = "SELECT statement_id FROM statement_quotes WHERE quote_id = :q UNION SELECT :s"
    first = db.execute(
        f"SELECT a.id, a.published, a.title, a.outlet FROM statements s"
        f" JOIN articles a ON a.id = s.article_id WHERE s.id IN ({members})"
        f" ORDER BY {DATE_ORDER} LIMIT 1",
        {"q": quote_id, "s": statement_id},
    ).fetchone()
    counts = db.execute(
        f"SELECT COUNT(DISTINCT s.article_id), COUNT(*) FROM statements s"
        f" WHERE s.id IN ({members})",
        {"q": quote_id, "s": statement_id},
    ).fetchone()
    return {
        "quote_id": quote_id,
        "articles": counts[0],
        "statements": counts[1],
        "first_published": first[1],
        "first_article_id": first[0],
        "first_title": first[2],
        "first_outlet": first[3],
    }


def quote(db: Connection, statement_id: int, limit: int = 0) -> dict[str, Any]:
    """A statement's quote: its speaker and words, how many articles carried it, and the
    first `limit` of them (0 for all), earliest first."""
    row = db.execute(
        "SELECT s.id, COALESCE(sq.quote_id, s.id) FROM statements s"
        " LEFT JOIN statement_quotes sq ON sq.statement_id = s.id WHERE s.id = ?",
        [statement_id],
    ).fetchone()
    if row is None:
        raise FactcliError(f"no statement with id {statement_id}; see factcli who-said")
    quote_id = int(row[1])
    carriers = fetch_rows(
        db,
        f"""
        SELECT s.id AS statement_id, a.id AS article_id, a.published AS published,
               a.outlet AS outlet, a.title AS title, a.source AS source, a.url AS url,
               s.speaker_mention AS speaker_mention, s.cue AS cue, s.content AS content
        FROM statements s JOIN articles a ON a.id = s.article_id
        WHERE s.id IN (SELECT statement_id FROM statement_quotes WHERE quote_id = :q
                       UNION SELECT :s)
        ORDER BY {DATE_ORDER}
        LIMIT :limit
        """,
        {"q": quote_id, "s": statement_id, "limit": sql_limit(limit)},
    )
    articles = db.execute(
        "SELECT COUNT(DISTINCT article_id) FROM statements WHERE id IN ("
        " SELECT statement_id FROM statement_quotes WHERE quote_id = ? UNION SELECT ?)",
        [quote_id, statement_id],
    ).fetchone()[0]
    head = fetch_rows(
        db,
        STATEMENT_SELECT + STATEMENT_FROM + " WHERE s.id = ?",
        [carriers[0]["statement_id"]],
    )[0]
    return {
        "id": statement_id,
        "quote_id": quote_id,
        "speaker": head["speaker"],
        "speaker_role": head["speaker_role"],
        "content": head["content"],
        "articles": articles,
        "first_published": carriers[0]["published"],
        "carried_by": carriers,
    }
