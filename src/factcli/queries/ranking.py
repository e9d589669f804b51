"""Which full-text matches come first, and how to find them without ranking them all.

Three orders, each deterministic:

- ``relevance``: bm25 (best first), ties by id. Exact, but bm25 scores every match before the
  first page is known: for a word found in most statements that is the whole archive.
- ``newest``: by the article's publication date, latest first; articles without a date last;
  articles of one date by id, latest stored first; within an article in reading order.
- ``oldest``: earliest first, undated articles last; otherwise ascending throughout.

Without a chosen order, the words decide (`DEFAULT_RULE`): ``relevance`` when they match fewer
than `COMMON_MATCHES` rows, else ``newest``. Telling the two cases apart costs at most
`COMMON_MATCHES` steps through the index. The date orders walk articles newest (or oldest)
first through the index of dates and look each row up in the full-text index, so a common
word fills a page after a few dozen rows; for rarer words they sort the matches instead.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from factcli.queries.sql import Connection

COMMON_MATCHES = 10_000
"""From this many matching rows on, words are "common": by default they come newest first."""

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
    order, common = decide(db, target, query, sort, notice=notice)
    return ranked_ids(db, target, query, order, limit, common=common)


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


def ranked_ids(
    db: Connection, target: Target, query: str, order: Sort, limit: int, *, common: bool
) -> list[int]:
    """Ids of the first `limit` rows (-1 for all) matching `query`, in `order`.

    `common` (see `is_common`) picks how a date order is found, never what it returns.
    """
    fts = target.fts
    if order is Sort.relevance:
        sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY bm25({fts}), rowid LIMIT ?"
        return [int(r[0]) for r in db.execute(sql, [query, limit])]
    newest = order is Sort.newest
    if not common or limit < 0:
        direction = "DESC" if newest else ""
        sql = (
            f"WITH m AS (SELECT rowid AS id FROM {fts} WHERE {fts} MATCH ?)"
            f" SELECT x.id FROM m JOIN {target.table} x ON x.id = m.id"
            " JOIN articles a ON a.id = x.article_id"
            f" ORDER BY a.published IS NULL, a.published {direction}, a.id {direction},"
            f" {target.within} LIMIT ?"
        )
        return [int(r[0]) for r in db.execute(sql, [query, limit])]
    ids: list[int] = []
    for dated in (True, False):
        if len(ids) >= limit:
            break
        ids += _walk(db, target, query, newest=newest, dated=dated, limit=limit - len(ids))
    return ids


def _walk(
    db: Connection, target: Target, query: str, *, newest: bool, dated: bool, limit: int
) -> list[int]:
    """Rows of articles in date order, each looked up in the full-text index, until `limit`
    match: cheap exactly when most rows match."""
    direction = "DESC" if newest else "ASC"
    where = "a.published IS NOT NULL" if dated else "a.published IS NULL"
    dates = f"a.published {direction}, " if dated else ""
    sql = (
        f"SELECT x.id FROM articles a CROSS JOIN {target.table} x ON x.article_id = a.id"
        f" WHERE {where} AND EXISTS (SELECT 1 FROM {target.fts}"
        f"  WHERE {target.fts} MATCH ? AND rowid = x.id)"
        f" ORDER BY {dates}a.id {direction}, {target.within} LIMIT ?"
    )
    return [int(r[0]) for r in db.execute(sql, [query, limit])]
