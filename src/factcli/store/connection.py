"""Opening the database: checks that turn SQLite's failures into messages a user can act on."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from factcli.errors import FactcliError
from factcli.store.checks import BUSY_TIMEOUT_MS, check_header, describe_error, is_busy
from factcli.store.migrations import MIGRATIONS, latest_version
from factcli.store.transactions import transaction

__all__ = ["describe_error", "is_busy", "open_db", "retry_busy", "transaction"]

BUSY_RETRIES = 6
"""Attempts when SQLite still reports the database busy after its own BUSY_TIMEOUT_MS wait."""

T = TypeVar("T")


def open_db(path: Path, *, create: bool, page_size: int | None = None) -> Database:
    """Open (with `create`, create) the database at `path`, migrated to the latest schema.

    Queries pass create=False so a typo in --db is reported instead of silently creating an
    empty database. A new file is made user-only (0600): quotes may come from private material.
    `page_size` applies to a file created here (a bulk load writes larger pages faster).
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise FactcliError(f"{path} is a directory, not a database file")
    new = not path.exists()
    if new:
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
        if new and page_size:
            db.execute(f"PRAGMA page_size = {int(page_size)}")
        db.execute("PRAGMA foreign_keys = ON")
        retry_busy(lambda: _migrate(db, path))
        if db.journal_mode != "wal":
            retry_busy(db.enable_wal)
        db.execute("PRAGMA synchronous = NORMAL")
    except FactcliError:
        db.close()
        raise
    except sqlite3.DatabaseError as e:
        db.close()
        raise FactcliError(describe_error(path, e)) from None
    return db


def retry_busy(action: Callable[[], T], retries: int | None = None, pause: float = 0.1) -> T:
    """Run `action`, again after a growing pause while the database stays busy.

    Every connection already waits BUSY_TIMEOUT_MS for a lock; this covers what that wait does
    not: a lock held longer (another ingest migrating a large database) and the cases where
    SQLite reports busy without waiting (switching to WAL while another process has the file
    open). `action` must be all-or-nothing, as `transaction` makes a write. With the defaults a
    writer gives up after about a minute (six attempts of up to 10 s, and 3 s of pauses).
    """
    retries = BUSY_RETRIES if retries is None else retries
    for attempt in range(retries):
        try:
            return action()
        except sqlite3.OperationalError as e:
            if not is_busy(e) or attempt == retries - 1:
                raise
            time.sleep(pause * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


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
        fd = os.open(target, os.O_CREAT | os.O_WRONLY, stat.S_IMODE(path.stat().st_mode) & 0o600)
        os.close(fd)
        backup = sqlite3.connect(target)
        try:
            db.conn.backup(backup)
        finally:
            backup.close()
        shutil.copymode(path, target)
    except (OSError, sqlite3.Error) as e:
        raise FactcliError(f"cannot back up {path} before upgrading it: {e}") from None
