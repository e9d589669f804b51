"""A Datasette plugin that shows a factcli database as an archive, not as storage.

Installed with ``factcli[web]``, it is found by Datasette through the ``datasette`` entry point,
so ``datasette factcli.db`` and ``factcli serve`` give the same pages. For every database that
has factcli's tables it adds metadata (labels, facets, search on the ``who_said`` view, canned
queries, internal key tables hidden), pages for a statement in its article, an actor and a
topic (each also as ``.json``), links between them, and the archive's summary on the home page.
Every connection to an archive is made ``query_only``: the server never writes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from factcli.web import pages
from factcli.web.metadata import database_metadata

PLUGIN = "factcli"

_archives: dict[int, set[str]] = {}
"""Names of the archive databases of each Datasette instance (by id), found at startup."""


def _archive_names(datasette: Any) -> set[str]:
    return _archives.get(id(datasette), set())


@hookimpl
def startup(datasette: Any) -> Callable[[], Awaitable[None]]:
    async def find_archives() -> None:
        names = set()
        for name, db in datasette.databases.items():
            if db.is_memory or name.startswith("_"):
                continue
            if pages.is_archive(set(await db.table_names())):
                names.add(name)
        _archives[id(datasette)] = names

    return find_archives


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Every connection to an archive refuses writes, whatever a URL or another plugin asks."""
    try:
        found = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                "('articles', 'statements', 'actors', 'topics')"
            )
        }
    except sqlite3.Error:
        return
    if pages.is_archive(found):
        conn.execute("PRAGMA query_only = 1")


@hookimpl
def get_metadata(datasette: Any) -> dict[str, Any]:
    names = _archive_names(datasette)
    if not names:
        return {}
    return {
        "title": "factcli: who said what",
        "description": "News articles as a record of who said what, about what.",
        "databases": {name: database_metadata(datasette.urls.database(name)) for name in names},
    }


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.static_plugins(PLUGIN, "factcli.css")]


@hookimpl
def extra_template_vars(
    template: str, datasette: Any, request: Any
) -> Callable[[], Awaitable[dict[str, Any]]] | None:
    if template != "index.html":
        return None

    async def summaries() -> dict[str, Any]:
        archives = []
        for name in sorted(_archive_names(datasette)):
            db = datasette.get_database(name)
            summary = await db.execute_fn(pages.archive_summary)
            archives.append({"name": name, "base": datasette.urls.database(name), **summary})
        return {"factcli_archives": archives}

    return summaries


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str, database: str, datasette: Any
) -> Any:
    """Names and statements link to their archive pages."""
    if database not in _archive_names(datasette) or value is None:
        return None
    base = datasette.urls.database(database)
    link: str | None = None
    if table == "who_said":
        if column in ("id", "statement") and _get(row, "id") is not None:
            link = f"{base}/-/statement/{_get(row, 'id')}"
        elif column in ("speaker", "actor_id") and _get(row, "actor_id") is not None:
            link = f"{base}/-/actor/{_get(row, 'actor_id')}"
        elif column in ("article", "article_id") and _get(row, "article_id") is not None:
            link = f"{base}/articles/{_get(row, 'article_id')}"
    elif table in ("statements", "actors", "topics") and _get(row, "id") is not None:
        page = {
            "statements": ("content", "statement"),
            "actors": ("name", "actor"),
            "topics": ("name", "topic"),
        }[table]
        if column == page[0]:
            link = f"{base}/-/{page[1]}/{_get(row, 'id')}"
    if link is None:
        return None
    return Markup('<a href="{}">{}</a>').format(link, escape(str(value)))


def _get(row: Any, key: str) -> Any:
    """A column of a rendered row, or None when the reader left it out (``?_nocol=``)."""
    try:
        return row[key]
    except (KeyError, IndexError):
        return None


_DB = r"^/(?P<database>[^/]+)/-/"
_FORMAT = r"(?P<format>\.json)?$"


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Response]]]]:
    return [
        (_DB + r"archive" + _FORMAT, archive_view),
        (_DB + r"statement/(?P<id>\d+)" + _FORMAT, statement_view),
        (_DB + r"actor/(?P<id>\d+)" + _FORMAT, actor_view),
        (_DB + r"topic/(?P<id>\d+)" + _FORMAT, topic_view),
    ]


async def archive_view(datasette: Any, request: Any) -> Response:
    return await _page(datasette, request, "archive", lambda conn: pages.archive_summary(conn))


async def statement_view(datasette: Any, request: Any) -> Response:
    number = int(request.url_vars["id"])
    return await _page(datasette, request, "statement", lambda c: pages.statement_page(c, number))


async def actor_view(datasette: Any, request: Any) -> Response:
    number = int(request.url_vars["id"])
    return await _page(datasette, request, "actor", lambda c: pages.actor_page(c, number))


async def topic_view(datasette: Any, request: Any) -> Response:
    number = int(request.url_vars["id"])
    return await _page(datasette, request, "topic", lambda c: pages.topic_page(c, number))


async def _page(
    datasette: Any,
    request: Any,
    kind: str,
    read: Callable[[sqlite3.Connection], dict[str, Any] | None],
) -> Response:
    """Check the database and the reader's permissions, read the page, answer HTML or JSON."""
    route = tilde_decode(request.url_vars["database"])
    try:
        db = datasette.get_database(route=route)
    except KeyError:
        raise NotFound(f"Database not found: {route}") from None
    if db.name not in _archive_names(datasette):
        raise NotFound(f"{db.name} is not a factcli archive")
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (db.name, "statements")), ("view-database", db.name), "view-instance"],
    )
    data = await db.execute_fn(read)
    if data is None:
        raise NotFound(f"No {kind} {request.url_vars.get('id')} in {db.name}")
    if request.url_vars.get("format"):
        return Response.json(data)
    base = datasette.urls.database(db.name)
    html = await datasette.render_template(
        f"factcli_{kind}.html",
        {"page": data, "database": db.name, "base": base, "json_url": request.path + ".json"},
        request=request,
    )
    return Response.html(html)
