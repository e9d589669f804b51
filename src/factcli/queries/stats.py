"""Corpus statistics: counts, the date range, the top speakers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from factcli.queries.sql import fetch_rows, sql_limit

if TYPE_CHECKING:
    from factcli.queries.sql import Connection


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
                    GROUP BY sq.quote_id HAVING COUNT(DISTINCT s.article_id) > 1)),
               (SELECT COUNT(*) FROM statements WHERE anonymous_description IS NOT NULL)
        """
    ).fetchone()
    by_kind = dict(
        db.execute("SELECT kind, COUNT(*) FROM statements GROUP BY kind ORDER BY kind").fetchall()
    )
    speakers = fetch_rows(
        db,
        """
        SELECT name, role, statement_count AS statements
        FROM actors WHERE statement_count > 0
        ORDER BY statement_count DESC, name COLLATE NOCASE LIMIT ?
        """,
        [sql_limit(top)],
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
        "anonymous_statements": one[9],
        "anonymous_share": round(one[9] / one[1], 3) if one[1] else 0.0,
        "top_speakers": speakers,
        "extractors": fetch_rows(
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
