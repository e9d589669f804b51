"""Ingest orchestration: read → extract → store, one transaction per article.

Bad inputs cost one failed entry each and never stop the run; an article is stored whole or not
at all. Articles already stored (same text hash) are skipped before any parsing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from factcli import formats, reader, store
from factcli.errors import FactcliError
from factcli.extract import extract_articles
from factcli.formats import InputOptions
from factcli.models import Article


@dataclass
class IngestReport:
    ingested: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    statements: int = 0
    actors: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def ingest(
    paths: Sequence[str],
    db_path: Path,
    *,
    force: bool = False,
    on_total: Callable[[int], None] | None = None,
    on_article: Callable[[str, str], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    stdin: BinaryIO | None = None,
    options: InputOptions | None = None,
) -> IngestReport:
    """Ingest files, folders (recursively, *.txt) and "-" (stdin) into the database at db_path.

    `options` choose the input format (text, HTML, JSON Lines; by file name otherwise), the
    outlet to record and the JSON Lines field names; one input may hold many articles.

    on_total(n) is called once with the number of inputs; on_article(source, status) after each
    article with status "ingested" | "skipped" | "failed"; on_error(source, reason) per failure.
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
        counts = [formats.count_articles(source, options) for source in inputs]
        on_total(sum(c if c is not None else 1 for c in counts))
    if not inputs:
        return report
    db = store.open_db(db_path, create=True)
    seen: set[str] = set()

    def articles() -> Iterator[Article]:
        for item in _input_articles(inputs, options, stdin):
            if isinstance(item, reader.InputError):
                fail(item.source, item.reason)
                continue
            article, source = item, item.source
            if article.sha256 in seen or (not force and store.find_article(db, article.sha256)):
                report.skipped += 1
                if on_article:
                    on_article(source, "skipped")
                continue
            seen.add(article.sha256)
            yield article

    try:
        for article, extraction, error in extract_articles(articles()):
            if extraction is None:
                fail(article.source, f"could not be analysed ({error})")
                continue
            try:
                store.save_extraction(db, extraction, replace=force)
            except (sqlite3.Error, FactcliError) as exc:
                fail(article.source, f"could not be stored ({exc})")
                continue
            report.ingested += 1
            report.statements += len(extraction.statements)
            actor_names.update(a.name for a in extraction.actors)
            if on_article:
                on_article(article.source, "ingested")
    finally:
        db.close()
    report.actors = len(actor_names)
    return report


def _input_articles(
    inputs: Sequence[str], options: InputOptions | None, stdin: BinaryIO | None
) -> Iterator[Article | reader.InputError]:
    """Every article of every input; an unreadable input or record is one `InputError`."""
    for source in inputs:
        try:
            yield from formats.read_articles(source, options, stdin=stdin)
        except reader.InputError as exc:
            yield exc
        except FactcliError as exc:
            yield reader.InputError(source, exc.message)
