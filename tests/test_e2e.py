"""End to end: `factcli ingest data/` through the CLI, then the questions a user would ask.

The sample article (the user's own example) must come out right in every detail the product
promises; the other articles in `data/` are written in other styles and are checked for sound
output (some statements, offsets that slice back), not tuned figures.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from factcli.cli import app

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = "000_87d165e13d463a75.txt"

Run = Callable[..., Any]


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTCLI_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture(scope="module")
def run() -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args))

    return invoke


@pytest.fixture(scope="module")
def ingested(run: Run, nlp: object, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    """The database after `factcli ingest data --db FILE`, and that run's result."""
    db = str(tmp_path_factory.mktemp("e2e") / "factcli.db")
    result = run("ingest", str(DATA), "--db", db)
    return db, result


@pytest.fixture(scope="module")
def db(ingested: tuple[str, Any]) -> str:
    return ingested[0]


@pytest.fixture(scope="module")
def query(run: Run, db: str) -> Callable[..., Any]:
    """Run a query command with --json on the ingested database and decode its output."""

    def call(*args: str) -> Any:
        result = run(*args, "--db", db, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    return call


@pytest.fixture(scope="module")
def exported(run: Run, db: str) -> list[dict[str, Any]]:
    result = run("export", "--db", db)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def texts(db: str) -> dict[int, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT id, text FROM articles"))


@pytest.fixture(scope="module")
def sample(exported: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [s for s in exported if Path(s["source"]).name == SAMPLE]
    assert rows
    return rows


def in_sentence(rows: list[dict[str, Any]], words: str) -> list[dict[str, Any]]:
    return [s for s in rows if words in s["sentence"]]


def test_ingest_reports_every_article(ingested: tuple[str, Any]) -> None:
    _, result = ingested
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    n = len(list(DATA.glob("*.txt")))
    assert f"articles: {n} ingested, 0 skipped, 0 failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_who_said_indispensable_is_hegseth(query: Callable[..., Any]) -> None:
    rows = query("who-said", "indispensable")
    assert rows
    assert {r["speaker"] for r in rows} == {"Pete Hegseth"}
    assert all("indispensable" in r["content"] for r in rows)


@pytest.mark.parametrize(
    "words, mention, cue",
    [
        ("He expressed", "He", "expressed"),
        ("He reiterated", "He", "reiterated"),
        ("The Pentagon chief noted", "The Pentagon chief", "noted"),
        ("Hegseth stated at the outset", "Hegseth", "stated"),
    ],
)
def test_pronoun_and_description_resolve_to_hegseth(
    sample: list[dict[str, Any]], words: str, mention: str, cue: str
) -> None:
    rows = [s for s in in_sentence(sample, words) if s["cue"] == cue]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["speaker"] == "Pete Hegseth"
    assert row["speaker_mention"] == mention
    assert row["speaker_kind"] == "person"
    assert "Defense Secretary" in (row["speaker_role"] or "")


def test_as_stated_by_nakatani(sample: list[dict[str, Any]]) -> None:
    rows = in_sentence(sample, "as stated by Nakatani")
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["speaker"] == "Gen Nakatani"
    assert row["speaker_mention"] == "Nakatani"
    assert row["speaker_kind"] == "person"
    assert "Defense Minister" in (row["speaker_role"] or "")
    assert row["cue"] == "stated"
    assert "SM-6 surface-to-air missiles" in row["content"]


def test_japanese_defense_officials_are_an_anonymous_group(sample: list[dict[str, Any]]) -> None:
    rows = [s for s in sample if s["cue"] == "indicated"]
    assert len(rows) == 2, rows
    for row in rows:
        assert row["speaker"] == "Japanese defense officials"
        assert row["speaker_kind"] == "anonymous"
    assert any("trade tariffs" in r["content"] for r in rows)
    assert any("significant changes" in r["content"] for r in rows)


def test_joint_announcement_has_both_speakers(sample: list[dict[str, Any]]) -> None:
    rows = [s for s in in_sentence(sample, "jointly announced") if s["cue"] == "announced"]
    assert len(rows) == 2, rows
    assert sorted(r["speaker"] for r in rows) == ["Gen Nakatani", "Pete Hegseth"]
    assert rows[0]["content"] == rows[1]["content"]
    assert "defense posture" in rows[0]["content"]


def test_trump_is_mentioned_but_no_speaker(
    query: Callable[..., Any], sample: list[dict[str, Any]], texts: dict[int, str]
) -> None:
    assert any("Donald Trump" in text for text in texts.values())
    names = {a["name"] for a in query("actors", "--limit", "0")}
    assert "Pete Hegseth" in names and "Gen Nakatani" in names
    assert not {n for n in names if "Trump" in n}
    assert not [s for s in sample if "Trump" in (s["speaker"] or "")]


def test_actor_by_partial_name(query: Callable[..., Any]) -> None:
    rows = query("actor", "hegseth", "--limit", "0")
    assert len(rows) >= 8
    assert {r["speaker"] for r in rows} == {"Pete Hegseth"}


def test_topics_of_the_sample(query: Callable[..., Any]) -> None:
    names = {t["name"] for t in query("topics", "--limit", "0")}
    assert {"Japan", "China", "Taiwan"} <= names
    assert "Chinese" not in names
    taiwan = query("topic", "taiwan")
    assert taiwan and all("Taiwan" in r["topics"] for r in taiwan)


def test_statement_keys_are_the_contract(exported: list[dict[str, Any]]) -> None:
    from factcli.queries.sql import STATEMENT_KEYS

    for row in exported:
        assert tuple(row) == STATEMENT_KEYS
        assert row["kind"] in ("direct", "indirect", "mixed")
        assert isinstance(row["topics"], list)


def test_every_offset_slices_back(exported: list[dict[str, Any]], texts: dict[int, str]) -> None:
    for row in exported:
        text = texts[row["article_id"]]
        assert text[row["content_start"] : row["content_end"]] == row["content"], row
        assert text[row["cue_start"] : row["cue_end"]] == row["cue"], row
        if row["speaker_start"] is None:
            assert row["speaker_end"] is None and row["speaker_mention"] is None
        else:
            span = text[row["speaker_start"] : row["speaker_end"]]
            assert span == row["speaker_mention"], row
        assert row["content"] == row["content"].strip()
        assert row["sentence"] in text


def test_no_content_includes_a_dateline(exported: list[dict[str, Any]]) -> None:
    for row in exported:
        for dateline in ("TOKYO (AP)", "SANTIAGO, March 11", "PORT ALDER, Ore."):
            assert dateline not in row["content"], row


def test_stored_text_is_the_file(db: str) -> None:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT source, text FROM articles").fetchall()
    assert len(rows) == len(list(DATA.glob("*.txt")))
    for source, text in rows:
        assert Path(source).read_text(encoding="utf-8-sig") == text


def test_sample_header(query: Callable[..., Any]) -> None:
    articles = {Path(a["source"]).name: a for a in query("articles")}
    sample = articles[SAMPLE]
    assert sample["title"] == "U.S. Upgrades Military Command in Japan Amid China Tensions"
    assert sample["published"] == "2025-04-19"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.txt")))
def test_every_article_has_statements(exported: list[dict[str, Any]], name: str) -> None:
    rows = [s for s in exported if Path(s["source"]).name == name]
    assert len(rows) >= 3, rows
    assert sum(1 for s in rows if s["speaker"]) >= 3
    assert {s["kind"] for s in rows} <= {"direct", "indirect", "mixed"}


def test_show_gives_text_and_statements(
    query: Callable[..., Any], exported: list[dict[str, Any]]
) -> None:
    article_id = exported[0]["article_id"]
    article = query("show", str(article_id))
    assert article["id"] == article_id
    assert article["statements"]
    for row in article["statements"]:
        assert article["text"][row["content_start"] : row["content_end"]] == row["content"]


def test_search_finds_unattributed_sentences(query: Callable[..., Any]) -> None:
    rows = query("search", "Iwo Jima")
    assert rows and all("Iwo Jima" in r["text"] for r in rows)


def test_reingest_is_skipped(run: Run, db: str, exported: list[dict[str, Any]]) -> None:
    result = run("ingest", str(DATA), "--db", db)
    assert result.exit_code == 0, result.stderr
    n = len(list(DATA.glob("*.txt")))
    assert f"articles: 0 ingested, {n} skipped, 0 failed; statements: 0" in result.stderr
    again = run("export", "--db", db)
    assert len(again.stdout.splitlines()) == len(exported)


def test_force_reextracts_with_the_same_count(
    run: Run, db: str, exported: list[dict[str, Any]], tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    result = run("ingest", str(DATA), "--db", str(copy), "--force")
    assert result.exit_code == 0, result.stderr
    n = len(list(DATA.glob("*.txt")))
    assert f"articles: {n} ingested, 0 skipped, 0 failed; statements: {len(exported)}" in (
        result.stderr
    )
    again = [json.loads(line) for line in run("export", "--db", str(copy)).stdout.splitlines()]
    assert len(again) == len(exported)
    strip = ("id", "article_id")
    assert [{k: v for k, v in r.items() if k not in strip} for r in again] == [
        {k: v for k, v in r.items() if k not in strip} for r in exported
    ]


def test_python_m_factcli_never_imports_spacy_for_help_and_queries(db: str) -> None:
    """`python -m factcli --help` and every query command start without spaCy."""
    commands = [
        ["--help"],
        ["who-said", "indispensable"],
        ["actors"],
        ["actor", "hegseth"],
        ["topics"],
        ["topic", "japan"],
        ["search", "tokyo"],
        ["articles"],
        ["show", "1"],
        ["export", "--limit", "2"],
    ]
    code = (
        "import runpy, sys\n"
        f"for args in {commands!r}:\n"
        "    extra = [] if args == ['--help'] else ['--db', DB, '--json']\n"
        "    sys.argv = ['factcli', *args, *extra]\n"
        "    try:\n"
        "        runpy.run_module('factcli', run_name='__main__', alter_sys=True)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code in (0, None), (args, exc.code)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc'))\n"
        "assert not bad, bad\n"
        "assert 'factcli.nlp' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"DB = {db!r}\n" + code],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout and "Pete Hegseth" in result.stdout
    help_only = subprocess.run(
        [sys.executable, "-m", "factcli", "--help"], capture_output=True, text=True
    )
    assert help_only.returncode == 0 and "who-said" in help_only.stdout


def test_the_ingest_writer_imports_no_spacy() -> None:
    """With --jobs 2 the writer process imports the pipeline and the rules but parses nothing:
    spaCy there would add some 50 MB to ingest's peak memory."""
    code = (
        "import sys\n"
        "import factcli.attribution.rules, factcli.extract, factcli.pipeline\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
