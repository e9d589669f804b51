"""Ingest orchestration: read → extract → store, one transaction per article.

(Interface fixed; body is being written.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


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
) -> IngestReport:
    """Ingest files, folders (recursively, *.txt) and "-" (stdin) into the database at db_path.

    on_total(n) is called once with the number of inputs; on_article(source, status) after each
    article with status "ingested" | "skipped" | "failed"; on_error(source, reason) for each failure.
    Raises FactcliError for problems that stop the whole run (e.g. an unusable database).
    """
    raise NotImplementedError
