"""Writing one `Extraction`: one transaction per article, so a crash never leaves half of one."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from factcli.errors import FactcliError
from factcli.models import Extraction
from factcli.store import batching, identity, quotes
from factcli.store.transactions import transaction

TopicRows = dict[str, tuple[Any, ...]]
"""A topic's (id, kind, name, common) by the name it was asked for (see `_topic_id`)."""


class AlreadyStored(FactcliError):
    """The article was stored meanwhile (by another ingest running at the same time)."""


def find_article(db: Database, sha256: str) -> int | None:
    """The id of the article whose text has this hash, so re-ingesting it can be skipped."""
    row = db.execute("SELECT id FROM articles WHERE sha256 = ?", [sha256]).fetchone()
    return None if row is None else int(row[0])


def save_extraction(db: Database, extraction: Extraction, *, replace: bool = False) -> int:
    """Store an article with its sentences, statements, actors and topics; return the article id.

    All or nothing: any error rolls the whole article back. With `replace`, an article with the
    same text is deleted first (its sentences, statements and links cascade), as --force needs.
    Topics are shared across articles by case-insensitive name; actors are matched to the
    stored ones by `identity.resolve` (one actor per person across the corpus).
    """
    with transaction(db), batching.deferring(db) as deferred:
        return _save(db, extraction, replace, deferred, {})


def save_extractions(
    db: Database, extractions: Sequence[Extraction], *, replace: bool = False
) -> list[int | Exception]:
    """Store several articles in one transaction, each inside its own savepoint.

    One commit for a batch is what makes a large ingest fast, and so does counting and indexing
    the batch's rows once at its end (`batching`); the savepoints keep each article
    all or nothing: an article that fails is rolled back alone and its error is returned in its
    place (the others are stored), so the result is one article id or one exception per input.
    An error that ends the whole transaction (SQLite rolls back on some I/O errors) is raised:
    then nothing of the batch is stored.
    """
    results: list[int | Exception] = []
    topic_rows: TopicRows = {}
    with transaction(db), batching.deferring(db) as deferred:
        for extraction in extractions:
            db.conn.execute("SAVEPOINT article")
            try:
                article_id = _save(db, extraction, replace, deferred, topic_rows)
            except (sqlite3.Error, FactcliError) as exc:
                if not db.conn.in_transaction:
                    raise
                topic_rows.clear()  # it may hold topics the rollback takes back
                db.conn.execute("ROLLBACK TO SAVEPOINT article")
                db.conn.execute("RELEASE SAVEPOINT article")
                results.append(exc)
            else:
                db.conn.execute("RELEASE SAVEPOINT article")
                results.append(article_id)
    return results


def _save(
    db: Database, extraction: Extraction, replace: bool, deferred: bool, topic_rows: TopicRows
) -> int:
    """The inserts of one article, inside a transaction the caller holds.

    Ids are given explicitly (the next free rowid, as SQLite itself would pick while the write
    lock is held), so sentences, statements and links go in with prepared `executemany` calls.
    With `deferred`, the counting triggers stand aside (`batching.deferring`, which the caller
    holds): the rows inserted so far are counted before a replaced article's rows are deleted,
    and the article's statements are added to their actors' counts here. `topic_rows` holds
    the topics read or written so far in the caller's transaction (see `_topic_id`).
    """
    conn = db.conn
    article = extraction.article
    text = article.text
    if replace:
        if deferred and find_article(db, article.sha256) is not None:
            batching.catch_up(db)
            conn.execute("DELETE FROM articles WHERE sha256 = ?", [article.sha256])
            batching.restart(db)
        else:
            conn.execute("DELETE FROM articles WHERE sha256 = ?", [article.sha256])
    elif find_article(db, article.sha256) is not None:
        raise AlreadyStored(f"{article.source}: already stored; use --force to re-extract it")
    described = bool(article.outlet or article.url or article.author)
    article_id = _insert(
        db,
        "INSERT INTO articles (sha256, source, title, published, text, body_start, ingested_at,"
        " extractor, model_version, spacy_pipeline, outlet, url, author, published_from)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            article.sha256,
            article.source,
            article.title,
            article.published,
            text,
            article.body_start,
            datetime.now(UTC).isoformat(timespec="seconds"),
            extraction.extractor,
            extraction.model_version,
            extraction.parser,
            article.outlet if described else None,
            article.url if described else None,
            article.author if described else None,
            article.published_from or None,
        ],
    )

    next_sentence = _next_id(conn, "sentences")
    sentence_ids: dict[int, int] = {}
    sentence_rows = []
    for offset, sentence in enumerate(extraction.sentences):
        sentence_id = next_sentence + offset
        sentence_ids[sentence.index] = sentence_id
        sentence_rows.append(
            (
                sentence_id,
                article_id,
                sentence.index,
                sentence.paragraph,
                sentence.start,
                sentence.end,
                text[sentence.start : sentence.end],
            )
        )
    conn.executemany(
        'INSERT INTO sentences (id, article_id, idx, paragraph, start, "end", text)'
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        sentence_rows,
    )

    roles = {
        actor.name.casefold(): actor.role
        for actor in extraction.actors
        if actor.kind != "anonymous"
    }
    anonymous = {
        actor.name.casefold(): actor for actor in extraction.actors if actor.kind == "anonymous"
    }
    actor_ids = resolve_actors(db, article_id, extraction)

    topic_ids: dict[str, int] = {}
    topic_counts: dict[int, int] = {}
    salient: set[int] = set()
    for topic, count in extraction.topics:
        topic_id = _topic_id(
            db, topic_ids, topic.name, topic.kind, topic.specificity, topic.salient, topic_rows
        )
        topic_counts[topic_id] = topic_counts.get(topic_id, 0) + count
        if topic.salient:
            salient.add(topic_id)

    next_statement = _next_id(conn, "statements")
    statement_rows = []
    link_rows = []
    statement_topic_counts: dict[int, int] = {}
    for offset, statement in enumerate(extraction.statements):
        statement_id = next_statement + offset
        actor_id = None
        role = None
        source = anonymous.get(statement.actor.casefold()) if statement.actor else None
        if statement.actor is not None and source is None:
            key = statement.actor.casefold()
            actor_id = actor_ids[key]
            role = roles.get(key)
        speaker = statement.speaker
        statement_rows.append(
            (
                statement_id,
                article_id,
                sentence_ids.get(statement.sentence_index),
                actor_id,
                speaker.text(text) if speaker else None,
                role,
                speaker.start if speaker else None,
                speaker.end if speaker else None,
                statement.cue.text(text),
                statement.cue.start,
                statement.cue.end,
                statement.kind,
                statement.content.text(text),
                statement.content.start,
                statement.content.end,
                source.name if source else None,
                (source.description or source.name) if source else None,
                source.organisation if source else None,
            )
        )
        linked: set[int] = set()
        for name in statement.topics:
            topic_id = _topic_id(db, topic_ids, name, None)
            if topic_id in linked:
                continue
            linked.add(topic_id)
            link_rows.append((statement_id, topic_id))
            statement_topic_counts[topic_id] = statement_topic_counts.get(topic_id, 0) + 1
    conn.executemany(
        "INSERT INTO statements (id, article_id, sentence_id, actor_id, speaker_mention,"
        " speaker_role, speaker_start, speaker_end, cue, cue_start, cue_end, kind,"
        " content, content_start, content_end,"
        " anonymous_source, anonymous_description, anonymous_organisation)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        statement_rows,
    )
    if deferred:
        batching.count_actor_statements(db, article_id)
    conn.executemany(
        "INSERT INTO statement_topics (statement_id, topic_id) VALUES (?, ?)", link_rows
    )
    spoken = [row for row in statement_rows if row[3] is not None]
    listed = quotes.keys_listed(db) if spoken else False
    for row, content_signature in zip(
        spoken, quotes.signatures([str(row[12]) for row in spoken]), strict=True
    ):
        quotes.assign(db, row[0], row[3], row[12], content_signature, new=True, listed=listed)

    for topic_id, n in statement_topic_counts.items():
        topic_counts[topic_id] = max(topic_counts.get(topic_id, 0), n)
    conn.executemany(
        "INSERT INTO article_topics (article_id, topic_id, count, salient) VALUES (?, ?, ?, ?)",
        [(article_id, t, n, int(t in salient)) for t, n in topic_counts.items()],
    )
    return article_id


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0])


def _insert(db: Database, sql: str, params: list[object]) -> int:
    rowid = db.execute(sql, params).lastrowid
    assert rowid is not None
    return rowid


def resolve_actors(db: Database, article_id: int, extraction: Extraction) -> dict[str, int]:
    """The corpus actor of every speaker of one article (by casefolded name), matched by
    `identity.resolve` in the article's order, then each name a statement gives that the
    extraction did not list; records each speaker as this article saw them (name, role, kind)
    with the actor they were matched to, the record behind dated roles and manual splits.
    Anonymous sources ("a spokesman") stay with their article and get no corpus actor.

    Only identity tables are touched (`actors`, `actor_keys`, `article_actors`), so a cluster
    job can replay it on a scratch database and get the actors ingest gets.
    """
    named = [actor for actor in extraction.actors if actor.kind != "anonymous"]
    anonymous = {actor.name.casefold() for actor in extraction.actors} - {
        actor.name.casefold() for actor in named
    }
    actor_ids: dict[str, int] = {}
    for actor in named:
        actor_ids[actor.name.casefold()] = identity.resolve(db, actor)
    db.conn.executemany(
        "INSERT OR IGNORE INTO article_actors (article_id, actor_id, name, role, kind)"
        " VALUES (?, ?, ?, ?, ?)",
        [(article_id, actor_ids[a.name.casefold()], a.name, a.role, a.kind) for a in named],
    )
    for statement in extraction.statements:
        key = statement.actor.casefold() if statement.actor is not None else None
        if key is not None and key not in actor_ids and key not in anonymous:
            actor_ids[key] = identity.resolve_name(db, statement.actor or "")
    return actor_ids


def _topic_id(
    db: Database,
    cache: dict[str, int],
    name: str,
    kind: str | None,
    specificity: float = 1.0,
    salient: bool = False,
    rows: TopicRows | None = None,
) -> int:
    """The id of the topic `name` (any case), created on first sight with its kind and
    specificity; the archive-wide counts and score follow from triggers (see m006).

    Whichever article came first, so that the archive's topics do not depend on the order of
    ingest: a key phrase written in lower case that an article is about outranks a named
    entity of the same words (the text used them as common words: "general election", "euro";
    a capitalised "General Election" read as an organisation does not make it a name), and
    ``topics.common`` records that it was seen; otherwise a named entity outranks a key phrase
    ("White House"), and the first sighting stays. The winner's name and specificity are kept.

    `rows` (the writer's, for one transaction) keeps the rows read and written by the name
    asked for, so a topic that many articles of a chunk name is read once; a row taken over
    here leaves it, and the writer empties it when an article is rolled back.
    """
    key = name.casefold()
    if key in cache and kind is None:  # a sighting with a kind may change the stored one
        return cache[key]
    common = kind == "phrase" and salient and is_common(name)
    row = rows.get(name) if rows is not None else None
    if row is None:
        row = db.execute(
            "SELECT id, kind, name, common FROM topics WHERE name = ?", [name]
        ).fetchone()
    if row is None:
        topic_id = _insert(
            db,
            "INSERT INTO topics (name, kind, specificity, common) VALUES (?, ?, ?, ?)",
            [name, kind, specificity, int(common)],
        )
        row = (topic_id, kind, name, int(common))
    else:
        topic_id, stored_kind, stored_name, stored_common = int(row[0]), row[1], row[2], row[3]
        taken = True
        if kind is None or stored_common:
            taken = False
        elif common:
            _retake(db, topic_id, name, kind, specificity, common=True)
        elif kind != "phrase" and stored_kind in (None, "phrase"):
            _retake(db, topic_id, name, kind, specificity)
        elif stored_kind is None:  # first seen as a statement's topic: its kind comes now
            _retake(db, topic_id, stored_name, kind, specificity)
        else:
            taken = False
        if taken and rows is not None:
            for other in [n for n, r in rows.items() if r[0] == topic_id]:
                del rows[other]
            row = None
    if rows is not None and row is not None:
        rows[name] = tuple(row)
    cache[key] = topic_id
    return topic_id


def is_common(name: str) -> bool:
    """Whether a topic's name is written in common words (no capital): a key phrase that no
    named entity may take over."""
    return name == name.lower()


def _retake(
    db: Database, topic_id: int, name: str, kind: str, specificity: float, common: bool = False
) -> None:
    db.execute(
        "UPDATE topics SET kind = ?, name = ?, specificity = ?, score = salient_count * ?,"
        " common = ? WHERE id = ?",
        [kind, name, specificity, specificity, int(common), topic_id],
    )
