"""Tables of a bulk load built beside the loader, then copied in.

SQLite has one writer, and the end of a bulk load is mostly two jobs that read what is already
committed: tokenising every statement and sentence into the full-text indexes, and sorting
millions of quote band keys. Each runs in a thread with its own connection, writing its own
side database next to the main one, while the loader builds the other indexes; SQLite works
without Python's interpreter lock, so the threads and the loader share the cores. The loader
then copies the finished tables into its own: tables with the same definition, copied whole,
which SQLite does page by page.

The full-text index is FTS5's own tables (`_data`, `_idx`, `_docsize`: the index, kept apart
from the content tables and from `_config`): the result is the index FTS5's `rebuild` writes.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

FTS_SHADOWS = ("data", "idx", "docsize")
"""FTS5's tables that hold an index; `_config` (format version, settings) stays the main
database's own."""

HASH_BYTES = 8 * 1024 * 1024
"""FTS5's in-memory term table while an index is rebuilt in place (its default is 1 MiB):
fewer, larger segments to write and merge."""

SIDE_HASH_BYTES = 2 * 1024 * 1024
"""The same beside the loader: its memory adds to the loader's while the rows come in (the
merges it costs more run in otherwise idle time)."""

SORT_CACHE_KB = 4 * 1024
"""The page cache of a side database: SQLite sorts in memory up to the cache's size, and one
sort of millions of rows in a large cache is slower than sorted runs of this size merged."""

SOURCE_CACHE_KB = 512
"""The page cache for the loader's database as a side connection reads it: once, in order."""


More = Callable[[], bool]
"""Waits until the loader has committed more rows (True) or has committed its last (False)."""


@dataclass(frozen=True)
class Job:
    """What one thread builds: `build` creates and fills `tables` in its connection's `main`
    database, reading the loader's committed rows as `source`, one transaction per pass (a
    read transaction sees the rows committed when it began). `replace`: the main database's
    rows of those tables are replaced (else the built rows are added, duplicates ignored)."""

    name: str
    build: Callable[[sqlite3.Connection, More], None]
    tables: tuple[str, ...]
    replace: bool


def fulltext(tables: list[str]) -> Job:
    """The FTS5 indexes of `tables` (their `<table>_fts`), as FTS5's rebuild makes them: the
    rows in rowid order, each pass those the loader committed since the last."""

    def build(conn: sqlite3.Connection, more: More) -> None:
        conn.execute("BEGIN")
        columns = {}
        for table in tables:
            fts = f"{table}_fts"
            (sql,) = conn.execute(
                "SELECT sql FROM source.sqlite_master WHERE type = 'table' AND name = ?", [fts]
            ).fetchone()
            conn.execute(sql)  # the same columns, tokenizer and options
            names = [f'"{r[1]}"' for r in conn.execute(f"PRAGMA main.table_info({fts})")]
            columns[table] = ", ".join(names)
            conn.execute(
                f"INSERT INTO main.{fts} ({fts}, rank) VALUES ('hashsize', {SIDE_HASH_BYTES})"
            )
        conn.execute("COMMIT")
        done = dict.fromkeys(tables, 0)
        last = False
        while not last:
            last = not more()
            conn.execute("BEGIN")
            for table in tables:
                (high,) = conn.execute(
                    f"SELECT COALESCE(MAX(rowid), 0) FROM source.{table}"
                ).fetchone()
                cols = columns[table]
                conn.execute(
                    f"INSERT INTO main.{table}_fts (rowid, {cols}) SELECT rowid, {cols}"
                    f" FROM source.{table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
                    [done[table], high],
                )
                done[table] = high
            conn.execute("COMMIT")

    shadows = tuple(f"{t}_fts_{s}" for t in tables for s in FTS_SHADOWS)
    return Job("fulltext", build, shadows, replace=True)


def quote_keys(from_statement: int) -> Job:
    """`quote_keys` spread from the band-key lists of statements from `from_statement` on,
    sorted once (inserted one by one, random keys would touch every page of the table); the
    loader's last rows."""

    def build(conn: sqlite3.Connection, more: More) -> None:
        while more():
            pass
        conn.execute("BEGIN")
        (sql,) = conn.execute(
            "SELECT sql FROM source.sqlite_master WHERE type = 'table' AND name = 'quote_keys'"
        ).fetchone()
        conn.execute(sql)
        conn.execute(
            "INSERT INTO main.quote_keys (key, statement_id)"
            " SELECT j.value, q.statement_id FROM source.quote_key_lists q, json_each(q.keys) j"
            " WHERE q.statement_id >= ? ORDER BY 1, 2",
            [from_statement],
        )
        conn.execute("COMMIT")

    return Job("quote-keys", build, ("quote_keys",), replace=False)


def database_file(db: Database) -> Path | None:
    """The main database's file; None for one in memory."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None


class Stopped(Exception):
    """A job's thread told to stop while it waited for the loader."""


class _Thread:
    """One job in its thread and side database."""

    def __init__(
        self, source: Path, job: Job, page_size: int, more: More, background: bool
    ) -> None:
        self.job = job
        self.path = source.with_name(f"{source.name}-{job.name}")
        self.alias = "side_" + job.name.replace("-", "_")
        remove(self.path)
        self.error: BaseException | None = None
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run,
            args=(source, page_size, more, background),
            name=f"factcli-{job.name}",
            daemon=True,
        )
        self._thread.start()

    def _run(self, source: Path, page_size: int, more: More, background: bool) -> None:
        if background:
            _lower_priority()
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            self.error = exc
            return
        with self._lock:
            if self._closed:
                conn.close()
                return
            self._conn = conn
        try:
            conn.execute(f"PRAGMA page_size = {int(page_size)}")
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(f"PRAGMA cache_size = -{SORT_CACHE_KB}")
            conn.execute("ATTACH DATABASE ? AS source", [f"{source.resolve().as_uri()}?mode=ro"])
            conn.execute(f"PRAGMA source.cache_size = -{SOURCE_CACHE_KB}")
            self.job.build(conn, more)
        except BaseException as exc:  # handed to the loader, which raises it
            self.error = exc
        finally:
            with self._lock:
                self._conn = None
                conn.close()

    def wait(self) -> None:
        self._thread.join()
        if self.error is not None:
            raise self.error

    def copy_into(self, db: Database) -> None:
        for table in self.job.tables:
            if self.job.replace:
                db.execute(f"DELETE FROM main.{table}")
            empty = db.execute(f"SELECT 1 FROM main.{table} LIMIT 1").fetchone() is None
            verb = "INSERT" if empty else "INSERT OR IGNORE"  # whole pages copied when empty
            db.execute(f"{verb} INTO main.{table} SELECT * FROM {self.alias}.{table}")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.interrupt()
        self._thread.join()
        remove(self.path)


def _lower_priority() -> None:
    """The calling thread at the lowest CPU priority: while the loader inserts, a job started
    early takes only the time the loader and its reader leave idle. Linux only (there a
    thread has its own nice value); elsewhere it runs as it is."""
    if sys.platform != "linux":
        return
    with suppress(OSError):  # not permitted: as it is
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class SideBuilds:
    """Jobs in threads beside the loader, reading the rows committed in the database at
    `source`: `committed` after each of the loader's transactions, `done` after its last."""

    def __init__(self, source: Path, page_size: int) -> None:
        self.source = source
        self.page_size = page_size
        self._threads: list[_Thread] = []
        self._changed = threading.Condition()
        self._passes = 0
        self._done = False
        self._stopped = False

    def start(self, job: Job, *, background: bool = False) -> None:
        """Run `job` in a thread of its own, at the lowest priority when `background`."""
        seen = 0

        def more() -> bool:
            nonlocal seen
            with self._changed:
                self._changed.wait_for(lambda: self._done or self._passes > seen)
                if self._stopped:
                    raise Stopped
                seen = self._passes
                return not self._done

        self._threads.append(_Thread(self.source, job, self.page_size, more, background))

    def committed(self) -> None:
        """The loader committed more rows: each job may take them."""
        with self._changed:
            self._passes += 1
            self._changed.notify_all()

    def done(self) -> None:
        """The loader committed its last rows: each job finishes with them."""
        with self._changed:
            self._done = True
            self._changed.notify_all()

    def wait(self) -> None:
        """Until every table is built; a thread's error, if any, raised here."""
        self.done()
        for thread in self._threads:
            thread.wait()

    @contextmanager
    def attached(self, db: Database) -> Iterator[None]:
        """The side databases attached to the main connection (outside any transaction:
        SQLite attaches and detaches only then)."""
        with ExitStack() as stack:
            for thread in self._threads:
                db.execute(f"ATTACH DATABASE ? AS {thread.alias}", [str(thread.path)])
                stack.callback(db.execute, f"DETACH DATABASE {thread.alias}")
            yield

    def copy_into(self, db: Database) -> None:
        """The built tables into the main database, inside the caller's transaction (see
        `attached`)."""
        for thread in self._threads:
            thread.copy_into(db)

    def close(self) -> None:
        """Stop the jobs wherever they are, wait for the threads, remove the side files."""
        with self._changed:
            self._stopped = self._done = True
            self._changed.notify_all()
        for thread in self._threads:
            thread.close()
        self._threads = []


def remove(path: Path) -> None:
    """A side database and what SQLite may have left beside it."""
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)
