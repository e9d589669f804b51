"""What every connection shares, reading or writing: the file check before SQLite opens it,
the busy timeout, and SQLite's failures as messages a user can act on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from factcli.errors import FactcliError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite itself gives a cryptic error."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise FactcliError(f"cannot read database {path}: {e.strerror or e}") from None
    if head and head != SQLITE_HEADER:
        raise FactcliError(f"{path} is not an SQLite database; choose another --db")


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another connection holds the write lock."""
    reason = str(error)
    return isinstance(error, sqlite3.OperationalError) and ("locked" in reason or "busy" in reason)


def describe_error(path: Path | str, error: sqlite3.Error) -> str:
    """One line for an SQLite failure on the database at `path`, saying what the user can do.

    A damaged file is only ever reported: factcli never repairs, replaces or overwrites it.
    """
    reason = str(error)
    if "malformed" in reason or "not a database" in reason or "corrupt" in reason:
        return (
            f"{path} is damaged ({reason}); it was left as it is: restore a backup or choose "
            "another --db"
        )
    if "full" in reason:
        return f"cannot write database {path}: {reason}"
    if "readonly" in reason or "unable to open" in reason or "disk I/O" in reason:
        return f"cannot write database {path}: {reason}"
    if is_busy(error):
        return f"database {path} stayed busy (another program kept it locked); try again later"
    return f"database {path}: {reason}"
