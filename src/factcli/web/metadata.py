"""Datasette metadata for a factcli archive: what each table is, how it is labelled, searched
and faceted, which tables are internal, and the canned queries.

Given through the plugin's ``get_metadata`` hook, so ``datasette factcli.db`` needs no
metadata file; a ``metadata.json`` of the user's own still overrides any of it.
"""

from __future__ import annotations

from typing import Any

INTERNAL_TABLES = (
    "actor_keys",
    "actor_rules",
    "quote_keys",
    "quote_key_lists",
    "statement_quotes",
    "article_actors",
    "statement_topics",
    "article_topics",
    "actor_kind_counts",
    "actor_name_counts",
    "actor_names",
    "stats_counts",
    "quotes_in_several_articles",
    "topic_months",
    "topic_days",
    "counting_deferred",
    "deferred_quotes",
    "deferred_schema",
    "dataset_loads",
)
"""Key, link, count and bookkeeping tables that serve matching, counting and loading; their
rows mean nothing on their own (the query commands and the pages built on them show what they
count)."""

PUBLIC_TABLES = ("articles", "sentences", "statements", "actors", "topics", "who_said")
"""What a reader browses; every other table of a factcli database is in `INTERNAL_TABLES`."""

_PHRASE = "'\"' || replace(:phrase, '\"', '\"\"') || '\"'"
"""The user's words as one FTS5 phrase: quotes, AND, NEAR and brackets lose their meaning."""


def database_metadata(base: str) -> dict[str, Any]:
    """The metadata of one archive database, whose pages live under the path `base`."""
    tables: dict[str, Any] = {name: {"hidden": True} for name in INTERNAL_TABLES}
    tables.update(
        {
            "who_said": {
                "title": "Who said what",
                "description": (
                    "Every statement with its speaker, role, cue, kind, date and outlet. "
                    "Search the words of the statements; facet by speaker, kind, outlet and "
                    "month."
                ),
                "fts_table": "statements_fts",
                "fts_pk": "id",
                "facets": ["speaker", "kind", "outlet", "month"],
                # newest stored first: ordering by date would sort the whole archive, which
                # takes seconds at a million statements; the id order streams
                "sort_desc": "id",
                "label_column": "statement",
            },
            "statements": {
                "description": (
                    "Statements with their character offsets into the article text. The "
                    "who_said view shows them with names and dates."
                ),
                "label_column": "content",
                "facets": ["kind"],
            },
            "articles": {
                "description": "The articles, their text exactly as stored.",
                "label_column": "title",
                "sort_desc": "published",
                "facets": ["outlet"],
            },
            "actors": {
                "description": "One row per speaker across the archive.",
                "label_column": "name",
                "sort_desc": "statement_count",
                "facets": ["kind"],
            },
            "topics": {
                "description": "Places, organisations, groups and key phrases spoken about.",
                "label_column": "name",
                "sort_desc": "statement_count",
                "facets": ["kind"],
            },
            "sentences": {"label_column": "text"},
        }
    )
    return {
        "description_html": (
            f'An archive of who said what, about what. Start with <a href="{base}/who_said">'
            "who_said</a>: every statement with its speaker, searchable and faceted."
        ),
        "tables": tables,
        "queries": {
            "speakers_of_phrase": {
                "title": "Who said a phrase",
                "description": "Speakers ranked by their statements containing the phrase.",
                "sql": f"""SELECT speaker, actor_id, COUNT(*) AS statements,
       MIN(date) AS first_said, MAX(date) AS last_said
FROM who_said
WHERE id IN (SELECT rowid FROM statements_fts WHERE statements_fts MATCH {_PHRASE})
GROUP BY speaker ORDER BY statements DESC, speaker LIMIT 100""",
            },
            "statements_per_month": {
                "title": "Statements per month",
                "description": "How many statements each month's articles carry, by outlet.",
                "sql": """SELECT month, outlet, COUNT(*) AS statements
FROM who_said WHERE month IS NOT NULL
GROUP BY month, outlet ORDER BY month DESC, statements DESC""",
            },
        },
    }
