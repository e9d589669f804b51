"""Read-only views across a whole archive: actor profiles and timelines, who speaks on a topic,
quotes carried by many outlets, and corpus statistics.

Like `factcli.queries`, every function returns plain dicts and takes user text only as SQL
parameters; statement dicts keep the JSON contract (`queries.STATEMENT_KEYS`).
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError
from factcli.queries import (
    _CLOSE,
    _OPEN,
    _STATEMENT_FROM,
    _STATEMENT_SELECT,
    Hit,
    _json_list,
    _like,
    _limit,
    _match_queries,
    _rows,
    _statement,
    _unmark,
)

if TYPE_CHECKING:
    from factcli.queries import Connection

PROFILE_KEYS: tuple[str, ...] = (
    "name",
    "kind",
    "role",
    "aliases",
    "statements",
    "articles",
    "first_seen",
    "last_seen",
    "roles",
    "topics",
    "also_matching",
)
QUOTE_GROUP_KEYS: tuple[str, ...] = (
    "id",
    "quote_id",
    "speaker",
    "speaker_role",
    "kind",
    "content",
    "articles",
    "statements",
    "first_published",
    "first_article_id",
    "first_title",
    "first_outlet",
)
CARRIER_KEYS: tuple[str, ...] = (
    "statement_id",
    "article_id",
    "published",
    "outlet",
    "title",
    "source",
    "url",
    "speaker_mention",
    "cue",
    "content",
)
SPEAKER_KEYS: tuple[str, ...] = ("name", "role", "kind", "statements", "articles")

_TOP_TOPICS = 10
_DATE_ORDER = "a.published IS NULL, a.published, s.id"


def matching_actors(db: Connection, name: str) -> list[tuple[int, str]]:
    """Actors whose name or alias contains `name`, best first: the exact name, then an exact
    alias, then the most quoted."""
    name = name.strip()
    if not name:
        return []
    rows = db.execute(
        """
        SELECT ac.id, ac.name,
               ac.name = :name COLLATE NOCASE AS exact,
               EXISTS (SELECT 1 FROM json_each(ac.aliases) WHERE value = :name COLLATE NOCASE)
                   AS alias,
               (SELECT COUNT(*) FROM statements s WHERE s.actor_id = ac.id) AS n
        FROM actors ac
        WHERE ac.name LIKE :pattern ESCAPE '\\' OR EXISTS (
            SELECT 1 FROM json_each(ac.aliases) WHERE value LIKE :pattern ESCAPE '\\'
        )
        ORDER BY exact DESC, alias DESC, n DESC, ac.name COLLATE NOCASE
        """,
        {"name": name, "pattern": _like(name)},
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows if r[4] or r[2]]


def actor_profile(db: Connection, name: str) -> dict[str, Any] | None:
    """The best-matching actor: roles with the dates they were seen, statement and article
    counts, the topics they speak about most, first and last seen; None when no actor
    matches."""
    found = matching_actors(db, name)
    if not found:
        return None
    actor_id = found[0][0]
    row = _rows(
        db,
        """
        SELECT ac.name AS name, ac.kind AS kind, ac.role AS role, ac.aliases AS aliases,
               (SELECT COUNT(*) FROM statements s WHERE s.actor_id = ac.id) AS statements,
               (SELECT COUNT(DISTINCT s.article_id) FROM statements s
                WHERE s.actor_id = ac.id) AS articles
        FROM actors ac WHERE ac.id = ?
        """,
        [actor_id],
    )[0]
    row["aliases"] = _json_list(row["aliases"])
    seen = db.execute(
        "SELECT MIN(a.published), MAX(a.published) FROM articles a WHERE a.id IN ("
        " SELECT article_id FROM article_actors WHERE actor_id = ?"
        " UNION SELECT article_id FROM statements WHERE actor_id = ?)",
        [actor_id, actor_id],
    ).fetchone()
    row["first_seen"], row["last_seen"] = seen
    row["roles"] = _rows(
        db,
        """
        SELECT MIN(aa.role) AS role, MIN(a.published) AS first_seen,
               MAX(a.published) AS last_seen, COUNT(DISTINCT aa.article_id) AS articles
        FROM article_actors aa JOIN articles a ON a.id = aa.article_id
        WHERE aa.actor_id = ? AND aa.role IS NOT NULL
        GROUP BY aa.role COLLATE NOCASE
        ORDER BY first_seen IS NULL, first_seen, articles DESC
        """,
        [actor_id],
    )
    row["topics"] = _rows(
        db,
        """
        SELECT t.name AS name, COUNT(*) AS statements
        FROM statements s JOIN statement_topics st ON st.statement_id = s.id
        JOIN topics t ON t.id = st.topic_id
        WHERE s.actor_id = ?
        GROUP BY t.id ORDER BY statements DESC, t.name COLLATE NOCASE LIMIT ?
        """,
        [actor_id, _TOP_TOPICS],
    )
    row["also_matching"] = [n for _, n in found[1:6]]
    return {key: row[key] for key in PROFILE_KEYS}


def actor_timeline(db: Connection, name: str, limit: int = 0) -> list[dict[str, Any]]:
    """The best-matching actor's statements in date order (undated last)."""
    found = matching_actors(db, name)
    if not found:
        return []
    sql = _STATEMENT_SELECT + _STATEMENT_FROM + f" WHERE s.actor_id = ? ORDER BY {_DATE_ORDER}"
    return [_statement(r) for r in _rows(db, sql + " LIMIT ?", [found[0][0], _limit(limit)])]


def topic_speakers(db: Connection, name: str, limit: int = 10) -> list[dict[str, Any]]:
    """Who speaks about a topic most: actors with their statements (and articles) on it.

    The topic is found as in `queries.statements_on_topic`: exact name, else containing it.
    """
    name = name.strip()
    if not name:
        return []
    exact = db.execute("SELECT id FROM topics WHERE name = ?", [name]).fetchall()
    if exact:
        condition, params = "st.topic_id = ?", [exact[0][0]]
    else:
        condition = "st.topic_id IN (SELECT id FROM topics WHERE name LIKE ? ESCAPE '\\')"
        params = [_like(name)]
    sql = f"""
        SELECT ac.name AS name, ac.role AS role, ac.kind AS kind,
               COUNT(DISTINCT s.id) AS statements, COUNT(DISTINCT s.article_id) AS articles
        FROM statement_topics st JOIN statements s ON s.id = st.statement_id
        JOIN actors ac ON ac.id = s.actor_id
        WHERE {condition}
        GROUP BY ac.id
        ORDER BY statements DESC, articles DESC, ac.name COLLATE NOCASE
        LIMIT ?
    """
    return _rows(db, sql, [*params, _limit(limit)])


def who_said_grouped(db: Connection, text: str, limit: int = 20, *, raw: bool = False) -> list[Hit]:
    """`queries.who_said`, with near-identical quotes of one speaker shown once.

    Each hit is the best-matching statement of a quote group (its `id` works with `quote`),
    with how many articles carried the quote and the earliest date it was published. Matching
    is the same as `who_said`'s (prefix retry and `raw` included).
    """
    chosen: dict[int, int] = {}
    query = ""
    wanted = _limit(limit)
    for query in _match_queries(text, raw):
        # rank inside the full-text index a page at a time (a top-N sort, not a join of every
        # match), and widen the page until enough distinct quotes are found or matches run out
        page = 4 * wanted + 20 if wanted > 0 else -1
        while True:
            rows = _ranked(db, query, raw, page).fetchall()
            chosen.clear()
            for statement_id, quote_id in rows:
                if quote_id not in chosen:
                    chosen[quote_id] = statement_id
                    if len(chosen) == wanted:
                        break
            if len(chosen) == wanted or page < 0 or len(rows) < page:
                break
            page *= 4
        if chosen:
            break
    hits = []
    for quote_id, statement_id in chosen.items():
        sql = (
            _STATEMENT_SELECT
            + f", highlight(statements_fts, 0, '{_OPEN}', '{_CLOSE}') AS _marked"
            + _STATEMENT_FROM
            + " JOIN statements_fts ON statements_fts.rowid = s.id"
            " WHERE statements_fts MATCH ? AND s.id = ?"
        )
        row = _rows(db, sql, [query, statement_id])[0]
        plain, ranges = _unmark(row.pop("_marked"))
        group = _group_summary(db, quote_id, statement_id)
        record = {
            **{k: row[k] for k in ("id", "speaker", "speaker_role", "kind", "content")},
            **group,
        }
        hits.append(
            Hit(
                {key: record[key] for key in QUOTE_GROUP_KEYS},
                "content",
                ranges if plain == row["content"] else (),
            )
        )
    return hits


def _ranked(db: Connection, query: str, raw: bool, limit: int) -> Any:
    """(statement id, quote id) of the `limit` best matches, best first; a raw query FTS5
    cannot parse is one line."""
    sql = (
        "WITH hits AS (SELECT rowid AS id, bm25(statements_fts) AS score FROM statements_fts"
        " WHERE statements_fts MATCH ? ORDER BY score, rowid LIMIT ?)"
        " SELECT hits.id, COALESCE(sq.quote_id, hits.id) FROM hits"
        " LEFT JOIN statement_quotes sq ON sq.statement_id = hits.id"
        " ORDER BY hits.score, hits.id"
    )
    try:
        return db.execute(sql, [query, limit])
    except sqlite3.OperationalError as e:
        if not raw or "locked" in str(e):
            raise
        raise FactcliError(f"not a valid FTS5 query {query!r}: {e}", exit_code=2) from None


def _group_summary(db: Connection, quote_id: int, statement_id: int) -> dict[str, Any]:
    members = "SELECT statement_id FROM statement_quotes WHERE quote_id = :q UNION SELECT :s"
    first = db.execute(
        f"SELECT a.id, a.published, a.title, a.outlet FROM statements s"
        f" JOIN articles a ON a.id = s.article_id WHERE s.id IN ({members})"
        f" ORDER BY {_DATE_ORDER} LIMIT 1",
        {"q": quote_id, "s": statement_id},
    ).fetchone()
    counts = db.execute(
        f"SELECT COUNT(DISTINCT s.article_id), COUNT(*) FROM statements s"
        f" WHERE s.id IN ({members})",
        {"q": quote_id, "s": statement_id},
    ).fetchone()
    return {
        "quote_id": quote_id,
        "articles": counts[0],
        "statements": counts[1],
        "first_published": first[1],
        "first_article_id": first[0],
        "first_title": first[2],
        "first_outlet": first[3],
    }


def quote(db: Connection, statement_id: int, limit: int = 0) -> dict[str, Any]:
    """A statement's quote: its speaker and words, how many articles carried it, and the
    first `limit` of them (0 for all), earliest first."""
    row = db.execute(
        "SELECT s.id, COALESCE(sq.quote_id, s.id) FROM statements s"
        " LEFT JOIN statement_quotes sq ON sq.statement_id = s.id WHERE s.id = ?",
        [statement_id],
    ).fetchone()
    if row is None:
        raise FactcliError(f"no statement with id {statement_id}; see factcli who-said")
    quote_id = int(row[1])
    carriers = _rows(
        db,
        f"""
        SELECT s.id AS statement_id, a.id AS article_id, a.published AS published,
               a.outlet AS outlet, a.title AS title, a.source AS source, a.url AS url,
               s.speaker_mention AS speaker_mention, s.cue AS cue, s.content AS content
        FROM statements s JOIN articles a ON a.id = s.article_id
        WHERE s.id IN (SELECT statement_id FROM statement_quotes WHERE quote_id = :q
                       UNION SELECT :s)
        ORDER BY {_DATE_ORDER}
        LIMIT :limit
        """,
        {"q": quote_id, "s": statement_id, "limit": _limit(limit)},
    )
    articles = db.execute(
        "SELECT COUNT(DISTINCT article_id) FROM statements WHERE id IN ("
        " SELECT statement_id FROM statement_quotes WHERE quote_id = ? UNION SELECT ?)",
        [quote_id, statement_id],
    ).fetchone()[0]
    head = _rows(
        db,
        _STATEMENT_SELECT + _STATEMENT_FROM + " WHERE s.id = ?",
        [carriers[0]["statement_id"]],
    )[0]
    return {
        "id": statement_id,
        "quote_id": quote_id,
        "speaker": head["speaker"],
        "speaker_role": head["speaker_role"],
        "content": head["content"],
        "articles": articles,
        "first_published": carriers[0]["published"],
        "carried_by": carriers,
    }


def stats(db: Connection, top: int = 10) -> dict[str, Any]:
    """Articles, statements by kind, actors, topics, outlets, the date range, top speakers."""
    one = db.execute(
        """
        SELECT (SELECT COUNT(*) FROM articles),
               (SELECT COUNT(*) FROM statements),
               (SELECT COUNT(*) FROM actors WHERE statement_count > 0),
               (SELECT COUNT(*) FROM topics),
               (SELECT COUNT(DISTINCT outlet) FROM articles),
               (SELECT MIN(published) FROM articles),
               (SELECT MAX(published) FROM articles),
               (SELECT COUNT(*) FROM articles WHERE published IS NULL),
               (SELECT COUNT(*) FROM (SELECT sq.quote_id FROM statement_quotes sq
                    JOIN statements s ON s.id = sq.statement_id
                    GROUP BY sq.quote_id HAVING COUNT(DISTINCT s.article_id) > 1))
        """
    ).fetchone()
    by_kind = dict(
        db.execute("SELECT kind, COUNT(*) FROM statements GROUP BY kind ORDER BY kind").fetchall()
    )
    speakers = _rows(
        db,
        """
        SELECT name, role, statement_count AS statements
        FROM actors WHERE statement_count > 0
        ORDER BY statement_count DESC, name COLLATE NOCASE LIMIT ?
        """,
        [_limit(top)],
    )
    return {
        "articles": one[0],
        "statements": one[1],
        "statements_by_kind": {k: by_kind.get(k, 0) for k in ("direct", "indirect", "mixed")},
        "actors": one[2],
        "topics": one[3],
        "outlets": one[4],
        "first_published": one[5],
        "last_published": one[6],
        "undated_articles": one[7],
        "quotes_in_several_articles": one[8],
        "top_speakers": speakers,
        "extractors": _rows(
            db,
            """
            SELECT extractor, model_version, spacy_pipeline, COUNT(*) AS articles
            FROM articles GROUP BY extractor, model_version, spacy_pipeline
            ORDER BY articles DESC, extractor
            """,
            [],
        ),
    }


def stats_records(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """`stats` as flat ``{"key", "value"}`` records, for CSV."""
    records = []
    for key, value in summary.items():
        if isinstance(value, dict):
            records += [{"key": f"{key}.{k}", "value": v} for k, v in value.items()]
        elif isinstance(value, list):
            records += [
                {"key": f"{key}.{i}", "value": json.dumps(v, ensure_ascii=False)}
                for i, v in enumerate(value, start=1)
            ]
        else:
            records.append({"key": key, "value": value})
    return records
