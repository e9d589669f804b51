"""Corpus statistics: counts, the date range, the top speakers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from factcli.queries.sql import fetch_rows, sql_limit

if TYPE_CHECKING:
    from factcli.queries.sql import Connection


def stats(db: Connection, top: int = 10) -> dict[str, Any]:
    """Articles, statements by kind, actors, topics, outlets, the date range, top speakers.

    The counts are kept up to date in ``stats_counts`` as the archive is written, so this reads
    a few dozen rows and two ends of the index of dates, however large the archive."""
    totals: dict[str, int] = {}
    kinds: dict[str, int] = {}
    outlets = 0
    extractors = []
    for subject, key, value in db.execute(
        "SELECT subject, key, value FROM stats_counts WHERE subject != 'outlet'"
    ).fetchall():
        if subject == "total":
            totals[key] = value
        elif subject == "kind":
            kinds[key] = value
        elif subject == "extractor":
            extractor, model_version, spacy_pipeline = json.loads(key)
            extractors.append(
                {
                    "extractor": extractor,
                    "model_version": model_version,
                    "spacy_pipeline": spacy_pipeline,
                    "articles": value,
                }
            )
    outlets = db.execute("SELECT COUNT(*) FROM stats_counts WHERE subject = 'outlet'").fetchone()[0]
    # two statements: SQLite reads one end of the index of dates only for a lone MIN or MAX
    first = db.execute("SELECT MIN(published) FROM articles").fetchone()[0]
    last = db.execute("SELECT MAX(published) FROM articles").fetchone()[0]
    speakers = fetch_rows(
        db,
        """
        SELECT name, role, statement_count AS statements
        FROM actors WHERE statement_count > 0
        ORDER BY statement_count DESC, name COLLATE NOCASE LIMIT ?
        """,
        [sql_limit(top)],
    )
    statements = totals.get("statements", 0)
    anonymous = totals.get("anonymous_statements", 0)
    extractors.sort(key=_extractor_order)
    return {
        "articles": totals.get("articles", 0),
        "statements": statements,
        "statements_by_kind": {k: kinds.get(k, 0) for k in ("direct", "indirect", "mixed")},
        "actors": totals.get("actors", 0),
        "topics": totals.get("topics", 0),
        "outlets": outlets,
        "first_published": first,
        "last_published": last,
        "undated_articles": totals.get("undated_articles", 0),
        "quotes_in_several_articles": totals.get("quotes_in_several_articles", 0),
        "anonymous_statements": anonymous,
        "anonymous_share": round(anonymous / statements, 3) if statements else 0.0,
        "top_speakers": speakers,
        "extractors": [row for row in extractors if row["articles"] > 0],
    }


def _extractor_order(row: dict[str, Any]) -> tuple[Any, ...]:
    """Most articles first; then by extractor, model version and pipeline, missing ones first
    (as SQLite sorts NULL)."""
    return (
        -row["articles"],
        *(
            (value is not None, value or "")
            for value in (row["extractor"], row["model_version"], row["spacy_pipeline"])
        ),
    )


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
