"""What each archive page shows, read from a plain sqlite3 connection.

Every page is one dict of JSON-ready values: the HTML template renders it and ``.json`` returns
it as it is, so a script sees exactly what a reader sees. Datasette runs these functions on its
own read-only connections (``Database.execute_fn``); they can also be called on any
``sqlite3.Connection`` to a factcli database.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from factcli.queries.actors import actor_roles, actor_topics
from factcli.queries.sql import fetch_rows, json_list
from factcli.web.highlight import Span, segments

PAGE_STATEMENTS = 100
"""Statements listed on an actor or topic page; the full list is one link away (``who_said``)."""
TOP = 15
"""Speakers, topics and outlets listed in a ranking."""
CHART_MONTHS = 120
"""Months drawn at most in a chart (the most recent ones)."""

ARCHIVE_TABLES = frozenset({"articles", "statements", "actors", "topics"})


def is_archive(table_names: set[str] | frozenset[str]) -> bool:
    """A database written by factcli: it has the archive's tables."""
    return set(table_names) >= ARCHIVE_TABLES


def archive_summary(conn: sqlite3.Connection) -> dict[str, Any]:
    """What the archive holds: counts, the date range, the outlets, its top speakers and topics."""
    articles, first, last = conn.execute(
        "SELECT COUNT(*), MIN(published), MAX(published) FROM articles"
    ).fetchone()
    (statements,) = conn.execute("SELECT COUNT(*) FROM statements").fetchone()
    (actors,) = conn.execute("SELECT COUNT(*) FROM actors WHERE statement_count > 0").fetchone()
    (outlet_count,) = conn.execute(
        "SELECT COUNT(DISTINCT outlet COLLATE NOCASE) FROM articles"
    ).fetchone()
    return {
        "articles": articles,
        "statements": statements,
        "actors": actors,
        "first_date": first,
        "last_date": last,
        "outlet_count": outlet_count,
        "outlets": fetch_rows(
            conn,
            """SELECT outlet, COUNT(*) AS articles FROM articles WHERE outlet IS NOT NULL
            GROUP BY outlet COLLATE NOCASE ORDER BY articles DESC, outlet LIMIT ?""",
            [TOP],
        ),
        "speakers": fetch_rows(
            conn,
            """SELECT id, name, role, statement_count AS statements FROM actors
            WHERE statement_count > 0
            ORDER BY statement_count DESC, name COLLATE NOCASE LIMIT ?""",
            [TOP],
        ),
        "topics": fetch_rows(
            conn,
            """SELECT id, name, kind, statement_count AS statements FROM topics
            WHERE statement_count > 0
            ORDER BY statement_count DESC, article_count DESC, name COLLATE NOCASE LIMIT ?""",
            [TOP],
        ),
    }


_STATEMENT_LIST = """
    SELECT s.id AS id, s.content AS content, s.kind AS kind, s.cue AS cue,
           s.speaker_role AS role,
           COALESCE(ac.name, s.anonymous_source, s.speaker_mention) AS speaker,
           s.actor_id AS actor_id, a.id AS article_id, a.title AS article,
           a.published AS date, a.outlet AS outlet
    FROM statements s JOIN articles a ON a.id = s.article_id
    LEFT JOIN actors ac ON ac.id = s.actor_id
"""
_NEWEST_FIRST = "ORDER BY a.published IS NULL, a.published DESC, s.id DESC"


def actor_page(conn: sqlite3.Connection, actor_id: int) -> dict[str, Any] | None:
    """One actor: names and aliases, roles over time, statements per month, topics, and the
    statements newest first; None when there is no such actor."""
    found = fetch_rows(
        conn,
        """SELECT id, name, role, kind, aliases, statement_count AS statements
        FROM actors WHERE id = ?""",
        [actor_id],
    )
    if not found:
        return None
    actor = found[0]
    aliases = json_list(actor.pop("aliases"))
    seen = [r["name"] for r in fetch_rows(conn, _NAMES_SEEN, [actor_id])]
    actor["names"] = _unique([actor["name"], *aliases, *seen])
    actor["roles"] = actor_roles(conn, actor_id)
    actor["months"] = _months(
        conn,
        """SELECT substr(a.published, 1, 7) AS month, COUNT(*) AS statements
        FROM statements s JOIN articles a ON a.id = s.article_id
        WHERE s.actor_id = ? GROUP BY month""",
        [actor_id],
    )
    actor["topics"] = actor_topics(conn, actor_id, TOP)
    actor["statement_list"] = fetch_rows(
        conn,
        f"{_STATEMENT_LIST} WHERE s.actor_id = ? {_NEWEST_FIRST} LIMIT ?",
        [actor_id, PAGE_STATEMENTS],
    )
    return actor


_NAMES_SEEN = """SELECT name FROM article_actors WHERE actor_id = ?
    GROUP BY name COLLATE NOCASE ORDER BY COUNT(*) DESC, name"""


def topic_page(conn: sqlite3.Connection, topic_id: int) -> dict[str, Any] | None:
    """One topic: who speaks about it most, statements per month, the latest statements."""
    found = fetch_rows(
        conn,
        """SELECT id, name, kind, statement_count AS statements, article_count AS articles
        FROM topics WHERE id = ?""",
        [topic_id],
    )
    if not found:
        return None
    topic = found[0]
    topic["speakers"] = fetch_rows(
        conn,
        """SELECT ac.id AS id, ac.name AS name, ac.role AS role,
               COUNT(DISTINCT s.id) AS statements, COUNT(DISTINCT s.article_id) AS articles
        FROM statement_topics st JOIN statements s ON s.id = st.statement_id
        JOIN actors ac ON ac.id = s.actor_id
        WHERE st.topic_id = ?
        GROUP BY ac.id ORDER BY statements DESC, articles DESC, ac.name COLLATE NOCASE
        LIMIT ?""",
        [topic_id, TOP],
    )
    topic["months"] = _months(
        conn,
        """SELECT substr(a.published, 1, 7) AS month, COUNT(*) AS statements
        FROM statement_topics st JOIN statements s ON s.id = st.statement_id
        JOIN articles a ON a.id = s.article_id
        WHERE st.topic_id = ? GROUP BY month""",
        [topic_id],
    )
    topic["statement_list"] = fetch_rows(
        conn,
        f"""{_STATEMENT_LIST} JOIN statement_topics st ON st.statement_id = s.id
        WHERE st.topic_id = ? {_NEWEST_FIRST} LIMIT ?""",
        [topic_id, PAGE_STATEMENTS],
    )
    return topic


def statement_page(conn: sqlite3.Connection, statement_id: int) -> dict[str, Any] | None:
    """One statement in its article: the article's text cut into segments at the content's,
    the cue's and the speaker mention's offsets, its topics, and the other articles that
    carried the same quote."""
    found = fetch_rows(
        conn,
        """SELECT s.id AS id, s.content AS content, s.kind AS kind, s.cue AS cue,
               s.speaker_mention AS speaker_mention, s.speaker_role AS role,
               COALESCE(ac.name, s.anonymous_source, s.speaker_mention) AS speaker,
               s.actor_id AS actor_id,
               s.content_start AS content_start, s.content_end AS content_end,
               s.cue_start AS cue_start, s.cue_end AS cue_end,
               s.speaker_start AS speaker_start, s.speaker_end AS speaker_end,
               a.id AS article_id, a.title AS article, a.published AS date,
               a.published_from AS date_from, a.outlet AS outlet, a.url AS url,
               a.author AS author, a.source AS source,
               a.text AS text
        FROM statements s JOIN articles a ON a.id = s.article_id
        LEFT JOIN actors ac ON ac.id = s.actor_id
        WHERE s.id = ?""",
        [statement_id],
    )
    if not found:
        return None
    page = found[0]
    text = page.pop("text")
    spans = [Span(page["content_start"], page["content_end"], "content")]
    spans.append(Span(page["cue_start"], page["cue_end"], "cue"))
    if page["speaker_start"] is not None and page["speaker_end"] is not None:
        spans.append(Span(page["speaker_start"], page["speaker_end"], "speaker"))
    page["segments"] = segments(text, spans)
    page["topics"] = fetch_rows(
        conn,
        """SELECT t.id AS id, t.name AS name FROM statement_topics st
        JOIN topics t ON t.id = st.topic_id WHERE st.statement_id = ? ORDER BY t.name""",
        [statement_id],
    )
    page["also_carried_by"] = fetch_rows(
        conn,
        """SELECT s.id AS id, a.title AS article, a.outlet AS outlet, a.published AS date
        FROM statement_quotes q JOIN statement_quotes other ON other.quote_id = q.quote_id
        JOIN statements s ON s.id = other.statement_id JOIN articles a ON a.id = s.article_id
        WHERE q.statement_id = ? AND other.statement_id != q.statement_id
        ORDER BY a.published IS NULL, a.published, s.id LIMIT ?""",
        [statement_id, TOP],
    )
    return page


def _months(conn: sqlite3.Connection, sql: str, params: list[Any]) -> dict[str, Any]:
    """Counts per month as a continuous series (months without statements count 0, so gaps
    show), the latest CHART_MONTHS of them, plus the statements without a date."""
    counts = {row[0]: row[1] for row in conn.execute(sql, params)}
    undated = counts.pop(None, 0)
    dated = sorted(m for m in counts if isinstance(m, str) and len(m) == 7 and m[4] == "-")
    series: list[dict[str, Any]] = []
    if dated:
        year, month = int(dated[0][:4]), int(dated[0][5:])
        end = (int(dated[-1][:4]), int(dated[-1][5:]))
        while (year, month) <= end:
            key = f"{year:04d}-{month:02d}"
            series.append({"month": key, "statements": counts.get(key, 0)})
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    series = series[-CHART_MONTHS:]
    peak = max((m["statements"] for m in series), default=0)
    return {"series": series, "peak": peak, "undated": undated}


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())
