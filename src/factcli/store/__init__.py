"""SQLite storage written through sqlite-utils: schema, migrations and per-article writes."""

from factcli.store.connection import describe_error, open_db, retry_busy, transaction
from factcli.store.migrations import latest_version
from factcli.store.writer import AlreadyStored, find_article, save_extraction

__all__ = [
    "AlreadyStored",
    "describe_error",
    "find_article",
    "latest_version",
    "open_db",
    "retry_busy",
    "save_extraction",
    "transaction",
]
