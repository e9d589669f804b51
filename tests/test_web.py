"""The Datasette plugin in process: pages and their JSON, metadata, links, the read-only guard,
hostile search text, and `factcli serve`'s errors. The browser tests are in test_browser.py."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from factcli.cli import app
from factcli.web.metadata import INTERNAL_TABLES, PUBLIC_TABLES

pytest.importorskip("datasette", reason="factcli[web] is not installed")


class Client:
    """Datasette's own ASGI client on one event loop."""

    def __init__(self, path: Path) -> None:
        from factcli.serve import build

        self.loop = asyncio.new_event_loop()
        self.datasette = build(path)
        self.loop.run_until_complete(self.datasette.invoke_startup())

    def get(self, path: str) -> Any:
        return self.loop.run_until_complete(self.datasette.client.get(path))

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)


@pytest.fixture(scope="module")
def client(data_archive: Path) -> Iterator[Client]:
    c = Client(data_archive)
    yield c
    c.loop.close()


def _one(db: Path, sql: str, *params: Any) -> Any:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchone()


def test_segments_mark_exactly_the_spans() -> None:
    from factcli.web.highlight import Span, segments

    text = "Smith said that taxes rise."
    parts = segments(text, [Span(11, 26, "content"), Span(0, 5, "speaker"), Span(6, 10, "cue")])
    assert "".join(p["text"] for p in parts) == text
    marked = {m: "".join(p["text"] for p in parts if m in p["marks"]) for m in ("content", "cue")}
    assert marked == {"content": "that taxes rise", "cue": "said"}
    nested = segments("ab", [Span(0, 2, "content"), Span(1, 2, "cue"), Span(5, 9, "speaker")])
    assert [p["marks"] for p in nested] == [["content"], ["content", "cue"]]


def test_home_page_says_what_the_archive_holds(client: Client, data_archive: Path) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Who said …" in page.text and 'action="/factcli/who_said"' in page.text
    assert "Who said …" in client.get("/factcli/-/archive").text
    summary = client.get("/factcli/-/archive.json").json()
    articles, first, last = _one(
        data_archive, "SELECT COUNT(*), MIN(published), MAX(published) FROM articles"
    )
    assert (summary["articles"], summary["first_date"], summary["last_date"]) == (
        articles,
        first,
        last,
    )
    assert summary["statements"] == _one(data_archive, "SELECT COUNT(*) FROM statements")[0]
    assert summary["speakers"][0]["name"] == "Pete Hegseth"


def test_internal_tables_hidden_and_labels_set(client: Client) -> None:
    tables = {t["name"]: t for t in client.get("/factcli.json").json()["tables"]}
    for name in ("actor_keys", "quote_keys", "actor_rules", "statement_quotes"):
        assert tables[name]["hidden"], name
    for name in ("articles", "statements", "actors", "topics"):
        assert not tables[name]["hidden"], name
    fts = ("_fts", "_config", "_content", "_data", "_docsize", "_idx")  # FTS5's own tables
    unclassified = {
        name
        for name in tables
        if not name.endswith(fts) and name not in INTERNAL_TABLES and name not in PUBLIC_TABLES
    }
    assert not unclassified, "a table is neither public nor internal: " + ", ".join(unclassified)
    for name in INTERNAL_TABLES:
        if name in tables:
            assert tables[name]["hidden"], name
    rows = client.get("/factcli/statements.json?_labels=on&_shape=objects&_size=1").json()["rows"]
    assert isinstance(rows[0]["actor_id"], dict) and rows[0]["actor_id"]["label"]
    assert isinstance(rows[0]["article_id"], dict) and rows[0]["article_id"]["label"]


def test_search_view_has_speaker_columns_and_facets(client: Client) -> None:
    found = client.get("/factcli/who_said.json?_search=indispensable&_shape=objects").json()
    assert found["rows"] and {r["speaker"] for r in found["rows"]} == {"Pete Hegseth"}
    for column in ("speaker", "role", "cue", "date", "outlet", "kind", "month"):
        assert column in found["rows"][0]
    facets = found["facet_results"]
    facet_names = set(facets.get("results", facets))
    assert {"speaker", "kind", "outlet", "month"} <= facet_names


def test_statement_page_cuts_the_article_at_the_offsets(client: Client, data_archive: Path) -> None:
    sid, start, end, text = _one(
        data_archive,
        "SELECT s.id, s.content_start, s.content_end, a.text FROM statements s "
        "JOIN articles a ON a.id = s.article_id WHERE s.content LIKE '%indispensable partner in%'",
    )
    page = client.get(f"/factcli/-/statement/{sid}.json").json()
    assert "".join(seg["text"] for seg in page["segments"]) == text
    content = "".join(seg["text"] for seg in page["segments"] if "content" in seg["marks"])
    assert content == text[start:end]
    html = client.get(f"/factcli/-/statement/{sid}").text
    assert 'class="factcli-content"' in html and 'class="factcli-speaker"' in html


def test_actor_and_topic_pages(client: Client, data_archive: Path) -> None:
    actor_id, count = _one(
        data_archive, "SELECT id, statement_count FROM actors WHERE name = 'Pete Hegseth'"
    )
    actor = client.get(f"/factcli/-/actor/{actor_id}.json").json()
    assert actor["name"] == "Pete Hegseth" and "Hegseth" in actor["names"]
    assert len(actor["statement_list"]) == count
    assert (
        sum(m["statements"] for m in actor["months"]["series"]) + actor["months"]["undated"]
        == count
    )
    dates = [s["date"] for s in actor["statement_list"]]
    assert dates == sorted(dates, reverse=True)
    assert actor["topics"] and actor["roles"][0]["role"]
    topic_id = actor["topics"][0]["id"]
    topic = client.get(f"/factcli/-/topic/{topic_id}.json").json()
    assert topic["speakers"][0]["statements"] >= 1
    assert "Who speaks about it most" in client.get(f"/factcli/-/topic/{topic_id}").text
    assert client.get("/factcli/-/actor/999999").status_code == 404
    assert client.get("/nowhere/-/actor/1").status_code == 404


def test_names_link_to_archive_pages(client: Client) -> None:
    html = client.get("/factcli/who_said?_search=indispensable").text
    assert "/factcli/-/actor/" in html and "/factcli/-/statement/" in html
    for hidden in ("actor_id", "id", "article_id"):
        assert client.get(f"/factcli/who_said?_nocol={hidden}").status_code == 200, hidden
    assert client.get("/factcli/statements?_col=content").status_code == 200


@pytest.mark.parametrize("text", ['"', "AND(", "<script>alert(1)</script>", "NEAR(a b", "*"])
def test_hostile_search_is_an_error_or_nothing(client: Client, text: str) -> None:
    for path in (
        f"/factcli/who_said?_search={quote(text)}",
        f"/factcli/speakers_of_phrase?phrase={quote(text)}",
    ):
        page = client.get(path)
        assert page.status_code in (200, 400), (path, page.status_code)
        assert "<script>alert(1)" not in page.text


def test_server_cannot_write(client: Client, data_archive: Path) -> None:
    before = _one(data_archive, "SELECT COUNT(*) FROM statements")[0]
    assert client.get("/factcli.json?sql=DELETE+FROM+statements").status_code == 400
    db = client.datasette.get_database("factcli")
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
        client.run(db.execute_write("DELETE FROM statements"))
    assert _one(data_archive, "SELECT COUNT(*) FROM statements")[0] == before


def test_serve_errors_are_one_line(tmp_path: Path, data_archive: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no database at" in missing.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = runner.invoke(app, ["serve", "--db", str(data_archive), "--port", port])
    assert busy.exit_code == 1 and "already in use" in busy.output
    assert "Traceback" not in busy.output


def test_plain_datasette_finds_the_plugin(data_archive: Path) -> None:
    """`datasette factcli.db` gives the same pages, through the package's entry point."""
    done = subprocess.run(
        [sys.executable, "-m", "datasette", str(data_archive), "--get", "/factcli/-/archive.json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"statements": ' in done.stdout and '"speakers": ' in done.stdout
