"""Dask engine benchmark: extraction throughput, load speed and memory, DuckDB query latency.

    python bench/distributed.py --articles 1000 --statements 1000000   # the figures in docs
    python bench/distributed.py --articles 40 --statements 20000        # a quick look
    python bench/distributed.py --skip-extract --skip-queries --skip-load --phases \
        --statements 200000 --dataset DIR                                # CPU per phase of load

1. Throughput: the same articles (the sample articles of `data/` perturbed, as by
   bench/archive.py, in two JSON Lines shards) through two `factcli extract` processes side by
   side (one shard each: what two local jobs do), and `factcli extract --engine dask` with a
   local cluster of 2 workers, alternated for `--rounds` rounds (the median ratio is the
   figure: a shared machine's speed drifts by a third within minutes); then 1 worker once.
   Wall clock, start-up and spaCy loads included.
2. Load: a synthetic dataset of `--statements` statements (rows written directly, no parsing)
   loaded by `factcli load` into a fresh database: statements per second and the loader's
   peak RSS.
3. DuckDB: `who-said`, `actor` and `topics` over the same dataset, each run `--repeat` times
   in-process; the median and p95 per command.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def cpu() -> float:
    """CPU seconds of every finished child process and its descendants (workers included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


FACTCLI = [sys.executable, "-m", "factcli"]


def run(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _plain(folder: Path, shards: list[Path]) -> tuple[float, float]:
    """Two `factcli extract` processes side by side, one shard each: what two local jobs do."""
    cpu0 = cpu()
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [*FACTCLI, "extract", str(s), "-o", str(folder / f"{s.name}.out")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for s in shards
    ]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit("factcli extract failed")
    return time.perf_counter() - started, cpu() - cpu0


def _dask(folder: Path, shards: list[Path], workers: int, size: int) -> tuple[float, float]:
    out = folder / f"dataset-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    cpu0 = cpu()
    wall = run(
        [
            *FACTCLI,
            "extract",
            *map(str, shards),
            "--engine",
            "dask",
            "--workers",
            str(workers),
            "--out",
            str(out),
            "--partition-size",
            str(size),
        ]
    )
    return wall, cpu() - cpu0


def throughput(folder: Path, n: int, rounds: int) -> None:
    """Plain and Dask runs alternate, round by round and in turn first, so a machine whose
    speed drifts (a shared virtual machine) weighs on both alike; the ratio of each round is
    printed and their median is the figure. One worker is timed once, beside the last round's
    two."""
    from archive import generate

    shards = generate(folder, n, per_shard=(n + 1) // 2)
    size = max(10, n // 20)
    print(f"extract, {n} articles (wall clock and CPU of all processes, start-up included):")

    def line(label: str, wall: float, used: float) -> None:
        print(
            f"  {label:38s} {wall:7.1f} s  {n / wall:6.1f} articles/s"
            f"  CPU {used:7.1f} s ({1000 * used / n:.0f} ms/article)"
        )

    ratios = []
    for number in range(1, rounds + 1):
        if number % 2:
            plain = _plain(folder, shards)
            two = _dask(folder, shards, 2, size)
        else:
            two = _dask(folder, shards, 2, size)
            plain = _plain(folder, shards)
        ratios.append(plain[0] / two[0])
        print(f" round {number} ({'plain first' if number % 2 else 'dask first'}):")
        line("2 x factcli extract (one shard each)", *plain)
        line("--engine dask --workers 2", *two)
        print(f"  dask 2 workers / 2 extract processes: {ratios[-1]:.2f}")
    one = _dask(folder, shards, 1, size)
    line("--engine dask --workers 1 (after the last)", *one)
    print(
        f"  machine load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()}"
    )
    print(
        f"  dask 2 workers / 2 extract processes, median of {rounds}: "
        f"{statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(f"  dask 2 workers / 1 worker (last round):  {one[0] / two[0]:.2f}")


WORDS = [
    "budget",
    "drought",
    "tariffs",
    "reservoir",
    "bridge",
    "wages",
    "exports",
    "harbour",
    "rail",
    "taxes",
    "election",
    "ceasefire",
    "vaccine",
    "pension",
    "housing",
    "inflation",
    "fisheries",
    "mining",
    "tourism",
    "schools",
]
VERBS = ["said", "told reporters", "added", "warned", "argued"]


def synthetic_dataset(out: Path, statements: int, seed: int = 3) -> None:
    """A dataset written directly (no parsing, no reduce): articles of 16 statements by 3
    speakers, 12 months, 20,000 actors, one statement in ten a copy of an earlier quote.

    MinHash signatures are random numbers here (computing them is the reduce step's work); their
    band keys are mixed with the actor id as the reduce does.
    """
    import hashlib
    import json

    import pyarrow as pa

    from factcli.dataset import duck, schema
    from factcli.dataset.build import write_table
    from factcli.dataset.reduce import ROW_GROUP
    from factcli.store.quotes import keys_from_signature

    rnd = random.Random(seed)
    n_actors = 20_000
    names = [f"Person{i} Surname{i % 5000}" for i in range(n_actors + 1)]
    write_table(
        out / "actors",
        "actors",
        [
            {
                "actor_id": i,
                "name": names[i],
                "role": rnd.choice(["minister", "analyst", "mayor", None]),
                "kind": "person",
                "aliases": [f"Surname{i % 5000}"],
                "keys": [f"name:{names[i].lower()}", f"surname:surname{i % 5000}"],
                "statement_count": 0,
            }
            for i in range(1, n_actors + 1)
        ],
    )
    tables = schema.schemas()
    part = {name: pa.schema([f for f in tables[name] if f.name != "month"]) for name in tables}
    per_article = 16
    n_articles = statements // per_article
    popular: list[tuple[str, int, int, str]] = []
    order = 0
    for m in range(12):
        month = f"2024-{m + 1:02d}"
        articles: list[dict[str, Any]] = []
        rows_all: list[dict[str, Any]] = []
        mentions: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        for number in range(m, n_articles, 12):
            published = f"{month}-{1 + number % 28:02d}"
            speakers = rnd.sample(range(1, n_actors + 1), 3)
            parts: list[str] = []
            rows: list[dict[str, Any]] = []
            sentences = []
            pos = 0
            for index in range(per_article):
                actor_id = speakers[index % 3]
                copy = rnd.choice(popular) if popular and rnd.random() < 0.1 else None
                if copy is not None:
                    actor_id, content = copy[2], copy[3]
                else:
                    content = " ".join(rnd.choices(WORDS, k=12)) + f" {number} {index}"
                name = names[actor_id]
                verb = rnd.choice(VERBS)
                sentence = f"{name} {verb} that {content}."
                start = pos
                parts.append(sentence)
                pos += len(sentence) + 2
                c0 = start + len(name) + len(verb) + 7
                sentences.append({"paragraph": index, "start": start, "end": pos - 2})
                rows.append(
                    {
                        "statement_index": index,
                        "order": order,
                        "source": f"synthetic/{number}",
                        "title": None,
                        "published": published,
                        "speaker": name,
                        "speaker_key": name.casefold(),
                        "speaker_mention": name,
                        "speaker_role": None,
                        "speaker_kind": "person",
                        "cue": verb.split()[0],
                        "kind": "indirect",
                        "content": content,
                        "sentence": sentence,
                        "sentence_index": index,
                        "topics": rnd.sample(WORDS, 2),
                        "speaker_start": start,
                        "speaker_end": start + len(name),
                        "cue_start": start + len(name) + 1,
                        "cue_end": start + len(name) + 1 + len(verb.split()[0]),
                        "content_start": c0,
                        "content_end": c0 + len(content),
                        "extractor": "rules",
                        "model_version": None,
                        "_actor": actor_id,
                        "_copy": copy,
                    }
                )
            text = "\n\n".join(parts)
            sha = hashlib.sha256(text.encode()).hexdigest()
            seen: dict[int, str] = {}
            for r in rows:
                actor_id, copy = r.pop("_actor"), r.pop("_copy")
                r["sha256"] = sha
                seen.setdefault(actor_id, r["speaker"])
                quote = (copy[0], copy[1]) if copy else (sha, r["statement_index"])
                signature = None if copy else [rnd.getrandbits(60) for _ in range(16)]
                groups.append(
                    {
                        "sha256": sha,
                        "statement_index": r["statement_index"],
                        "order": order,
                        "actor_id": actor_id,
                        "quote_sha256": quote[0],
                        "quote_statement_index": quote[1],
                        "band_keys": keys_from_signature(actor_id, signature)
                        if signature
                        else None,
                    }
                )
                if copy is None and len(popular) < 50 and rnd.random() < 0.01:
                    popular.append((sha, r["statement_index"], actor_id, r["content"]))
            mentions += [
                {
                    "sha256": sha,
                    "order": order,
                    "name": n,
                    "name_key": n.casefold(),
                    "role": None,
                    "kind": "person",
                    "listed": True,
                    "actor_id": a,
                }
                for a, n in seen.items()
            ]
            articles.append(
                {
                    "sha256": sha,
                    "order": order,
                    "source": f"synthetic/{number}",
                    "title": None,
                    "published": published,
                    "published_from": None,
                    "outlet": None,
                    "url": None,
                    "author": None,
                    "body_start": 0,
                    "text": text,
                    "extractor": "rules",
                    "model_version": None,
                    "sentences": sentences,
                    "speakers": [
                        {"name": n, "kind": "person", "role": None, "aliases": []}
                        for n in seen.values()
                    ],
                    "other_speakers": [],
                    "topics": [],
                    "statement_count": per_article,
                }
            )
            rows_all += rows
            order += 1
        write_table(
            out / "articles" / f"month={month}",
            "articles",
            pa.Table.from_pylist(articles, schema=part["articles"]),
            row_group_size=schema.ROW_GROUPS["articles"],
        )
        write_table(
            out / "statements" / f"month={month}",
            "statements",
            pa.Table.from_pylist(rows_all, schema=part["statements"]),
            row_group_size=schema.ROW_GROUPS["statements"],
        )
        for table, rows in (("actor_mentions", mentions), ("quote_groups", groups)):
            write_table(
                out / table / f"month={month}",
                table,
                pa.Table.from_pylist(rows, schema=part[table]),
                row_group_size=ROW_GROUP,
            )
    write_table(out / "errors", "errors", [])
    (out / "dataset.json").write_text(
        json.dumps({"format": "factcli-dataset", "version": schema.FORMAT_VERSION})
    )
    duck.write_topics(out)


def load_figures(dataset: Path, db: Path, statements: int) -> None:
    """`factcli load` as a whole run: wall and CPU of all its processes (the loader and its
    reader), and peak memory sampled over the process tree: summed and the largest one."""
    from ingest import run_measured  # bench/ingest.py: the same measuring for both benches

    cmd = [sys.executable, "-m", "factcli", "load", str(dataset), "--db", str(db)]
    run = run_measured(cmd)
    print(f"load, {statements:,} statements into a fresh database (start-up, index and")
    print("full-text builds at the end included):")
    print(f"  wall {run.wall:.1f} s, {statements / run.wall:,.0f} statements/s")
    print(f"  CPU  {run.cpu:.1f} s, {statements / run.cpu:,.0f} statements per CPU-second")
    print(
        f"  peak RSS of the loader: {run.total} MB, both processes together"
        f" (PSS {run.pss} MB; largest process {run.largest} MB)"
    )
    print(f"  database: {db.stat().st_size / 1e6:.0f} MB")
    size = sum(f.stat().st_size for f in dataset.rglob("*.parquet"))
    print(f"  dataset read: {size / 1e6:.0f} MB of Parquet")
    print(f"  load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def load_phases(dataset: Path, db: Path, statements: int) -> None:
    """`load` called in this process: CPU seconds of the loader's main thread per phase
    (receiving the reader's batches, inserting them, the final builds), of all its threads,
    and of the reader process. CPU, unlike wall time, hardly moves with the machine's load."""
    from factcli.dataset import load as loading

    spent = {"receiving": 0.0, "inserting": 0.0, "final builds": 0.0}

    def timed(name: str, fn: Any) -> Any:
        def inner(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.thread_time() - started

        return inner

    originals = (loading._Reader.take, loading._write, loading.finish)
    loading._Reader.take = timed("receiving", loading._Reader.take)  # type: ignore[method-assign]
    loading._write = timed("inserting", loading._write)
    loading.finish = timed("final builds", loading.finish)
    try:
        children = cpu()
        started, process = time.perf_counter(), time.process_time()
        report = loading.load(dataset, db)
        wall, process = time.perf_counter() - started, time.process_time() - process
    finally:
        loading._Reader.take, loading._write, loading.finish = originals  # type: ignore[method-assign]
    assert report.statements == statements, report
    print(f"load in-process, {statements:,} statements: wall {wall:.1f} s")
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in spent.items())
    print(f"  CPU of the loader's main thread: {phases}")
    reader = cpu() - children
    print(f"  CPU of the loader (all threads) {process:.1f} s + the reader {reader:.1f} s")
    print(f"  load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def query_figures(dataset: Path, repeat: int) -> None:
    from factcli.dataset import duck

    con = duck.connect(dataset)
    commands = {
        "who-said 'tariffs reservoir'": lambda: duck.who_said(con, "tariffs reservoir", 20),
        "who-said budget (common word)": lambda: duck.who_said(con, "budget", 20),
        "actor person123": lambda: duck.statements_by_actor(con, "person123", 20),
        "topics": lambda: duck.topics(con, 50),
    }
    print(f"DuckDB over the dataset ({repeat} runs each, in-process, 2 threads):")
    for name, fn in commands.items():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(
            f"  {name:32s} median {statistics.median(times) * 1000:7.0f} ms"
            f"   p95 {p95 * 1000:7.0f} ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--rounds", type=int, default=3, help="plain and Dask extraction runs, alternated"
    )
    parser.add_argument("--skip-extract", action="store_true")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument(
        "--phases",
        action="store_true",
        help="also load in this process and print the CPU of each phase of the load",
    )
    parser.add_argument(
        "--dataset",
        type=Path,
        help="the synthetic dataset's folder: written there when it does not exist, else reused",
    )
    args = parser.parse_args()
    print("A 2-core machine shared with other work: figures are noisy; ratios were measured")
    print("side by side in one run.")
    with tempfile.TemporaryDirectory(prefix="factcli-bench-") as tmp:
        folder = Path(tmp)
        if not args.skip_extract:
            throughput(folder, args.articles, max(1, args.rounds))
        if args.skip_queries and args.skip_load and not args.phases:
            return 0
        dataset = args.dataset or folder / "synthetic"
        if not dataset.exists():
            started = time.perf_counter()
            synthetic_dataset(dataset, args.statements)
            print(
                f"synthetic dataset: {args.statements:,} statements written in "
                f"{time.perf_counter() - started:.0f} s"
            )
        if not args.skip_queries:
            query_figures(dataset, args.repeat)
        if not args.skip_load:
            load_figures(dataset, folder / "loaded.db", args.statements)
        if args.phases:
            load_phases(dataset, folder / "phases.db", args.statements)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
