"""The reduce step: one actor per person across the dataset, and quote groups, on the cluster.

Matching a speaker to the actors seen before (`store.identity`) only ever looks at actors that
share a key with it: the same name, the same surname (people) or the same normalised name
(organisations and groups). Speakers are therefore split into components linked by those keys
(a union-find over names); a component is independent of every other one. Components are
spread over reduce tasks; each task replays its speakers in input order through the very
functions ingest calls (`store.writer.resolve_actors` on a scratch in-memory database), then
groups each actor's statements into quotes in input order with `store.quotes.band_keys` and
`store.quotes.choose_quote`. The answers are those of ingesting the same articles in the same
order. Actor ids are then numbered by when each actor first appeared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcli.models import Actor, ActorKind, Article, Extraction, Span, Statement

if TYPE_CHECKING:
    from distributed import Client

Speaker = tuple[str, ActorKind, str | None, tuple[str, ...]]
"""(name, kind, role, aliases): what the reduce needs of a speaker an extraction listed."""

Observation = tuple[int, str, tuple[Speaker, ...], tuple[str, ...]]
"""(order, sha256, named speakers listed by the extraction, names only statements gave)."""

Rule = tuple[str, str, str, str | None]
"""A user's manual edit, by name: ("merge", name, actor, kind): the name is that actor;
("split", name, actor, kind): the name is never matched to that actor."""


def read_rules(db_path: Path) -> list[Rule]:
    """The merges and splits made with ``factcli actors --merge/--split`` in a database, in the
    order they were made, with each actor by name (ids mean nothing outside that database)."""
    import sqlite3

    from factcli.errors import FactcliError
    from factcli.store.reading import open_query_db

    conn = open_query_db(Path(db_path))
    try:
        return [
            (str(rule), str(name), str(actor), kind)
            for rule, name, actor, kind in conn.execute(
                "SELECT r.rule, r.name, a.name, a.kind FROM actor_rules r"
                " JOIN actors a ON a.id = r.actor_id ORDER BY r.id"
            )
        ]
    except sqlite3.Error as exc:
        raise FactcliError(f"cannot read the actor rules of {db_path}: {exc}") from None
    finally:
        conn.close()


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        while parent != x:
            self.parent[x] = self.parent.setdefault(parent, parent)
            x, parent = parent, self.parent[parent]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def speaker_nodes(name: str, kind: str | None) -> list[str]:
    """The keys `identity.resolve` may match this speaker by: every speaker sharing one of them
    must be replayed in the same task."""
    from factcli.store import identity

    nodes = ["exact:" + name.casefold()]
    if kind == "person":
        parsed = identity.person_name(name)
        if parsed is not None:
            nodes.append("surname:" + parsed.surname)
    elif kind is not None:
        nodes.append(f"name:{kind}:" + identity.name_key(name))
    return nodes


def named(listed: Iterable[dict[str, Any]] | None) -> tuple[Speaker, ...]:
    """The speakers of an article's row that take part in corpus identity, as tuples (the
    client holds them for every article): an anonymous source ("a spokesman") stays with its
    article and is never matched across articles."""
    return tuple(
        (sp["name"], sp["kind"], sp["role"], tuple(sp["aliases"] or ()))
        for sp in listed or ()
        if sp["kind"] != "anonymous"
    )


def components(
    observations: Iterable[Observation], tasks: int, rules: Iterable[Rule] = ()
) -> dict[str, int]:
    """Casefolded speaker name → reduce task. A rule's name and actor go to one task."""
    uf = _UnionFind()
    for _, name, actor, kind in rules:
        nodes = speaker_nodes(actor, kind)
        for node in nodes[1:]:
            uf.union(nodes[0], node)
        uf.union(nodes[0], "exact:" + name.casefold())
    for _, _, listed, others in observations:
        for name, kind, _, _ in listed:
            nodes = speaker_nodes(name, kind)
            for node in nodes[1:]:
                uf.union(nodes[0], node)
            uf.find(nodes[0])
        for name in others:
            uf.find("exact:" + name.casefold())
    out = {}
    for node in list(uf.parent):
        if node.startswith("exact:"):
            root = uf.find(node)
            digest = hashlib.blake2b(root.encode(), digest_size=8).digest()
            out[node[len("exact:") :]] = int.from_bytes(digest) % tasks
    return out


def _scratch() -> Any:
    """An empty database with the current schema, in memory, for replaying identity."""
    from sqlite_utils import Database

    from factcli.store.migrations import MIGRATIONS

    db = Database(memory=True)
    for step in MIGRATIONS:
        step(db)
    return db


def _seed(db: Any, rules: Iterable[Rule]) -> set[int]:
    """The actors a task's rules name, and the rules, in the scratch database, as they are in
    the user's: the replay then applies them where ``ingest`` into that database would."""
    from factcli.store.identity import index_actor

    ids: dict[str, int] = {}
    for rule, name, actor, kind in rules:
        actor_id = ids.get(actor.casefold())
        if actor_id is None:
            actor_id = int(
                db.execute(
                    "INSERT INTO actors (name, kind, aliases) VALUES (?, ?, '[]')", [actor, kind]
                ).lastrowid
            )
            index_actor(db, actor_id, actor, kind)
            ids[actor.casefold()] = actor_id
        db.execute(
            "INSERT OR IGNORE INTO actor_rules (rule, name, actor_id, created_at)"
            " VALUES (?, ?, ?, '')",
            [rule, name, actor_id],
        )
    return set(ids.values())


def reduce_task(
    out: str, observations: list[Observation], rules: list[Rule] | None = None, after: Any = None
) -> dict[str, Any]:
    """Identity and quotes for the speakers of one task (observations in input order); `after`
    only makes the task wait for what writes the month partitions it reads."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    from factcli.store import quotes
    from factcli.store.writer import resolve_actors

    db = _scratch()
    seeded = _seed(db, rules or [])
    created: dict[int, tuple[int, int]] = {}
    mentions: list[dict[str, Any]] = []
    ids: dict[tuple[str, str], int] = {}
    for number, (order, sha, listed, others) in enumerate(observations, start=1):
        actors = tuple(Actor(name, kind, role, aliases) for name, kind, role, aliases in listed)
        stub = Span(0, 0)
        statements = tuple(Statement(0, "direct", stub, stub, None, name) for name in others)
        extraction = Extraction(Article("", sha), (), actors, statements)
        before = _max_actor(db)
        resolved = resolve_actors(db, number, extraction)
        for position, name in enumerate([*(a.name for a in actors), *others]):
            actor_id = resolved[name.casefold()]
            if actor_id not in created and (actor_id > before or actor_id in seeded):
                created[actor_id] = (order, position)
            ids[(sha, name.casefold())] = actor_id
        for name, kind, role, _ in listed:
            mentions.append(
                {
                    "sha256": sha,
                    "order": order,
                    "name": name,
                    "name_key": name.casefold(),
                    "role": role,
                    "kind": kind,
                    "listed": True,
                    "local": resolved[name.casefold()],
                }
            )
        for name in others:
            mentions.append(
                {
                    "sha256": sha,
                    "order": order,
                    "name": name,
                    "name_key": name.casefold(),
                    "role": None,
                    "kind": None,
                    "listed": False,
                    "local": resolved[name.casefold()],
                }
            )
    keys: dict[int, list[str]] = {}
    for key, actor_id in db.execute("SELECT key, actor_id FROM actor_keys ORDER BY key"):
        keys.setdefault(actor_id, []).append(key)
    actors_out = [
        {
            "local": actor_id,
            "created": created[actor_id],
            "name": name,
            "role": role,
            "kind": kind,
            "aliases": aliases,
            "keys": keys.get(actor_id, []),
        }
        for actor_id, name, role, kind, aliases in db.execute(
            "SELECT id, name, role, kind, aliases FROM actors ORDER BY id"
        )
        if actor_id in created  # a rule's actor the dataset never mentions is left out
    ]
    names = sorted({name for _, name in ids})
    table = ds.dataset(Path(out) / "statements", partitioning="hive").to_table(
        columns=["sha256", "statement_index", "order", "speaker_key", "content"],
        filter=pc.field("speaker_key").isin(names) if names else pc.scalar(False),
    )
    table = table.sort_by([("order", "ascending"), ("statement_index", "ascending")])
    groups = []
    first: dict[int, list[tuple[tuple[int, int], str]]] = {}  # band key → quote starters
    counts: dict[int, int] = {}
    rows = [
        (sha, index, order, speaker, content)
        for sha, index, order, key, content in zip(
            *(table[c].to_pylist() for c in table.column_names), strict=True
        )
        if (speaker := ids.get((sha, key))) is not None
    ]
    for (sha, index, order, speaker, content), sig in zip(rows, _signatures(rows), strict=True):
        counts[speaker] = counts.get(speaker, 0) + 1
        own = (order, index)
        bands = quotes.keys_from_signature(speaker, sig)
        seen: dict[tuple[int, int], str] = {}
        for band in bands:
            for starter, text in first.get(band, ()):
                seen[starter] = text
        candidates = [(seen[q], q) for q in sorted(seen)[: quotes.MAX_CANDIDATES]]
        quote = quotes.choose_quote(content, own, candidates)
        if quote == own:
            for band in bands:
                first.setdefault(band, []).append((own, content))
        groups.append((sha, index, order, speaker, quote, sig if quote == own else None))
    order_to_sha = {order: sha for order, sha, _, _ in observations}
    for actor in actors_out:
        actor["statement_count"] = counts.get(actor["local"], 0)
    return {
        "actors": actors_out,
        "mentions": mentions,
        "groups": [
            {
                "sha256": sha,
                "statement_index": index,
                "order": order,
                "local": actor_id,
                "quote_sha256": order_to_sha[quote[0]],
                "quote_statement_index": quote[1],
                "signature": sig,
            }
            for sha, index, order, actor_id, quote, sig in groups
        ],
    }


SIGNATURE_BATCH = 1024
"""Contents whose MinHash signatures are computed in one pass of array arithmetic: ten times
cheaper than one at a time, and a bounded array (pairs × permutations) however big the task."""


def _signatures(rows: list[tuple[str, int, int, int, str]]) -> Iterator[list[int]]:
    from factcli.store import quotes

    for start in range(0, len(rows), SIGNATURE_BATCH):
        yield from quotes.signatures([r[4] for r in rows[start : start + SIGNATURE_BATCH]])


def _max_actor(db: Any) -> int:
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM actors").fetchone()[0])


def reduce_dataset(
    client: Client,
    out: Path,
    observations: list[Observation],
    month_of: dict[int, str],
    tasks: int | None = None,
    rules: list[Rule] | None = None,
    after: Any = None,
) -> tuple[int, int]:
    """Compute and write the `actors`, `actor_mentions` and `quote_groups` tables, with a
    user's merges and splits (`rules`) applied; returns (actors, quote groups).

    `observations` are the articles the dataset keeps, in input order (the client gathered
    them while the map ran), and `month_of` their months by order; their statements are read
    from the month partitions, once `after` (futures of the jobs that write them) is done."""
    import json

    from factcli.dataset.build import write_table

    n = tasks or max(1, 2 * len(client.scheduler_info().get("workers", {}) or [1]))
    rules = rules or []
    where = components(observations, n, rules)
    task_rules: list[list[Rule]] = [[] for _ in range(n)]
    for rule in rules:
        task_rules[where[rule[2].casefold()]].append(rule)
    split: list[list[Observation]] = [[] for _ in range(n)]
    for order, sha, listed, others in observations:
        per: dict[int, tuple[list[Speaker], list[str]]] = {}
        for sp in listed:
            per.setdefault(where[sp[0].casefold()], ([], []))[0].append(sp)
        for name in others:
            per.setdefault(where[name.casefold()], ([], []))[1].append(name)
        for task, (mine, extra) in per.items():
            split[task].append((order, sha, tuple(mine), tuple(extra)))
    busy = [t for t, obs in enumerate(split) if obs]
    futures = client.map(
        reduce_task,
        [str(out)] * len(busy),
        [split[t] for t in busy],
        [task_rules[t] for t in busy],
        [after] * len(busy),
        pure=False,  # a pure map hashes every observation to name its keys: a second or more
    )
    created = client.gather(client.map(_actors_of, futures, pure=False))
    actors = sorted(
        ((a["created"], t, a) for t, task_actors in enumerate(created) for a in task_actors),
        key=lambda item: item[0],
    )
    global_ids: list[dict[int, int]] = [{} for _ in busy]
    actor_rows = []
    for number, (_, t, a) in enumerate(actors, start=1):
        global_ids[t][a["local"]] = number
        actor_rows.append(
            {
                "actor_id": number,
                "name": a["name"],
                "role": a["role"],
                "kind": a["kind"],
                "aliases": json.loads(a["aliases"] or "[]"),
                "keys": a["keys"],
                "statement_count": a["statement_count"],
            }
        )
    results = client.gather(client.map(globalise, futures, global_ids, pure=False))
    mentions = [m for r in results for m in r["mentions"]]
    groups = [g for r in results for g in r["groups"]]
    mentions.sort(key=lambda m: (m["order"], m["name_key"]))
    groups.sort(key=lambda g: (g["order"], g["statement_index"]))
    write_table(out / "actors", "actors", actor_rows)
    write_by_month(out / "actor_mentions", "actor_mentions", mentions, month_of)
    write_by_month(out / "quote_groups", "quote_groups", groups, month_of)
    quotes_n = len({(g["quote_sha256"], g["quote_statement_index"]) for g in groups})
    return len(actor_rows), quotes_n


ROW_GROUP = 16_384
"""Rows per Parquet row group of actor_mentions and quote_groups, partitioned by month like
the statements and sorted by `order`: `load` reads the few row groups of a batch's order
range, not the whole table."""


def write_by_month(
    folder: Path, table: str, rows: list[dict[str, Any]], month_of: dict[int, str]
) -> None:
    """One file per month partition of the articles (``month=…/part-0.parquet``), rows in
    order; partitions of months no longer present are removed."""
    import shutil

    from factcli.dataset.build import write_table

    by_month: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_month.setdefault(month_of[row["order"]], []).append(row)
    for month, part in by_month.items():
        write_table(folder / f"month={month}", table, part, row_group_size=ROW_GROUP)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("month=*"):
        if stale.name.removeprefix("month=") not in by_month:
            shutil.rmtree(stale, ignore_errors=True)


def _actors_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list(result["actors"])


def globalise(result: dict[str, Any], ids: dict[int, int]) -> dict[str, Any]:
    """A reduce task's mentions and quote groups with corpus-wide actor ids, and the band keys
    of each quote's first statement (they mix in the actor id): on the worker that holds them."""
    from factcli.store.quotes import keys_from_signature

    mentions = [
        {k: v for k, v in m.items() if k != "local"} | {"actor_id": ids[m["local"]]}
        for m in result["mentions"]
    ]
    groups = []
    for g in result["groups"]:
        actor_id = ids[g["local"]]
        sig = g["signature"]
        row = {k: v for k, v in g.items() if k not in ("local", "signature")}
        row["actor_id"] = actor_id
        row["band_keys"] = keys_from_signature(actor_id, sig) if sig is not None else None
        groups.append(row)
    return {"mentions": mentions, "groups": groups}
