"""Ingest orchestration: read → extract → store, one transaction per article.

Bad inputs cost one failed entry each and never stop the run; an article is stored whole or not
at all. Articles already stored (same text hash) are skipped before any parsing, and again at
save time, when another ingest running at the same time stored one first. A stop request
(Ctrl-C) ends the run between two articles, so every article stored so far is complete.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

from factcli import reader, store
from factcli.errors import FactcliError
from factcli.extract import article_paragraphs, extract_articles
from factcli.models import Article

MAX_PARAGRAPH_CHARS = 250_000
"""Longer paragraphs are refused: spaCy parses a paragraph as one document and needs about 3 KB
of memory per character of it (a 100,000-character sentence takes half a gigabyte)."""


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
    max_bytes: int = reader.DEFAULT_MAX_BYTES,
    on_total: Callable[[int], None] | None = None,
    on_article: Callable[[str, str], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    on_warning: Callable[[str, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    stdin: BinaryIO | None = None,
) -> IngestReport:
    """Ingest files, folders (recursively, *.txt) and "-" (stdin) into the database at db_path.

    on_total(n) is called once with the number of inputs; on_article(source, status) after each
    article with status "ingested" | "skipped" | "failed"; on_error(source, reason) per failure;
    on_warning(source, reason) per input read with a fallback encoding. Inputs larger than
    max_bytes are refused. When should_stop() turns true, or on KeyboardInterrupt, the run ends
    before the next article is stored and the report says `interrupted`.
    Raises FactcliError for problems that stop the whole run (e.g. an unusable database).
    """
    report = IngestReport()
    actor_names: set[str] = set()

    def fail(source: str, reason: str) -> None:
        report.failed.append((source, reason))
        if on_error:
            on_error(source, reason)
        if on_article:
            on_article(source, "failed")

    inputs, problems = reader.collect_inputs(paths)
    for source, reason in problems:
        fail(source, reason)
    if on_total:
        on_total(len(inputs))
    if not inputs:
        return report
    db = store.open_db(db_path, create=True)
    seen: set[str] = set()

    def stopping() -> bool:
        return should_stop is not None and should_stop()

    def articles() -> Iterator[Article]:
        for source in inputs:
            if stopping():
                return
            warn = partial(on_warning, source) if on_warning else None
            try:
                article = reader.read_article(source, stdin=stdin, max_bytes=max_bytes, warn=warn)
            except FactcliError as exc:
                fail(source, getattr(exc, "reason", exc.message))
                continue
            longest = max((end - start for start, end in article_paragraphs(article)), default=0)
            if longest > MAX_PARAGRAPH_CHARS:
                fail(
                    source,
                    f"has a paragraph of {longest:,} characters; the longest that can be analysed"
                    f" is {MAX_PARAGRAPH_CHARS:,}",
                )
                continue
            if article.sha256 in seen or (not force and store.find_article(db, article.sha256)):
                report.skipped += 1
                if on_article:
                    on_article(source, "skipped")
                continue
            seen.add(article.sha256)
            yield article

    try:
        for article, extraction, error in extract_articles(articles()):
            if stopping():
                break
            if extraction is None:
                fail(article.source, f"could not be analysed ({error})")
                continue
            try:
                store.retry_busy(partial(store.save_extraction, db, extraction, replace=force))
            except store.AlreadyStored:
                report.skipped += 1
                if on_article:
                    on_article(article.source, "skipped")
                continue
            except (sqlite3.IntegrityError, FactcliError) as exc:
                fail(article.source, f"could not be stored ({exc})")
                continue
            report.ingested += 1
            report.statements += len(extraction.statements)
            actor_names.update(a.name for a in extraction.actors)
            if on_article:
                on_article(article.source, "ingested")
    except KeyboardInterrupt:
        report.interrupted = True
    except sqlite3.Error as exc:
        raise FactcliError(
            f"{store.describe_error(db_path, exc)} (stopped; {report.ingested} articles stored)"
        ) from None
    finally:
        db.close()
    report.interrupted = report.interrupted or stopping()
    report.actors = len(actor_names)
    return report
