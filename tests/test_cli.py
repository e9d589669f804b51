"""The command line: every command and format, errors as one stderr line, exit codes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from builders import build_db
from typer.testing import CliRunner

from factcli import pipeline
from factcli.cli import app, default_db_path
from factcli.errors import FactcliError
from factcli.pipeline import IngestReport

CONTRACT = [
    "id",
    "article_id",
    "source",
    "title",
    "published",
    "speaker",
    "speaker_mention",
    "speaker_role",
    "speaker_kind",
    "cue",
    "kind",
    "content",
    "sentence",
    "topics",
    "speaker_start",
    "speaker_end",
    "cue_start",
    "cue_end",
    "content_start",
    "content_end",
]

QUERY_COMMANDS: list[list[str]] = [
    ["who-said", "indispensable"],
    ["actors"],
    ["actor", "hegseth"],
    ["topics"],
    ["topic", "japan"],
    ["search", "tokyo"],
    ["articles"],
    ["show", "1"],
    ["export"],
]

STATEMENT_COMMANDS = [["who-said", "indispensable"], ["actor", "hegseth"], ["topic", "japan"]]


@pytest.fixture(autouse=True)
def no_env_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTCLI_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture(scope="module")
def dbfile(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_db(tmp_path_factory.mktemp("cli") / "f.db"))


@pytest.fixture
def run() -> Callable[..., Any]:
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, list(args), input=input)

    return invoke


def error_line(result: Any) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("factcli: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("command", QUERY_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_every_command_every_format(
    run: Callable[..., Any], dbfile: str, command: list[str], fmt: str
) -> None:
    result = run(*command, "--db", dbfile, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.strip()
    assert "\x1b" not in out
    if fmt == "json":
        parsed = json.loads(out)
        assert isinstance(parsed, dict if command[0] == "show" else list)
    elif fmt == "jsonl":
        assert all(json.loads(line) for line in out.splitlines())
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows
    else:
        assert all(len(line) <= 80 for line in out.splitlines())


@pytest.mark.parametrize("command", QUERY_COMMANDS, ids=lambda c: c[0])
def test_json_shortcut(run: Callable[..., Any], dbfile: str, command: list[str]) -> None:
    result = run(*command, "--db", dbfile, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)


@pytest.mark.parametrize("command", STATEMENT_COMMANDS, ids=lambda c: c[0])
def test_statement_json_contract(run: Callable[..., Any], dbfile: str, command: list[str]) -> None:
    result = run(*command, "--db", dbfile, "--json")
    rows = json.loads(result.stdout)
    assert rows
    assert all(list(row) == CONTRACT for row in rows)


def test_who_said_indispensable(run: Callable[..., Any], dbfile: str) -> None:
    result = run("who-said", "indispensable", "--db", dbfile, "--json")
    assert [r["speaker"] for r in json.loads(result.stdout)] == ["Pete Hegseth"] * 2


def test_who_said_table(run: Callable[..., Any], dbfile: str) -> None:
    result = run("who-said", "indispensable", "--db", dbfile)
    assert "Pete Hegseth" in result.stdout
    assert "indispensable" in result.stdout
    assert "2025-05-12" in result.stdout
    assert result.stderr == ""


def test_export_defaults_to_jsonl(run: Callable[..., Any], dbfile: str) -> None:
    result = run("export", "--db", dbfile)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 7
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert all(list(r) == CONTRACT for r in rows)
    assert len(run("export", "--db", dbfile, "--limit", "2").stdout.splitlines()) == 2


def test_show_json_is_the_article(run: Callable[..., Any], dbfile: str) -> None:
    article = json.loads(run("show", "1", "--db", dbfile, "--json").stdout)
    assert article["title"] == "Allies Pledge Closer Defense Ties"
    assert len(article["statements"]) == 5
    assert all(list(s) == CONTRACT for s in article["statements"])


def test_csv_topics_joined(run: Callable[..., Any], dbfile: str) -> None:
    out = run("topic", "deterrence", "--db", dbfile, "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["topics"] == "Japan; deterrence"


def test_limit(run: Callable[..., Any], dbfile: str) -> None:
    assert len(json.loads(run("actors", "--db", dbfile, "--json", "-n", "1").stdout)) == 1
    assert len(json.loads(run("actor", "heg", "--db", dbfile, "--json", "-n", "0").stdout)) == 4


HOSTILE = [
    '"',
    "-",
    "*",
    "AND",
    "NEAR(",
    "'; DROP TABLE statements; --",
    "",
    "🙂",
    "a:b ^c (d",
    "((()",
    "x" * 10_000,
    "ﷺ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("command", ["who-said", "search", "actor", "topic"])
def test_hostile_queries(run: Callable[..., Any], dbfile: str, command: str, text: str) -> None:
    result = run(command, text, "--db", dbfile, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert run("export", "--db", dbfile).stdout.count("\n") == 7


@pytest.mark.parametrize("text", ["NAKATANI", "nakatani", "Nakatáni"])
def test_search_ignores_case_and_accents(run: Callable[..., Any], dbfile: str, text: str) -> None:
    result = run("search", text, "--db", dbfile, "--json")
    assert [r["text"][:12] for r in json.loads(result.stdout)] == ["Gen Nakatani"]


def test_fts_flag_passes_raw_syntax(run: Callable[..., Any], dbfile: str) -> None:
    result = run("who-said", "japan NOT partner", "--fts", "--db", dbfile, "--json")
    assert result.exit_code == 0, result.stderr
    assert [r["content"] for r in json.loads(result.stdout)] == ["Japan would join the exercises"]
    result = run("search", "tok*", "--fts", "--db", dbfile, "--json")
    assert len(json.loads(result.stdout)) == 3
    plain = run("who-said", "japan NOT partner", "--db", dbfile, "--json")
    assert json.loads(plain.stdout) == []


@pytest.mark.parametrize("text", ['"', "NEAR(", "(a OR", "japan AND", "nosuch:word"])
@pytest.mark.parametrize("command", ["who-said", "search"])
def test_fts_syntax_error_is_one_line(
    run: Callable[..., Any], dbfile: str, command: str, text: str
) -> None:
    result = run(command, text, "--fts", "--db", dbfile)
    assert result.exit_code == 2
    assert error_line(result).startswith("factcli: error: not a valid FTS5 query")


@pytest.mark.parametrize(
    "command",
    [["who-said", "zebra"], ["actor", "zebra"], ["topic", "zebra"], ["search", "zebra"]],
    ids=lambda c: c[0],
)
def test_no_results(run: Callable[..., Any], dbfile: str, command: list[str]) -> None:
    table = run(*command, "--db", dbfile)
    assert table.exit_code == 0
    assert table.stdout == ""
    assert "zebra" in table.stderr and table.stderr[-1] == "\n"
    assert run(*command, "--db", dbfile, "--json").stdout == "[]\n"
    assert run(*command, "--db", dbfile, "--format", "jsonl").stdout == ""


def test_empty_database_lists(run: Callable[..., Any], tmp_path: Path) -> None:
    from factcli.store import open_db

    open_db(tmp_path / "e.db", create=True).close()
    for command in (["actors"], ["topics"], ["articles"], ["export"]):
        result = run(*command, "--db", str(tmp_path / "e.db"), "-f", "table")
        assert result.exit_code == 0 and result.stdout == "" and result.stderr
        assert run(*command, "--db", str(tmp_path / "e.db"), "--json").stdout == "[]\n"


@pytest.mark.parametrize("command", QUERY_COMMANDS, ids=lambda c: c[0])
def test_no_database(run: Callable[..., Any], tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "missing.db"
    result = run(*command, "--db", str(path))
    assert result.exit_code == 1
    assert error_line(result) == f"factcli: error: no database at {path}; run factcli ingest first"
    assert not path.exists()


def test_not_a_database(run: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    result = run("actors", "--db", str(path))
    assert result.exit_code == 1
    assert "not an SQLite database" in error_line(result)
    assert path.read_text() == "hello\n"


def test_unexpected_sqlite_error_is_one_line(run: Callable[..., Any], tmp_path: Path) -> None:
    path = build_db(tmp_path / "f.db")
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE statements_fts")
    conn.commit()
    conn.close()
    result = run("who-said", "japan", "--db", str(path))
    assert result.exit_code == 1
    assert "statements_fts" in error_line(result)


def test_show_unknown_article(run: Callable[..., Any], dbfile: str) -> None:
    result = run("show", "99", "--db", dbfile)
    assert result.exit_code == 1
    assert "no article with id 99" in error_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "abc"],
        ["who-said"],
        ["actors", "--format", "xml"],
        ["actors", "--limit", "-3"],
        ["actors", "--json", "--format", "csv"],
        ["nonsense"],
    ],
)
def test_usage_errors_exit_2(run: Callable[..., Any], dbfile: str, args: list[str]) -> None:
    result = run(*args, "--db", dbfile)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_db_from_environment(
    run: Callable[..., Any], dbfile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTCLI_DB", dbfile)
    assert default_db_path() == Path(dbfile)
    assert len(json.loads(run("actors", "--json").stdout)) == 3


def test_default_db_in_user_data_dir() -> None:
    from platformdirs import user_data_dir

    assert default_db_path() == Path(user_data_dir("factcli")) / "factcli.db"


def test_help_and_version(run: Callable[..., Any]) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("ingest", "who-said", "actors", "actor", "topics", "search", "export"):
        assert command in result.stdout
    assert run("--version").stdout.startswith("factcli ")
    assert run("who-said", "--help").exit_code == 0


def make_fake_ingest(
    failures: dict[str, str] | None = None,
    raises: Exception | None = None,
    calls: list[dict[str, Any]] | None = None,
) -> Callable[..., IngestReport]:
    failures = failures or {}

    def fake(
        paths: list[str],
        db_path: Path,
        *,
        force: bool = False,
        jobs: int | None = None,
        on_total: Callable[[int], None] | None = None,
        on_article: Callable[[str, str], None] | None = None,
        on_error: Callable[[str, str], None] | None = None,
        **_: Any,
    ) -> IngestReport:
        if calls is not None:
            calls.append({"paths": list(paths), "db_path": db_path, "force": force})
            if "max_bytes" in _:
                calls[-1]["max_bytes"] = _["max_bytes"]
        if raises is not None:
            raise raises
        report = IngestReport()
        if on_total:
            on_total(len(paths))
        for path in paths:
            if path in failures:
                report.failed.append((path, failures[path]))
                if on_error:
                    on_error(path, failures[path])
                status = "failed"
            elif path.startswith("old"):
                report.skipped += 1
                status = "skipped"
            else:
                report.ingested += 1
                report.statements += 3
                status = "ingested"
            if on_article:
                on_article(path, status)
        report.actors = 2 * report.ingested
        return report

    return fake


def test_ingest_summary(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(pipeline, "ingest", make_fake_ingest(calls=calls))
    result = run("ingest", "a.txt", "b.txt", "old.txt", "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "2 ingested" in result.stderr
    assert "1 skipped" in result.stderr
    assert "0 failed" in result.stderr
    assert "statements: 6" in result.stderr
    assert "actors: 4" in result.stderr
    assert calls == [
        {
            "paths": ["a.txt", "b.txt", "old.txt"],
            "db_path": tmp_path / "x.db",
            "force": False,
            "max_bytes": 20_000_000,
        }
    ]


def test_ingest_force_and_default_db(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(pipeline, "ingest", make_fake_ingest(calls=calls))
    monkeypatch.setenv("FACTCLI_DB", str(tmp_path / "env.db"))
    assert run("ingest", "-", "--force", input="text").exit_code == 0
    assert calls[0]["force"] is True
    assert calls[0]["db_path"] == tmp_path / "env.db"
    assert calls[0]["paths"] == ["-"]


def test_ingest_failures(run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    fake = make_fake_ingest(failures={"bad.bin": "binary file, not text", "empty.txt": "empty"})
    monkeypatch.setattr(pipeline, "ingest", fake)
    result = run("ingest", "good.txt", "bad.bin", "empty.txt")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert "factcli: error: bad.bin: binary file, not text" in lines
    assert "factcli: error: empty.txt: empty" in lines
    assert "1 ingested" in lines[-1] and "2 failed" in lines[-1]
    assert "Traceback" not in result.stderr


def test_ingest_failures_only_in_report_are_still_printed(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def quiet(paths: list[str], db_path: Path, **_: Any) -> IngestReport:
        return IngestReport(failed=[("x.txt", "not UTF-8")])

    monkeypatch.setattr(pipeline, "ingest", quiet)
    result = run("ingest", "x.txt")
    assert result.exit_code == 1
    assert "factcli: error: x.txt: not UTF-8" in result.stderr


@pytest.mark.parametrize(
    "error, code, text",
    [
        (FactcliError("cannot write database /x.db: readonly", 1), 1, "readonly"),
        (FactcliError("no input files", 2), 2, "no input files"),
        (sqlite3.OperationalError("disk I/O error"), 1, "disk I/O error"),
    ],
)
def test_ingest_fatal_error(
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    code: int,
    text: str,
) -> None:
    monkeypatch.setattr(pipeline, "ingest", make_fake_ingest(raises=error))
    result = run("ingest", "a.txt")
    assert result.exit_code == code
    assert text in error_line(result)


@pytest.mark.parametrize(
    "args, env, expected",
    [
        (["--max-size", "5MB"], None, 5_000_000),
        (["--max-size", "64KiB"], None, 65_536),
        ([], "1000", 1000),
        (["--max-size", "2k"], "1000", 2000),
    ],
)
def test_ingest_max_size(
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: str | None,
    expected: int,
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(pipeline, "ingest", make_fake_ingest(calls=calls))
    if env is not None:
        monkeypatch.setenv("FACTCLI_MAX_SIZE", env)
    assert run("ingest", "a.txt", *args).exit_code == 0
    assert calls[0]["max_bytes"] == expected


@pytest.mark.parametrize("value", ["lots", "0", "-1MB"])
def test_ingest_bad_max_size_is_a_usage_error(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setattr(pipeline, "ingest", make_fake_ingest())
    result = run("ingest", "a.txt", "--max-size", value)
    assert result.exit_code == 2
    assert "--max-size" in result.stderr and "Traceback" not in result.stderr


def test_ingest_warnings_are_one_line_each(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def warns(paths: list[str], db_path: Path, **kw: Any) -> IngestReport:
        kw["on_warning"]("old.txt", "not UTF-8, decoded as cp1252")
        return IngestReport(ingested=1)

    monkeypatch.setattr(pipeline, "ingest", warns)
    result = run("ingest", "old.txt")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[0] == "factcli: warning: old.txt: not UTF-8, decoded as cp1252"
    assert lines[1].startswith("articles: 1 ingested")


def test_ingest_interrupted_exits_130_with_the_summary(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(paths: list[str], db_path: Path, **kw: Any) -> IngestReport:
        assert kw["should_stop"]() is False
        return IngestReport(ingested=2, statements=7, actors=3, interrupted=True)

    monkeypatch.setattr(pipeline, "ingest", interrupted)
    result = run("ingest", "a.txt", "b.txt", "c.txt")
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [
        "factcli: interrupted; every article stored so far is complete",
        "articles: 2 ingested, 0 skipped, 0 failed; statements: 7; actors: 3",
    ]


def test_ingest_needs_a_path(run: Callable[..., Any]) -> None:
    assert run("ingest").exit_code == 2


def test_query_path_never_imports_spacy(dbfile: str) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from factcli.cli import app\n"
        "r = CliRunner()\n"
        "assert r.invoke(app, ['--help']).exit_code == 0\n"
        f"assert r.invoke(app, ['who-said', 'japan', '--db', {dbfile!r}]).exit_code == 0\n"
        f"assert r.invoke(app, ['export', '--db', {dbfile!r}]).exit_code == 0\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc', 'torch')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_help_does_not_import_storage() -> None:
    code = (
        "import sys\n"
        "import factcli.cli\n"
        "assert 'sqlite_utils' not in sys.modules\n"
        "assert 'factcli.pipeline' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_python_m_factcli(dbfile: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "factcli", "actors", "--db", dbfile, "--json"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3
    missing = subprocess.run(
        [sys.executable, "-m", "factcli", "actors", "--db", dbfile + ".nope"],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1
    assert missing.stderr.startswith("factcli: error: no database at ")
    assert missing.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "command", [["actors"], ["who-said", "japan"], ["export"], ["ingest", "-"]]
)
def test_damaged_database_is_one_line_and_untouched(
    run: Callable[..., Any], tmp_path: Path, command: list[str]
) -> None:
    path = build_db(tmp_path / "f.db")
    data = path.read_bytes()
    damaged = data[:4096] + b"\x5a" * (len(data) - 4096)
    path.write_bytes(damaged)
    result = run(*command, "--db", str(path), input="The mayor said the bridge would reopen.")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"factcli: error: {path} is damaged (database disk image is malformed); it was left as"
        " it is: restore a backup or choose another --db"
    )
    assert path.read_bytes() == damaged


def test_newer_database_is_refused_and_untouched(run: Callable[..., Any], tmp_path: Path) -> None:
    from factcli.store import latest_version

    path = build_db(tmp_path / "f.db")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.commit()
    conn.close()
    data = path.read_bytes()
    for command in (["actors"], ["ingest", "-"]):
        result = run(*command, "--db", str(path), input="The mayor said so.")
        assert result.exit_code == 1
        assert "newer than this factcli knows" in error_line(result)
        assert path.read_bytes() == data


def test_ctrl_c_in_a_query_exits_130(
    run: Callable[..., Any], dbfile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcli.queries import statements

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(statements, "who_said", interrupted)
    result = run("who-said", "japan", "--no-group", "--db", dbfile)
    assert result.exit_code == 130
    assert error_line(result) == "factcli: error: interrupted"
