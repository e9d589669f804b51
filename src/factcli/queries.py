"""Read-only queries returning plain dicts; every value from the user travels as a parameter.

Statement dicts follow the JSON contract exactly (see `STATEMENT_KEYS`), so the CLI can dump
them as they are. Full-text matches come back as `Hit`s: the dict plus the matched character
ranges, kept apart so the contract stays stable while a table can still highlight the match.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError

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
MIN_PREFIX_CHARS = 3

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

_STATEMENT_JOINS = """
JOIN articles a ON a.id = s.article_id
LEFT JOIN actors ac ON ac.id = s.actor_id
LEFT JOIN sentences se ON se.id = s.sentence_id
"""

_STATEMENT_FROM = " FROM statements s" + _STATEMENT_JOINS


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
    tokens = _tokens(text)
    if not tokens:
        return None
    return " ".join(_quoted(token) for token in tokens)


def fts_prefix_query(text: str) -> str | None:
    """The looser query tried when `fts_query` finds nothing: each token as a prefix.

    A doubled final letter and then the last letter of tokens of five or more characters are
    dropped first, because the porter stemmer also stems a prefix ("zelensky" → "zelenski",
    which is no prefix of the indexed "zelenskyi"): "Zelensky" and "Zelenskyy" both become
    "Zelensk"* and find either spelling. Still only quoted strings.
    """
    parts = []
    for token in _tokens(text):
        if len(token) >= MIN_PREFIX_CHARS + 2:
            if token[-1] == token[-2] and token[-1].isalpha():
                token = token[:-1]
            token = token[:-1]
        parts.append(_quoted(token) + ("*" if len(token) >= MIN_PREFIX_CHARS else ""))
    return " ".join(parts) or None


def _tokens(text: str) -> list[str]:
    return text.replace("\x00", " ").split()[:MAX_QUERY_TOKENS]


def _match_queries(text: str, raw: bool) -> list[str]:
    """The MATCH expressions to try in turn until one finds something."""
    if raw:
        return [text] if text.strip() else []
    queries: list[str] = []
    for query in (fts_query(text), fts_prefix_query(text)):
        if query is not None and query not in queries:
            queries.append(query)
    return queries


def _match(db: Connection, sql: str, params: dict[str, Any], raw: bool) -> list[dict[str, Any]]:
    """Run a full-text `sql` whose MATCH parameter is `:query`; a raw (--fts) query that FTS5
    cannot parse becomes one FactcliError line instead of an SQLite error."""
    try:
        return _rows(db, sql, params)
    except sqlite3.OperationalError as e:
        reason = str(e)
        if not raw or "locked" in reason or "no such table" in reason:
            raise
        query = params["query"]
        raise FactcliError(f"not a valid FTS5 query {query!r}: {reason}", exit_code=2) from None


def who_said(db: Connection, text: str, limit: int = 20, *, raw: bool = False) -> list[Hit]:
    """Statements whose content matches `text`, best match first (bm25).

    Words match in any case and with or without accents; when no statement has them all, the
    words are tried again as prefixes (see `fts_prefix_query`). With `raw`, `text` is FTS5
    query syntax, passed as it is (still as a parameter).

    The full-text index ranks and cuts to `limit` first; only the statements kept are joined to
    their articles, actors and sentences and highlighted, so a common word in a million
    statements costs one pass over its posting list and `limit` row lookups.
    """
    sql = (
        "WITH hits AS ("
        " SELECT rowid AS id, bm25(statements_fts) AS score FROM statements_fts"
        " WHERE statements_fts MATCH :query ORDER BY score, rowid LIMIT :limit)"
        + _STATEMENT_SELECT
        + ", (SELECT highlight(statements_fts, 0, :open, :close) FROM statements_fts"
        " WHERE statements_fts MATCH :query AND rowid = s.id) AS _marked"
        " FROM hits JOIN statements s ON s.id = hits.id"
        + _STATEMENT_JOINS
        + " ORDER BY hits.score, s.id"
    )
    hits = []
    for query in _match_queries(text, raw):
        params = {"query": query, "limit": _limit(limit), "open": _OPEN, "close": _CLOSE}
        for row in _match(db, sql, params, raw):
            marked = row.pop("_marked") or ""
            plain, ranges = _unmark(marked)
            hits.append(Hit(_statement(row), "content", ranges if plain == row["content"] else ()))
        if hits:
            break
    return hits


def statements_by_actor(db: Connection, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements by every actor whose name or an alias contains `name`, case-insensitively.

    Partial matching is what lets `actor hegseth` find "Pete Hegseth". From three characters
    on, the trigram index of names narrows the actors down first; LIKE then decides, so the
    answer is the same either way.
    """
    if not name.strip():
        return []
    needle = name.strip()
    params = {"pattern": _like(needle), "limit": _limit(limit), "trigrams": _quoted(needle)}
    candidates = (
        "id IN (SELECT actor_id FROM actor_names WHERE actor_names MATCH :trigrams) AND "
        if len(needle) >= 3
        else ""
    )
    sql = (
        "WITH matching AS ("
        f" SELECT id FROM actors WHERE {candidates}(name LIKE :pattern ESCAPE '\\' OR EXISTS ("
        "  SELECT 1 FROM json_each(actors.aliases) WHERE value LIKE :pattern ESCAPE '\\'))),"
        " ids AS (SELECT id FROM statements WHERE actor_id IN matching ORDER BY id LIMIT :limit)"
        + _STATEMENT_SELECT
        + " FROM ids JOIN statements s ON s.id = ids.id"
        + _STATEMENT_JOINS
        + " ORDER BY s.id"
    )
    return [_statement(r) for r in _rows(db, sql, params)]


def actors(db: Connection, limit: int = 50) -> list[dict[str, Any]]:
    """Speakers (actors with at least one statement), most quoted first.

    The counts are kept up to date by the database (see the second migration), so this reads
    the first `limit` entries of an index instead of counting a million statements.
    """
    sql = """
        SELECT name, role, kind, aliases, statement_count AS statements
        FROM actors
        WHERE statement_count > 0
        ORDER BY statement_count DESC, name COLLATE NOCASE
        LIMIT ?
    """
    rows = _rows(db, sql, [_limit(limit)])
    for row in rows:
        row["aliases"] = _json_list(row["aliases"])
    return rows


def topics(
    db: Connection,
    limit: int = 50,
    *,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """Topics ranked by how much the archive is about them: the number of articles in which a
    topic is salient, weighted by its specificity (`score`); then by articles mentioning it.

    Without dates the ranking is the store's own (kept by triggers, read through an index);
    `since` and `until` (ISO dates, inclusive) rank the topics of the dated articles in range.
    """
    if since is None and until is None:
        sql = f"""
            SELECT name, kind, salient_count AS salient, article_count AS articles,
                   statement_count AS statements, ROUND(score, 2) AS score
            FROM topics
            WHERE (article_count > 0 OR statement_count > 0){" AND kind = :kind" if kind else ""}
            ORDER BY topics.score DESC, article_count DESC, topics.name COLLATE NOCASE
            LIMIT :limit
        """
        return _rows(db, sql, {"kind": kind, "limit": _limit(limit)})
    sql = """
        WITH ranked AS (
            SELECT at.topic_id AS id, SUM(at.salient) AS salient, COUNT(*) AS articles
            FROM articles a JOIN article_topics at ON at.article_id = a.id
            WHERE a.published IS NOT NULL
              AND (:since IS NULL OR a.published >= :since)
              AND (:until IS NULL OR a.published <= :until)
            GROUP BY at.topic_id
        )
        SELECT t.name AS name, t.kind AS kind, r.salient AS salient, r.articles AS articles,
               (SELECT COUNT(*) FROM statement_topics st JOIN statements s ON s.id = st.statement_id
                JOIN articles a ON a.id = s.article_id
                WHERE st.topic_id = t.id AND a.published IS NOT NULL
                  AND (:since IS NULL OR a.published >= :since)
                  AND (:until IS NULL OR a.published <= :until)) AS statements,
               ROUND(r.salient * t.specificity, 2) AS score
        FROM ranked r JOIN topics t ON t.id = r.id
        WHERE (:kind IS NULL OR t.kind = :kind)
        ORDER BY r.salient * t.specificity DESC, r.articles DESC, t.name COLLATE NOCASE
        LIMIT :limit
    """
    params = {"kind": kind, "since": since, "until": until, "limit": _limit(limit)}
    return _rows(db, sql, params)


def topic_ids(db: Connection, name: str) -> list[int]:
    """The topics `name` means: its own spelling in any case and its variants ("interest rates",
    "rates of interest" → "interest rate"), else every topic whose name contains it, so that
    `topic tariff` still finds "trade tariff"."""
    from factcli.topics import name_variants

    variants = name_variants(name)
    marks = ", ".join("?" for _ in variants)
    found = db.execute(f"SELECT id FROM topics WHERE name IN ({marks})", variants).fetchall()
    if not found:
        found = db.execute(
            "SELECT id FROM topics WHERE name LIKE ? ESCAPE '\\'", [_like(name)]
        ).fetchall()
    return [int(row[0]) for row in found]


def statements_on_topic(db: Connection, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements tagged with the topic `name` or its variants (see `topic_ids`)."""
    name = name.strip()
    if not name:
        return []
    ids = topic_ids(db, name)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    sql = (
        "WITH ids AS (SELECT DISTINCT statement_id AS id FROM statement_topics"
        f" WHERE topic_id IN ({marks}) ORDER BY statement_id LIMIT ?)"
        + _STATEMENT_SELECT
        + " FROM ids JOIN statements s ON s.id = ids.id"
        + _STATEMENT_JOINS
        + " ORDER BY s.id"
    )
    return [_statement(r) for r in _rows(db, sql, [*ids, _limit(limit)])]


def search_sentences(db: Connection, text: str, limit: int = 20, *, raw: bool = False) -> list[Hit]:
    """Every sentence matching `text`, attributed or not, with a snippet around the match.

    Matching works as in `who_said` (prefix retry and `raw` included), and is ranked and cut
    to `limit` inside the full-text index first.
    """
    sql = """
        WITH hits AS (
            SELECT rowid AS id, bm25(sentences_fts) AS score FROM sentences_fts
            WHERE sentences_fts MATCH :query ORDER BY score, rowid LIMIT :limit
        )
        SELECT se.id AS id, se.article_id AS article_id, a.source AS source, a.title AS title,
               a.published AS published, se.idx AS sentence_index, se.paragraph AS paragraph,
               se.start AS start, se."end" AS "end", se.text AS text,
               (SELECT snippet(sentences_fts, 0, :open, :close, '…', 24) FROM sentences_fts
                WHERE sentences_fts MATCH :query AND rowid = se.id) AS snippet
        FROM hits
        JOIN sentences se ON se.id = hits.id
        JOIN articles a ON a.id = se.article_id
        ORDER BY hits.score, se.id
    """
    hits = []
    for query in _match_queries(text, raw):
        params = {"query": query, "limit": _limit(limit), "open": _OPEN, "close": _CLOSE}
        for row in _match(db, sql, params, raw):
            row["snippet"], ranges = _unmark(row["snippet"] or "")
            hits.append(Hit(row, "snippet", ranges))
        if hits:
            break
    return hits


def articles(
    db: Connection,
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


def article(db: Connection, article_id: int) -> dict[str, Any]:
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


def export(db: Connection) -> Iterator[dict[str, Any]]:
    """Every statement in id order, streamed so a large archive never sits in memory."""
    sql = _STATEMENT_SELECT + _STATEMENT_FROM + " ORDER BY s.id"
    cursor = db.execute(sql)
    keys = [d[0] for d in cursor.description]
    for values in cursor:
        yield _statement(dict(zip(keys, values, strict=True)))


def _rows(db: Connection, sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
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


def _quoted(text: str) -> str:
    """`text` as one FTS5 string, which a trigram index matches anywhere inside a name."""
    return '"' + text.replace("\x00", " ").replace('"', '""') + '"'


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
