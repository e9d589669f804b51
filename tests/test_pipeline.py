"""Ingest orchestration: the same database whatever the number of jobs, chunks, skips."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from factcli import pipeline

DATA = Path(__file__).resolve().parent.parent / "data"

TABLES = {
    "articles": "id, sha256, source, title, published, text, body_start",
    "sentences": "*",
    "actors": "*",
    "topics": "*",
    "statements": "*",
    "statement_topics": "rowid, *",
    "article_topics": "rowid, *",
}


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
            for table, columns in TABLES.items()
        }
    finally:
        conn.close()


def test_jobs_1_and_2_give_identical_databases(tmp_path: Path, nlp: object) -> None:
    """Workers extract in parallel, but this process writes in input order: same ids, same rows."""
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    report_one = pipeline.ingest([str(DATA)], one, jobs=1)
    report_two = pipeline.ingest([str(DATA)], two, jobs=2)
    assert report_one.ingested == report_two.ingested == len(list(DATA.glob("*.txt")))
    assert report_one.statements == report_two.statements > 0
    assert dump(one) == dump(two)
    assert all(dump(one).values())


@pytest.mark.parametrize("jobs", [1, 2])
def test_duplicates_and_stored_articles_are_skipped(tmp_path: Path, nlp: object, jobs: int) -> None:
    text = "Ms. Vale said the bridge would reopen.\n"
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(text if name != "c.txt" else "Mr. Ode said it was late.\n")
    (tmp_path / "empty.txt").write_text("")
    db = tmp_path / "f.db"
    seen: list[tuple[str, str]] = []
    report = pipeline.ingest(
        [str(tmp_path)], db, jobs=jobs, on_article=lambda s, st: seen.append((Path(s).name, st))
    )
    assert (report.ingested, report.skipped, len(report.failed)) == (2, 1, 1)
    assert seen == [
        ("a.txt", "ingested"),
        ("b.txt", "skipped"),
        ("c.txt", "ingested"),
        ("empty.txt", "failed"),
    ]
    again = pipeline.ingest([str(tmp_path)], db, jobs=jobs)
    assert (again.ingested, again.skipped, len(again.failed)) == (0, 3, 1)


def test_default_jobs_is_the_processor_count() -> None:
    assert pipeline.default_jobs() >= 1


def test_chunks_keep_order() -> None:
    assert list(pipeline._chunks(iter("abcde"), 2)) == [["a", "b"], ["c", "d"], ["e"]]


def test_last_chunks_shrink_so_workers_finish_together() -> None:
    chunks = list(pipeline._chunks(iter(range(100)), 16, total=100, jobs=2))
    assert [n for c in chunks for n in c] == list(range(100))
    sizes = [len(c) for c in chunks]
    assert sizes[0] == 16 and sizes == sorted(sizes, reverse=True)
    assert sizes[-2] == pipeline.TAIL_ARTICLES


def test_a_bad_model_file_stops_the_workers_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With several jobs the workers start first; the model check still fails the run before
    the database exists, and takes the workers down with it."""
    from factcli.errors import FactcliError
    from factcli.learn.model import MODEL_ENV

    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "missing.json.gz"))
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("The mayor said the fares would rise.\n", encoding="utf-8")
    db = tmp_path / "x.db"
    with pytest.raises(FactcliError, match="--extractor rules"):
        pipeline.ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], db, jobs=2)
    assert not db.exists()
