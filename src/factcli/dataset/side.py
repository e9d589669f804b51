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
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

FTS_SHADOWS = ("data", "idx", "docsize")
"""FTS5's tables that hold an index; `_config` (format version, settings) stays the main
database's own."""

HASH_BYTES = 8 * 1024 * 1024
"""FTS5's in-memory term table while an index is built (its default is 1 MiB): fewer, larger
segments to write and merge. Set in the side database only (or, when the index is rebuilt in
place, set back to the default afterwards)."""

SORT_CACHE_KB = 4 * 1024
"""The page cache of a side database: SQLite sorts in memory up to the cache's size, and one
sort of millions of rows in a large cache is slower than sorted runs of this size merged."""

CATCH_UP_ROWS = 20_000
"""Rows a side build reads in one transaction while the loader inserts: a reader holding an
old snapshot keeps SQLite from checkpointing the loader's write-ahead log past it, so the log
would grow to the size of the database while a background thread waits for a core."""

SOURCE_CACHE_KB = 512
"""The page cache for the loader's database as a side connection reads it: once, in order."""


class Job:
    """What one side database holds: `start` creates its tables, `catch_up` adds what the
    loader committed since (while it still inserts), `finish` the rest once it is done. Each
    reads the loader's committed rows as `source` in a transaction of its own (a read
    transaction sees the rows committed when it began). `tables` are then copied into the
    main database: `replace`d (else the built rows are added, duplicates ignored)."""

    name = ""
    tables: tuple[str, ...] = ()
    replace = True

    def start(self, conn: sqlite3.Connection) -> None:
        pass

    def catch_up(self, conn: sqlite3.Connection) -> None:
        pass

    def finish(self, conn: sqlite3.Connection) -> None:
        self.catch_up(conn)


class Fulltext(Job):
    """The FTS5 indexes of `tables` (their `<table>_fts`), as FTS5's rebuild makes them: the
    rows in rowid order, each pass those the loader committed since the last."""

    name = "fulltext"
    replace = True

    def __init__(self, tables: list[str]) -> None:
        self.sources = list(tables)
        self.tables = tuple(f"{t}_fts_{s}" for t in tables for s in FTS_SHADOWS)
        self._columns: dict[str, str] = {}
        self._done = dict.fromkeys(tables, 0)

    def start(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN")
        for table in self.sources:
            fts = f"{table}_fts"
            (sql,) = conn.execute(
                "SELECT sql FROM source.sqlite_master WHERE type = 'table' AND name = ?", [fts]
            ).fetchone()
            conn.execute(sql)  # the same columns, tokenizer and options
            names = [f'"{r[1]}"' for r in conn.execute(f"PRAGMA main.table_info({fts})")]
            self._columns[table] = ", ".join(names)
            conn.execute(f"INSERT INTO main.{fts} ({fts}, rank) VALUES ('hashsize', {HASH_BYTES})")
        conn.execute("COMMIT")

    def catch_up(self, conn: sqlite3.Connection) -> None:
        for table in self.sources:
            (high,) = conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM source.{table}").fetchone()
            cols = self._columns[table]
            while self._done[table] < high:
                upto = min(high, self._done[table] + CATCH_UP_ROWS)
                # what FTS5's rebuild reads: the content table in rowid order
                conn.execute(
                    f"INSERT INTO main.{table}_fts (rowid, {cols}) SELECT rowid, {cols}"
                    f" FROM source.{table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
                    [self._done[table], upto],
                )
                self._done[table] = upto


class QuoteKeys(Job):
    """`quote_keys` spread from the band-key lists of statements from `from_statement` on,
    sorted once at the end (inserted one by one, random keys would touch every page)."""

    name = "quote-keys"
    tables = ("quote_keys",)
    replace = False

    def __init__(self, from_statement: int) -> None:
        self.from_statement = from_statement

    def finish(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN")
        (sql,) = conn.execute(
            "SELECT sql FROM source.sqlite_master WHERE type = 'table' AND name = 'quote_keys'"
        ).fetchone()
        conn.execute(sql)
        conn.execute(
            "INSERT INTO main.quote_keys (key, statement_id)"
            " SELECT j.value, q.statement_id FROM source.quote_key_lists q, json_each(q.keys) j"
            " WHERE q.statement_id >= ? ORDER BY 1, 2",
            [self.from_statement],
        )
        conn.execute("COMMIT")


def database_file(db: Database) -> Path | None:
    """The main database's file; None for one in memory."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None


class Stopped(Exception):
    """A job told to stop while it waited for the loader."""


class _Signals:
    """The loader's news for the jobs: a pass count (`committed`), `done`, `stopped`."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.passes = 0
        self.done = False
        self.stopped = False


class _Side:
    """One job, its side database and its threads: in the background (lowest priority) the
    catching up while the loader inserts, then in the foreground (normal priority, started by
    `finish`) the rest: a thread at the lowest priority would starve on a busy machine just
    when the loader waits for it."""

    def __init__(
        self, source: Path, job: Job, page_size: int, signals: _Signals, background: bool
    ) -> None:
        self.job = job
        self.source = source
        self.page_size = page_size
        self.path = source.with_name(f"{source.name}-{job.name}")
        self.alias = "side_" + job.name.replace("-", "_")
        remove(self.path)
        self.error: BaseException | None = None
        self._signals = signals
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        if background:
            self._spawn(self._background)

    def _spawn(self, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=f"factcli-{self.job.name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        with self._lock:
            if self._signals.stopped:
                conn.close()
                raise Stopped
            self._conn = conn
        conn.execute(f"PRAGMA page_size = {int(self.page_size)}")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(f"PRAGMA cache_size = -{SORT_CACHE_KB}")
        conn.execute("ATTACH DATABASE ? AS source", [f"{self.source.resolve().as_uri()}?mode=ro"])
        conn.execute(f"PRAGMA source.cache_size = -{SOURCE_CACHE_KB}")
        self.job.start(conn)
        return conn

    def _background(self) -> None:
        _lower_priority()
        signals, seen = self._signals, 0
        try:
            conn = self._open()
            while True:
                with signals.changed:
                    while not signals.done and signals.passes <= seen:
                        signals.changed.wait()
                    if signals.done:
                        return
                    seen = signals.passes
                self.job.catch_up(conn)
        except BaseException as exc:  # handed to the loader, which raises it
            self.error = exc

    def finish(self) -> None:
        """The rest, in a thread at normal priority, once the background thread is done."""
        self._spawn(self._foreground)

    def _foreground(self) -> None:
        for thread in self._threads[:-1]:
            thread.join()
        try:
            if self.error is not None:
                return
            conn = self._conn if self._conn is not None else self._open()
            self.job.finish(conn)
        except BaseException as exc:
            self.error = exc
        finally:
            self._close_connection()

    def _close_connection(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def wait(self) -> None:
        for thread in self._threads:
            thread.join()
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
            if self._conn is not None:
                self._conn.interrupt()
        for thread in self._threads:
            thread.join()
        self._close_connection()
        remove(self.path)


def _lower_priority() -> None:
    """The calling thread at the lowest CPU priority: while the loader inserts, a job takes
    only the time the loader and its reader leave idle. Linux only (there a thread has its
    own nice value); elsewhere it runs as it is."""
    if sys.platform != "linux":
        return
    with suppress(OSError):  # not permitted: as it is
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class SideBuilds:
    """Jobs beside the loader, reading the rows committed in the database at `source`:
    `committed` after each of the loader's transactions, `finish` after its last."""

    def __init__(self, source: Path, page_size: int) -> None:
        self.source = source
        self.page_size = page_size
        self._sides: list[_Side] = []
        self._signals = _Signals()

    def start(self, job: Job, *, background: bool = False) -> None:
        """Add `job`: catching up in the `background` while the loader inserts, or only
        built when `finish` is called (at once if it was)."""
        side = _Side(self.source, job, self.page_size, self._signals, background)
        self._sides.append(side)
        if self._signals.done:
            side.finish()

    def committed(self) -> None:
        """The loader committed more rows: the jobs in the background may take them."""
        with self._signals.changed:
            self._signals.passes += 1
            self._signals.changed.notify_all()

    def finish(self) -> None:
        """The loader committed its last rows: each job finishes, at normal priority."""
        with self._signals.changed:
            if self._signals.done:
                return
            self._signals.done = True
            self._signals.changed.notify_all()
        for side in self._sides:
            side.finish()

    def wait(self) -> None:
        """Until every table is built; a job's error, if any, raised here."""
        self.finish()
        for side in self._sides:
            side.wait()

    @contextmanager
    def attached(self, db: Database) -> Iterator[None]:
        """The side databases attached to the main connection (outside any transaction:
        SQLite attaches and detaches only then)."""
        with ExitStack() as stack:
            for side in self._sides:
                db.execute(f"ATTACH DATABASE ? AS {side.alias}", [str(side.path)])
                stack.callback(db.execute, f"DETACH DATABASE {side.alias}")
            yield

    def copy_into(self, db: Database) -> None:
        """The built tables into the main database, inside the caller's transaction (see
        `attached`)."""
        for side in self._sides:
            side.copy_into(db)

    def close(self) -> None:
        """Stop the jobs wherever they are, wait for the threads, remove the side files."""
        with self._signals.changed:
            self._signals.stopped = self._signals.done = True
            self._signals.changed.notify_all()
        for side in self._sides:
            side.close()
        self._sides = []


def remove(path: Path) -> None:
    """A side database and what SQLite may have left beside it."""
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)
