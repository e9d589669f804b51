"""SQLite storage written through sqlite-utils: schema, migrations and per-article writes."""

from factcli.store.connection import open_db, transaction
from factcli.store.migrations import latest_version
from factcli.store.writer import find_article, save_extraction

__all__ = ["find_article", "latest_version", "open_db", "save_extraction", "transaction"]
