"""A dataset's batches as the rows the store holds, for a bulk load.

Statements are read column by column: each column becomes one Python list in C, the few
derived columns (ids, actors, sentences) are computed in one loop, and the rows are zipped
together, in C again. A quote's band keys become the JSON array `quote_key_lists` holds in
Arrow, without a Python integer per key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

from factcli.dataset import schema
from factcli.dataset.reduce import named

BATCH_ARTICLES = 500

STATEMENT_COLUMNS = [
    "sha256",
    "statement_index",
    "order",
    "speaker_key",
    "speaker_mention",
    "speaker_start",
    "speaker_end",
    "cue",
    "cue_start",
    "cue_end",
    "kind",
    "content",
    "content_start",
    "content_end",
    "sentence_index",
    "topics",
]
"""What a bulk load reads of a statement (not its sentence: the article's text holds it)."""

TopicRows = tuple[int, str | None, list[tuple[str, str, float, bool, int]], list[list[Any]]]


@dataclass
class Prepared:
    """One batch of a bulk load, ready to insert: every row but those that need the database
    (topic ids, quotes first said in an earlier batch)."""

    month: str
    skipped: int
    first_ids: tuple[int, int, int]
    articles: list[tuple[Any, ...]] = field(default_factory=list)
    sentences: list[tuple[Any, ...]] = field(default_factory=list)
    actors: list[tuple[Any, ...]] = field(default_factory=list)
    statements: list[tuple[Any, ...]] = field(default_factory=list)
    """Statements without an unnamed source: every column up to `content_end` (SQLite fills
    the three columns of the unnamed source with NULL, and binding fewer columns is a third
    cheaper); those with one, all eighteen columns, are in `unnamed`."""
    unnamed: list[tuple[Any, ...]] = field(default_factory=list)
    topics: list[TopicRows] = field(default_factory=list)
    """Per article: its id, its day (None undated), its topics, and its statements' topics
    once each in order of first sight, as [casefolded name, name, statements, slot].
    Numbered on across the batch's articles, these are the slots `link_slots` refers to."""
    link_statements: list[int] = field(default_factory=list)
    link_slots: list[int] = field(default_factory=list)
    """A statement's topic link: the statement, and the slot of its topic (see `topics`)."""
    quotes: list[tuple[int, int]] = field(default_factory=list)
    key_lists: list[tuple[int, str]] = field(default_factory=list)
    deferred: list[tuple[int, str, int]] = field(default_factory=list)


def batches(
    dataset: Path, month: str, columns: list[str] = STATEMENT_COLUMNS, *, bulk: bool = False
) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    """A partition's articles in input order, a few hundred at a time (as dicts), each with
    their statements (an Arrow table of `columns`): the two files are sorted alike by `order`
    and read side by side, so memory stays flat however large the partition. For a `bulk`
    load an article's sentences are three lists (`flat_sentences`), not a dict each."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    articles = pq.ParquetFile(dataset / "articles" / month / "part-0.parquet")
    statements = pq.ParquetFile(dataset / "statements" / month / "part-0.parquet")
    st_iter = statements.iter_batches(batch_size=4 * BATCH_ARTICLES, columns=columns)
    first = next(st_iter, None)
    pending = pa.Table.from_batches([first]) if first is not None else None
    done = first is None
    for batch in articles.iter_batches(batch_size=BATCH_ARTICLES):
        rows = flat_sentences(batch) if bulk else dict_rows(batch)
        last = rows[-1]["order"]
        if pending is None:
            yield rows, None
            continue
        while not done and (pending.num_rows == 0 or pending["order"][-1].as_py() <= last):
            nxt = next(st_iter, None)
            if nxt is None:
                done = True
            else:
                pending = pa.concat_tables([pending, pa.Table.from_batches([nxt])])
        n = pc.sum(pc.less_equal(pending["order"], last)).as_py() or 0
        yield rows, pending.slice(0, n)
        pending = pending.slice(n).combine_chunks()


def dict_rows(batch: Any) -> list[dict[str, Any]]:
    """A record batch as dicts, column by column (a fifth faster than `to_pylist`)."""
    names = batch.schema.names
    columns = [c.to_pylist() for c in batch.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def flat_sentences(batch: Any) -> list[dict[str, Any]]:
    """`dict_rows`, with each article's sentences as three lists (paragraphs, starts, ends)
    taken from Arrow's flattened columns: a million sentences are a million dicts less to
    build and read."""
    import pyarrow as pa
    import pyarrow.compute as pc

    index = batch.schema.get_field_index("sentences")
    sentences = batch.column(index)
    rows = dict_rows(batch.remove_column(index))
    if isinstance(sentences, pa.ChunkedArray):
        sentences = sentences.combine_chunks()
    bounds = pc.list_value_length(sentences).fill_null(0).to_pylist()
    flat = pc.list_flatten(sentences)
    paragraphs, starts, ends = (flat.field(f).to_pylist() for f in ("paragraph", "start", "end"))
    at = 0
    for row, n in zip(rows, bounds, strict=True):
        row["sentences"] = (paragraphs[at : at + n], starts[at : at + n], ends[at : at + n])
        at += n
    return rows


class Following:
    """One month of a table sorted by `order` (`actor_mentions`, `quote_groups`), read once
    from start to end as the batches of its articles ask for their rows in turn: each row
    group is decoded once, not once per batch that overlaps it, and memory holds only the
    rows of the batch being prepared."""

    def __init__(self, dataset: Path, table: str, month: str, columns: list[str]) -> None:
        import pyarrow.parquet as pq

        self.columns = columns
        path = dataset / table / month / "part-0.parquet"
        self._batches: Iterator[Any] | None = None
        if path.is_file():
            self._batches = pq.ParquetFile(path).iter_batches(
                batch_size=4 * BATCH_ARTICLES, columns=[*columns, "order"]
            )
        self._pending: Any = schema.schemas()[table].empty_table().select([*columns, "order"])

    def rows(self, first: int, last: int) -> Any:
        """The rows for orders `first`..`last`, asked for in increasing order."""
        import pyarrow as pa
        import pyarrow.compute as pc

        pending = self._pending
        while self._batches is not None and (
            pending.num_rows == 0 or pending["order"][-1].as_py() <= last
        ):
            nxt = next(self._batches, None)
            if nxt is None:
                self._batches = None
            else:
                pending = pa.concat_tables([pending, pa.Table.from_batches([nxt])])
        upto = pc.sum(pc.less_equal(pending["order"], last)).as_py() or 0
        found = pending.slice(0, upto)
        self._pending = pending.slice(upto).combine_chunks()
        return found.filter(pc.greater_equal(found["order"], first)).select(self.columns)


def lookups(dataset: Path, month: str) -> tuple[Following, Following]:
    """The month's actor mentions and quote groups, read alongside its batches (`prepare`)."""
    return (
        Following(dataset, "actor_mentions", month, ["sha256", "name_key", "actor_id"]),
        Following(
            dataset,
            "quote_groups",
            month,
            ["sha256", "statement_index", "quote_sha256", "quote_statement_index", "band_keys"],
        ),
    )


def _json_lists(keys: Any) -> list[str | None]:
    """A column of band-key lists as JSON arrays (None where a list is null), built in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    joined = pc.binary_join(pc.cast(keys, pa.list_(pa.string())), ",")
    return pc.binary_join_element_wise("[", joined, "]", "").to_pylist()


def prepare(
    month: str,
    articles: list[dict[str, Any]],
    statements: Any,
    next_ids: list[int],
    side: tuple[Following, Following],
) -> Prepared:
    """Rows as the store's writer makes them, with the reduce step's actors and quotes, for
    `articles` (those of the batch not stored yet) and the batch's `statements` (an Arrow
    table, rows of other articles ignored); ids are counted on from `next_ids` (updated),
    which the writer checks against the database. `side` reads the month's actor mentions
    and quote groups (`lookups`), for one batch after another."""

    batch = Prepared(month, 0, (next_ids[0], next_ids[1], next_ids[2]))
    if not articles:
        return batch
    first, last = articles[0]["order"], articles[-1]["order"]
    actor_mentions, quote_groups = side
    found = actor_mentions.rows(first, last)
    mentions = dict(
        zip(
            zip(found["sha256"].to_pylist(), found["name_key"].to_pylist(), strict=True),
            found["actor_id"].to_pylist(),
            strict=True,
        )
    )
    found = quote_groups.rows(first, last)
    groups = dict(
        zip(
            zip(found["sha256"].to_pylist(), found["statement_index"].to_pylist(), strict=True),
            zip(
                found["quote_sha256"].to_pylist(),
                found["quote_statement_index"].to_pylist(),
                _json_lists(found["band_keys"]),
                strict=True,
            ),
            strict=True,
        )
    )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    article_id, sentence_id, statement_id = next_ids
    # per article hash: id, first sentence id, sentence count, roles, anonymous sources, and
    # its statements' topics (in order, and by casefolded name)
    known: dict[str, tuple[int, int, int, dict[str, Any], dict[str, Any], Any]] = {}
    for a in articles:
        text = a["text"]
        sha = a["sha256"]
        published = a["published"]
        batch.articles.append(
            (
                article_id,
                sha,
                a["source"],
                a["title"],
                published,
                text,
                a["body_start"],
                now,
                a["outlet"],
                a["url"],
                a["author"],
                a["extractor"],
                a["model_version"],
                a.get("parser"),
                a.get("published_from"),
            )
        )
        paragraphs, starts, ends = a["sentences"]
        n_sentences = len(starts)
        batch.sentences += zip(
            range(sentence_id, sentence_id + n_sentences),
            repeat(article_id),
            range(n_sentences),
            paragraphs,
            starts,
            ends,
            map(text.__getitem__, map(slice, starts, ends)),
        )
        speakers = named(a["speakers"])
        batch.actors += [
            (article_id, mentions[(sha, name.casefold())], name, role, kind)
            for name, kind, role, _ in speakers
        ]
        links: list[list[Any]] = []
        batch.topics.append(
            (
                article_id,
                published[:10] if published else None,
                [
                    (t["name"], t["kind"], t["specificity"], bool(t["salient"]), t["count"])
                    for t in a["topics"] or []
                ],
                links,
            )
        )
        known[sha] = (
            article_id,
            sentence_id,
            n_sentences,
            {name.casefold(): role for name, _, role, _ in speakers},
            {sp["name"].casefold(): sp for sp in a["speakers"] or [] if sp["kind"] == "anonymous"},
            (links, {}),
        )
        sentence_id += n_sentences
        article_id += 1
    if statements is not None and statements.num_rows:
        statement_id = _statement_rows(batch, statements, known, mentions, groups, statement_id)
    next_ids[:] = [article_id, sentence_id, statement_id]
    return batch


_PASSED = tuple(
    # the statement columns between its role and its unnamed source, as the dataset has them
    STATEMENT_COLUMNS[
        STATEMENT_COLUMNS.index("speaker_start") : STATEMENT_COLUMNS.index("content_end") + 1
    ]
)


def _statement_rows(
    batch: Prepared,
    statements: Any,
    known: dict[str, tuple[int, int, int, dict[str, Any], dict[str, Any], Any]],
    mentions: dict[tuple[str, str], int],
    groups: dict[tuple[str, int], tuple[str, int, str | None]],
    statement_id: int,
) -> int:
    """The statement rows, topic links and quotes of a batch; returns the next statement id."""
    from factcli.store import quotes

    col = {name: statements[name].to_pylist() for name in STATEMENT_COLUMNS if name != "order"}
    shas, keys, indexes = col["sha256"], col["speaker_key"], col["statement_index"]
    sentence_index, topics, contents = col["sentence_index"], col["topics"], col["content"]
    kept: list[int] = []
    article_ids: list[int] = []
    sentence_ids: list[int | None] = []
    actor_ids: list[int | None] = []
    roles: list[str | None] = []
    unnamed_rows: dict[int, dict[str, Any]] = {}  # row (among those kept): its unnamed source
    first_id = statement_id
    link_statements, link_slots = batch.link_statements, batch.link_slots
    next_slot = 0
    # an article's statements are consecutive: what is known of it is looked up once per run
    current = info = None
    article_id = first_sentence = n_sentences = first_statement = 0
    article_roles: dict[str, Any] = {}
    unnamed: dict[str, Any] = {}
    links: list[list[Any]] = []
    slots: dict[str, Any] = {}
    for i, sha in enumerate(shas):
        if sha != current:
            current, info = sha, known.get(sha)
            if info is not None:
                first_statement = statement_id
                article_id, first_sentence, n_sentences, article_roles, unnamed, (links, slots) = (
                    info
                )
        if info is None:  # an article stored before
            continue
        kept.append(i)
        article_ids.append(article_id)
        index = sentence_index[i]
        sentence_ids.append(first_sentence + index if index < n_sentences else None)
        key = keys[i]
        if key is None:
            actor_id = None
            roles.append(None)
        else:
            source = unnamed.get(key) if unnamed else None
            if source is None:
                actor_id = mentions[(sha, key)]
            else:
                actor_id = None
                unnamed_rows[statement_id - first_id] = source
            roles.append(article_roles.get(key))
        actor_ids.append(actor_id)
        names = topics[i]
        if names:
            linked: set[str] = set()
            for name in names:
                folded = name.casefold()
                if folded not in linked:
                    linked.add(folded)
                    slot = slots.get(folded)
                    if slot is None:  # the batch's articles' statements come in their order
                        slot = slots[folded] = [next_slot, [folded, name, 0, next_slot]]
                        links.append(slot[1])
                        next_slot += 1
                    slot[1][2] += 1
                    link_statements.append(statement_id)
                    link_slots.append(slot[0])
        if actor_id is not None:
            quote_sha, quote_index, key_list = groups[(sha, indexes[i])]
            if quote_sha != sha:
                batch.deferred.append((statement_id, quote_sha, quote_index))
            else:
                quote_id = first_statement + quote_index
                batch.quotes.append((statement_id, quote_id))
                if quote_id == statement_id:
                    if key_list is None:
                        key_list = quotes.json_keys(
                            sorted(set(quotes.band_keys(actor_id, contents[i])))
                        )
                    batch.key_lists.append((statement_id, key_list))
        statement_id += 1
    _renumber_slots(batch, next_slot)
    mention, *passed = [col[name] for name in ("speaker_mention", *_PASSED)]
    if len(kept) < len(shas):
        mention, *passed = [[values[i] for i in kept] for values in (mention, *passed)]
    rows = list(
        zip(
            range(first_id, statement_id),
            article_ids,
            sentence_ids,
            actor_ids,
            mention,
            roles,
            *passed,
            strict=True,
        )
    )
    if unnamed_rows:
        batch.unnamed += [
            (
                *rows[row],
                source["name"],
                source.get("description") or source["name"],
                source.get("organisation"),
            )
            for row, source in unnamed_rows.items()
        ]
        rows = [r for row, r in enumerate(rows) if row not in unnamed_rows]
    batch.statements += rows
    return statement_id


def _renumber_slots(batch: Prepared, slots: int) -> None:
    """The slots numbered in the order of the batch's articles, as the writer counts them
    (already so when the statements come in their articles' order, as a dataset has them)."""
    order = [entry[3] for *_, linked in batch.topics for entry in linked]
    if order == list(range(slots)):
        return
    renumber = [0] * slots
    for new, old in enumerate(order):
        renumber[old] = new
    for *_, linked in batch.topics:
        for entry in linked:
            entry[3] = renumber[entry[3]]
    batch.link_slots[:] = [renumber[slot] for slot in batch.link_slots]
