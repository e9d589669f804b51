"""The Dask engine: dataset built on a 2-worker local cluster, loaded, and queried with DuckDB.

One cluster serves the whole module (each worker loads spaCy once); the synthetic articles are
short and written here from templates, so the module stays cheap.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")
pytest.importorskip("duckdb")

from typer.testing import CliRunner  # noqa: E402

from factcli.cli import app  # noqa: E402
from factcli.errors import FactcliError  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data"

PEOPLE = [
    ("Clara Voss", "the interior minister"),
    ("Tomas Voss", "a dairy farmer"),
    ("Miriam Okafor", "the finance minister"),
    ("Daniel Brandt", "a union leader"),
    ("Dan Brandt", "a union leader"),
    ("Ines Calder", "the mayor of Lisbon"),
    ("Rafael Moreno", "a water engineer"),
    ("Hana Sato", "the trade envoy"),
]
ORGS = ["the Regional Water Authority", "Regional Water Authority", "the Farmers Union"]
QUOTES = [
    "The reservoirs will be full again by the spring",
    "We cannot pay for this without new taxes",
    "Every farm in the valley has lost money this year",
    "The bridge will reopen before the winter",
    "Our members will not accept a pay freeze",
]
TOPICS = ["drought", "taxes", "the bridge", "wages", "exports"]


def synthetic_articles(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Short wire-style articles: full names, surnames alone, organisations with and without
    "the", anonymous officials, and quotes copied across articles with small changes."""
    rnd = random.Random(seed)
    months = ["2025-01", "2025-02", "2025-03"]
    out = []
    for i in range(n):
        name, role = rnd.choice(PEOPLE)
        surname = name.split()[-1]
        quote = rnd.choice(QUOTES)
        if rnd.random() < 0.3:
            quote = quote.replace("will", "would")
        end = rnd.choice([",", "!", ","])
        org = rnd.choice(ORGS)
        topic = rnd.choice(TOPICS)
        other, other_role = rnd.choice(PEOPLE)
        paras = [
            f"{name}, {role}, said on Monday that {topic} would dominate the week.",
            f"“{quote}{end}” {surname} told reporters in town {i}.",
            f"{org[0].upper() + org[1:]} said it would publish figures on {topic} soon.",
        ]
        if rnd.random() < 0.5:
            paras.append(f"An official said the plan number {i} was still under review.")
        if rnd.random() < 0.5:
            paras.append(f"{other}, {other_role}, said the talks on {topic} had stalled.")
        record: dict[str, Any] = {
            "id": f"s-{i}",
            "title": f"Report {i} on {topic}",
            "text": "\n\n".join(paras),
            "source": rnd.choice(["Daily Ledger", "Wire"]),
        }
        if rnd.random() < 0.9:
            record["date"] = f"{rnd.choice(months)}-{rnd.randint(1, 28):02d}"
        out.append(record)
    out.append(dict(out[3]))  # the same text again in another record: written once
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        worker_dashboard_address=None,
        scheduler_port=0,
        silence_logs=40,
    ) as local:
        yield local


PAGE = """<!DOCTYPE html>
<html><head><title>Harbour dredging to start in May | Coast Herald</title>
<meta property="article:published_time" content="2025-04-09T08:30:00Z"></head>
<body><article><h1>Harbour dredging to start in May</h1>
<p>Work to deepen the northern harbour will begin next month, the port authority said on
Tuesday, after two years of delays caused by a dispute over funding.</p>
<p>“The channel has silted up faster than anyone expected,” Ines Calder, the mayor of Lisbon,
told reporters at the quay.</p>
<p>Miriam Okafor, the finance minister, said the government would cover half of the cost.</p>
</article></body></html>
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("corpus")
    page = folder / "harbour.html"
    page.write_text(PAGE, encoding="utf-8")
    return [str(DATA), str(write_feed(folder / "feed.jsonl", synthetic_articles(240))), str(page)]


def write_feed(path: Path, records: list[dict[str, Any]]) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(cluster: Any, corpus: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from factcli.dataset.build import build

    out = tmp_path_factory.mktemp("ds") / "dataset"
    report = build(corpus, out, scheduler=cluster.scheduler_address, partition_size=40)
    assert report.failed == []
    assert report.duplicates == 1
    return out


@pytest.fixture(scope="module")
def ingested(corpus: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from factcli.pipeline import ingest

    db = tmp_path_factory.mktemp("ingest") / "ingest.db"
    report = ingest(corpus, db, jobs=1)
    assert report.ok
    return db


def dump(path: Path) -> dict[str, Any]:
    """What two databases must agree on: statements (content, speaker, cue, offsets, topics),
    actors, their keys, indexed names and per-article views, quote groups and topic counts."""
    con = sqlite3.connect(path)
    statements = con.execute(
        "SELECT a.sha256, s.content, s.content_start, s.content_end, s.cue, s.cue_start,"
        " s.speaker_mention, s.speaker_start, s.speaker_role, ac.name, s.kind, se.text,"
        " (SELECT group_concat(n, '|') FROM (SELECT t.name n FROM statement_topics x"
        "  JOIN topics t ON t.id = x.topic_id WHERE x.statement_id = s.id ORDER BY x.rowid))"
        " FROM statements s JOIN articles a ON a.id = s.article_id"
        " LEFT JOIN actors ac ON ac.id = s.actor_id LEFT JOIN sentences se ON se.id = s.sentence_id"
    ).fetchall()
    groups: dict[int, list[tuple[str, int]]] = {}
    for sha, start, quote in con.execute(
        "SELECT a.sha256, s.content_start, q.quote_id FROM statement_quotes q"
        " JOIN statements s ON s.id = q.statement_id JOIN articles a ON a.id = s.article_id"
    ):
        groups.setdefault(quote, []).append((sha, start))
    out = {
        "statements": sorted(statements, key=repr),
        "actors": sorted(
            con.execute("SELECT name, role, kind, aliases, statement_count FROM actors"), key=repr
        ),
        "keys": sorted(
            con.execute("SELECT k.key, a.name FROM actor_keys k JOIN actors a ON a.id = k.actor_id")
        ),
        "article_actors": sorted(
            con.execute(
                "SELECT a.sha256, x.name, x.role, x.kind, ac.name FROM article_actors x"
                " JOIN articles a ON a.id = x.article_id JOIN actors ac ON ac.id = x.actor_id"
            ),
            key=repr,
        ),
        "quote_groups": sorted(sorted(g) for g in groups.values()),
        "topics": sorted(
            con.execute(
                "SELECT name, kind, statement_count, article_count, salient_count, specificity,"
                " common FROM topics"
            ),
            key=repr,
        ),
        "topic_periods": sorted(
            con.execute(
                "SELECT 'm', m.month, t.name, m.articles, m.salient, m.statements"
                " FROM topic_months m JOIN topics t ON t.id = m.topic_id WHERE m.articles > 0"
                " UNION ALL SELECT 'd', d.day, t.name, d.articles, d.salient, d.statements"
                " FROM topic_days d JOIN topics t ON t.id = d.topic_id WHERE d.articles > 0"
            ),
            key=repr,
        ),
        "sentences": con.execute("SELECT COUNT(*) FROM sentences").fetchone()[0],
        "names": sorted(
            con.execute(
                "SELECT n.name, a.name FROM actor_names n JOIN actors a ON a.id = n.actor_id"
            )
        ),
        "dates": sorted(con.execute("SELECT published, published_from FROM articles"), key=repr),
        "stats_counts": sorted(con.execute("SELECT subject, key, value FROM stats_counts")),
        "fts": con.execute(
            "SELECT COUNT(*) FROM statements_fts WHERE statements_fts MATCH 'said'"
        ).fetchone()[0],
        "sentences_fts": sorted(
            con.execute(
                "SELECT round(f.rank, 6), s.text FROM sentences_fts f"
                " JOIN sentences s ON s.id = f.rowid"
                " WHERE sentences_fts MATCH 'minister OR reservoirs'"
            )
        ),
    }
    for fts in ("statements_fts", "sentences_fts"):  # the index agrees with its content
        con.execute(f"INSERT INTO {fts} ({fts}) VALUES ('integrity-check')")
    con.close()
    return out


def drift(path: Path) -> list[str]:
    """The kept counts and full-text indexes that disagree with a recount."""
    import sqlite_utils

    from factcli.store.checks import count_drift

    db = sqlite_utils.Database(path)
    try:
        return count_drift(db)
    finally:
        db.close()


def check_band_keys(path: Path) -> int:
    """Each quote's band keys are held by its first statement, as the store computes them."""
    from factcli.store import quotes

    con = sqlite3.connect(path)
    held: dict[int, set[int]] = {}
    for key, statement_id in con.execute("SELECT key, statement_id FROM quote_keys"):
        held.setdefault(statement_id, set()).add(key)
    lists = con.execute("SELECT statement_id, keys FROM quote_key_lists")
    assert {sid: set(json.loads(keys)) for sid, keys in lists} == held
    firsts = con.execute(
        "SELECT id, actor_id, content FROM statements"
        " WHERE id IN (SELECT quote_id FROM statement_quotes)"
    ).fetchall()
    con.close()
    assert set(held) <= {row[0] for row in firsts}
    for statement_id, actor_id, content in firsts:
        assert held.get(statement_id, set()) == set(quotes.band_keys(actor_id, content))
    return len(held)


def test_dataset_then_load_gives_what_ingest_gives(built: Path, ingested: Path, tmp_path: Path):
    from factcli.dataset.load import load

    db = tmp_path / "loaded.db"
    report = load(built, db)
    assert report.bulk and report.articles == 245
    expected, got = dump(ingested), dump(db)
    assert ("2025-04-09", "meta article:published_time") in got["dates"]
    assert len(expected["statements"]) > 500
    assert len(expected["quote_groups"]) < len(expected["statements"])  # copies were grouped
    for key in expected:
        assert got[key] == expected[key], key
    assert check_band_keys(db) == check_band_keys(ingested) > 0
    assert drift(db) == drift(ingested) == []
    again = load(built, db)
    assert again.articles == 0 and again.skipped == 245
    assert dump(db) == got


def test_dataset_actors_and_quote_groups_agree_with_ingest(built: Path, ingested: Path):
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    con = sqlite3.connect(ingested)
    stored = {
        (name, json.dumps(sorted(json.loads(aliases))), kind, n)
        for name, aliases, kind, n in con.execute(
            "SELECT name, aliases, kind, statement_count FROM actors"
        )
    }
    actors = pq.read_table(built / "actors").to_pylist()
    assert {
        (a["name"], json.dumps(sorted(a["aliases"])), a["kind"], a["statement_count"])
        for a in actors
    } == stored
    by_id = {a["actor_id"]: a["name"] for a in actors}
    voss = {a["name"] for a in actors if a["name"].endswith("Voss")}
    assert voss == {"Clara Voss", "Tomas Voss"}

    starts = {
        (sha, index): start
        for sha, index, start in (
            (r["sha256"], r["statement_index"], r["content_start"])
            for r in ds.dataset(built / "statements", partitioning="hive")
            .to_table(columns=["sha256", "statement_index", "content_start"])
            .to_pylist()
        )
    }
    groups: dict[tuple[str, int], set[tuple[str, int, str]]] = {}
    for g in pq.read_table(built / "quote_groups").to_pylist():
        member = (g["sha256"], starts[(g["sha256"], g["statement_index"])], by_id[g["actor_id"]])
        groups.setdefault((g["quote_sha256"], g["quote_statement_index"]), set()).add(member)
    stored_groups: dict[int, set[tuple[str, int, str]]] = {}
    for sha, start, name, quote in con.execute(
        "SELECT a.sha256, s.content_start, ac.name, q.quote_id FROM statement_quotes q"
        " JOIN statements s ON s.id = q.statement_id JOIN articles a ON a.id = s.article_id"
        " JOIN actors ac ON ac.id = s.actor_id"
    ):
        stored_groups.setdefault(quote, set()).add((sha, start, name))
    assert sorted(map(sorted, groups.values())) == sorted(map(sorted, stored_groups.values()))


def test_dataset_layout_and_rerun_is_idempotent(built: Path, cluster: Any, corpus: list[str]):
    import pyarrow.dataset as ds

    from factcli.dataset.build import build

    months = sorted(p.name for p in (built / "articles").iterdir())
    assert months == [
        "month=2025-01",
        "month=2025-02",
        "month=2025-03",
        "month=2025-04",
        "month=unknown",
    ]
    articles = ds.dataset(built / "articles", partitioning="hive").to_table(
        columns=["sha256", "extractor", "model_version"]
    )
    shas = articles["sha256"].to_pylist()
    assert len(shas) == len(set(shas)) == 245
    from factcli.learn import model

    assert set(articles["extractor"].to_pylist()) == {"model"}
    assert set(articles["model_version"].to_pylist()) == {model.version()}
    before = (
        ds.dataset(built / "statements", partitioning="hive")
        .to_table()
        .sort_by([("order", "ascending"), ("statement_index", "ascending")])
    )
    report = build(corpus, built, scheduler=cluster.scheduler_address, partition_size=40)
    assert report.tasks_done_before == report.tasks
    after = (
        ds.dataset(built / "statements", partitioning="hive")
        .to_table()
        .sort_by([("order", "ascending"), ("statement_index", "ascending")])
    )
    assert after.equals(before)


def test_a_worker_killed_mid_run_still_gives_every_article_once(cluster: Any, tmp_path: Path):
    import pyarrow.dataset as ds
    from distributed import Client

    from factcli.dataset.build import build

    with Client(cluster.scheduler_address) as client:
        pids = list(client.run(os.getpid).values())
    done = 0

    def on_task() -> None:
        nonlocal done
        done += 1
        if done == 2:
            os.kill(pids[0], signal.SIGKILL)

    feed = write_feed(tmp_path / "feed.jsonl", synthetic_articles(80, seed=11)[:80])
    out = tmp_path / "killed"
    report = build(
        [str(feed)], out, scheduler=cluster.scheduler_address, partition_size=10, on_task=on_task
    )
    assert done >= report.tasks
    shas = ds.dataset(out / "articles", partitioning="hive").to_table(columns=["sha256"])
    assert shas.num_rows == len(set(shas["sha256"].to_pylist())) == 80
    keys = ds.dataset(out / "statements", partitioning="hive").to_table(
        columns=["sha256", "statement_index"]
    )
    pairs = list(zip(keys["sha256"].to_pylist(), keys["statement_index"].to_pylist(), strict=True))
    assert len(pairs) == len(set(pairs))


def test_workers_run_long_tasks_undisturbed(built: Path, cluster: Any):
    """The worker plugin (sent to every worker, a restarted one too) stops Dask's profiler and
    slows the self-checks that would take the interpreter lock from a spaCy task."""
    from distributed import Client

    from factcli.dataset.cluster import QUIET_INTERVALS_MS

    def state(dask_worker: Any) -> tuple[dict[str, float], bool]:
        callbacks = dask_worker.periodic_callbacks
        intervals = {n: callbacks[n].callback_time for n in QUIET_INTERVALS_MS if n in callbacks}
        return intervals, "profile" not in callbacks

    with Client(cluster.scheduler_address) as client:
        states = list(client.run(state).values())
    assert len(states) == 2
    for intervals, profiler_stopped in states:
        assert intervals.keys() == QUIET_INTERVALS_MS.keys()
        assert all(intervals[n] >= QUIET_INTERVALS_MS[n] for n in intervals)
        assert profiler_stopped


def test_load_stopped_after_one_month_then_finished(built: Path, ingested: Path, tmp_path: Path):
    from factcli.dataset.load import load

    db = tmp_path / "stopped.db"
    calls = 0

    def stop() -> bool:
        nonlocal calls
        calls += 1
        return calls > 1

    first = load(built, db, should_stop=stop)
    assert first.interrupted and first.partitions == 1
    con = sqlite3.connect(db)
    triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {"statements_ai", "sentences_ai", "statements_count_ai"} <= triggers  # put back
    assert con.execute("SELECT COUNT(*) FROM deferred_schema").fetchone()[0] == 0
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "idx_statements_actor" in indexes
    con.close()
    load(built, db)
    assert dump(db) == dump(ingested)
    assert drift(db) == []


READER_ORPHANED = """
import os, sys
from pathlib import Path
from factcli import store
from factcli.dataset import load
if __name__ == "__main__":
    dataset, db = Path(sys.argv[1]), Path(sys.argv[2])
    store.open_db(db, create=True).close()
    reader = load._Reader(dataset, db, load.partitions(dataset))
    reader.begin((1, 1, 1))
    while reader.prepared.empty():
        pass
    print(reader.process.pid, flush=True)
    os._exit(0)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_reader_whose_loader_was_killed_stops(built: Path, tmp_path: Path):
    """A loader killed while its reader has batches waiting in the pipe: the reader stops by
    itself rather than wait for ever to hand them over."""
    import subprocess
    import sys

    script, out = tmp_path / "orphan.py", tmp_path / "orphan.out"
    script.write_text(READER_ORPHANED)
    with out.open("w") as stdout:  # a file: the reader keeps a copy of the loader's stdout
        subprocess.run(
            [sys.executable, str(script), str(built), str(tmp_path / "orphan.db")],
            stdout=stdout,
            timeout=120,
            check=True,
        )
    pid = int(out.read_text().split()[0])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.1)
    running = _running(pid)
    if running:
        os.kill(pid, signal.SIGKILL)
    assert not running


def _running(pid: int) -> bool:
    """Whether `pid` is a process not yet finished (a zombie no one reaped has finished)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("older", [False, True])
def test_load_killed_after_one_month_then_finished(
    built: Path, ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, older: bool
):
    """A loader killed outright leaves its indexes and triggers set aside; the next load
    finishes with the counts ingest keeps, whether this loader kept the daily topic counts
    itself or an older one left them to be counted again (no work table)."""
    from factcli.dataset import load as loading

    db = tmp_path / "killed.db"
    finish = loading.finish
    monkeypatch.setattr(loading, "finish", lambda db, builds=None: None)
    calls = 0

    def stop() -> bool:
        nonlocal calls
        calls += 1
        return calls > 1

    assert loading.load(built, db, should_stop=stop).partitions == 1
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM deferred_schema").fetchone()[0] > 0
    if older:
        con.execute(f"DROP TABLE {loading.DAYS_KEPT}")
        con.execute("DELETE FROM topic_days")
        con.commit()
    con.close()
    monkeypatch.setattr(loading, "finish", finish)
    loading.load(built, db)
    assert dump(db) == dump(ingested)


def test_an_ingest_after_a_killed_load_finishes_it_first(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Rows ingested into a database whose bulk load was killed outright would miss the
    full-text indexes and the counts the load set aside: ingest finishes the load first, and
    the database is the one a load stopped cleanly and then the same ingest give."""
    from factcli.dataset import load as loading
    from factcli.pipeline import ingest

    article = tmp_path / "ferry.txt"
    article.write_text(
        "Ferry fares to rise in March\n\n"
        "Fares on the island ferry will rise by a tenth in March, the transport minister said "
        "on Monday. \u201cWe have held them for five years,\u201d Miriam Okafor told reporters.\n",
        encoding="utf-8",
    )

    def one_month() -> Callable[[], bool]:
        calls = 0

        def stop() -> bool:
            nonlocal calls
            calls += 1
            return calls > 1

        return stop

    stopped, killed = tmp_path / "stopped.db", tmp_path / "killed.db"
    assert loading.load(built, stopped, should_stop=one_month()).partitions == 1
    finish = loading.finish
    monkeypatch.setattr(loading, "finish", lambda db, builds=None: None)  # killed outright
    assert loading.load(built, killed, should_stop=one_month()).partitions == 1
    monkeypatch.setattr(loading, "finish", finish)
    con = sqlite3.connect(killed)
    assert con.execute("SELECT COUNT(*) FROM deferred_schema").fetchone()[0] > 0
    con.close()
    for db in (stopped, killed):
        assert ingest([str(article)], db, jobs=1).ok
    con = sqlite3.connect(killed)
    assert con.execute("SELECT COUNT(*) FROM deferred_schema").fetchone() == (0,)
    assert con.execute(
        "SELECT COUNT(*) FROM statements_fts WHERE statements_fts MATCH 'fares'"
    ).fetchone() == (1,)
    con.close()
    assert dump(killed) == dump(stopped)
    corrected = tmp_path / "corrected.db"  # the commands that correct actors do the same
    monkeypatch.setattr(loading, "finish", lambda db, builds=None: None)
    loading.load(built, corrected, should_stop=one_month())
    monkeypatch.setattr(loading, "finish", finish)
    con = sqlite3.connect(corrected)
    keep, other = (r[0] for r in con.execute("SELECT name FROM actors ORDER BY id LIMIT 2"))
    con.close()
    result = CliRunner().invoke(app, ["actors", "--merge", keep, other, "--db", str(corrected)])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(corrected)
    assert con.execute("SELECT COUNT(*) FROM deferred_schema").fetchone() == (0,)
    assert con.execute("SELECT COUNT(*) FROM actors WHERE name = ?", [other]).fetchone() == (0,)
    con.close()


def test_load_stopped_before_the_tables_built_beside_it_are_copied(
    built: Path, ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The band keys and the full-text indexes are built by threads beside the loader and
    copied in by a second transaction: stopped before it, the loader leaves the triggers and
    the band keys' work table set aside and no side file behind; the next load finishes."""
    from factcli.dataset import load as loading
    from factcli.dataset import side

    def stopped(self: Any, db: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(side.SideBuilds, "copy_into", stopped)
    db = tmp_path / "cut.db"
    with pytest.raises(KeyboardInterrupt):
        loading.load(built, db)
    con = sqlite3.connect(db)
    left = {r[0] for r in con.execute("SELECT name FROM deferred_schema")}
    assert "statements_ai" in left and not {n for n in left if n.startswith("idx_")}
    assert con.execute("SELECT COUNT(*) FROM quote_keys").fetchone() == (0,)
    assert con.execute(f"SELECT COUNT(*) FROM {loading.QUOTE_KEYS_FROM}").fetchone() == (1,)
    con.close()
    assert [
        p.name for p in tmp_path.iterdir() if "-wal" not in p.name and "-shm" not in p.name
    ] == ["cut.db"]
    monkeypatch.undo()
    loading.load(built, db)
    assert dump(db) == dump(ingested)
    assert check_band_keys(db) == check_band_keys(ingested)


def test_load_builds_in_place_when_it_cannot_beside(
    built: Path, ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from factcli.dataset import load as loading
    from factcli.dataset import side

    monkeypatch.setattr(side, "database_file", lambda db: None)
    db = tmp_path / "in-place.db"
    loading.load(built, db)
    assert dump(db) == dump(ingested)
    assert check_band_keys(db) == check_band_keys(ingested)


def test_load_stops_when_another_writer_gets_in(built: Path, tmp_path: Path):
    """The reading thread numbers rows ahead of the writer: a write by anyone else between two
    months would shift them, so the load stops with one line, and loading again finishes."""
    from factcli.dataset.load import load

    db = tmp_path / "shared.db"
    calls = 0

    def intrude() -> bool:
        nonlocal calls
        calls += 1
        if calls == 2:
            con = sqlite3.connect(db)
            con.execute(
                "INSERT INTO articles (sha256, source, text, ingested_at)"
                " VALUES ('x', 'other.txt', 'Another text.', 'now')"
            )
            con.commit()
            con.close()
        return False

    with pytest.raises(FactcliError, match="written to during the load"):
        load(built, db, should_stop=intrude)
    report = load(built, db)
    assert report.bulk and report.skipped > 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone() == (246,)
    assert con.execute("SELECT COUNT(*) FROM deferred_schema").fetchone() == (0,)
    con.close()


def test_a_damaged_partition_stops_the_load_with_one_line(built: Path, tmp_path: Path):
    """The reading process hands its error to the writer: one line naming the partition, the
    months before it kept whole, the database finished (indexes and triggers back), and no
    reading process left behind."""
    import multiprocessing
    import shutil

    from factcli.dataset.load import partitions

    dataset = tmp_path / "ds"
    shutil.copytree(built, dataset)
    months = partitions(dataset)
    (dataset / "statements" / months[1] / "part-0.parquet").write_bytes(b"not parquet")
    db = tmp_path / "damaged.db"
    result = CliRunner().invoke(app, ["load", str(dataset), "--db", str(db)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"factcli: error: {dataset}: cannot read {months[1]}: ")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM deferred_schema").fetchone() == (0,)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] > 0
    con.close()
    assert not [p for p in multiprocessing.active_children() if p.name == "factcli-load-reader"]


def test_load_into_a_database_holding_other_articles_matches_as_ingest(
    built: Path, ingested: Path, tmp_path: Path
):
    from factcli.dataset.load import load
    from factcli.pipeline import ingest

    db = tmp_path / "mixed.db"
    assert ingest([str(DATA)], db, jobs=1).ok
    report = load(built, db)
    assert not report.bulk and report.skipped == 4 and report.articles == 241
    expected, got = dump(ingested), dump(db)
    # months load in date order, not input order: who was matched to whom may differ where the
    # rules depend on order ("Dan Brandt" before or after "Daniel Brandt"), nothing else does
    assert [s[:9] + s[10:] for s in got["statements"]] == [
        s[:9] + s[10:] for s in expected["statements"]
    ]
    assert got["topics"] == expected["topics"]
    assert drift(db) == []
    con = sqlite3.connect(db)
    assert con.execute(
        "SELECT COUNT(*) FROM statements WHERE speaker_mention IS NOT NULL AND actor_id IS NULL"
        " AND id IN (SELECT statement_id FROM statement_quotes)"
    ).fetchone() == (0,)


def test_dataset_queries_with_duckdb_follow_the_contract(built: Path, ingested: Path):
    from factcli.queries.sql import STATEMENT_KEYS

    runner = CliRunner()
    ds, db = ["--dataset", str(built)], ["--db", str(ingested)]
    topics = runner.invoke(app, ["topics", "--json", "-n", "0", *ds])
    assert topics.exit_code == 0, topics.output
    expected = runner.invoke(app, ["topics", "--json", "-n", "0", *db])
    assert json.loads(topics.stdout) == json.loads(expected.stdout)

    by_actor = runner.invoke(app, ["actor", "voss", "--json", "-n", "0", *ds])
    rows = json.loads(by_actor.stdout)
    assert rows and all(tuple(r) == STATEMENT_KEYS for r in rows)
    stored = json.loads(runner.invoke(app, ["actor", "voss", "--json", "-n", "0", *db]).stdout)
    assert sorted((r["content"], r["speaker"]) for r in rows) == sorted(
        (r["content"], r["speaker"]) for r in stored
    )

    said = json.loads(
        runner.invoke(app, ["who-said", "RESERVOIRS spring", "--json", "-n", "0", *ds]).stdout
    )
    assert said and all("reservoirs" in r["content"].lower() for r in said)
    assert all(tuple(r) == STATEMENT_KEYS for r in said)
    none = runner.invoke(app, ["who-said", "reservoi", "--json", *ds])  # a word, not a prefix
    assert none.exit_code == 0 and json.loads(none.stdout) == []
    assert "bm25" in runner.invoke(app, ["who-said", "--help"]).stdout


def test_bad_inputs_are_one_line_each(cluster: Any, tmp_path: Path):
    runner = CliRunner()
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        'not json\n{"text": "Clara Voss said the river was rising.", "date": "2025-05-02"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "ds"
    result = runner.invoke(
        app,
        [
            "extract",
            str(feed),
            str(tmp_path / "missing.txt"),
            "--engine",
            "dask",
            "--out",
            str(out),
            "--scheduler",
            cluster.scheduler_address,
        ],
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("factcli: error:")]
    assert len(errors) == 2 and "missing.txt" in result.stderr
    assert "Traceback" not in result.output
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    assert len(pq.read_table(out / "errors").to_pylist()) == 1  # the bad line; the file: plan
    assert ds.dataset(out / "articles", partitioning="hive").count_rows() == 1

    started = time.monotonic()
    result = runner.invoke(
        app,
        [
            "extract",
            str(feed),
            "--engine",
            "dask",
            "--out",
            str(tmp_path / "x"),
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.stderr.startswith("factcli: error: cannot reach the Dask scheduler")
    assert len(result.stderr.strip().splitlines()) == 1

    no_rules = [*("extract", str(feed), "--engine", "dask", "--out", str(tmp_path / "y"))]
    result = runner.invoke(app, [*no_rules, "--actor-rules", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and result.stderr.startswith("factcli: error: no database")
    assert not (tmp_path / "y").exists()

    old = tmp_path / "old"
    for table in ("articles", "statements", "actors", "actor_mentions", "quote_groups"):
        (old / table).mkdir(parents=True)
    (old / "dataset.json").write_text('{"format": "factcli-dataset", "version": 2}')
    for args in (
        ["load", str(tmp_path / "nothing"), "--db", str(tmp_path / "a.db")],
        ["load", str(old), "--db", str(tmp_path / "a.db")],
        ["topics", "--dataset", str(feed.parent)],
        ["who-said", "river", "--dataset", str(old)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and result.stderr.startswith("factcli: error:")
        assert not (tmp_path / "a.db").exists()


def test_manual_merges_and_splits_reach_the_reduce(cluster: Any, tmp_path: Path):
    """A user merged "Hana Sato" into "Clara Voss" and split "Dan Brandt" off "Daniel Brandt"
    in a database; a dataset built with --actor-rules follows both, in articles never seen."""
    import pyarrow.parquet as pq

    from factcli.pipeline import ingest
    from factcli.store import open_db
    from factcli.store.identity import merge, split

    first = [
        {"text": "Clara Voss, the interior minister, said the dam was safe.", "date": "2025-01-02"},
        {"text": "Hana Sato, the trade envoy, said exports were rising.", "date": "2025-01-03"},
        {"text": "Daniel Brandt, a union leader, said wages must rise.", "date": "2025-01-04"},
        {"text": "Dan Brandt, a union leader, said the strike would go on.", "date": "2025-01-05"},
    ]
    db_path = tmp_path / "edited.db"
    assert ingest([str(write_feed(tmp_path / "first.jsonl", first))], db_path, jobs=1).ok
    db = open_db(db_path, create=False)
    merge(db, "Clara Voss", "Hana Sato")
    split(db, "Daniel Brandt", "Dan Brandt")  # they were one actor: matched by name
    db.close()
    later = [
        {"text": "Hana Sato, the trade envoy, said tariffs would fall.", "date": "2025-02-01"},
        {"text": "Daniel Brandt, a union leader, said pay talks had failed.", "date": "2025-02-02"},
        {"text": "Dan Brandt, a union leader, said members were angry.", "date": "2025-02-03"},
    ]
    feed = write_feed(tmp_path / "later.jsonl", later)
    result = CliRunner().invoke(
        app,
        [
            "extract",
            str(feed),
            "--engine",
            "dask",
            "--out",
            str(tmp_path / "ds"),
            "--scheduler",
            cluster.scheduler_address,
            "--actor-rules",
            str(db_path),
        ],
    )
    assert result.exit_code == 0, result.output
    actors = {
        a["actor_id"]: a["name"] for a in pq.read_table(tmp_path / "ds" / "actors").to_pylist()
    }
    seen = {
        m["name"]: actors[m["actor_id"]]
        for m in pq.read_table(tmp_path / "ds" / "actor_mentions").to_pylist()
    }
    assert seen == {
        "Hana Sato": "Clara Voss",
        "Daniel Brandt": "Daniel Brandt",
        "Dan Brandt": "Dan Brandt",
    }
    assert sorted(actors.values()) == ["Clara Voss", "Dan Brandt", "Daniel Brandt"]

    plain = tmp_path / "plain"
    from factcli.dataset.build import build

    build([str(feed)], plain, scheduler=cluster.scheduler_address)
    names = {a["name"] for a in pq.read_table(plain / "actors").to_pylist()}
    assert "Hana Sato" in names and "Dan Brandt" not in names  # without the rules


def test_topic_slots_follow_the_articles_order():
    """The writer numbers a batch's statement topics article by article; statements met out of
    their articles' order are renumbered to match."""
    from factcli.dataset.rows import Prepared, _renumber_slots

    batch = Prepared("2025-01", 0, (1, 1, 1))
    first = [["drought", "drought", 1, 1]]
    second = [["taxes", "Taxes", 2, 0], ["wages", "wages", 1, 2]]
    batch.topics = [(1, None, [], first), (2, None, [], second)]
    batch.link_statements, batch.link_slots = [3, 4, 1, 2], [0, 2, 1, 0]
    _renumber_slots(batch, 3)
    assert [e[3] for e in first + second] == [0, 1, 2]
    assert batch.link_slots == [1, 2, 0, 1]


def test_many_rows_to_a_statement_insert_what_one_per_statement_would():
    """Rows on both sides of a statement's capacity, a conflict clause applied row by row, and
    a flat list of values: the same table as `executemany` one row at a time."""
    from factcli.dataset.inserts import insert_flat, insert_rows, rows_per_statement

    def table() -> sqlite3.Connection:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c REAL)")
        return conn

    per = rows_per_statement(table(), 3)
    assert 1 < per <= 999 // 3
    for n in (0, 1, per - 1, per, 2 * per + 5):
        rows = [(i % (per + 3), f"row {i}", i / 2) for i in range(n)]  # repeated keys
        one, many, flat = table(), table(), table()
        one.executemany("INSERT OR REPLACE INTO t (a, b, c) VALUES (?, ?, ?)", rows)
        insert_rows(many, "INSERT OR REPLACE INTO t (a, b, c)", 3, rows)
        insert_flat(flat, "INSERT OR REPLACE INTO t (a, b, c)", 3, [v for r in rows for v in r])
        expected = one.execute("SELECT * FROM t ORDER BY a").fetchall()
        assert many.execute("SELECT * FROM t ORDER BY a").fetchall() == expected
        assert flat.execute("SELECT * FROM t ORDER BY a").fetchall() == expected
    with pytest.raises(ValueError):
        insert_flat(table(), "INSERT INTO t (a, b, c)", 3, [1, "x"])


def test_the_last_partitions_are_cut_finer_and_every_record_planned_once(tmp_path: Path):
    from factcli.dataset.build import TAIL_TASKS, plan
    from factcli.formats import InputOptions

    feed = write_feed(tmp_path / "feed.jsonl", synthetic_articles(130, seed=5)[:130])
    tasks, problems = plan([str(feed)], InputOptions(), 20)
    assert not problems
    sizes = [sum(p.stop - p.start for p in t.pieces) for t in tasks]
    assert sum(sizes) == 130
    records = [r for t in tasks for p in t.pieces for r in range(p.start, p.stop)]
    assert records == list(range(130))
    tail = sizes[-2 * TAIL_TASKS * 2 :]
    assert max(tail) == 5 and sum(s for s in sizes if s <= 5) == TAIL_TASKS * 20
    assert sizes[: len(sizes) - len(tail)] == [20] * 4 + [10]  # the head as given
    again, _ = plan([str(feed)], InputOptions(), 20)
    assert [t.key for t in again] == [t.key for t in tasks]  # the same inputs, the same keys
    small, _ = plan([str(feed)], InputOptions(), 100)
    assert [sum(p.stop - p.start for p in t.pieces) for t in small] == [100, 30]


def test_a_task_file_is_read_month_by_month(tmp_path: Path):
    import pyarrow.parquet as pq

    from factcli.dataset import schema
    from factcli.dataset.build import _month_rows, _write_by_month

    blank = dict.fromkeys(schema.schemas()["articles"].names)
    rows = [{**blank, "sha256": f"{n:064x}", "order": n, "month": m} for n, m in enumerate("baba")]
    path = tmp_path / "articles.parquet"
    _write_by_month(path, "articles", rows)
    assert pq.ParquetFile(path).metadata.num_row_groups == 2
    both = _month_rows(path, ["a", "b"])
    assert both["a"]["order"].to_pylist() == [1, 3]
    assert both["b"]["order"].to_pylist() == [0, 2]
    assert _month_rows(path, ["c"])["c"].num_rows == 0
    pq.write_table(pq.read_table(path).sort_by("order"), path, write_statistics=False)
    assert _month_rows(path, ["a"])["a"]["order"].to_pylist() == [1, 3]  # not grouped by month


def test_months_are_compacted_in_a_few_consecutive_groups():
    from factcli.dataset.build import month_groups

    months = [f"2025-{m:02d}" for m in range(1, 12)] + ["unknown"]
    groups = month_groups(months, 2)
    assert len(groups) == 4 and [m for g in groups for m in g] == months
    assert month_groups(months[:3], 2) == [[m] for m in months[:3]]
    assert month_groups(months, 1) == [months[:6], months[6:]]
    assert month_groups([], 2) == []


def test_the_first_copy_in_input_order_wins_whichever_task_finished_first():
    from factcli.dataset.build import TaskRows, _errors, _winners

    def rows(*articles: tuple[str, int, str], errors: tuple[int, ...] = ()) -> TaskRows:
        return TaskRows(
            [(sha, o, month, ((sha, "person", None, ()),), ()) for sha, o, month in articles],
            [{"source": "feed", "order": o, "sha256": None, "reason": "bad"} for o in errors],
        )

    found = {  # tasks in the order they finished, not the order of their inputs
        "late": rows(("a", 30, "2025-03"), ("b", 31, "2025-03"), errors=(32,)),
        "early": rows(("a", 10, "2025-01"), ("c", 11, "unknown"), ("a", 12, "2025-02")),
    }
    winners = _winners(found)
    assert {sha: (w.task, w.order, w.month) for sha, w in winners.items()} == {
        "a": ("early", 10, "2025-01"),
        "b": ("late", 31, "2025-03"),
        "c": ("early", 11, "unknown"),
    }
    assert winners["a"].speakers == (("a", "person", None, ()),)
    again = rows(errors=(32,))  # a retried task reports the same failure
    assert [e["order"] for e in _errors([found["late"], again, rows(errors=(5,))])] == [5, 32]
