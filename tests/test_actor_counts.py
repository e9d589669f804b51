"""An actor's kinds and spellings are kept as counts: they must equal a recount of
``article_actors`` after every kind of write, and choose what counting the rows chose."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement
from factcli.store import identity, migrations, open_db, save_extraction, save_extractions
from factcli.store.checks import count_drift
from factcli.store.transactions import transaction

SPEAKERS = (
    Actor("Harbour Board", "organisation"),
    Actor("harbour board", "person"),
    Actor("Harbour board", "organisation"),
    Actor("Mara Olsen", "person", "harbour master"),
    Actor("Olsen", "organisation"),
    Actor("Olsen", "person"),
    Actor("Tomas Berg", "person"),
    Actor("tomas berg", "person"),
    Actor("Fishers Union", "person"),
    Actor("Fishers Union", "organisation"),
    Actor("Fishers Union", "place"),
    Actor("Harbour Board", "place"),
)


def extraction(n: int, rng: random.Random, speakers: list[Actor] | None = None) -> Extraction:
    """An article in which two or three of `SPEAKERS` (or the `speakers` given) say something,
    each once."""
    chosen: dict[str, Actor] = {}
    for actor in speakers or rng.sample(SPEAKERS, 3):
        chosen.setdefault(actor.name.casefold(), actor)
    text, sentences, statements = f"Notes {n} from the quay\n", [], []
    for index, actor in enumerate(chosen.values()):
        start = len(text)
        line = f"{actor.name} said the quay needs work {n}.\n"
        text += line
        cue = start + len(actor.name) + 1
        sentences.append(Sentence(index, index, start, start + len(line) - 1))
        statements.append(
            Statement(
                index,
                "indirect",
                Span(cue, cue + 4),
                Span(cue + 5, start + len(line) - 2),
                Span(start, start + len(actor.name)),
                actor.name,
            )
        )
    return Extraction(
        Article(text=text, source=f"quay/{n}.txt", body_start=text.index("\n") + 1),
        tuple(sentences),
        tuple(chosen.values()),
        tuple(statements),
    )


def kept(db: Any) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    kinds = set(db.execute("SELECT actor_id, kind, articles FROM actor_kind_counts"))
    names = set(db.execute("SELECT actor_id, spelling, articles FROM actor_name_counts"))
    return kinds, names


def recount(db: Any) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    views = db.execute("SELECT actor_id, name, kind FROM article_actors").fetchall()
    kinds: dict[tuple[Any, ...], int] = {}
    names: dict[tuple[Any, ...], int] = {}
    for actor_id, name, kind in views:
        if kind is not None:
            kinds[actor_id, kind] = kinds.get((actor_id, kind), 0) + 1
        names[actor_id, name] = names.get((actor_id, name), 0) + 1
    return {(*k, n) for k, n in kinds.items()}, {(*k, n) for k, n in names.items()}


def agree(db: Any) -> bool:
    return kept(db) == recount(db) and count_drift(db) == []


def test_counts_follow_ingest_force_deletes_merges_and_splits(tmp_path: Path) -> None:
    rng = random.Random(5)
    db = open_db(tmp_path / "c.db", create=True)
    batch = [extraction(n, rng) for n in range(18)]
    for at in range(0, 12, 4):  # chunks, as ingest stores them
        assert all(isinstance(r, int) for r in save_extractions(db, batch[at : at + 4]))
    for item in batch[12:]:
        save_extraction(db, item)
    assert agree(db)
    kinds, names = kept(db)
    assert any(a == b and k != m for a, k, _ in kinds for b, m, _ in kinds)  # several kinds
    assert any(a == b and s != t for a, s, _ in names for b, t, _ in names)  # several spellings
    # --force, in a chunk and alone: the same texts with other speakers' views
    other = random.Random(8)
    again = [
        Extraction(item.article, item.sentences, tuple(other.sample(SPEAKERS, 2)), ())
        for item in batch[:6]
    ]
    save_extractions(db, again[:4], replace=True)
    save_extraction(db, again[4], replace=True)
    assert agree(db)
    with transaction(db):
        db.execute("DELETE FROM articles WHERE id IN (SELECT id FROM articles LIMIT 3)")
    assert agree(db)
    identity.merge(db, "Mara Olsen", "Tomas Berg")
    assert agree(db)
    identity.split(db, "Mara Olsen", "tomas berg")
    assert agree(db)
    with transaction(db):  # another program's edit, and an actor deleted with its views
        db.execute("UPDATE article_actors SET kind = 'place' WHERE rowid % 2 = 0")
        db.execute("DELETE FROM actors WHERE id = (SELECT MIN(actor_id) FROM article_actors)")
    assert agree(db)
    with transaction(db):
        db.execute("DELETE FROM articles")
    assert kept(db) == (set(), set()) and count_drift(db) == []
    db.close()


def test_the_drift_check_sees_a_wrong_count(tmp_path: Path) -> None:
    db = open_db(tmp_path / "d.db", create=True)
    for n in range(4):
        save_extraction(db, extraction(n, random.Random(n)))
    assert count_drift(db) == []
    with transaction(db):
        db.execute(
            "UPDATE actor_kind_counts SET articles = articles + 1"
            " WHERE actor_id = (SELECT MIN(actor_id) FROM actor_kind_counts)"
        )
        db.execute(  # one spelling written in capitals: a difference of case alone
            "UPDATE actor_name_counts SET spelling = upper(spelling)"
            " WHERE (actor_id, spelling) = (SELECT actor_id, spelling FROM actor_name_counts"
            " WHERE spelling != upper(spelling) LIMIT 1)"
        )
    found = count_drift(db)
    assert [line.split(":")[0] for line in found] == ["actor_kind_counts", "actor_name_counts"]
    db.close()


def _counted_from_rows(db: Any, actor_id: int, kind: str | None) -> str | None:
    """The rule as it was before the counts were kept: the actor's rows counted each time."""
    counts = {
        str(k): float(n)
        for k, n in db.execute(
            "SELECT kind, COUNT(*) FROM article_actors WHERE actor_id = ? AND kind IS NOT NULL"
            " GROUP BY kind",
            [actor_id],
        )
    }
    if kind:
        counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return kind
    name = db.execute("SELECT name FROM actors WHERE id = ?", [actor_id]).fetchone()
    if name and len(str(name[0]).split()) == 1 and "person" in counts:
        counts["person"] /= 2
    top = max(counts.values())
    return kind if kind and counts[kind] == top else max(counts, key=lambda k: counts[k])


def _casing_from_rows(db: Any, actor_id: int, name: str, seen: str) -> str:
    counts = {
        str(n): int(c)
        for n, c in db.execute(
            "SELECT name COLLATE BINARY, COUNT(*) FROM article_actors"
            " WHERE actor_id = ? AND name = ? GROUP BY name COLLATE BINARY",
            [actor_id, name],
        )
    }
    counts[seen] = counts.get(seen, 0) + 1
    return seen if counts[seen] > counts.get(name, 0) else name


def test_kept_counts_choose_what_counting_the_rows_chose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [extraction(n, random.Random(100 + n)) for n in range(40)]
    dbs = []
    for label in ("kept", "rows"):
        if label == "rows":
            monkeypatch.setattr(identity, "_majority_kind", _counted_from_rows)
            monkeypatch.setattr(identity, "_usual_casing", _casing_from_rows)
        db = open_db(tmp_path / f"{label}.db", create=True)
        for at in range(0, len(batch), 8):
            save_extractions(db, batch[at : at + 8])
        dbs.append(db)
    tables = ("actors", "article_actors", "statements")
    kept_rows, row_rows = (
        [db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables] for db in dbs
    )
    assert kept_rows == row_rows
    kinds = {r[0] for r in dbs[0].execute("SELECT DISTINCT kind FROM actors")}
    assert {"person", "organisation"} <= kinds


def test_a_tie_of_kinds_goes_as_it_went(tmp_path: Path) -> None:
    """Articles call the trust an organisation, a person, an organisation, a person: the
    newest wins the tie. Then a place: the tie of the others goes to the kind first in
    alphabetical order, as it did when the rows were counted."""
    db = open_db(tmp_path / "t.db", create=True)
    views = ["organisation", "person", "organisation", "person", "place"]
    for n, kind in enumerate(views):
        save_extraction(db, extraction(n, random.Random(n), [Actor("Quay Trust", kind)]))
        if n == 3:
            assert db.execute("SELECT kind FROM actors").fetchall() == [("person",)]
    assert db.execute("SELECT kind FROM actors").fetchall() == [("organisation",)]
    db.close()


def test_an_older_database_is_counted_when_migrated(tmp_path: Path) -> None:
    db = open_db(tmp_path / "old.db", create=True)
    for n in range(8):
        save_extraction(db, extraction(n, random.Random(n)))
    expected = kept(db)

    def as_before() -> None:
        for name in ("actor_view_counts_ai", "actor_view_counts_ad", "actor_view_counts_au"):
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DROP TABLE actor_kind_counts")
        db.execute("DROP TABLE actor_name_counts")

    with transaction(db):
        as_before()
        migrations.m015_actor_kind_counts(db)
    assert kept(db) == expected and agree(db)
    save_extraction(db, extraction(8, random.Random(8)))
    assert agree(db)
    # a bulk load left unfinished: the insert trigger waits with the others, then counts
    from factcli.dataset.load import finish

    with transaction(db):
        as_before()
        db.execute("INSERT INTO deferred_schema (name, sql) VALUES ('other', 'SELECT 1')")
        migrations.m015_actor_kind_counts(db)
        db.execute("DELETE FROM deferred_schema WHERE name = 'other'")
        db.execute(
            "INSERT INTO article_actors (article_id, actor_id, name, kind)"
            " SELECT 1, MIN(id), 'Quay Office', 'organisation' FROM actors"
        )
    assert db.execute("SELECT name FROM deferred_schema").fetchall() == [("actor_view_counts_ai",)]
    assert kept(db) != recount(db)  # what the load inserted is not counted yet
    finish(db)
    assert agree(db)
    assert db.execute("SELECT COUNT(*) FROM deferred_schema").fetchone()[0] == 0
    save_extraction(db, extraction(9, random.Random(9)))
    assert agree(db)
    db.close()
