"""Opening the database: checks that turn SQLite's failures into messages a user can act on."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from factcli.errors import FactcliError
from factcli.store.migrations import MIGRATIONS, latest_version
from factcli.store.reading import BUSY_TIMEOUT_MS, check_header, describe


def open_db(path: Path, *, create: bool) -> Database:
    """Open (with `create`, create) the database at `path`, migrated to the latest schema.

    Queries pass create=False so a typo in --db is reported instead of silently creating an
    empty database. A new file is made user-only (0600): quotes may come from private material.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise FactcliError(f"{path} is a directory, not a database file")
    if not path.exists():
        if not create:
            raise FactcliError(f"no database at {path}; run factcli ingest first")
        _create_file(path)
    check_header(path)
    try:
        db = Database(path)
    except sqlite3.Error as e:
        raise FactcliError(f"cannot open database {path}: {e}") from None
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(db, path)
        if db.journal_mode != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
    except FactcliError:
        db.close()
        raise
    except sqlite3.DatabaseError as e:
        db.close()
        raise FactcliError(describe(path, e)) from None
    return db


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
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as e:
        raise FactcliError(f"cannot create database {path}: {e.strerror or e}") from None


def _user_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _migrate(db: Database, path: Path) -> None:
    """Bring the schema to the latest version; refuse what a newer factcli wrote.

    A database from an older factcli is copied to ``<file>.v<N>.bak`` first, so a failed or
    unwanted upgrade never costs the user their data.
    """
    latest = latest_version()
    version = _user_version(db)
    if version > latest:
        raise FactcliError(
            f"{path} has schema version {version}, newer than this factcli knows ({latest}); "
            "upgrade factcli"
        )
    if version == latest:
        return
    if version > 0:
        _backup(db, path, version)
    with transaction(db):
        version = _user_version(db)
        if version > latest:
            raise FactcliError(f"{path} has schema version {version}; upgrade factcli")
        if version == 0 and _foreign_tables(db):
            raise FactcliError(
                f"{path} is an SQLite database that factcli did not create; choose another --db"
            )
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            step(db)
            db.execute(f"PRAGMA user_version = {number:d}")


def _foreign_tables(db: Database) -> list[str]:
    return [name for name in db.table_names() if not name.startswith("sqlite_")]


def _backup(db: Database, path: Path, version: int) -> None:
    target = path.with_name(f"{path.name}.v{version}.bak")
    if target.exists():
        return
    try:
        backup = sqlite3.connect(target)
        try:
            db.conn.backup(backup)
        finally:
            backup.close()
        shutil.copymode(path, target)
    except (OSError, sqlite3.Error) as e:
        raise FactcliError(f"cannot back up {path} before upgrading it: {e}") from None
