"""The archive end to end on hand-written fixtures: an HTML page, a JSON Lines feed and a
plain-text wire story quote one minister under three names; another Voss must stay apart."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from factcli.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "archive"

Run = Callable[..., Any]


@pytest.fixture(autouse=True)
def columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTCLI_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture(scope="module")
def run() -> Run:
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Any:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture(scope="module")
def db(nlp: object, run: Run, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("archive") / "a.db")
    result = run("ingest", str(FIXTURES), "--db", path)
    assert result.exit_code == 1, result.stderr
    assert "feed.jsonl:3: is not valid JSON" in result.stderr
    assert "feed.jsonl:4: has no text in field 'text'" in result.stderr
    assert "articles: 4 ingested, 0 skipped, 2 failed" in result.stderr
    return path


def query(run: Run, db: str, *args: str) -> Any:
    result = run(*args, "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_articles_keep_outlet_url_and_dates(run: Run, db: str) -> None:
    rows = {Path(r["source"].split(":")[0]).name: r for r in query(run, db, "articles")}
    assert rows["page.html"]["outlet"] == "Valley Herald"
    assert rows["page.html"]["published"] == "2025-03-05"
    assert rows["feed.jsonl"]["url"].startswith("https://dailyledger.example/")
    assert rows["wire.txt"]["published"] == "2025-03-03"


def test_articles_filters(run: Run, db: str) -> None:
    ledger = query(run, db, "articles", "--source", "daily ledger")
    assert len(ledger) == 2 and {r["outlet"] for r in ledger} == {"Daily Ledger"}
    assert len(query(run, db, "articles", "--source", "valleyherald.example")) == 1
    dated = query(run, db, "articles", "--since", "March 4, 2025", "--until", "2025-03-04")
    assert {r["published"] for r in dated} == {"2025-03-04"} and len(dated) == 2
    bad = run("articles", "--db", db, "--since", "someday")
    assert bad.exit_code == 2


def test_one_minister_under_three_names(run: Run, db: str) -> None:
    actors = {a["name"]: a for a in query(run, db, "actors", "-n", "0")}
    assert "Clara Voss" in actors and "Tomas Voss" in actors
    assert "Voss" not in actors
    profile = query(run, db, "actor", "clara voss", "--profile")
    assert profile["articles"] == 3
    assert profile["first_seen"] == "2025-03-03" and profile["last_seen"] == "2025-03-05"
    assert len(profile["roles"]) >= 2
    assert "Voss" in profile["aliases"]
    assert profile["topics"]
    tomas = query(run, db, "actor", "tomas", "--profile")
    assert tomas["articles"] == 1


def test_actor_table_shows_the_profile_and_timeline(run: Run, db: str) -> None:
    table = run("actor", "clara", "--db", db)
    assert table.exit_code == 0
    assert "3 articles" in table.stdout and "seen 2025-03-03 to 2025-03-05" in table.stdout
    timeline = run("actor", "clara", "--timeline", "--db", db)
    out = timeline.stdout
    body = out[out.index("Cue / kind") :]
    assert body.index("2025-03-03") < body.index("2025-03-04") < body.index("2025-03-05")
    rows = query(run, db, "actor", "clara", "--timeline")
    dates = [r["published"] for r in rows]
    assert dates == sorted(dates) and len(rows) >= 5
    assert all(len(line) <= 80 for line in out.splitlines())


def test_who_said_groups_the_quote(run: Run, db: str) -> None:
    plain = query(run, db, "who-said", "raise the water tariff this year")
    copies = [r for r in plain if r["kind"] == "direct" and r["speaker"] == "Clara Voss"]
    assert len(copies) == 3
    assert all("quote_id" not in r for r in plain)
    groups = query(run, db, "who-said", "raise the water tariff this year", "--group")
    top = next(g for g in groups if g["articles"] == 3)
    assert top["speaker"] == "Clara Voss" and top["first_published"] == "2025-03-03"
    table = run("who-said", "raise the water tariff this year", "--db", db)
    assert "3 articles" in table.stdout and "first 2025-03-03" in table.stdout
    carried = query(run, db, "quote", str(top["id"]))
    assert carried["articles"] == 3
    assert [c["published"] for c in carried["carried_by"]] == [
        "2025-03-03",
        "2025-03-04",
        "2025-03-05",
    ]
    as_csv = run("quote", str(top["id"]), "--db", db, "-f", "csv").stdout
    assert len(list(csv.DictReader(io.StringIO(as_csv)))) == 3
    assert "Valley Herald" in run("quote", str(top["id"]), "--db", db).stdout
    assert run("quote", "999", "--db", db).exit_code == 1


def test_topic_speakers(run: Run, db: str) -> None:
    speakers = query(run, db, "topic", "water tariff", "--speakers")
    assert speakers[0]["name"] == "Clara Voss" and speakers[0]["statements"] >= 3
    table = run("topic", "water tariff", "--db", db).stdout
    assert "Who speaks about water tariff" in table


def test_stats(run: Run, db: str) -> None:
    summary = query(run, db, "stats")
    assert summary["articles"] == 4
    assert sum(summary["statements_by_kind"].values()) == summary["statements"]
    assert summary["first_published"] == "2025-03-03"
    assert summary["last_published"] == "2025-03-05"
    assert summary["outlets"] == 2
    assert summary["quotes_in_several_articles"] >= 1
    assert summary["top_speakers"][0]["name"] == "Clara Voss"
    table = run("stats", "--db", db).stdout
    assert "Top speakers" in table and "articles      4" in table
    assert "key,value" in run("stats", "--db", db, "-f", "csv").stdout


def test_merge_and_split_from_the_command_line(run: Run, db: str, tmp_path: Path) -> None:
    copy = str(tmp_path / "copy.db")
    shutil.copy(db, copy)
    split = run("actors", "--split", "Clara Voss", "Voss", "--db", copy)
    assert split.exit_code == 0, split.stderr
    assert "split Voss from Clara Voss" in split.stderr
    names = {a["name"] for a in query(run, copy, "actors", "-n", "0")}
    assert "Voss" in names
    again = run("ingest", str(FIXTURES / "page.html"), "--db", copy, "--force")
    assert again.exit_code == 0, again.stderr
    assert "Voss" in {a["name"] for a in query(run, copy, "actors", "-n", "0")}
    merged = run("actors", "--merge", "Clara Voss", "Voss", "--db", copy)
    assert merged.exit_code == 0, merged.stderr
    assert "Voss" not in {a["name"] for a in query(run, copy, "actors", "-n", "0")}
    unknown = run("actors", "--merge", "Clara Voss", "Nobody", "--db", copy)
    assert unknown.exit_code == 1 and "no actor called 'Nobody'" in unknown.stderr


def test_extract_writes_statements_without_a_database(run: Run, db: str, tmp_path: Path) -> None:
    out = tmp_path / "statements.jsonl"
    result = run("extract", str(FIXTURES / "wire.txt"), str(FIXTURES / "page.html"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "articles: 2 extracted, 0 failed" in result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    stored = query(run, db, "export")
    assert [list(r) for r in rows] == [list(stored[0])] * len(rows)
    assert [r["id"] for r in rows] == list(range(1, len(rows) + 1))
    assert {r["article_id"] for r in rows} == {1, 2}
    wire = (FIXTURES / "wire.txt").read_text()
    for row in rows:
        if row["article_id"] == 1:
            assert wire[row["content_start"] : row["content_end"]] == row["content"]
    assert not list(tmp_path.glob("*.db"))


def test_stdin_jsonl(run: Run, tmp_path: Path, nlp: object) -> None:
    data = (FIXTURES / "feed.jsonl").read_text().splitlines()[:2]
    result = run(
        "extract", "-", "--input-format", "jsonl", "--source", "Ledger", input="\n".join(data)
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["source"].split("#")[0] for r in rows} == {"<stdin>:1", "<stdin>:2"}


def test_ingest_gzip_with_source(run: Run, tmp_path: Path, nlp: object) -> None:
    import gzip

    packed = tmp_path / "wire.txt.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "wire.txt").read_bytes()))
    db = str(tmp_path / "g.db")
    result = run("ingest", str(packed), "--db", db, "--source", "Wire One")
    assert result.exit_code == 0, result.stderr
    (row,) = query(run, db, "articles")
    assert row["outlet"] == "Wire One" and row["published"] == "2025-03-03"
    assert query(run, db, "articles", "--source", "wire one")
    assert query(run, db, "articles", "--until", "2025-03-02") == []
