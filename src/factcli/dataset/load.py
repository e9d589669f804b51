"""``factcli load``: a dataset into a factcli SQLite database, without parsing again.

Into an empty database (or one this dataset was bulk-loaded into before) the reduce step's
actors and quote groups are copied as they are, with bulk inserts, the full-text triggers set
aside and the indexes rebuilt once at the end. Into a database that already holds other
articles, each article goes through the store's own writer instead (`store.save_extractions`),
so actors and quotes are matched against what is stored, exactly as ``ingest`` would.

Either way: one transaction per dataset partition (a month), articles already stored (same
text hash) are skipped, so loading twice changes nothing and a load stopped with Ctrl-C is
completed by running it again.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcli.dataset import rows, schema, side
from factcli.dataset.inserts import insert_flat, insert_rows
from factcli.dataset.rows import Prepared, dict_rows
from factcli.errors import FactcliError
from factcli.store.migrations import (
    ACTOR_VIEW_COUNTS_INSERT_TRIGGER,
    ACTOR_VIEW_COUNTS_REBUILD,
    STATS_COUNT_TRIGGERS,
    STATS_COUNTS_REBUILD,
    TOPIC_PERIOD_TRIGGERS,
    TOPIC_PERIODS_REBUILD,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

FTS_TABLES = ("statements", "sentences")


@dataclass
class LoadReport:
    partitions: int = 0
    articles: int = 0
    skipped: int = 0
    statements: int = 0
    bulk: bool = False
    interrupted: bool = False


def check_dataset(path: Path) -> None:
    """A one-line error unless `path` is a dataset that ``extract --engine dask`` finished."""
    if not path.is_dir():
        raise FactcliError(f"no dataset at {path}")
    if not (path / "dataset.json").is_file():
        raise FactcliError(f"{path} is not a factcli dataset (no dataset.json)")
    schema.check_format(path)
    for table in ("articles", "statements", "actors", "actor_mentions", "quote_groups"):
        if not (path / table).is_dir():
            raise FactcliError(
                f"{path} has no {table} table; run factcli extract --engine dask again to finish it"
            )


def partitions(path: Path) -> list[str]:
    """The month partitions present in both tables, in order."""
    months = sorted(p.name for p in (path / "articles").glob("month=*"))
    return [m for m in months if (path / "statements" / m / "part-0.parquet").is_file()]


def fingerprint(path: Path) -> str:
    """Identifies the reduce output: a dataset extended since gives another fingerprint."""
    h = hashlib.sha256()
    h.update((path / "actors" / "part-0.parquet").read_bytes())
    for part in sorted((path / "quote_groups").glob("month=*/part-0.parquet")):
        h.update(part.parent.name.encode() + b"\0" + part.read_bytes())
    return h.hexdigest()


def load(
    dataset: Path,
    db_path: Path,
    *,
    on_total: Callable[[int], None] | None = None,
    on_partition: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LoadReport:

    dataset = Path(dataset)
    check_dataset(dataset)
    months = partitions(dataset)
    if on_total:
        on_total(len(months))
    readers: list[_Reader] = []
    if not Path(db_path).exists():  # a bulk load: its reader starts up while the database opens
        readers.append(_Reader(dataset, db_path, months))
    try:
        return _load(dataset, db_path, months, readers, on_partition, should_stop)
    finally:
        for reader in readers:
            reader.close()


def _load(
    dataset: Path,
    db_path: Path,
    months: list[str],
    readers: list[_Reader],
    on_partition: Callable[[str], None] | None,
    should_stop: Callable[[], bool] | None,
) -> LoadReport:
    """`readers` holds the reader process when one was started; a bulk load into an existing
    database starts it here (and appends it, for the caller to stop)."""
    from factcli import store

    db = store.open_db(db_path, create=True, page_size=PAGE_SIZE)
    report = LoadReport()
    builds: side.SideBuilds | None = None
    try:
        mark = fingerprint(dataset)
        empty = db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None
        known = db.execute("SELECT 1 FROM dataset_loads WHERE fingerprint = ?", [mark]).fetchone()
        report.bulk = empty or known is not None
        if report.bulk:
            _bulk_pragmas(db, on=True)
            _begin_bulk(db, dataset, mark)
            builds = _side_builds(db, background=True)
        try:
            if report.bulk:
                if not readers:
                    readers.append(_Reader(dataset, db_path, months))
                _bulk_load(db, readers[0], report, on_partition, should_stop, builds)
            else:  # what an earlier bulk load left undone first: the writer needs its triggers
                finish(db)
            for month in [] if report.bulk else months:
                if should_stop is not None and should_stop():
                    report.interrupted = True
                    break
                _load_partition(db, dataset, month, report)
                report.partitions += 1
                if on_partition:
                    on_partition(month)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            finish(db, builds)
            if report.bulk:
                _bulk_pragmas(db, on=False)
    except sqlite3.Error as exc:
        raise FactcliError(
            f"{store.describe_error(db_path, exc)} (stopped; {report.articles} articles loaded)"
        ) from None
    finally:
        if builds is not None:
            builds.close()
        db.close()
    return report


PAGE_SIZE = 16384
"""The page size of a database `load` creates: a bulk load writes a tenth less CPU with
16 KiB pages than with SQLite's 4 KiB (fewer pages to split, fill and checksum in the WAL),
and the file is smaller; queries answer as fast (docs/scaling.md)."""

BULK_CACHE_KB = 64 * 1024
"""SQLite's page cache during a bulk load: the primary-key b-trees being appended to stay in
memory. 64 MB, not more: the reader process' memory adds to the loader's, and a larger cache
measured no faster (the final sorts run in runs of `side.SORT_CACHE_KB`)."""


SORT_THREADS = 2
"""Worker threads SQLite may use to sort the band keys and build the indexes at the end of a
bulk load: the sorts are split into runs sorted in parallel, then merged."""


def _bulk_pragmas(db: Database, on: bool) -> None:
    """During a bulk load, no foreign-key look-up per row (the rows come from one consistent
    dataset) and no fsync per transaction: with WAL, a killed loader still leaves the last
    committed month intact; only a power cut could lose the latest months, which the next
    `load` adds again. Afterwards the settings every other command uses."""
    if on:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KB}")
        db.execute("PRAGMA secure_delete = OFF")
        db.execute(f"PRAGMA threads = {SORT_THREADS}")
    else:
        db.execute("PRAGMA threads = 0")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _begin_bulk(db: Database, dataset: Path, mark: str) -> None:
    """Actors with the dataset's ids, the keys they are matched by, and the secondary indexes
    and insert triggers set aside: one transaction."""
    import pyarrow.parquet as pq

    from factcli.store import transaction

    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO dataset_loads (fingerprint, loaded_at) VALUES (?, ?)",
            [mark, _now()],
        )
        if db.execute("SELECT 1 FROM deferred_schema LIMIT 1").fetchone() is None:
            db.execute(f"CREATE TABLE IF NOT EXISTS {DAYS_KEPT} (since TEXT)")
        _defer_schema(db)
        try:
            actors = pq.read_table(dataset / "actors" / "part-0.parquet")
        except (OSError, ValueError) as exc:  # Arrow's errors are both
            raise _unreadable(dataset, "actors", exc) from None
        for batch in actors.to_batches(5000):
            rows = batch.to_pylist()
            db.conn.executemany(
                "INSERT OR IGNORE INTO actors (id, name, role, kind, aliases)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        r["actor_id"],
                        r["name"],
                        r["role"],
                        r["kind"],
                        json.dumps(r["aliases"] or [], ensure_ascii=False),
                    )
                    for r in rows
                ],
            )
            db.conn.executemany(
                "INSERT OR IGNORE INTO actor_keys (key, actor_id) VALUES (?, ?)",
                [(k, r["actor_id"]) for r in rows for k in r["keys"] or []],
            )
        db.execute(f"CREATE TABLE IF NOT EXISTS {QUOTE_KEYS_FROM} (statement_id INTEGER NOT NULL)")
        db.execute(
            f"INSERT INTO {QUOTE_KEYS_FROM} (statement_id)"
            f" SELECT COALESCE(MAX(id), 0) + 1 FROM statements"
            f" WHERE NOT EXISTS (SELECT 1 FROM {QUOTE_KEYS_FROM})"
        )


QUOTE_KEYS_FROM = "bulk_quote_keys_from"
"""A work table of a bulk load: the first statement it stores. A quote's band keys go into
`quote_key_lists` as they come (one JSON array per quote, appended in statement order), and
are spread into `quote_keys` sorted once at the end, for every list from that statement on.
Inserted one by one, random 64-bit keys would touch every page of `quote_keys` in every
transaction (a third of a load's time at 100,000 statements, and more as the table outgrows
the page cache). A load killed outright leaves the table behind; the next `load` finishes."""


DAYS_KEPT = "bulk_topic_days_kept"
"""A work table of a bulk load: present when the loader has kept `topic_days` itself since the
triggers were set aside (added up per batch, which costs a fraction of counting every
statement's topics again at the end). Without it (the triggers were set aside by an older
factcli) the end of the load counts them again."""


DEFERRED_INDEXES = (
    "idx_statements_sentence",
    "idx_statements_actor",
    "idx_statements_kind",
    "idx_statement_topics_topic",
    "idx_article_topics_topic",
    "idx_statement_quotes_quote",
    "idx_articles_published",
    "idx_articles_outlet",
    "idx_sentences_article_idx",
    "idx_actor_keys_actor",
    "idx_article_actors_actor",
    "idx_statements_anonymous",
)
"""Built once after a bulk load: sorting once is far cheaper than a random insert per row."""

DEFERRED_TRIGGERS = (
    "statements_ai",
    "sentences_ai",
    "statements_count_ai",
    "statement_topics_count_ai",
    "article_topics_count_ai",
    *TOPIC_PERIOD_TRIGGERS,
    "actors_names_ai",
    *STATS_COUNT_TRIGGERS,
    ACTOR_VIEW_COUNTS_INSERT_TRIGGER,
)
"""Full-text indexes are rebuilt, counts computed and actors' names indexed once after a bulk
load instead."""

ACTOR_NAMES = (
    "INSERT INTO actor_names (name, actor_id)"
    " SELECT name, id FROM actors WHERE id NOT IN (SELECT actor_id FROM actor_names)"
    " UNION ALL SELECT j.value, a.id FROM actors a, json_each(a.aliases) j"
    " WHERE a.id NOT IN (SELECT actor_id FROM actor_names)"
)
"""What `actors_names_ai` would have indexed: every actor without a name in `actor_names`
(only those inserted while the trigger was set aside), by name and aliases."""

_RECOUNT = (
    "UPDATE actors SET statement_count ="
    " (SELECT COUNT(*) FROM statements s WHERE s.actor_id = actors.id)",
    "UPDATE topics SET"
    " statement_count = (SELECT COUNT(*) FROM statement_topics st WHERE st.topic_id = topics.id),"
    " article_count = (SELECT COUNT(*) FROM article_topics at WHERE at.topic_id = topics.id),"
    " salient_count = (SELECT COUNT(*) FROM article_topics at"
    " WHERE at.topic_id = topics.id AND at.salient)",
    "UPDATE topics SET score = salient_count * specificity",
    "DELETE FROM topic_months",
    "INSERT INTO topic_months (month, topic_id, articles, salient, statements)"
    " SELECT substr(day, 1, 7), topic_id, SUM(articles), SUM(salient), SUM(statements)"
    " FROM topic_days GROUP BY 1, 2",
)
"""The per-topic counts the triggers keep, computed once after a bulk load; a month's counts
are the sums of its days' (an article has one date), which spares a second pass over every
statement's topics."""


def _defer_schema(db: Database) -> None:
    """Set the secondary indexes and insert triggers aside, keeping their SQL to restore."""
    for kind, names in (("index", DEFERRED_INDEXES), ("trigger", DEFERRED_TRIGGERS)):
        for name in names:
            row = db.execute(
                "SELECT sql FROM sqlite_master WHERE type = ? AND name = ?", [kind, name]
            ).fetchone()
            if row is None or row[0] is None:
                continue
            db.execute(
                "INSERT OR REPLACE INTO deferred_schema (name, sql) VALUES (?, ?)", [name, row[0]]
            )
            db.execute(f'DROP {kind.upper()} "{name}"')


def finish(db: Database, builds: side.SideBuilds | None = None) -> None:
    """Quotes whose first statement is now stored; then what a bulk load set aside: band keys
    sorted in, indexes built, counts computed, full-text indexes rebuilt, triggers put back.
    Also what a load cut short left to do.

    The band keys and the full-text indexes are built by threads beside this work (`builds`,
    with the full-text indexes of the rows inserted so far when the bulk load started it, or
    started here) and copied in by a second transaction; until it commits, the triggers and
    the band keys' work table stay, so a load killed in between is finished by the next."""
    from factcli.store import transaction

    deferred = db.execute("SELECT name, sql FROM deferred_schema").fetchall()
    pending = db.execute("SELECT COUNT(*) FROM deferred_quotes").fetchone()[0]
    keys_from = None
    if db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [QUOTE_KEYS_FROM]
    ).fetchone():
        keys_from = db.execute(f"SELECT MIN(statement_id) FROM {QUOTE_KEYS_FROM}").fetchone()[0]
    kept = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [DAYS_KEPT]
    ).fetchone()
    if not deferred and not pending and keys_from is None and not kept:
        return
    indexes = [(n, q) for n, q in deferred if " INDEX " in q.upper()[:30]]
    triggers = [(n, q) for n, q in deferred if (n, q) not in indexes]
    if builds is None:
        builds = started = _side_builds(db)
    else:
        started = None
    try:
        if builds is not None:
            builds.finish()  # every row is committed
            if keys_from is not None:
                builds.start(side.QuoteKeys(keys_from))
        with transaction(db):
            if builds is None and keys_from is not None:
                _sort_quote_keys(db, keys_from)
            _finish_builds(db, kept is not None, indexes, {n for n, _ in triggers})
            if builds is None:
                _rebuild_fulltext(db, _fulltext_deferred(db))
                _restore_triggers(db, triggers)
            else:  # the rest once the threads are done; the indexes are built
                db.conn.executemany(
                    "DELETE FROM deferred_schema WHERE name = ?", [(n,) for n, _ in indexes]
                )
        if builds is not None:
            builds.wait()
            with builds.attached(db), transaction(db):
                builds.copy_into(db)
                _restore_triggers(db, triggers)
    finally:
        if started is not None:
            started.close()


def finish_cut_short(db: Database) -> bool:
    """Before another writer adds rows: finish what a loader killed outright (SIGKILL, a power
    cut) left set aside, since rows written without the triggers would be missing from the
    full-text indexes and the counts. A loader stopped by Ctrl-C or an error finishes itself;
    one still running stops at its next month (it sees another writer) and a later `load`
    adds the rest. Returns whether there was anything to finish."""
    work_tables = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
        [QUOTE_KEYS_FROM, DAYS_KEPT],
    ).fetchone()
    if work_tables is None and not db.execute("SELECT 1 FROM deferred_schema").fetchone():
        return False
    finish(db)
    return True


def _fulltext_deferred(db: Database) -> list[str]:
    """The tables whose full-text index a bulk load has set aside the triggers of."""
    names = {r[0] for r in db.execute("SELECT name FROM deferred_schema")}
    return [table for table in FTS_TABLES if f"{table}_ai" in names]


def _side_builds(db: Database, background: bool = False) -> side.SideBuilds | None:
    """Threads beside the loader, with the full-text indexes set aside already building (at
    the lowest priority in the `background` of a bulk load), when the database is a file and
    the loader is outside a transaction (else everything is built in place: None)."""
    path = side.database_file(db)
    if path is None or db.conn.in_transaction:
        return None
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    builds = side.SideBuilds(path, int(page_size))
    tables = _fulltext_deferred(db)
    if tables:
        builds.start(side.Fulltext(tables), background=background)
    return builds


def _sort_quote_keys(db: Database, keys_from: int) -> None:
    """The band keys spread into `quote_keys` in place, sorted once."""
    # sorted in runs of a few MB: a third less CPU than one sort in a large page cache
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size = -{side.SORT_CACHE_KB}")
    db.execute(
        "INSERT OR IGNORE INTO quote_keys (key, statement_id)"
        " SELECT j.value, q.statement_id FROM quote_key_lists q, json_each(q.keys) j"
        " WHERE q.statement_id >= ? ORDER BY 1, 2",
        [keys_from],
    )
    db.execute(f"PRAGMA cache_size = {int(cache)}")


def _finish_builds(
    db: Database, kept: bool, indexes: list[tuple[str, str]], names: set[str]
) -> None:
    """Indexes built, deferred quotes joined, counts computed, actors' names indexed. Each
    can run again (after a load stopped before the triggers were put back)."""
    from factcli.store import quotes

    for _, sql in indexes:
        db.execute(sql)
    rows = db.execute(
        "SELECT d.statement_id, s.actor_id, s.content, d.quote_sha256, d.quote_index"
        " FROM deferred_quotes d JOIN statements s ON s.id = d.statement_id"
    ).fetchall()
    for statement_id, actor_id, content, quote_sha, quote_index in rows:
        target = _statement_id(db, quote_sha, quote_index)
        if target is None:
            continue
        _set_quote(db, statement_id, target, actor_id, content, quotes)
        db.execute("DELETE FROM deferred_quotes WHERE statement_id = ?", [statement_id])
    if names & {
        "statements_count_ai",
        "statement_topics_count_ai",
        "article_topics_count_ai",
        *TOPIC_PERIOD_TRIGGERS,
    }:
        days = [sql for sql in TOPIC_PERIODS_REBUILD if "topic_months" not in sql]
        for sql in ([] if kept else days) + list(_RECOUNT):
            db.execute(sql)
    if names & set(STATS_COUNT_TRIGGERS):
        for sql in STATS_COUNTS_REBUILD:
            db.execute(sql)
    if "actors_names_ai" in names:
        db.execute(ACTOR_NAMES)
    if ACTOR_VIEW_COUNTS_INSERT_TRIGGER in names:
        for sql in ACTOR_VIEW_COUNTS_REBUILD:
            db.execute(sql)


def _rebuild_fulltext(db: Database, tables: list[str]) -> None:
    """FTS5's own rebuild, in the loader's connection."""
    for table in tables:
        fts = f"{table}_fts"
        db.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', {side.HASH_BYTES})")
        db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
        db.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', 1048576)")


def _restore_triggers(db: Database, triggers: list[tuple[str, str]]) -> None:
    """The triggers put back and the bulk load's work tables gone: the database is whole."""
    for _, sql in triggers:
        db.execute(sql)
    db.execute("DELETE FROM deferred_schema")
    db.execute(f"DROP TABLE IF EXISTS {DAYS_KEPT}")
    db.execute(f"DROP TABLE IF EXISTS {QUOTE_KEYS_FROM}")


def _statement_id(db: Database, sha256: str, index: int) -> int | None:
    """A stored statement by article hash and position: an article's statements have
    consecutive ids in their order."""
    row = db.execute(
        "SELECT MIN(s.id) FROM statements s JOIN articles a ON a.id = s.article_id"
        " WHERE a.sha256 = ?",
        [sha256],
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0]) + index


def _set_quote(
    db: Database, statement_id: int, quote_id: int, actor_id: int, content: str, quotes: Any
) -> None:
    keys = quotes.band_keys(actor_id, content) if quote_id == statement_id else []
    quotes.record_quote(db, statement_id, quote_id, keys)


STATEMENT_COLUMNS = ["speaker", *rows.STATEMENT_COLUMNS]
"""What a load through the store's writer reads of a statement: a bulk load's columns and the
speaker's name."""


def _batches(dataset: Path, month: str) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """A partition's articles in input order, a few hundred at a time, each batch with its
    statements by article hash."""
    for articles, statements in rows.batches(dataset, month, STATEMENT_COLUMNS):
        by_sha: dict[str, list[dict[str, Any]]] = {a["sha256"]: [] for a in articles}
        for statement in [] if statements is None else dict_rows(statements):
            by_sha.setdefault(statement["sha256"], []).append(statement)
        yield articles, by_sha


def _load_partition(db: Database, dataset: Path, month: str, report: LoadReport) -> None:
    """Into a database holding other articles: each article through the store's writer."""
    from factcli.store import save_extractions, transaction

    with transaction(db):
        for articles, statements in _batches(dataset, month):
            todo = _unstored(db.conn, articles)
            report.skipped += len(articles) - len(todo)
            if not todo:
                continue
            extractions = [schema.to_extraction(a, statements[a["sha256"]]) for a in todo]
            for result in save_extractions(db, extractions):
                if isinstance(result, Exception):
                    raise result
            report.articles += len(todo)
            report.statements += sum(len(statements[a["sha256"]]) for a in todo)


def _unstored(conn: sqlite3.Connection, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The articles of a batch whose text hash is not stored yet."""
    shas = [a["sha256"] for a in articles]
    marks = ",".join("?" * len(shas))
    stored = {
        r[0] for r in conn.execute(f"SELECT sha256 FROM articles WHERE sha256 IN ({marks})", shas)
    }
    return [a for a in articles if a["sha256"] not in stored]


READ_AHEAD = 2
"""Prepared batches waiting for the writer: enough to keep both processes busy, few enough
that memory stays flat."""


class _MonthEnd:
    def __init__(self, month: str) -> None:
        self.month = month


class _ReaderFailed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Reader:
    """The process that reads the Parquet files and builds the rows while this one inserts
    them. Not a thread: the reading is Python that holds the interpreter lock, and the writer
    needs it back after every row SQLite stores, so two threads took turns instead of working
    side by side. For a new database it is started before the database opens, so that it
    imports meanwhile; it begins reading when `begin` gives it the first ids."""

    def __init__(self, dataset: Path, db_path: Path, months: list[str]) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.prepared: Any = context.Queue(READ_AHEAD)
        self.ids: Any = context.Queue(1)
        self.stop = context.Event()
        self.process = context.Process(
            target=_read_ahead,
            args=(dataset, db_path, months, self.ids, self.prepared, self.stop, os.getpid()),
            name="factcli-load-reader",
            daemon=True,
        )
        self.process.start()

    def begin(self, ids: tuple[int, int, int]) -> None:
        self.ids.put(ids)

    def take(self) -> Prepared | _MonthEnd | None:
        import queue

        while True:
            try:
                item = self.prepared.get(timeout=0.5)
                break
            except queue.Empty:
                if not self.process.is_alive():
                    raise FactcliError(
                        "the process reading the dataset stopped unexpectedly"
                        f" (exit code {self.process.exitcode})"
                    ) from None
        if isinstance(item, _ReaderFailed):
            raise item.error
        return item

    def close(self) -> None:
        """Stop the reader wherever it is, and wait for it (briefly)."""
        import queue

        self.stop.set()
        deadline = time.monotonic() + 10
        while self.process.is_alive() and time.monotonic() < deadline:
            try:
                self.prepared.get_nowait()
            except queue.Empty:
                self.process.join(0.05)
        if self.process.is_alive():  # pragma: no cover - a reader stuck in a read
            self.process.terminate()
            self.process.join(1)
        for q in (self.prepared, self.ids):
            q.close()
            q.cancel_join_thread()


def _bulk_load(
    db: Database,
    reader: _Reader,
    report: LoadReport,
    on_partition: Callable[[str], None] | None,
    should_stop: Callable[[], bool] | None,
    builds: side.SideBuilds | None = None,
) -> None:
    """Insert what the reader prepares: one transaction per month, as the reader marks them;
    `builds` are told of each."""
    from factcli.store import transaction
    from factcli.store.writer import _next_id

    articles, sentences, statements = (
        _next_id(db.conn, t) for t in ("articles", "sentences", "statements")
    )
    reader.begin((articles, sentences, statements))
    take = reader.take
    topic_ids: dict[str, int] = {}
    collecting = gc.isenabled()
    gc.disable()  # see `_collect_cycles`
    try:
        item = take()
        while item is not None:
            month = item.month
            if should_stop is not None and should_stop():
                report.interrupted = True
                return
            with transaction(db):
                while isinstance(item, Prepared):
                    _write(db, item, topic_ids)
                    report.skipped += item.skipped
                    report.articles += len(item.articles)
                    report.statements += len(item.statements) + len(item.unnamed)
                    item = take()
            report.partitions += 1
            _collect_cycles()
            if builds is not None:
                builds.committed()
            if on_partition:
                on_partition(month)
            item = take()
    finally:
        if collecting:
            gc.enable()
        reader.close()
        _release_memory()


def _collect_cycles() -> None:
    """Python's cycle collector, run once per month instead of as objects are allocated. The
    rows of a bulk load are tuples and lists without cycles, created by the million and kept
    for a batch: the collector, triggered every few hundred allocations, walked them again
    and again for nothing (a third of unpickling the batches in the loader, and of building
    them in the reader). Both processes turn it off while they handle rows and collect here,
    between months, when a batch's rows are gone."""
    gc.collect()


def _release_memory() -> None:
    """Hand back what was freed before the index and full-text builds, where the loader's
    memory peaks: glibc keeps freed heap, Arrow its pool's. Best effort (another libc)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


PR_SET_THP_DISABLE = 41


def _no_huge_pages() -> None:
    """No transparent huge pages for this process (Linux): a library the reader uses asks for
    them, and a 2 MB page stays whole while any of its objects lives, so the reader's heap of
    short-lived rows held a quarter more memory than it used. Best effort."""
    import ctypes
    import sys
    from contextlib import suppress

    if sys.platform != "linux":
        return
    with suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)


def _read_ahead(
    dataset: Path,
    db_path: Path,
    months: list[str],
    start: Any,
    out: Any,
    stop: Any,
    parent: int,
) -> None:
    """The reading process: every month's batches in order, each followed by the month's
    end; None when done; an error is handed to the writer, which raises it. Ctrl-C is the
    writer's to handle; a reader whose writer was killed stops."""
    import queue
    import signal

    import pyarrow as pa

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _no_huge_pages()
    # the C library's allocator, trimmed after each month: Arrow's own pool keeps what a
    # month's decoding freed, and this process' memory adds to the loader's
    pa.set_memory_pool(pa.system_memory_pool())
    gc.disable()  # see `_collect_cycles`

    def put(item: Any) -> bool:
        while not stop.is_set() and os.getppid() == parent:
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        if os.getppid() != parent:
            # the writer was killed: nobody reads what is still buffered, so exit without
            # waiting to write it (with the pipe full, the queue's thread would wait forever).
            # A writer that stops us reads on until we are gone: a message cut short would
            # leave it waiting for the rest.
            out.cancel_join_thread()
        return False

    ids = None
    while ids is None:
        if stop.is_set() or os.getppid() != parent:
            return
        try:
            ids = start.get(timeout=0.1)
        except queue.Empty:
            continue
    # its own read-only connection: which articles a previous load stored is committed data
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    next_ids = list(ids)
    month = months[0] if months else ""
    try:
        for month in months:
            found = rows.lookups(dataset, month)
            for articles, statements in rows.batches(dataset, month, bulk=True):
                if stop.is_set():
                    return
                todo = _unstored(conn, articles)
                batch = rows.prepare(month, todo, statements, next_ids, found)
                batch.skipped = len(articles) - len(todo)
                if not put(batch):
                    return
            _collect_cycles()
            _release_memory()
            if not put(_MonthEnd(month)):
                return
        put(None)
    except (OSError, ValueError, pa.ArrowException) as exc:  # a file Arrow cannot read
        put(_ReaderFailed(_unreadable(dataset, month, exc)))
    except Exception as exc:  # handed over to the writer, which raises it
        put(_ReaderFailed(exc))
    finally:
        conn.close()


def _unreadable(dataset: Path, part: str, error: BaseException) -> FactcliError:
    """One line for a part of the dataset that cannot be read (a damaged or truncated file)."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return FactcliError(f"{dataset}: cannot read {part}: {reason}")


def _write(db: Database, batch: Prepared, topic_ids: dict[str, int]) -> None:
    """Insert one prepared batch, inside the month's transaction; topic ids are looked up or
    created here, in the order the store's writer would (`topic_ids` is kept across batches)."""
    from factcli.store.writer import _next_id, _topic_id

    conn = db.conn
    if not batch.articles:
        return
    now = tuple(_next_id(conn, t) for t in ("articles", "sentences", "statements"))
    if now != batch.first_ids:
        raise FactcliError(
            "the database was written to during the load; run factcli load again to finish"
        )
    article_topic_rows: list[tuple[int, int, int, int]] = []
    days: dict[tuple[str, int], list[int]] = {}
    slot_topics: list[int] = []
    for article_id, day, topics, linked in batch.topics:
        topic_counts: dict[int, int] = {}
        salient: set[int] = set()
        for name, kind, specificity, is_salient, count in topics:
            tid = _topic_id(db, topic_ids, name, kind, specificity, is_salient)
            topic_counts[tid] = topic_counts.get(tid, 0) + count
            if is_salient:
                salient.add(tid)
        statement_counts: dict[int, int] = {}
        for folded, name, statements, _ in linked:
            tid = topic_ids.get(folded) or _topic_id(db, topic_ids, name, None)
            slot_topics.append(tid)
            statement_counts[tid] = statement_counts.get(tid, 0) + statements
        for tid, n in statement_counts.items():
            topic_counts[tid] = max(topic_counts.get(tid, 0), n)
        article_topic_rows += [
            (article_id, tid, n, int(tid in salient)) for tid, n in topic_counts.items()
        ]
        if day is not None:
            for tid in topic_counts:
                counts = days.setdefault((day, tid), [0, 0, 0])
                counts[0] += 1
                counts[1] += tid in salient
                counts[2] += statement_counts.get(tid, 0)
    insert_rows(
        conn,
        "INSERT INTO articles (id, sha256, source, title, published, text, body_start,"
        " ingested_at, outlet, url, author, extractor, model_version, spacy_pipeline,"
        " published_from)",
        15,
        batch.articles,
    )
    insert_rows(
        conn,
        'INSERT INTO sentences (id, article_id, idx, paragraph, start, "end", text)',
        7,
        batch.sentences,
    )
    insert_rows(
        conn,
        "INSERT OR IGNORE INTO article_actors (article_id, actor_id, name, role, kind)",
        5,
        batch.actors,
    )
    head = (
        "INSERT INTO statements (id, article_id, sentence_id, actor_id, speaker_mention,"
        " speaker_role, speaker_start, speaker_end, cue, cue_start, cue_end, kind,"
        " content, content_start, content_end"
    )
    insert_rows(conn, head + ")", 15, batch.statements)
    insert_rows(
        conn,
        head + ", anonymous_source, anonymous_description, anonymous_organisation)",
        18,
        batch.unnamed,
    )
    links: list[int] = [0] * (2 * len(batch.link_statements))
    links[0::2] = batch.link_statements
    links[1::2] = map(slot_topics.__getitem__, batch.link_slots)
    insert_flat(conn, "INSERT INTO statement_topics (statement_id, topic_id)", 2, links)
    insert_rows(
        conn,
        "INSERT INTO article_topics (article_id, topic_id, count, salient)",
        4,
        article_topic_rows,
    )
    insert_rows(
        conn,
        "INSERT OR REPLACE INTO statement_quotes (statement_id, quote_id)",
        2,
        batch.quotes,
    )
    insert_rows(
        conn, "INSERT OR REPLACE INTO quote_key_lists (statement_id, keys)", 2, batch.key_lists
    )
    conn.executemany(
        "INSERT INTO topic_days (day, topic_id, articles, salient, statements)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (day, topic_id) DO UPDATE SET"
        " articles = articles + excluded.articles, salient = salient + excluded.salient,"
        " statements = statements + excluded.statements",
        [(day, tid, *counts) for (day, tid), counts in days.items()],
    )
    deferred = batch.deferred
    firsts = _first_statements(db, sorted({quote_sha for _, quote_sha, _ in deferred}))
    conn.executemany(
        "INSERT OR REPLACE INTO statement_quotes (statement_id, quote_id) VALUES (?, ?)",
        [(sid, firsts[sha] + index) for sid, sha, index in deferred if sha in firsts],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO deferred_quotes (statement_id, quote_sha256, quote_index)"
        " VALUES (?, ?, ?)",
        [row for row in deferred if row[1] not in firsts],
    )


def _first_statements(db: Database, shas: list[str]) -> dict[str, int]:
    """The id of the first statement of each stored article among `shas`: an article's
    statements have consecutive ids in their order. A copy of a quote first said in another
    article joins it by this id and stores no band keys; quotes not stored yet wait in
    `deferred_quotes`."""
    found: dict[str, int] = {}
    for start in range(0, len(shas), 500):
        chunk = shas[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for sha, first in db.execute(
            "SELECT a.sha256, MIN(s.id) FROM articles a JOIN statements s ON s.article_id = a.id"
            f" WHERE a.sha256 IN ({marks}) GROUP BY a.sha256",
            chunk,
        ):
            found[sha] = int(first)
    return found


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
