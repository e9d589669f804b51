"""Read-only queries returning plain dicts; every value from the user travels as a parameter.

Statement dicts follow the JSON contract exactly (see `STATEMENT_KEYS`), so the CLI can dump
them as they are. Full-text matches come back as `Hit`s: the dict plus the matched character
ranges, kept apart so the contract stays stable while a table can still highlight the match.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError

if TYPE_CHECKING:
    from sqlite_utils import Database

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

SENTENCE_KEYS: tuple[str, ...] = (
    "id",
    "article_id",
    "source",
    "title",
    "published",
    "sentence_index",
    "paragraph",
    "start",
    "end",
    "text",
    "snippet",
)

ARTICLE_KEYS: tuple[str, ...] = (
    "id",
    "source",
    "title",
    "published",
    "sha256",
    "ingested_at",
    "sentences",
    "statements",
    "outlet",
    "url",
)

MAX_QUERY_TOKENS = 64

# Private-use characters mark matches inside highlight()/snippet() output; they never occur in
# news text, and if one does the match ranges are simply dropped.
_OPEN = "\ue000"
_CLOSE = "\ue001"

_STATEMENT_SELECT = """
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

_STATEMENT_FROM = """
FROM statements s
JOIN articles a ON a.id = s.article_id
LEFT JOIN actors ac ON ac.id = s.actor_id
LEFT JOIN sentences se ON se.id = s.sentence_id
"""


@dataclass(frozen=True)
class Hit:
    """A full-text match: `row` as any other query returns it, `highlights` as (start, end)
    ranges into `row[field]` (the statement content, or the sentence snippet)."""

    row: dict[str, Any]
    field: str
    highlights: tuple[tuple[int, int], ...] = ()


def fts_query(text: str) -> str | None:
    """Turn what a user typed into an FTS5 query that can never be a syntax error.

    Each whitespace-separated token becomes a quoted FTS string (inner quotes doubled), and
    tokens are ANDed: `"`, `-`, `*`, `AND`, `NEAR(` and `'; DROP TABLE` are all just words.
    NUL ends a string inside FTS5's parser, so it counts as a space. None when nothing
    searchable is left.
    """
    tokens = text.replace("\x00", " ").split()[:MAX_QUERY_TOKENS]
    if not tokens:
        return None
    return " ".join('"' + token.replace('"', '""') + '"' for token in tokens)


def who_said(db: Database, text: str, limit: int = 20) -> list[Hit]:
    """Statements whose content matches `text`, best match first (bm25)."""
    query = fts_query(text)
    if query is None:
        return []
    sql = (
        _STATEMENT_SELECT
        + f", highlight(statements_fts, 0, '{_OPEN}', '{_CLOSE}') AS _marked"
        + _STATEMENT_FROM
        + " JOIN statements_fts ON statements_fts.rowid = s.id"
        " WHERE statements_fts MATCH ? ORDER BY bm25(statements_fts), s.id LIMIT ?"
    )
    hits = []
    for row in _rows(db, sql, [query, _limit(limit)]):
        marked = row.pop("_marked")
        plain, ranges = _unmark(marked)
        hits.append(Hit(_statement(row), "content", ranges if plain == row["content"] else ()))
    return hits


def statements_by_actor(db: Database, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements by every actor whose name or an alias contains `name`, case-insensitively.

    Partial matching is what lets `actor hegseth` find "Pete Hegseth".
    """
    if not name.strip():
        return []
    pattern = _like(name.strip())
    matching_actors = """
        SELECT id FROM actors WHERE name LIKE :pattern ESCAPE '\\' OR EXISTS (
            SELECT 1 FROM json_each(actors.aliases) WHERE value LIKE :pattern ESCAPE '\\'
        )
    """
    sql = (
        _STATEMENT_SELECT
        + _STATEMENT_FROM
        + f" WHERE s.actor_id IN ({matching_actors}) ORDER BY s.id LIMIT :limit"
    )
    return [_statement(r) for r in _rows(db, sql, {"pattern": pattern, "limit": _limit(limit)})]


def actors(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    """Speakers (actors with at least one statement), most quoted first."""
    sql = """
        SELECT ac.name AS name, ac.role AS role, ac.kind AS kind, ac.aliases AS aliases,
               COUNT(s.id) AS statements
        FROM actors ac JOIN statements s ON s.actor_id = ac.id
        GROUP BY ac.id
        ORDER BY statements DESC, ac.name COLLATE NOCASE
        LIMIT ?
    """
    rows = _rows(db, sql, [_limit(limit)])
    for row in rows:
        row["aliases"] = _json_list(row["aliases"])
    return rows


def topics(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    """Topics with how many statements and articles touch them, most discussed first."""
    sql = """
        SELECT t.name AS name, t.kind AS kind,
               (SELECT COUNT(*) FROM statement_topics st WHERE st.topic_id = t.id) AS statements,
               (SELECT COUNT(*) FROM article_topics at WHERE at.topic_id = t.id) AS articles
        FROM topics t
        WHERE articles > 0 OR statements > 0
        ORDER BY statements DESC, articles DESC, t.name COLLATE NOCASE
        LIMIT ?
    """
    return _rows(db, sql, [_limit(limit)])


def statements_on_topic(db: Database, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements tagged with the topic `name` (case-insensitive); if no topic has exactly that
    name, topics containing it, so `topic tariff` still finds "trade tariffs"."""
    name = name.strip()
    if not name:
        return []
    exact = db.execute("SELECT id FROM topics WHERE name = ?", [name]).fetchall()
    if exact:
        condition, params = "st.topic_id = ?", [exact[0][0]]
    else:
        condition = "st.topic_id IN (SELECT id FROM topics WHERE name LIKE ? ESCAPE '\\')"
        params = [_like(name)]
    sql = (
        _STATEMENT_SELECT
        + _STATEMENT_FROM
        + f" WHERE s.id IN (SELECT st.statement_id FROM statement_topics st WHERE {condition})"
        " ORDER BY s.id LIMIT ?"
    )
    return [_statement(r) for r in _rows(db, sql, [*params, _limit(limit)])]


def search_sentences(db: Database, text: str, limit: int = 20) -> list[Hit]:
    """Every sentence matching `text`, attributed or not, with a snippet around the match."""
    query = fts_query(text)
    if query is None:
        return []
    sql = f"""
        SELECT se.id AS id, se.article_id AS article_id, a.source AS source, a.title AS title,
               a.published AS published, se.idx AS sentence_index, se.paragraph AS paragraph,
               se.start AS start, se."end" AS "end", se.text AS text,
               snippet(sentences_fts, 0, '{_OPEN}', '{_CLOSE}', '…', 24) AS snippet
        FROM sentences_fts
        JOIN sentences se ON se.id = sentences_fts.rowid
        JOIN articles a ON a.id = se.article_id
        WHERE sentences_fts MATCH ?
        ORDER BY bm25(sentences_fts), se.id
        LIMIT ?
    """
    hits = []
    for row in _rows(db, sql, [query, _limit(limit)]):
        row["snippet"], ranges = _unmark(row["snippet"])
        hits.append(Hit(row, "snippet", ranges))
    return hits


def articles(
    db: Database,
    limit: int = 50,
    *,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """Stored articles in the order they were ingested, with sentence and statement counts.

    `source` keeps articles from that outlet (any case) or whose path or URL contains it;
    `since` and `until` (ISO dates, inclusive) keep dated articles in that range.
    """
    sql = """
        SELECT a.id AS id, a.source AS source, a.title AS title, a.published AS published,
               a.sha256 AS sha256, a.ingested_at AS ingested_at,
               (SELECT COUNT(*) FROM sentences se WHERE se.article_id = a.id) AS sentences,
               (SELECT COUNT(*) FROM statements s WHERE s.article_id = a.id) AS statements,
               a.outlet AS outlet, a.url AS url
        FROM articles a
        WHERE (:source IS NULL OR a.outlet = :source COLLATE NOCASE
               OR a.source LIKE :pattern ESCAPE '\\' OR a.url LIKE :pattern ESCAPE '\\')
          AND (:since IS NULL OR a.published >= :since)
          AND (:until IS NULL OR a.published <= :until)
        ORDER BY a.id
        LIMIT :limit
    """
    params = {
        "source": source,
        "pattern": _like(source) if source else None,
        "since": since,
        "until": until,
        "limit": _limit(limit),
    }
    return _rows(db, sql, params)


def article(db: Database, article_id: int) -> dict[str, Any]:
    """One article with its text and all of its statements in order."""
    rows = _rows(
        db,
        "SELECT id, source, title, published, sha256, ingested_at, body_start, text"
        " FROM articles WHERE id = ?",
        [article_id],
    )
    if not rows:
        raise FactcliError(f"no article with id {article_id}; see factcli articles")
    result = rows[0]
    sql = _STATEMENT_SELECT + _STATEMENT_FROM + " WHERE s.article_id = ? ORDER BY s.id"
    result["statements"] = [_statement(r) for r in _rows(db, sql, [article_id])]
    return result


def export(db: Database) -> Iterator[dict[str, Any]]:
    """Every statement in id order, streamed so a large archive never sits in memory."""
    sql = _STATEMENT_SELECT + _STATEMENT_FROM + " ORDER BY s.id"
    cursor = db.execute(sql)
    keys = [d[0] for d in cursor.description]
    for values in cursor:
        yield _statement(dict(zip(keys, values, strict=True)))


def _rows(db: Database, sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, values, strict=True)) for values in cursor.fetchall()]


def _statement(row: dict[str, Any]) -> dict[str, Any]:
    row["topics"] = _json_list(row["topics"])
    return {key: row[key] for key in STATEMENT_KEYS}


def _json_list(value: str | None) -> list[str]:
    try:
        loaded = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(v) for v in loaded] if isinstance(loaded, list) else []


def _limit(limit: int) -> int:
    """SQLite reads a negative LIMIT as no limit; 0 or less from the user means "all"."""
    return limit if limit > 0 else -1


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Strip the match markers, returning the plain text and the marked ranges within it."""
    plain: list[str] = []
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for char in marked:
        if char == _OPEN:
            start = len(plain)
        elif char == _CLOSE:
            if start is not None and start < len(plain):
                ranges.append((start, len(plain)))
            start = None
        else:
            plain.append(char)
    return "".join(plain), tuple(ranges)
