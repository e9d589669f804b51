"""The statement row every query returns, its JSON contract, and small SQL helpers.

Statement dicts follow the JSON contract exactly (see `STATEMENT_KEYS`), so the CLI can dump
them as they are. Every value from the user travels as a parameter, never inside the SQL.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    Connection = sqlite3.Connection | Database
STATEMENT_KEYS: tuple[str, ...] = (
    "id",
    "article_id",
    "source",
    "title",
    "published",
    "speaker",
    "speaker_mention",
    "speaker_role",
    "speaker_kind",
    "cue",
    "kind",
    "content",
    "sentence",
    "topics",
    "speaker_start",
    "speaker_end",
    "cue_start",
    "cue_end",
    "content_start",
    "content_end",
)

STATEMENT_SELECT = """
SELECT
    s.id AS id,
    s.article_id AS article_id,
    a.source AS source,
    a.title AS title,
    a.published AS published,
    ac.name AS speaker,
    s.speaker_mention AS speaker_mention,
    COALESCE(s.speaker_role, ac.role) AS speaker_role,
    ac.kind AS speaker_kind,
    s.cue AS cue,
    s.kind AS kind,
    s.content AS content,
    se.text AS sentence,
    (
        SELECT json_group_array(name) FROM (
            SELECT t.name AS name FROM statement_topics st
            JOIN topics t ON t.id = st.topic_id
            WHERE st.statement_id = s.id
            ORDER BY st.rowid
        )
    ) AS topics,
    s.speaker_start AS speaker_start,
    s.speaker_end AS speaker_end,
    s.cue_start AS cue_start,
    s.cue_end AS cue_end,
    s.content_start AS content_start,
    s.content_end AS content_end
"""

STATEMENT_JOINS = """
JOIN articles a ON a.id = s.article_id
LEFT JOIN actors ac ON ac.id = s.actor_id
LEFT JOIN sentences se ON se.id = s.sentence_id
"""

STATEMENT_FROM = " FROM statements s" + STATEMENT_JOINS

DATE_ORDER = "a.published IS NULL, a.published, s.id"


def fetch_rows(
    db: Connection, sql: str, params: list[Any] | dict[str, Any]
) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, values, strict=True)) for values in cursor.fetchall()]


def statement_row(row: dict[str, Any]) -> dict[str, Any]:
    row["topics"] = json_list(row["topics"])
    return {key: row[key] for key in STATEMENT_KEYS}


def json_list(value: str | None) -> list[str]:
    try:
        loaded = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(v) for v in loaded] if isinstance(loaded, list) else []


def sql_limit(limit: int) -> int:
    """SQLite reads a negative LIMIT as no limit; 0 or less from the user means "all"."""
    return limit if limit > 0 else -1


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
