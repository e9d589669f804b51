"""``factcli extract --engine dask``: the map step on a cluster, then the reduce, into a dataset.

1. Plan: inputs are cut into tasks of about `partition_size` articles (files, or record ranges
   of a JSON Lines file); a task's key is a hash of what it reads, so the same inputs give the
   same tasks on every run.
2. Map: each task reads, parses and extracts its articles with `pipeline.extract_chunk` (the
   function ``ingest`` runs) and writes its rows under ``_tasks/<key>/`` by an atomic rename.
   A task whose folder exists is done: an interrupted run, run again, does only the rest, and a
   task retried after a worker died writes the same folder once.
   The task returns its articles' keys and speakers to the client.
3. Compact: a few jobs, each for a run of consecutive months, keep each article once (the
   earliest in input order, as ingest does) and write ``articles/month=…`` and
   ``statements/month=…``.
4. Reduce: corpus-wide actors and quote groups (see `reduce`), from the speakers the client
   gathered and the statements of the month partitions; the `topics` summary beside it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcli import formats, reader
from factcli.dataset import schema
from factcli.errors import FactcliError
from factcli.formats import InputOptions

if TYPE_CHECKING:
    from factcli.dataset.reduce import Speaker

DEFAULT_PARTITION_SIZE = 200
TASKS_DIR = "_tasks"


@dataclass(frozen=True)
class Piece:
    """Records [start, stop) of input number `index` (a single-article file is [0, 1))."""

    index: int
    path: str
    start: int
    stop: int


@dataclass(frozen=True)
class Task:
    key: str
    pieces: tuple[Piece, ...]


@dataclass
class BuildReport:
    tasks: int = 0
    tasks_done_before: int = 0
    articles: int = 0
    statements: int = 0
    duplicates: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    actors: int = 0
    quote_groups: int = 0


def plan(
    paths: Sequence[str], options: InputOptions, partition_size: int, extractor: str = "model"
) -> tuple[list[Task], list[tuple[str, str]]]:
    """The tasks for these inputs and the inputs that cannot be read at all."""
    inputs, problems = reader.collect_inputs(paths)
    if reader.STDIN in inputs:
        raise FactcliError("the dask engine reads files, not stdin (-)")
    pieces: list[Piece] = []
    for index, source in enumerate(inputs):
        count = formats.count_articles(source, options)
        if count is None:
            count = 1
        for start in range(0, max(count, 1), partition_size):
            pieces.append(Piece(index, source, start, min(start + partition_size, max(count, 1))))
    tasks: list[Task] = []
    batch: list[Piece] = []
    size = 0

    def close() -> None:
        nonlocal batch, size
        if batch:
            tasks.append(Task(_task_key(batch, options, extractor), tuple(batch)))
        batch, size = [], 0

    head, tail = _taper(pieces, partition_size)
    for pieces_of, limit in ((head, partition_size), (tail, _tail_size(partition_size))):
        for piece in pieces_of:
            if size + piece.stop - piece.start > limit:
                close()
            batch.append(piece)
            size += piece.stop - piece.start
        close()
    return tasks, problems


TAIL_TASKS = 2
"""The last this-many partitions' worth of articles are cut into quarter-size tasks."""


def _tail_size(partition_size: int) -> int:
    return max(1, -(-partition_size // 4))


def _taper(pieces: list[Piece], partition_size: int) -> tuple[list[Piece], list[Piece]]:
    """The pieces split into a head, cut as given, and a tail of `TAIL_TASKS` partitions cut
    four times finer. The workers run tasks in order; when the last tasks are small, the
    workers finish at nearly the same time instead of one waiting for the other's last
    partition. The cut depends only on the inputs and the partition size, so a task keeps its
    key from one run to the next."""
    total = sum(p.stop - p.start for p in pieces)
    if total <= TAIL_TASKS * partition_size:
        return pieces, []
    budget = TAIL_TASKS * partition_size
    head = list(pieces)
    tail: list[Piece] = []
    while budget > 0 and head:
        piece = head.pop()
        count = piece.stop - piece.start
        if count > budget:  # this piece's end is the tail's start
            cut = piece.stop - budget
            head.append(Piece(piece.index, piece.path, piece.start, cut))
            piece = Piece(piece.index, piece.path, cut, piece.stop)
            count = budget
        tail.insert(0, piece)
        budget -= count
    step = _tail_size(partition_size)
    fine = [
        Piece(p.index, p.path, start, min(start + step, p.stop))
        for p in tail
        for start in range(p.start, p.stop, step)
    ]
    return head, fine


def _task_key(pieces: list[Piece], options: InputOptions, extractor: str) -> str:
    h = hashlib.sha256(f"v{schema.FORMAT_VERSION}\0{extractor}".encode())
    h.update(json.dumps(asdict(options), sort_keys=True).encode())
    for p in pieces:
        try:
            st = os.stat(p.path)
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "missing"
        h.update(f"{p.index}\0{os.path.realpath(p.path)}\0{stamp}\0{p.start}\0{p.stop}\n".encode())
    return h.hexdigest()[:32]


def run_task(out: str, task: Task, options: InputOptions, extractor: str = "model") -> TaskRows:
    """The map step for one task, on a worker: rows written under ``_tasks/<key>/``; returns
    what the client keeps of them, so it need not read the files back."""
    from factcli.pipeline import Outcome, Read, extract_chunk, read_inputs

    final = Path(out) / TASKS_DIR / task.key
    if final.exists():
        return _task_rows(Path(out), task.key)
    entries: list[tuple[int, Read | Outcome]] = []
    for piece in task.pieces:
        records = read_inputs(piece.path, options, skip=piece.start)
        for number, entry in enumerate(itertools.islice(records, piece.stop - piece.start)):
            entries.append((piece.index * schema.ORDER_STRIDE + piece.start + number, entry))
    outcomes = extract_chunk(
        [e for _, e in entries],
        lambda _: False,
        options,
        "rules" if extractor == "rules" else "model",
    )
    articles: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for (order, _), outcome in zip(entries, outcomes, strict=True):
        if outcome.extraction is not None:
            articles.append(schema.article_row(outcome.extraction, order))
            statements.extend(schema.statement_rows(outcome.extraction, order))
            continue
        reason = outcome.reason or "unreadable"
        if outcome.status == "unanalysable":
            reason = f"could not be analysed ({reason})"
        errors.append(
            {"source": outcome.source, "order": order, "sha256": outcome.sha256, "reason": reason}
        )
    tmp = Path(out) / TASKS_DIR / f".tmp-{task.key}-{uuid.uuid4().hex}"
    tmp.mkdir(parents=True)
    _write_by_month(tmp / "articles.parquet", "articles", articles)
    _write_by_month(tmp / "statements.parquet", "statements", statements)
    _write(tmp / "errors.parquet", "errors", errors)
    try:
        os.rename(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # the same task finished elsewhere first
        return _task_rows(Path(out), task.key)
    return TaskRows([_kept(a) for a in articles], errors)


def topics_task(out: str, after: Any = None) -> None:
    """`duck.write_topics` on a worker; `after` (the compaction's results) only makes it wait
    for the month partitions it reads."""
    from factcli.dataset.duck import write_topics

    write_topics(Path(out))


def _write(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(
        pa.Table.from_pylist(rows, schema=schema.schemas()[table]), path, compression="zstd"
    )


def _write_by_month(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    """One row group per month, months in order and rows in input order within each: a
    compaction job reads only its months' row groups of each task's file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table_schema = schema.schemas()[table]
    by_month: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_month.setdefault(row["month"], []).append(row)
    with pq.ParquetWriter(path, table_schema, compression="zstd") as writer:
        if not by_month:
            writer.write_table(table_schema.empty_table())
        for month in sorted(by_month):
            part = by_month[month]
            writer.write_table(pa.Table.from_pylist(part, schema=table_schema), len(part))


def _month_rows(path: Path, months: Sequence[str]) -> dict[str, Any]:
    """The rows of each of `months` in a task's file, the file opened once: only the row groups
    of those months when the file is grouped by month (row-group statistics say which), else
    the whole file."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    column = parquet.schema_arrow.get_field_index("month")
    low, high = min(months), max(months)
    groups = []
    for index in range(parquet.metadata.num_row_groups):
        stats = parquet.metadata.row_group(index).column(column).statistics
        if stats is None or not stats.has_min_max:
            groups = list(range(parquet.metadata.num_row_groups))
            break
        if stats.min <= high and low <= stats.max:
            groups.append(index)
    t = parquet.read_row_groups(groups) if groups else parquet.schema_arrow.empty_table()
    return {m: t.filter(pc.equal(t["month"], m)) for m in months}


def write_table(
    out: Path,
    table: str,
    rows: Any,
    name: str = "part-0.parquet",
    row_group_size: int | None = None,
) -> None:
    """Replace one file of a table atomically (a pyarrow Table or a list of dicts)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(rows, pa.Table):
        rows = pa.Table.from_pylist(rows, schema=schema.schemas()[table])
    path = out / name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    pq.write_table(rows, tmp, compression="zstd", row_group_size=row_group_size)
    os.replace(tmp, path)


def compact_months(out: str, winners: dict[str, list[tuple[str, str]]]) -> int:
    """Write the articles and statements of each month of `winners` (month → its winning
    (task, sha256) pairs), in input order; each task's files are opened once for all these
    months. Returns the number of articles."""
    import pyarrow as pa
    import pyarrow.compute as pc

    months = sorted(winners)
    wanted: dict[tuple[str, str], list[str]] = {}
    for month, pairs in winners.items():
        for task, sha in pairs:
            wanted.setdefault((task, month), []).append(sha)
    tasks = sorted({task for task, _ in wanted})
    parts: dict[tuple[str, str], list[pa.Table]] = {}
    for task in tasks:
        its_months = [m for m in months if (task, m) in wanted]
        for table in schema.PARTITIONED:
            rows = _month_rows(Path(out) / TASKS_DIR / task / f"{table}.parquet", its_months)
            for month in its_months:
                shas = pa.array(wanted[task, month], pa.string())
                t = rows[month]
                parts.setdefault((table, month), []).append(
                    t.filter(pc.is_in(t["sha256"], value_set=shas))
                )
    for month in months:
        for table in schema.PARTITIONED:
            tables = parts.get((table, month), [])
            merged = pa.concat_tables(tables) if tables else schema.schemas()[table].empty_table()
            keys = [("order", "ascending")]
            if table == "statements":
                keys.append(("statement_index", "ascending"))
            merged = merged.sort_by(keys).drop_columns(["month"])
            write_table(
                Path(out) / table / f"month={month}",
                table,
                merged,
                row_group_size=schema.ROW_GROUPS[table],
            )
    return sum(len(pairs) for pairs in winners.values())


def month_groups(months: Sequence[str], workers: int) -> list[list[str]]:
    """Consecutive months in about two groups per worker: few jobs, each opening every task's
    files once, and still enough of them to keep every worker busy."""
    if not months:
        return []
    count = max(1, min(len(months), 2 * max(1, workers)))
    size = -(-len(months) // count)
    return [list(months[i : i + size]) for i in range(0, len(months), size)]


def build(
    paths: Sequence[str],
    out: Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    options: InputOptions | None = None,
    extractor: str = "model",
    actor_rules: Path | None = None,
    on_total: Callable[[int], None] | None = None,
    on_task: Callable[[], None] | None = None,
) -> BuildReport:
    """Extract `paths` on a Dask cluster into the dataset at `out` (created or extended);
    `actor_rules` is a database whose manual actor merges and splits the reduce applies."""
    from factcli.dataset.reduce import read_rules

    options = options or InputOptions()
    rules = read_rules(actor_rules) if actor_rules is not None else []
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FactcliError(f"{out} is not a directory")
    marker = out / "dataset.json"
    if out.exists() and any(out.iterdir()) and not marker.exists():
        raise FactcliError(f"{out} is a folder that is not a factcli dataset; choose another --out")
    if marker.exists():
        schema.check_format(out)
    tasks, problems = plan(paths, options, max(1, partition_size), extractor)
    report = BuildReport(tasks=len(tasks), failed=list(problems))
    try:
        (out / TASKS_DIR).mkdir(parents=True, exist_ok=True)
        marker.write_text(
            json.dumps({"format": "factcli-dataset", "version": schema.FORMAT_VERSION}) + "\n"
        )
    except OSError as exc:
        raise FactcliError(f"cannot write {out}: {exc.strerror or exc}") from None
    todo = [t for t in tasks if not (out / TASKS_DIR / t.key).exists()]
    report.tasks_done_before = len(tasks) - len(todo)
    if on_total:
        on_total(len(tasks))
    from factcli.dataset.cluster import connect

    with connect(scheduler, workers) as client:
        from distributed import as_completed

        from factcli.dataset.reduce import reduce_dataset

        # each task returns its articles' keys and speakers: the client keeps them for the
        # choice of first copies and the reduce, and reads only the tasks done before
        pending = {t.key for t in todo}
        found = {t.key: _task_rows(out, t.key) for t in tasks if t.key not in pending}
        for _ in range(report.tasks_done_before):
            if on_task:
                on_task()
        futures = {
            client.submit(
                run_task, str(out), t, options, extractor, key=f"factcli-extract-{t.key}", retries=3
            ): t.key
            for t in todo
        }
        for future in as_completed(futures):
            found[futures[future]] = future.result()
            if on_task:
                on_task()
        futures.clear()  # the workers may forget the rows
        keys = [t.key for t in tasks]
        winners = _winners({key: found[key] for key in keys})
        by_month: dict[str, list[tuple[str, str]]] = {}
        for sha, w in winners.items():
            by_month.setdefault(w.month, []).append((w.task, sha))
        stale = {p.name for p in (out / "articles").glob("month=*")} - {
            f"month={m}" for m in by_month
        }
        for name in stale:
            for table in schema.PARTITIONED:
                shutil.rmtree(out / table / name, ignore_errors=True)
        slots = sum(client.nthreads().values()) or 1  # the tasks the cluster runs at once
        groups = month_groups(sorted(by_month), slots)
        compacted = client.map(
            compact_months,
            [str(out)] * len(groups),
            [{m: by_month[m] for m in group} for group in groups],
            pure=False,  # no hashing of every article's key to name the jobs
        )
        # the topics summary and the reduce read the month partitions: their tasks wait for
        # the compaction, the client prepares the reduce meanwhile, and both run side by side
        topics = client.submit(topics_task, str(out), compacted, pure=False)
        ordered = sorted(winners.items(), key=lambda item: item[1].order)
        report.actors, report.quote_groups = reduce_dataset(
            client,
            out,
            [(w.order, sha, w.speakers, w.other_speakers) for sha, w in ordered],
            {w.order: w.month for _, w in ordered},
            rules=rules,
            after=compacted,
        )
        report.articles = sum(client.gather(compacted))
        topics.result()
        report.duplicates = sum(len(found[key].articles) for key in keys) - len(winners)
        errors = _errors([found[key] for key in keys])
        report.failed.extend((e["source"], e["reason"]) for e in errors)
        write_table(out / "errors", "errors", errors)
    import pyarrow.dataset as ds

    report.statements = ds.dataset(out / "statements", partitioning="hive").count_rows()
    return report


@dataclass(frozen=True)
class TaskRows:
    """What the client keeps of a finished task: its articles' keys and speakers, its errors."""

    articles: list[tuple[str, int, str, tuple[Speaker, ...], tuple[str, ...]]]
    """(sha256, order, month, named speakers, other speakers) of each article."""
    errors: list[dict[str, Any]]


@dataclass(frozen=True)
class Winner:
    """The copy of an article the dataset keeps: the first in input order."""

    task: str
    order: int
    month: str
    speakers: tuple[Speaker, ...]
    other_speakers: tuple[str, ...]


def _task_rows(out: Path, key: str) -> TaskRows:
    import pyarrow.parquet as pq

    folder = out / TASKS_DIR / key
    t = pq.read_table(
        folder / "articles.parquet",
        columns=["sha256", "order", "month", "speakers", "other_speakers"],
    )
    errors = pq.read_table(folder / "errors.parquet").to_pylist()
    return TaskRows([_kept(a) for a in t.to_pylist()], errors)


def _kept(a: dict[str, Any]) -> tuple[str, int, str, tuple[Speaker, ...], tuple[str, ...]]:
    from factcli.dataset.reduce import named

    speakers = named(a["speakers"])
    return (a["sha256"], a["order"], a["month"], speakers, tuple(a["other_speakers"] or ()))


def _winners(found: dict[str, TaskRows]) -> dict[str, Winner]:
    """sha256 → the copy the dataset keeps: the first occurrence in input order."""
    best: dict[str, Winner] = {}
    for key, rows in found.items():
        for sha, order, month, speakers, others in rows.articles:
            kept = best.get(sha)
            if kept is None or (order, key) < (kept.order, kept.task):
                best[sha] = Winner(key, order, month, speakers, others)
    return best


def _errors(found: list[TaskRows]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for task in found:
        for row in task.errors:
            ident = (row["source"], row["order"], row["reason"])
            if ident not in seen:
                seen.add(ident)
                rows.append(row)
    rows.sort(key=lambda r: r["order"])
    return rows
