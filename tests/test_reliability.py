"""Crashes and concurrency, with factcli running as a real process (`python -m factcli`).

An ingest killed with SIGKILL at any moment leaves a sound database holding only whole articles,
and running it again finishes the rest; Ctrl-C stops after the article being stored and exits
130; two ingests and queries at the same time all succeed without "database is locked".
"""

from __future__ import annotations

import io
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcli import pipeline, store
from factcli.cli import app
from factcli.extract import extract
from factcli.reader import read_article

DATA = Path(__file__).resolve().parent.parent / "data"
TEMPLATE_CHARS = 900

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def templates() -> list[str]:
    """The opening paragraphs (about TEMPLATE_CHARS characters) of each article in data/."""
    out = []
    for path in sorted(DATA.glob("*.txt")):
        text = ""
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            text += block + "\n\n"
            if len(text) >= TEMPLATE_CHARS:
                break
        out.append(text.rstrip("\n") + "\n")
    return out


def variant(template: str, n: int) -> str:
    """The template with trailing blank space that makes its hash unique; the paragraphs, and so
    the extraction, stay exactly the same."""
    return template + "\n" + " " * (n + 1)


def write_articles(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tpl = templates()
    paths = []
    for i in range(start, start + count):
        path = folder / f"article_{i:04d}.txt"
        path.write_text(variant(tpl[i % len(tpl)], i), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def expected(nlp: object) -> dict[str, tuple[int, list[str]]]:
    """Per template: (number of sentences, the statement contents) of a whole article."""
    out = {}
    for i, tpl in enumerate(templates()):
        article = read_article("-", stdin=io.BytesIO(variant(tpl, i).encode("utf-8")))
        extraction = extract(article)
        contents = sorted(s.content.text(article.text) for s in extraction.statements)
        out[tpl] = (len(extraction.sentences), contents)
    return out


def factcli(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTCLI_")}
    return subprocess.Popen(
        [sys.executable, "-m", "factcli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def stored_count(db: Path) -> int:
    """Articles committed so far, read the way any other process would."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # no schema yet
        return 0
    finally:
        conn.close()


def wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, (
            f"factcli ended early: {proc.stderr.read() if proc.stderr else ''}"
        )
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def check_database(db: Path, expected: dict[str, tuple[int, list[str]]]) -> int:
    """The database is sound and holds only whole articles; returns how many."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "articles" not in tables:
            return 0
        conn.execute("INSERT INTO statements_fts(statements_fts) VALUES ('integrity-check')")
        conn.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")
        articles = conn.execute("SELECT id, text FROM articles").fetchall()
        by_template = {tpl.rstrip(): want for tpl, want in expected.items()}
        for article_id, text in articles:
            sentences, contents = by_template[text.rstrip()]
            got_sentences = conn.execute(
                "SELECT COUNT(*) FROM sentences WHERE article_id = ?", [article_id]
            ).fetchone()[0]
            got_contents = sorted(
                r[0]
                for r in conn.execute(
                    "SELECT content FROM statements WHERE article_id = ?", [article_id]
                )
            )
            assert (got_sentences, got_contents) == (sentences, contents), article_id
        hashes = [r[0] for r in conn.execute("SELECT sha256 FROM articles")]
        assert len(hashes) == len(set(hashes))
        return len(articles)
    finally:
        conn.close()


def summary(stderr: str) -> str:
    return [line for line in stderr.splitlines() if line.startswith("articles: ")][-1]


def test_kill_9_at_random_moments_then_resume(
    tmp_path: Path, expected: dict[str, tuple[int, list[str]]]
) -> None:
    """200 articles; SIGKILL while starting up (creating the schema), early and late in the
    run, each a random moment; then one run finishes the rest without duplicates."""
    seed = int(os.environ.get("FACTCLI_TEST_SEED", random.randrange(10**6)))
    print(f"FACTCLI_TEST_SEED={seed}")
    rng = random.Random(seed)
    folder = tmp_path / "articles"
    write_articles(folder, 200)
    db = tmp_path / "f.db"
    thresholds = [None, rng.randint(3, 40), rng.randint(80, 160)]
    counts = []
    for threshold in thresholds:
        target = db.exists if threshold is None else lambda t=threshold: stored_count(db) >= t
        proc = factcli("ingest", str(folder), "--db", str(db))
        wait_for(target, proc)
        time.sleep(rng.uniform(0, 0.08))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, f"seed {seed}"
        stored = check_database(db, expected)
        assert stored < 200, f"seed {seed}"
        counts.append(stored)
    assert counts == sorted(counts), f"seed {seed}"

    proc = factcli("ingest", str(folder), "--db", str(db))
    _, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 0, stderr
    assert summary(stderr).startswith(
        f"articles: {200 - counts[-1]} ingested, {counts[-1]} skipped, 0 failed"
    ), f"seed {seed}"
    assert check_database(db, expected) == 200


def test_ctrl_c_stops_after_the_current_article(
    tmp_path: Path, expected: dict[str, tuple[int, list[str]]]
) -> None:
    folder = tmp_path / "articles"
    write_articles(folder, 40)
    db = tmp_path / "f.db"

    # Ctrl-C once, mid-run: the article being stored is finished, then it stops.
    proc = factcli("ingest", str(folder), "--db", str(db))
    wait_for(lambda: stored_count(db) >= 2, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "factcli: interrupted; every article stored so far is complete" in stderr
    first = check_database(db, expected)
    assert 2 <= first < 40
    assert summary(stderr).startswith(f"articles: {first} ingested, 0 skipped, 0 failed")

    # Ctrl-C while the model is still loading (the ingest has opened the database, which
    # makes its -wal file): nothing more is stored.
    proc = factcli("ingest", str(folder), "--db", str(db))
    wait_for(Path(f"{db}-wal").exists, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert re.match(r"articles: 0 ingested, \d+ skipped, 0 failed", summary(stderr))
    assert check_database(db, expected) == first

    # Ctrl-C twice while the model loads and parses: the second does not wait for it.
    proc = factcli("ingest", str(folder), "--db", str(db))
    wait_for(Path(f"{db}-wal").exists, proc)
    time.sleep(0.3)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert re.match(r"articles: 0 ingested, \d+ skipped, 0 failed", summary(stderr))
    assert time.monotonic() - started < 0.8
    assert check_database(db, expected) == first
    second = first

    proc = factcli("ingest", str(folder), "--db", str(db))
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert summary(stderr).startswith(f"articles: {40 - second} ingested, {second} skipped")
    assert check_database(db, expected) == 40


def test_two_ingests_and_queries_at_once(
    tmp_path: Path, expected: dict[str, tuple[int, list[str]]]
) -> None:
    """Two ingests into one new database (each with its own articles and 8 shared ones) while
    queries run: both land whole, shared articles once, and nobody sees "database is locked"."""
    one = tmp_path / "one"
    two = tmp_path / "two"
    shared = tmp_path / "shared"
    write_articles(one, 12, start=0)
    write_articles(two, 12, start=100)
    write_articles(shared, 8, start=200)
    db = tmp_path / "f.db"
    procs = [
        factcli("ingest", str(one), str(shared), "--db", str(db)),
        factcli("ingest", str(shared), str(two), "--db", str(db)),
    ]
    runner = CliRunner()
    seen: list[int] = []
    queries = 0
    while any(p.poll() is None for p in procs):
        if stored_count(db) == 0:
            time.sleep(0.02)
            continue
        for args in (["articles", "--json", "-n", "0"], ["who-said", "said"], ["export"]):
            result = runner.invoke(app, [*args, "--db", str(db)])
            assert result.exit_code == 0, result.stderr
            assert "locked" not in result.stderr
            queries += 1
            if args[0] == "articles":
                seen.append(result.stdout.count('"sha256"'))
    stderrs = [p.communicate()[1] for p in procs]
    for proc, stderr in zip(procs, stderrs, strict=True):
        assert proc.returncode == 0, stderr
        assert "locked" not in stderr and "error" not in stderr, stderr
    assert queries > 0
    assert seen == sorted(seen)
    totals = [summary(s) for s in stderrs]
    ingested = sum(int(t.split()[1]) for t in totals)
    skipped = sum(int(t.split()[3]) for t in totals)
    assert (ingested, skipped) == (32, 8), totals
    assert check_database(db, expected) == 32


def test_a_lock_held_past_the_busy_timeout_is_retried(
    tmp_path: Path, nlp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock longer than SQLite's own wait: the article is
    stored once it is released, and the user never sees "database is locked"."""
    import factcli.store.connection as connection

    db = tmp_path / "f.db"
    store.open_db(db, create=True).close()
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)
    blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        time.sleep(0.6)
        blocker.execute("ROLLBACK")
        released.set()

    (folder := tmp_path / "a").mkdir()
    write_articles(folder, 1)
    threading.Thread(target=release).start()
    report = pipeline.ingest([str(folder)], db)
    assert released.is_set()
    blocker.close()
    assert (report.ingested, report.failed) == (1, [])


def test_busy_retries_give_up_with_one_clear_line(
    tmp_path: Path, nlp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import factcli.store.connection as connection

    db = tmp_path / "f.db"
    store.open_db(db, create=True).close()
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 10)
    monkeypatch.setattr(connection, "BUSY_RETRIES", 2)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    (folder := tmp_path / "a").mkdir()
    write_articles(folder, 1)
    try:
        result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(db)])
    finally:
        blocker.close()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0] == (
        f"factcli: error: database {db} stayed busy (another program kept it locked);"
        " try again later (stopped; 0 articles stored)"
    )
