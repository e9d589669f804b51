"""SQLite storage: schema, migrations, per-article writes (through sqlite-utils) and read-only
connections for queries (plain sqlite3).

The names below are imported on first use, so a query, which needs only
`factcli.store.reading`, never loads sqlite-utils.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from factcli.store.checks import describe_error, is_busy
    from factcli.store.connection import open_db, retry_busy
    from factcli.store.migrations import latest_version
    from factcli.store.reading import open_query_db
    from factcli.store.transactions import transaction
    from factcli.store.writer import (
        AlreadyStored,
        find_article,
        save_extraction,
        save_extractions,
    )

_HOMES = {
    "open_db": "factcli.store.connection",
    "describe_error": "factcli.store.checks",
    "retry_busy": "factcli.store.connection",
    "is_busy": "factcli.store.checks",
    "AlreadyStored": "factcli.store.writer",
    "transaction": "factcli.store.transactions",
    "latest_version": "factcli.store.migrations",
    "open_query_db": "factcli.store.reading",
    "find_article": "factcli.store.writer",
    "save_extraction": "factcli.store.writer",
    "save_extractions": "factcli.store.writer",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "AlreadyStored",
    "describe_error",
    "find_article",
    "is_busy",
    "latest_version",
    "open_db",
    "open_query_db",
    "retry_busy",
    "save_extraction",
    "save_extractions",
    "transaction",
]
