"""Output formats: stable machine formats, tables readable at 80 columns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from builders import build_db

from factcli import layout, render, writers
from factcli.queries import actors as actor_queries
from factcli.queries import articles as article_queries
from factcli.queries import sentences as sentence_queries
from factcli.queries import sql
from factcli.queries import statements as statement_queries
from factcli.queries import topics as topic_queries
from factcli.render import Format
from factcli.store import open_db


@pytest.fixture(scope="module")
def statements(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    db = open_db(build_db(tmp_path_factory.mktemp("r") / "f.db"), create=False)
    rows = list(statement_queries.export(db))
    db.close()
    return rows


def written(rows: list[dict[str, Any]], fmt: str, **kwargs: Any) -> str:
    out = io.StringIO()
    writers.write_records(rows, fmt, out, **kwargs)
    return out.getvalue()


def shown(renderable: layout.Renderable, width: int = 80, color: bool = False) -> str:
    out = io.StringIO()
    env = {"COLUMNS": str(width), "TTY_COMPATIBLE": "1" if color else "0"}
    layout.Screen(out, env).print(renderable)
    return out.getvalue()


def test_json_is_one_array(statements: list[dict[str, Any]]) -> None:
    text = written(statements, "json")
    assert json.loads(text) == statements
    assert "\x1b" not in text


def test_json_empty_is_an_empty_array() -> None:
    assert written([], "json") == "[]\n"
    assert json.loads(written([], Format.json)) == []


def test_jsonl_is_one_object_per_line(statements: list[dict[str, Any]]) -> None:
    lines = written(statements, "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == statements
    assert written([], "jsonl") == ""


def test_json_keeps_unicode_readable(statements: list[dict[str, Any]]) -> None:
    assert "“indispensable partner”" in written(statements, "jsonl")


def test_csv_joins_lists(statements: list[dict[str, Any]]) -> None:
    text = written(statements, "csv", columns=sql.STATEMENT_KEYS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(sql.STATEMENT_KEYS)
    assert rows[1]["topics"] == "Japan; deterrence"
    assert rows[4]["speaker"] == ""
    assert len(rows) == len(statements)


def test_csv_empty_still_has_a_header() -> None:
    assert written([], "csv", columns=["a", "b"]) == "a,b\n"
    assert written([], "csv") == ""


def test_table_is_not_a_machine_format() -> None:
    with pytest.raises(ValueError):
        written([], "table")


def test_statements_table_fits_80_columns(statements: list[dict[str, Any]]) -> None:
    text = shown(render.statements_table(statements, width=80))
    assert max(len(line) for line in text.splitlines()) <= 80
    for word in ("Speaker", "role", "Cue", "kind", "Quote", "Article"):
        assert word in text
    assert "Pete Hegseth" in text
    assert "U.S. Defense" in text
    assert "indirect" in text
    assert "2025-05-12" in text
    assert "unattributed" in text
    assert "Allies Pledge" in text


def test_statements_table_wide_has_separate_columns(statements: list[dict[str, Any]]) -> None:
    text = shown(render.statements_table(statements, width=140), width=140)
    header = text.splitlines()[1]
    for word in ("Speaker", "Role", "Cue", "Kind", "Quote", "Article"):
        assert word in header
    assert "U.S. Defense Secretary" in text


def test_match_is_highlighted(statements: list[dict[str, Any]]) -> None:
    row = statements[0]
    start = row["content"].index("indispensable")
    table = render.statements_table([row], [[(start, start + len("indispensable"))]])
    styled = shown(table, color=True)
    assert "\x1b[1;7mindispensable\x1b[0m" in styled


def test_other_tables_render(tmp_path: Path) -> None:
    db = open_db(build_db(tmp_path / "f.db"), create=False)
    outputs = [
        shown(render.actors_table(actor_queries.actors(db))),
        shown(render.topics_table(topic_queries.topics(db))),
        shown(render.articles_table(article_queries.articles(db))),
        shown(
            render.sentences_table(
                [h.row for h in sentence_queries.search_sentences(db, "tokyo")],
                [h.highlights for h in sentence_queries.search_sentences(db, "tokyo")],
            )
        ),
        shown(render.article_view(article_queries.article(db, 1))),
    ]
    db.close()
    for text in outputs:
        assert max(len(line) for line in text.splitlines()) <= 80
    assert "Secretary Hegseth" in outputs[0]
    assert "Japan" in outputs[1]
    assert "Allies Pledge Closer Defense Ties" in outputs[2]
    assert "Tokyo" in outputs[3]
    assert "#1" in outputs[4] and "according to" in outputs[4]


def test_article_without_statements() -> None:
    article: dict[str, Any] = {
        "id": 3,
        "title": None,
        "published": None,
        "source": "-",
        "statements": [],
    }
    text = shown(render.article_view(article))
    assert "untitled" in text and "no attributed statements" in text
