"""Which full-text matches come first, and how to find them without ranking them all.

Three orders, each deterministic:

- ``relevance``: bm25 (best first), ties by id. Exact, but bm25 scores every match before the
  first page is known: for a word found in most statements that is the whole archive.
- ``newest``: by the article's publication date, latest first; articles without a date last;
  articles of one date by id, latest stored first; within an article in reading order.
- ``oldest``: earliest first, undated articles last; otherwise ascending throughout.

Without a chosen order, the words decide (`DEFAULT_RULE`): ``relevance`` when they match fewer
than `COMMON_MATCHES` rows, else ``newest``. Telling the two cases apart costs at most
`COMMON_MATCHES` steps through the index. The date orders sort the matches of rare words; for
common ones they walk articles newest (or oldest) first through the index of dates and stop
when the page is full (see `ranked_ids`).
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from factcli.queries.sql import Connection

COMMON_MATCHES = 5_000
"""From this many matching rows on, words are "common": by default they come newest first."""

FEW_MATCHES = 2_000
"""Below this many matching rows, a date order sorts them all in SQL."""

MANY_MATCHES = 50_000
"""Up to this many matching rows are read at once to walk articles in date order."""

DEFAULT_RULE = (
    f"best match first (bm25) when the words match fewer than {COMMON_MATCHES:,} rows, "
    "newest first for more common words"
)


class Sort(StrEnum):
    """The orders a full-text query can return its matches in."""

    relevance = "relevance"
    newest = "newest"
    oldest = "oldest"


class Target:
    """A full-text index and the table whose rows it indexes (`within`: their reading order).

    A plain class, not a dataclass: the CLI imports this module for its help text, and every
    command would pay for loading `dataclasses`.
    """

    __slots__ = ("fts", "table", "within")

    def __init__(self, fts: str, table: str, within: str) -> None:
        self.fts = fts
        self.table = table
        self.within = within


STATEMENTS = Target("statements_fts", "statements", "x.id")
SENTENCES = Target("sentences_fts", "sentences", "x.idx")


def is_common(db: Connection, target: Target, query: str) -> bool:
    """Whether `query` matches at least `COMMON_MATCHES` rows (counting stops there)."""
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {target.fts}"
        f" WHERE {target.fts} MATCH ? LIMIT {COMMON_MATCHES:d})"
    )
    return int(db.execute(sql, [query]).fetchone()[0]) >= COMMON_MATCHES


def first_matches(
    db: Connection,
    target: Target,
    query: str,
    sort: Sort | str | None,
    limit: int,
    *,
    notice: Callable[[str], None] | None = None,
) -> list[int]:
    """Ids of the first `limit` rows (-1 for all) matching `query`, in the order `sort` names
    or, without one, the order `DEFAULT_RULE` picks for these words (see `decide`)."""
    order, _ = decide(db, target, query, sort, notice=notice)
    return ranked_ids(db, target, query, order, limit)


def decide(
    db: Connection,
    target: Target,
    query: str,
    sort: Sort | str | None,
    *,
    notice: Callable[[str], None] | None = None,
) -> tuple[Sort, bool]:
    """The order for `query` (`sort`, else `DEFAULT_RULE`) and whether its words are common.

    `notice` hears, in one line, that ``relevance`` on common words has to rank them all.
    """
    common = is_common(db, target, query)
    if sort is None:
        return (Sort.newest if common else Sort.relevance), common
    order = Sort(sort)
    if order is Sort.relevance and common and notice is not None:
        notice(
            f"these words match {COMMON_MATCHES:,} or more {target.table}; ranking them all by "
            "relevance is slower (--sort newest answers at once)"
        )
    return order, common


def ranked_ids(db: Connection, target: Target, query: str, order: Sort, limit: int) -> list[int]:
    """Ids of the first `limit` rows (-1 for all) matching `query`, in `order`.

    A date order is found one of three ways, by how many rows match, always with the same
    answer: fewer than `FEW_MATCHES` are sorted in SQL; up to `MANY_MATCHES` are read from the
    full-text index at once and articles are walked in date order until their rows fill the
    page; more than that, articles are walked in date order and each is looked up in the
    full-text index (the page fills after a few articles).
    """
    fts = target.fts
    if order is Sort.relevance:
        sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY bm25({fts}), rowid LIMIT ?"
        return [int(r[0]) for r in db.execute(sql, [query, limit])]
    newest = order is Sort.newest
    count = 0
    if limit >= 0:
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH ?"
            f" LIMIT {MANY_MATCHES + 1:d})"
        )
        count = int(db.execute(sql, [query]).fetchone()[0])
    if limit < 0 or count < FEW_MATCHES:
        direction = "DESC" if newest else ""
        sql = (
            f"WITH m AS (SELECT rowid AS id FROM {fts} WHERE {fts} MATCH ?)"
            f" SELECT x.id FROM m JOIN {target.table} x ON x.id = m.id"
            " JOIN articles a ON a.id = x.article_id"
            f" ORDER BY a.published IS NULL, a.published {direction}, a.id {direction},"
            f" {target.within} LIMIT ?"
        )
        return [int(r[0]) for r in db.execute(sql, [query, limit])]
    known: list[int] | None = None
    if count <= MANY_MATCHES:
        sql = f"SELECT json_group_array(rowid) FROM {fts} WHERE {fts} MATCH ?"
        known = json.loads(db.execute(sql, [query]).fetchone()[0])
    ids: list[int] = []
    for dated in (True, False):
        if len(ids) >= limit:
            break
        ids += _walk(db, target, query, known, newest=newest, dated=dated, limit=limit - len(ids))
    return ids


def _walk(
    db: Connection,
    target: Target,
    query: str,
    known: list[int] | None,
    *,
    newest: bool,
    dated: bool,
    limit: int,
) -> list[int]:
    """Articles in date order through the index of dates, until their matching rows fill
    `limit`. Each article's rows are the range of ids between its first and last row: looked
    up in `known` (every matching id, sorted) when given, else in the full-text index.

    Rows found are checked to belong to the article and put in reading order, so an article
    whose rows are not contiguous (stored again later) is still answered correctly.
    """
    direction = "DESC" if newest else "ASC"
    where = "a.published IS NOT NULL" if dated else "a.published IS NULL"
    dates = f"a.published {direction}, " if dated else ""
    table, fts = target.table, target.fts
    articles = db.execute(
        f"SELECT a.id, (SELECT MIN(id) FROM {table} WHERE article_id = a.id),"
        f" (SELECT MAX(id) FROM {table} WHERE article_id = a.id)"
        f" FROM articles a WHERE {where} ORDER BY {dates}a.id {direction}"
    )
    probe = (
        f"SELECT x.id FROM {fts} f CROSS JOIN {table} x ON x.id = f.rowid"
        f" WHERE {fts} MATCH ? AND f.rowid >= ? AND f.rowid <= ? AND x.article_id = ?"
        f" ORDER BY {target.within}"
    )
    check = (
        f"SELECT x.id FROM {table} x WHERE x.id IN (SELECT value FROM json_each(?))"
        f" AND x.article_id = ? ORDER BY {target.within}"
    )
    ids: list[int] = []
    for article_id, low, high in articles:
        if low is None:
            continue
        if known is None:
            rows = db.execute(probe, [query, low, high, article_id])
        else:
            start = bisect_left(known, low)
            end = bisect_right(known, high, lo=start)
            if start == end:
                continue
            rows = db.execute(check, [json.dumps(known[start:end]), article_id])
        ids += [int(r[0]) for r in rows]
        if len(ids) >= limit:
            break
    return ids[:limit]
