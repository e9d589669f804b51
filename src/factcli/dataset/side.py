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

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

FTS_SHADOWS = ("data", "idx", "docsize")
"""FTS5's tables that hold an index; `_config` (format version, settings) stays the main
database's own."""

HASH_BYTES = 8 * 1024 * 1024
"""FTS5's in-memory term table while building (its default is 1 MiB): fewer, larger segments
to write and merge. A setting of the side database only."""

SORT_CACHE_KB = 4 * 1024
"""The page cache of a side database: SQLite sorts in memory up to the cache's size, and one
sort of millions of rows in a large cache is slower than sorted runs of this size merged."""


@dataclass(frozen=True)
class Job:
    """What one thread builds: `build` creates and fills `tables` in its connection's `main`
    database, reading the loader's committed rows as `source`. `replace`: the main database's
    rows of those tables are replaced (else the built rows are added to them, duplicates
    ignored)."""

    name: str
    build: Callable[[sqlite3.Connection], None]
    tables: tuple[str, ...]
    replace: bool


def fulltext(tables: list[str]) -> Job:
    """The FTS5 indexes of `tables` (their `<table>_fts`), as FTS5's rebuild makes them."""

    def build(conn: sqlite3.Connection) -> None:
        for table in tables:
            fts = f"{table}_fts"
            (sql,) = conn.execute(
                "SELECT sql FROM source.sqlite_master WHERE type = 'table' AND name = ?", [fts]
            ).fetchone()
            conn.execute(sql)  # the same columns, tokenizer and options
            columns = ", ".join(f'"{r[1]}"' for r in conn.execute(f"PRAGMA main.table_info({fts})"))
            conn.execute(f"INSERT INTO main.{fts} ({fts}, rank) VALUES ('hashsize', {HASH_BYTES})")
            # what FTS5's rebuild reads: the content table in rowid order
            conn.execute(
                f"INSERT INTO main.{fts} (rowid, {columns})"
                f" SELECT rowid, {columns} FROM source.{table} ORDER BY rowid"
            )

    shadows = tuple(f"{t}_fts_{s}" for t in tables for s in FTS_SHADOWS)
    return Job("fulltext", build, shadows, replace=True)


def quote_keys(from_statement: int) -> Job:
    """`quote_keys` spread from the band-key lists of statements from `from_statement` on,
    sorted once (inserted one by one, random keys would touch every page of the table)."""

    def build(conn: sqlite3.Connection) -> None:
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

    return Job("quote-keys", build, ("quote_keys",), replace=False)


def database_file(db: Database) -> Path | None:
    """The main database's file; None for one in memory."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None


class _Thread:
    """One job in its thread and side database."""

    def __init__(self, source: Path, job: Job, page_size: int) -> None:
        self.job = job
        self.path = source.with_name(f"{source.name}-{job.name}")
        self.alias = "side_" + job.name.replace("-", "_")
        remove(self.path)
        self.error: BaseException | None = None
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, args=(source, page_size), name=f"factcli-{job.name}", daemon=True
        )
        self._thread.start()

    def _run(self, source: Path, page_size: int) -> None:
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
            conn.execute("BEGIN")
            self.job.build(conn)
            conn.execute("COMMIT")
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


class SideBuilds:
    """`jobs` started at once, each in its thread, from the rows committed in the database
    at `source` (start them after the last insert commits)."""

    def __init__(self, source: Path, jobs: list[Job], page_size: int) -> None:
        self._threads: list[_Thread] = []
        try:
            for job in jobs:
                self._threads.append(_Thread(source, job, page_size))
        except BaseException:
            self.close()
            raise

    def wait(self) -> None:
        """Until every table is built; a thread's error, if any, raised here."""
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
        """Stop the builds wherever they are, wait for the threads, remove the side files."""
        for thread in self._threads:
            thread.close()


def remove(path: Path) -> None:
    """A side database and what SQLite may have left beside it."""
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)
