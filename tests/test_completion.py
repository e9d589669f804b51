"""Shell completion: typer's install/show options, and actor and topic names from the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from builders import build_db
from typer.testing import CliRunner

from factcli.cli import app
from factcli.queries import actors as actor_queries
from factcli.queries import topics as topic_queries
from factcli.store import open_query_db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("completion") / "c.db")


def complete(words: str, env: dict[str, str] | None = None) -> list[str]:
    cword = str(len(words.split()) - 1)
    bash = {"_FACTCLI_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}
    result = CliRunner().invoke(app, [], env={**bash, **(env or {})}, prog_name="factcli")
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


def test_actor_names_complete_from_the_database(db: Path) -> None:
    assert complete(f"factcli actor --db {db} Pe") == ["Pete Hegseth"]
    assert complete(f"factcli actor --db {db} G") == ["Gen Nakatani"]
    assert complete(f"factcli actor --db {db} Donald") == []  # never quoted
    assert complete(f"factcli actor --db {db} zz") == []


def test_topic_names_complete_and_the_database_comes_from_the_environment(db: Path) -> None:
    assert "Japan" in complete("factcli topic Ja", {"FACTCLI_DB": str(db)})
    assert complete("factcli topic Ja", {"FACTCLI_DB": str(db.with_name("missing.db"))}) == []


def test_names_start_with_the_text_most_quoted_first(db: Path) -> None:
    conn = open_query_db(db)
    try:
        names = actor_queries.complete_names(conn, "")
        counts = dict(conn.execute("SELECT name, statement_count FROM actors").fetchall())
        assert names[0] == "Pete Hegseth" and len(names) == 3
        assert [counts[n] for n in names] == sorted((counts[n] for n in names), reverse=True)
        assert actor_queries.complete_names(conn, "", limit=1) == ["Pete Hegseth"]
        assert actor_queries.complete_names(conn, "pete") == []
        assert actor_queries.complete_names(conn, "%") == []
        topics = topic_queries.complete_names(conn, "")
        assert topics and all(t.startswith("T") for t in topic_queries.complete_names(conn, "T"))
    finally:
        conn.close()


def test_completion_options_and_script() -> None:
    assert "--install-completion" in CliRunner().invoke(app, ["--help"]).stdout
    assert "--show-completion" in CliRunner().invoke(app, ["--help"]).stdout
    env = {"_FACTCLI_COMPLETE": "source_bash"}
    result = CliRunner().invoke(app, [], env=env, prog_name="factcli")
    assert result.exit_code == 0, result.output
    assert "_FACTCLI_COMPLETE=complete_bash" in result.stdout


def test_a_bad_database_completes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite")
    assert complete(f"factcli actor --db {bad} Pe") == []
    sqlite3.connect(tmp_path / "foreign.db").execute("CREATE TABLE t (x)").connection.close()
    assert complete(f"factcli topic --db {tmp_path / 'foreign.db'} Ja") == []
