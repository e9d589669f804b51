"""The benchmarks run (on a tiny size): they are not timed here, only kept working."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run(script: str, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_query_benchmark_on_a_tiny_archive(tmp_path: Path) -> None:
    lines = run(
        "query.py", "--articles", "30", "--queries", "3", "--cli-runs", "1",
        "--band-words", "1", "--copies", "2", "--db", str(tmp_path / "tiny.db"),
    )  # fmt: skip
    assert lines[0].startswith("built: 30 articles") and "copied 2 times" in lines[0]
    assert lines[1].startswith("database: 30 articles, 300 statements")
    assert sum(" in-process " in line for line in lines) == 8
    assert sum(line.startswith("band ") for line in lines) == 4 * 3 * 4
    assert sum(line.startswith("cli ") for line in lines) == 14
    assert lines[-1].startswith("summary: ")


def test_startup_benchmark() -> None:
    lines = run("startup.py", "--runs", "1", "--no-tables")
    loads = [line for line in lines if line.startswith("loads ")]
    assert len(loads) == 12 and all(line.endswith("(none of them)") for line in loads)
    assert lines[-1].startswith("summary: ")


def test_completion_benchmark() -> None:
    lines = run("completion.py", "--actors", "300", "--queries", "5", "--runs", "1")
    assert lines[0].startswith("database: ")
    assert sum(line.startswith("complete ") and "in-process" in line for line in lines) == 2
    assert lines[-1].startswith("summary: ")


def test_actors_benchmark_on_two_articles(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Vantor Corp said profits rose. Analysts said shares would fall.", encoding="utf-8"
    )
    (folder / "b.txt").write_text(
        "Home Secretary Alan Pryce said the law would change.", encoding="utf-8"
    )
    lines = run("actors.py", str(folder), "--top", "5", "--anonymous", "5")
    assert any("Alan Pryce" in line and "Home Secretary" in line for line in lines)
    assert any(line.startswith("anon ") and "analysts" in line for line in lines)
    assert lines[-1].startswith("summary: 0 of 2 named actors fail a check")
