"""What a user types, turned into FTS5 queries that cannot fail, and matches marked in text.

Full-text matches come back as `Hit`s: the dict plus the matched character ranges, kept apart
so the contract stays stable while a table can still highlight the match.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError
from factcli.queries.sql import fetch_rows

if TYPE_CHECKING:
    from factcli.queries.sql import Connection

MAX_QUERY_TOKENS = 64

MIN_PREFIX_CHARS = 3

# Private-use characters mark matches inside highlight()/snippet() output; they never occur in
# news text, and if one does the match ranges are simply dropped.
OPEN_MARK = "\ue000"

CLOSE_MARK = "\ue001"


@dataclass(frozen=True)
class Hit:
    """A full-text match: `row` as any other query returns it, `highlights` as (start, end)
    ranges into `row[field]` (the statement content, or the sentence snippet)."""

    row: dict[str, Any]
    field: str
    highlights: tuple[tuple[int, int], ...] = ()


def fts_query(text: str) -> str | None:
    """Turn what a user typed into an FTS5 query that can never be a syntax error.

    Each whitespace-separated token becomes a quoted FTS string (inner quotes doubled), and
    tokens are ANDed: `"`, `-`, `*`, `AND`, `NEAR(` and `'; DROP TABLE` are all just words.
    NUL ends a string inside FTS5's parser, so it counts as a space. None when nothing
    searchable is left.
    """
    tokens = _tokens(text)
    if not tokens:
        return None
    return " ".join(quoted(token) for token in tokens)


def fts_prefix_query(text: str) -> str | None:
    """The looser query tried when `fts_query` finds nothing: each token as a prefix.

    A doubled final letter and then the last letter of tokens of five or more characters are
    dropped first, because the porter stemmer also stems a prefix ("zelensky" → "zelenski",
    which is no prefix of the indexed "zelenskyi"): "Zelensky" and "Zelenskyy" both become
    "Zelensk"* and find either spelling. Still only quoted strings.
    """
    parts = []
    for token in _tokens(text):
        if len(token) >= MIN_PREFIX_CHARS + 2:
            if token[-1] == token[-2] and token[-1].isalpha():
                token = token[:-1]
            token = token[:-1]
        parts.append(quoted(token) + ("*" if len(token) >= MIN_PREFIX_CHARS else ""))
    return " ".join(parts) or None


def _tokens(text: str) -> list[str]:
    return text.replace("\x00", " ").split()[:MAX_QUERY_TOKENS]


def match_queries(text: str, raw: bool) -> list[str]:
    """The MATCH expressions to try in turn until one finds something."""
    if raw:
        return [text] if text.strip() else []
    queries: list[str] = []
    for query in (fts_query(text), fts_prefix_query(text)):
        if query is not None and query not in queries:
            queries.append(query)
    return queries


def run_match(db: Connection, sql: str, params: dict[str, Any], raw: bool) -> list[dict[str, Any]]:
    """Run a full-text `sql` whose MATCH parameter is `:query` (see `raw_query_errors`)."""
    with raw_query_errors(params["query"], raw):
        return fetch_rows(db, sql, params)


@contextmanager
def raw_query_errors(query: str, raw: bool) -> Iterator[None]:
    """A raw (--fts) query that FTS5 cannot parse becomes one FactcliError line instead of an
    SQLite error; every other failure passes through."""
    try:
        yield
    except sqlite3.OperationalError as e:
        reason = str(e)
        if not raw or "locked" in reason or "no such table" in reason:
            raise
        raise FactcliError(f"not a valid FTS5 query {query!r}: {reason}", exit_code=2) from None


def quoted(text: str) -> str:
    """`text` as one FTS5 string, which a trigram index matches anywhere inside a name."""
    return '"' + text.replace("\x00", " ").replace('"', '""') + '"'


def unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Strip the match markers, returning the plain text and the marked ranges within it."""
    plain: list[str] = []
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for char in marked:
        if char == OPEN_MARK:
            start = len(plain)
        elif char == CLOSE_MARK:
            if start is not None and start < len(plain):
                ranges.append((start, len(plain)))
            start = None
        else:
            plain.append(char)
    return "".join(plain), tuple(ranges)
