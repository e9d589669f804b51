"""Rows inserted many to a statement: ``INSERT ... VALUES (...), (...), ...``.

`executemany` with one row per statement pays, for every row, what does not depend on the
row: Python's sqlite3 module looks the parameters up, releases and takes back the interpreter
lock around each step and reset, and SQLite takes its connection's mutex for each call and
starts and halts its program. With a few hundred host parameters to a statement that is paid
once per statement: for the narrow tables of a bulk load (two to five columns) inserting
costs about half as much, for `statements` (eighteen columns) a tenth less. SQLite handles
the rows of one statement one after another, as separate statements would (`OR IGNORE`,
`OR REPLACE` and constraints apply row by row).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

MAX_PARAMETERS = 999
"""Host parameters per statement at most: SQLite's limit before 3.32 (and never above the
limit the library reports); past a few hundred a larger statement gains nothing."""


def rows_per_statement(conn: sqlite3.Connection, width: int) -> int:
    """How many rows of `width` columns one statement takes."""
    limit = min(MAX_PARAMETERS, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return max(1, limit // width)


def _sql(head: str, width: int, rows: int) -> str:
    one = "(" + ", ".join("?" * width) + ")"
    return f"{head} VALUES " + ", ".join([one] * rows)


def insert_rows(
    conn: sqlite3.Connection, head: str, width: int, rows: Sequence[Sequence[Any]]
) -> None:
    """Insert `rows` (each `width` values) with `head` (``INSERT INTO t (a, b)``, any
    conflict clause included), many rows to a statement, in their order."""
    per = rows_per_statement(conn, width)
    whole = len(rows) - len(rows) % per
    if whole:
        flat = chain.from_iterable
        conn.executemany(
            _sql(head, width, per),
            (tuple(flat(rows[i : i + per])) for i in range(0, whole, per)),
        )
    if whole < len(rows):
        conn.executemany(_sql(head, width, 1), rows[whole:])


def insert_flat(conn: sqlite3.Connection, head: str, width: int, values: list[Any]) -> None:
    """Insert the rows of `values`, one row's `width` values after another (a flat list: no
    tuple per row is ever built), as `insert_rows` does."""
    if len(values) % width:
        raise ValueError(f"{len(values)} values do not make rows of {width}")
    per = rows_per_statement(conn, width)
    step = per * width
    whole = len(values) - len(values) % step
    if whole:
        conn.executemany(
            _sql(head, width, per), (values[i : i + step] for i in range(0, whole, step))
        )
    if whole < len(values):
        conn.executemany(
            _sql(head, width, 1),
            (values[i : i + width] for i in range(whole, len(values), width)),
        )
