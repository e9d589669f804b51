"""Read-only connections for the query commands, with nothing but the standard library.

A query opens the database with `sqlite3` in read-only mode: no sqlite-utils (and the numpy it
pulls in) on the query path, and no way for a query to write. A database from an older factcli
is first brought to the current schema by the writer's `open_db`, then opened read-only.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from factcli.errors import FactcliError
from factcli.store.checks import BUSY_TIMEOUT_MS, check_header, describe_error
from factcli.store.migrations import latest_version

MMAP_BYTES = 256 * 1024 * 1024


def open_query_db(path: Path) -> sqlite3.Connection:
    """A read-only connection to the factcli database at `path`, at the latest schema.

    A missing file is an error (a typo in --db never creates an empty database), as is a file
    that is not SQLite or was not written by factcli.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise FactcliError(f"{path} is a directory, not a database file")
    if not path.exists():
        raise FactcliError(f"no database at {path}; run factcli ingest first")
    check_header(path)
    conn = _connect(path)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as e:
        conn.close()
        raise FactcliError(describe_error(path, e)) from None
    if version != latest_version():
        conn.close()
        from factcli.store.connection import open_db

        open_db(path, create=False).close()
        conn = _connect(path)
    return conn


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error as e:
        raise FactcliError(describe_error(path, e)) from None
    return conn
