"""Ingest orchestration: read → extract → store, each article all or nothing.

Bad inputs cost one failed entry each and never stop the run; an article is stored whole or not
at all. Articles already stored (same text hash) are skipped before any parsing, and again at
save time, when another ingest running at the same time stored one first. A stop request
(Ctrl-C) ends the run between two write transactions, so every article stored is complete.

With several jobs, worker processes read, parse and extract chunks of articles (each loads
spaCy once) while this process writes their results in input order, a chunk per transaction
with a savepoint per article; so the database is the same, ids included, whatever the number
of jobs. At most a few chunks are in flight at once, so memory stays flat however many
articles there are.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from factcli import formats, reader, store
from factcli.errors import FactcliError
from factcli.formats import InputOptions
from factcli.models import Article, Extraction

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

    from sqlite_utils import Database

    from factcli.extract import ExtractorName

CHUNK_ARTICLES = 16
"""Articles per task: their paragraphs go through one `nlp.pipe` and one write transaction."""

TAIL_ARTICLES = 4
"""The smallest chunk the last ones of a run with several jobs shrink to."""

IN_FLIGHT_PER_JOB = 2
"""Chunks queued per worker: enough to keep it busy, few enough to keep memory flat."""

MAX_PARAGRAPH_CHARS = 250_000
"""Longer paragraphs are refused: spaCy parses a paragraph as one document and needs about 3 KB
of memory per character of it (a 100,000-character sentence takes half a gigabyte)."""


def default_jobs() -> int:
    """The processors this process may run on (all of them unless restricted)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Outcome:
    """What became of one input before storing: read failure, skipped, or extracted."""

    source: str
    status: Literal["failed", "skipped", "extracted", "unanalysable"]
    reason: str | None = None
    sha256: str | None = None
    extraction: Extraction | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Read:
    """An input read in full, with the warnings its decoding gave."""

    article: Article
    warnings: tuple[str, ...] = ()


Item = str | Read | Outcome
"""A task's input: a path to read, an input read already (stdin), or a failure to pass on."""


@dataclass
class IngestReport:
    ingested: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    statements: int = 0
    actors: int = 0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


def ingest(
    paths: Sequence[str],
    db_path: Path,
    *,
    force: bool = False,
    jobs: int | None = None,
    max_bytes: int = reader.DEFAULT_MAX_BYTES,
    on_total: Callable[[int], None] | None = None,
    on_article: Callable[[str, str], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    on_warning: Callable[[str, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    stdin: BinaryIO | None = None,
    options: InputOptions | None = None,
    extractor: ExtractorName = "model",
) -> IngestReport:
    """Ingest files, folders (recursively, *.txt) and "-" (stdin) into the database at db_path.

    `jobs` worker processes extract (default: one per processor; 1 runs in this process).
    `options` choose the input format (text, HTML, JSON Lines; by file name otherwise), the
    outlet to record and the JSON Lines field names; one input may hold many articles.
    on_total(n) is called once with the number of inputs; on_article(source, status) after each
    article with status "ingested" | "skipped" | "failed"; on_error(source, reason) per failure;
    on_warning(source, reason) per input read with a fallback encoding. Inputs larger than
    max_bytes are refused. When should_stop() turns true, or on KeyboardInterrupt, the run ends
    before the next write transaction and the report says `interrupted`.
    `extractor` is "model" (the trained model over the rules) or "rules".
    Raises FactcliError for problems that stop the whole run (e.g. an unusable database, a
    missing spaCy pipeline or model file); those are found before the database is touched.
    """
    report = IngestReport()
    actor_names: set[str] = set()

    def fail(source: str, reason: str) -> None:
        report.failed.append((source, reason))
        if on_error:
            on_error(source, reason)
        if on_article:
            on_article(source, "failed")

    def skip(source: str) -> None:
        report.skipped += 1
        if on_article:
            on_article(source, "skipped")

    inputs, problems = reader.collect_inputs(paths)
    for source, reason in problems:
        fail(source, reason)
    options = replace(options or InputOptions(), max_bytes=max_bytes)
    counts = [formats.count_articles(source, options) for source in inputs]
    total = sum(c if c is not None else 1 for c in counts)
    if on_total:
        on_total(total)
    if not inputs:
        return report
    jobs = max(1, min(jobs or default_jobs(), total))
    # Workers start first: loading spaCy is the longest wait of a run, and it goes on while
    # this process checks the model and opens the database.
    pool = _start_pool(jobs) if jobs > 1 else None
    try:
        check_extractor(extractor, keep=jobs == 1)
        db = store.open_db(db_path, create=True)
        _finish_cut_short_load(db, Path(db_path))
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    size = max(1, min(CHUNK_ARTICLES, math.ceil(total / jobs)))
    seen: set[str] = set()

    def stopping() -> bool:
        return should_stop is not None and should_stop()

    def items() -> Iterator[Item]:
        """Single-article files are read by the workers; stdin and JSON Lines files (many
        articles each) are read here, article by article."""
        for source in inputs:
            if (
                source != reader.STDIN
                and formats.detect(source, options.input_format)[0] != "jsonl"
            ):
                yield source
                continue
            yield from read_inputs(source, options, stdin)

    def is_stored(sha256: str) -> bool:
        return not force and store.find_article(db, sha256) is not None

    chunks: Generator[list[Outcome], None, None]
    if pool is None:
        chunks = (
            extract_chunk(chunk, is_stored, options, extractor) for chunk in _chunks(items(), size)
        )
    else:
        tasks = (
            (str(db_path), force, options, chunk, extractor)
            for chunk in _chunks(items(), size, total, jobs)
        )
        chunks = _extract_in_workers(pool, tasks, jobs)
    try:
        for outcomes in chunks:
            if stopping():
                break
            plan: list[tuple[Outcome, str]] = []
            for outcome in outcomes:
                action: str = outcome.status
                if outcome.sha256 is not None:
                    if outcome.sha256 in seen:
                        action = "skipped"
                    seen.add(outcome.sha256)
                plan.append((outcome, action))
            to_store = [o.extraction for o, action in plan if action == "extracted"]
            results = iter(_store(db, [e for e in to_store if e is not None], force))
            for outcome, action in plan:
                if on_warning:
                    for warning in outcome.warnings:
                        on_warning(outcome.source, warning)
                if action == "failed":
                    fail(outcome.source, outcome.reason or "unreadable")
                elif action == "skipped":
                    skip(outcome.source)
                elif action == "unanalysable":
                    fail(outcome.source, f"could not be analysed ({outcome.reason})")
                else:
                    extraction = outcome.extraction
                    assert extraction is not None
                    result = next(results)
                    if isinstance(result, store.AlreadyStored):
                        skip(outcome.source)
                        continue
                    if isinstance(result, Exception):
                        fail(outcome.source, f"could not be stored ({result})")
                        continue
                    report.ingested += 1
                    report.statements += len(extraction.statements)
                    actor_names.update(a.name for a in extraction.actors)
                    if on_article:
                        on_article(outcome.source, "ingested")
    except KeyboardInterrupt:
        report.interrupted = True
    except sqlite3.Error as exc:
        raise FactcliError(
            f"{store.describe_error(db_path, exc)} (stopped; {report.ingested} articles stored)"
        ) from None
    finally:
        chunks.close()
        if pool is not None:
            pool.terminate()  # ended already, unless the loop stopped before its first chunk
        db.close()
    report.interrupted = report.interrupted or stopping()
    report.actors = len(actor_names)
    return report


def _store(db: Database, extractions: list[Extraction], force: bool) -> list[int | Exception]:
    """A chunk in one transaction; if SQLite drops the whole transaction, article by article."""
    if not extractions:
        return []
    try:
        return store.retry_busy(partial(store.save_extractions, db, extractions, replace=force))
    except (sqlite3.Error, FactcliError) as exc:
        if store.is_busy(exc):
            raise
        results: list[int | Exception] = []
        for extraction in extractions:
            try:
                results.append(
                    store.retry_busy(partial(store.save_extraction, db, extraction, replace=force))
                )
            except (sqlite3.IntegrityError, FactcliError) as exc:
                results.append(exc)
        return results


def _chunks(
    items: Iterable[Item], size: int, total: int = 0, jobs: int = 1
) -> Iterator[list[Item]]:
    """Chunks of `size` items in input order. Given the `total` expected and several `jobs`,
    the last chunks shrink (to a share of what is left, at least TAIL_ARTICLES), so the
    workers finish together instead of one of them parsing a whole last chunk alone."""
    chunk: list[Item] = []
    left = total
    for item in items:
        chunk.append(item)
        share = math.ceil(left / (2 * jobs)) if total else size
        if len(chunk) >= min(size, max(TAIL_ARTICLES, share)):
            yield chunk
            left -= len(chunk)
            chunk = []
    if chunk:
        yield chunk


Task = tuple[str, bool, InputOptions, list[Item], "ExtractorName"]


def _start_pool(jobs: int) -> Pool:
    """`jobs` worker processes, started fresh ("spawn"), never forked from this process, which
    may run a progress thread; each loads spaCy once, in parallel, before its first chunk."""
    import multiprocessing

    return multiprocessing.get_context("spawn").Pool(jobs, initializer=_start_worker)


def _extract_in_workers(
    pool: Pool, tasks: Iterable[Task], jobs: int
) -> Generator[list[Outcome], None, None]:
    """Chunks extracted by the pool's `jobs` worker processes, yielded in input order; the
    pool is ended with the generator."""
    with pool:
        pending: deque[AsyncResult[list[Outcome]]] = deque()
        for task in tasks:
            pending.append(pool.apply_async(_worker_chunk, (task,)))
            if len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()
        pool.join()


def _start_worker() -> None:
    """Load spaCy before the first chunk. Ctrl-C is left to the main process, which stops the
    workers; otherwise each would print its own traceback."""
    import signal

    from factcli import nlp

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    nlp.load()


def _worker_chunk(task: Task) -> list[Outcome]:
    db_path, force, options, items, extractor = task
    return extract_chunk(
        items, lambda sha256: not force and _is_stored(db_path, sha256), options, extractor
    )


def read_inputs(
    source: str, options: InputOptions, stdin: BinaryIO | None = None, skip: int = 0
) -> Iterator[Read | Outcome]:
    """The articles of one input, read and checked, or the failures to report (one per input
    or per bad JSON Lines record), from record number `skip`. Fallback decodings travel with
    the article as warnings: a worker process cannot print them in input order."""
    from factcli.extract import article_paragraphs

    warnings: list[str] = []
    try:
        for item in formats.read_articles(
            source, options, stdin=stdin, warn=warnings.append, skip=skip
        ):
            if isinstance(item, reader.InputError):
                yield Outcome(item.source, "failed", item.reason)
                continue
            longest = max((e - s for s, e in article_paragraphs(item)), default=0)
            if longest > MAX_PARAGRAPH_CHARS:
                reason = (
                    f"has a paragraph of {longest:,} characters; the longest that can be"
                    f" analysed is {MAX_PARAGRAPH_CHARS:,}"
                )
                yield Outcome(item.source, "failed", reason, warnings=tuple(warnings))
            else:
                yield Read(item, tuple(warnings))
            warnings.clear()
    except FactcliError as exc:
        yield Outcome(
            source, "failed", getattr(exc, "reason", exc.message), warnings=tuple(warnings)
        )


def check_extractor(extractor: ExtractorName, *, keep: bool = True) -> None:
    """FactcliError now, before anything is written, when the spaCy pipeline is not installed
    or the model file cannot be loaded (workers load them again, from the cache of each).
    `keep=False` when this process extracts nothing itself (worker processes do): the model
    is then not kept in its memory once checked."""
    from factcli import nlp
    from factcli.extract import judge_for

    nlp.package_name()
    judge_for(extractor)
    if not keep and extractor == "model":
        from factcli.learn import model

        model.forget()


def extract_chunk(
    items: list[Item],
    is_stored: Callable[[str], bool],
    options: InputOptions | None = None,
    extractor: ExtractorName = "model",
) -> list[Outcome]:
    """Read, skip what is stored already, and extract one chunk (in a worker or in-process)."""
    from factcli.extract import extract_articles

    options = options or InputOptions()
    entries: list[Outcome | Read] = []
    for item in items:
        read = read_inputs(item, options) if isinstance(item, str) else [item]
        for entry in read:
            if isinstance(entry, Read) and is_stored(entry.article.sha256):
                a = entry.article
                entry = Outcome(a.source, "skipped", sha256=a.sha256, warnings=entry.warnings)
            entries.append(entry)
    articles = [e.article for e in entries if isinstance(e, Read)]
    extracted = iter(
        extract_articles(articles, batch_size=max(1, len(articles)), extractor=extractor)
    )
    done: list[Outcome] = []
    for entry in entries:
        if isinstance(entry, Outcome):
            done.append(entry)
            continue
        article, extraction, error = next(extracted)
        status: Literal["unanalysable", "extracted"] = (
            "extracted" if extraction is not None else "unanalysable"
        )
        done.append(
            Outcome(article.source, status, error, article.sha256, extraction, entry.warnings)
        )
    return done


def _finish_cut_short_load(db: Database, path: Path) -> None:
    """A bulk load killed outright is finished before ingest adds rows: rows written without
    its triggers would miss the full-text indexes and the counts (`finish_cut_short`)."""
    from factcli.dataset.load import finish_cut_short

    try:
        finish_cut_short(db)
    except sqlite3.Error as exc:
        db.close()
        raise FactcliError(store.describe_error(path, exc)) from None
    except BaseException:
        db.close()
        raise


def _is_stored(db_path: str, sha256: str) -> bool:
    row = (
        _stored_articles(db_path)
        .execute("SELECT 1 FROM articles WHERE sha256 = ?", [sha256])
        .fetchone()
    )
    return row is not None


@lru_cache(maxsize=1)
def _stored_articles(db_path: str) -> sqlite3.Connection:
    """A worker's read-only connection, to skip stored articles before parsing them."""
    from factcli.store.reading import open_query_db

    return open_query_db(Path(db_path))
