"""Query a dataset in place with DuckDB (in-process): for archives SQLite cannot hold.

Answers follow the JSON contract of the SQLite queries (`queries.sql.STATEMENT_KEYS`, the
columns of `queries.topics.topics`). A statement's `id` is ``<sha256>:<position>`` and its
`article_id` the article's SHA-256: a dataset has no database ids. Keyword match is a
case-insensitive match of whole words (every word of the query must occur), in input order,
not a bm25 ranking.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from factcli.errors import FactcliError

_WORD = re.compile(r"\w+")

_STATEMENT_COLUMNS = """
SELECT
    s.sha256 || ':' || s.statement_index AS id,
    s.sha256 AS article_id,
    s.source, s.title, s.published,
    COALESCE(ac.name, s.speaker) AS speaker,
    s.speaker_mention,
    COALESCE(s.speaker_role, ac.role) AS speaker_role,
    COALESCE(ac.kind, s.speaker_kind) AS speaker_kind,
    s.cue, s.kind, s.content, s.sentence, s.topics,
    s.speaker_start, s.speaker_end, s.cue_start, s.cue_end, s.content_start, s.content_end
"""

_STATEMENT_JOINS = """
LEFT JOIN actor_mentions m ON m.sha256 = s.sha256 AND m.name_key = s.speaker_key
LEFT JOIN actors ac ON ac.actor_id = m.actor_id
"""

_STATEMENT_SELECT = _STATEMENT_COLUMNS + " FROM statements s" + _STATEMENT_JOINS


def connect(dataset: Path) -> Any:
    """An in-memory DuckDB connection with one view per table of the dataset."""
    from factcli.dataset.load import check_dataset

    dataset = Path(dataset)
    check_dataset(dataset)
    try:
        import duckdb
    except ImportError:  # pragma: no cover - depends on the installation
        raise FactcliError("--dataset needs the dask extra: pip install 'factcli[dask]'") from None
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    for table in ("articles", "statements"):
        pattern = _literal(str(dataset / table / "*" / "*.parquet"))
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM"
            f" read_parquet({pattern}, hive_partitioning = true)"
        )
    for table in ("actors", "actor_mentions"):
        path = _literal(str(dataset / table / "part-0.parquet"))
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({path})")
    return con


def _literal(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _rows(con: Any, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def who_said(con: Any, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements whose content holds every word of `text` (any case), in input order."""
    words = [w.casefold() for w in _WORD.findall(text)][:64]
    if not words:
        return []
    conditions = " AND ".join(
        "contains(lower(s.content), ?) AND regexp_matches(s.content, ?)" for _ in words
    )
    params: list[Any] = []
    for word in words:
        params += [word, r"(?i)(^|\W)" + re.escape(word) + r"($|\W)"]
    hits = (
        f"SELECT * FROM statements s WHERE {conditions}"
        f' ORDER BY s."order", s.statement_index{_limit(limit)}'
    )
    sql = (
        f"WITH hits AS ({hits}) {_STATEMENT_COLUMNS} FROM hits s {_STATEMENT_JOINS}"
        ' ORDER BY s."order", s.statement_index'
    )
    return _rows(con, sql, params)


def statements_by_actor(con: Any, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Statements of every actor whose name or an alias contains `name`, any case."""
    needle = name.strip()
    if not needle:
        return []
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sql = (
        _STATEMENT_SELECT
        + " WHERE ac.actor_id IN (SELECT actor_id FROM actors WHERE name ILIKE ? ESCAPE '\\'"
        " OR len(list_filter(aliases, lambda x: x ILIKE ? ESCAPE '\\')) > 0)"
        ' ORDER BY s."order", s.statement_index'
    )
    return _rows(con, sql + _limit(limit), [pattern, pattern])


def topics(con: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Topics ranked as the database ranks them: the articles in which a topic is salient,
    weighted by its specificity, then the articles mentioning it. A topic's name, kind and
    specificity are those the store keeps (`store.writer._topic_id`): a key phrase in lower
    case salient in an article outranks a named entity, which outranks any other key phrase;
    else the first sighting."""
    sql = """
        WITH st AS (
            SELECT DISTINCT s.sha256, s.statement_index, s."order" AS o, lower(t) AS key, t AS name
            FROM statements s, unnest(s.topics) AS u(t)
        ),
        art AS (
            SELECT a.sha256, a."order" AS o, lower(t.name) AS key, t.name AS name,
                   t.kind AS kind, t.specificity AS specificity, t.salient AS salient
            FROM articles a, unnest(a.topics) AS u(t)
        ),
        seen AS (
            SELECT sha256, key, name, kind, specificity, salient, o, 0 AS phase,
                   kind = 'phrase' AND name = lower(name) AND salient AS common
            FROM art
            UNION ALL SELECT sha256, key, name, NULL, 1.0, false, o, 1, false FROM st
        ),
        named AS (
            SELECT key,
                   CASE WHEN bool_or(common)
                   THEN arg_min(name, o * 2 + phase) FILTER (
                       WHERE common)
                   ELSE COALESCE(
                       arg_min(name, o * 2 + phase) FILTER (WHERE kind <> 'phrase'),
                       arg_min(name, o * 2 + phase)
                   ) END AS name,
                   CASE WHEN bool_or(common) THEN 'phrase'
                   ELSE COALESCE(
                       arg_min(kind, o * 2 + phase) FILTER (WHERE kind <> 'phrase'),
                       arg_min(kind, o * 2 + phase) FILTER (WHERE kind IS NOT NULL)
                   ) END AS kind,
                   CASE WHEN bool_or(common)
                   THEN arg_min(specificity, o * 2 + phase) FILTER (
                       WHERE common)
                   ELSE COALESCE(
                       arg_min(specificity, o * 2 + phase) FILTER (WHERE kind <> 'phrase'),
                       arg_min(specificity, o * 2 + phase) FILTER (WHERE kind IS NOT NULL),
                       1.0
                   ) END AS specificity,
                   count(DISTINCT sha256) AS articles,
                   count(DISTINCT sha256) FILTER (WHERE salient) AS salient
            FROM seen GROUP BY key
        ),
        counted AS (SELECT key, count(*) AS statements FROM st GROUP BY key)
        SELECT n.name, n.kind, n.salient, n.articles, COALESCE(c.statements, 0) AS statements,
               n.salient * n.specificity AS score
        FROM named n LEFT JOIN counted c USING (key)
        ORDER BY n.salient * n.specificity DESC, n.articles DESC, lower(n.name)
    """
    from factcli.queries.topics import rounded_scores

    return rounded_scores(_rows(con, sql + _limit(limit), []))


def _limit(limit: int) -> str:
    return f" LIMIT {int(limit)}" if limit > 0 else ""
