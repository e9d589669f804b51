"""One write transaction, shared by the writer, the migrations and actor corrections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction: all or nothing; nested calls become savepoints.

    BEGIN IMMEDIATE takes the write lock up front, so two writers wait on the busy timeout
    instead of failing with "database is locked" when a read would upgrade to a write.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
