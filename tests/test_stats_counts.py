"""`stats` reads counts kept by triggers: they must equal a recount after every kind of write."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement
from factcli.queries.stats import stats
from factcli.store import identity, open_db, save_extraction
from factcli.store import migrations as migrations_module

SPEAKERS = ("Mara Olsen", "Tomas Berg", "Ines Dahl")
SAYINGS = (
    "the harbour will reopen in spring",
    "nobody expected the vote to pass",
    "the budget leaves the schools short",
    "talks with the union went well",
)


def extraction(n: int, rng: random.Random, *, outlet: str | None = None) -> Extraction:
    """An article of three statements; sayings repeat across articles, so quotes group."""
    lines = [f"Report number {n} from the coast"]
    statements = []
    pos = len(lines[0]) + 1
    sentences = []
    people = [rng.choice(SPEAKERS) for _ in range(3)]
    for index, speaker in enumerate(people):
        anonymous = index == 2 and n % 3 == 0
        who = "a port spokesman" if anonymous else speaker
        saying = rng.choice(SAYINGS)
        line = f"{who} said that {saying}."
        start = pos
        cue = start + len(who) + 1
        content = cue + len("said that ")
        statements.append(
            Statement(
                index,
                rng.choice(("direct", "indirect", "mixed")),  # type: ignore[arg-type]
                Span(cue, cue + 4),
                Span(content, content + len(saying)),
                Span(start, start + len(who)),
                who,
            )
        )
        sentences.append(Sentence(index, index, start, start + len(line)))
        lines.append(line)
        pos += len(line) + 1
    actors = [Actor(p, "person") for p in dict.fromkeys(people[:2] if n % 3 == 0 else people)]
    if n % 3 == 0:
        actors.append(Actor("a port spokesman", "anonymous", description="spokesman"))
    article = Article(
        text="\n".join(lines) + "\n",
        source=f"coast/{n}.txt",
        title=f"Report {n}",
        published=None if n % 4 == 0 else f"2025-0{1 + n % 9}-1{n % 10}",
        body_start=len(lines[0]) + 1,
        outlet=outlet or rng.choice((None, "Coast Post", "Harbour Times", "harbour times")),
    )
    extractor = rng.choice((("rules", None), ("model", "m-1"), ("model", "m-2")))
    return Extraction(
        article,
        tuple(sentences),
        tuple(actors),
        tuple(statements),
        extractor=extractor[0],
        model_version=extractor[1],
    )


def recount(db: Any) -> dict[str, Any]:
    """The figures counted from the rows, as `stats` did before it kept counts."""
    one = db.execute(
        """
        SELECT (SELECT COUNT(*) FROM articles),
               (SELECT COUNT(*) FROM statements),
               (SELECT COUNT(*) FROM actors WHERE statement_count > 0),
               (SELECT COUNT(*) FROM topics),
               (SELECT COUNT(DISTINCT outlet) FROM articles),
               (SELECT COUNT(*) FROM articles WHERE published IS NULL),
               (SELECT COUNT(*) FROM (SELECT sq.quote_id FROM statement_quotes sq
                    JOIN statements s ON s.id = sq.statement_id
                    GROUP BY sq.quote_id HAVING COUNT(DISTINCT s.article_id) > 1)),
               (SELECT COUNT(*) FROM statements WHERE anonymous_description IS NOT NULL)
        """
    ).fetchone()
    kinds = dict(db.execute("SELECT kind, COUNT(*) FROM statements GROUP BY kind").fetchall())
    extractors = sorted(
        db.execute(
            "SELECT extractor, model_version, spacy_pipeline, COUNT(*) FROM articles"
            " GROUP BY 1, 2, 3"
        ).fetchall(),
        key=repr,
    )
    return {
        "articles": one[0],
        "statements": one[1],
        "actors": one[2],
        "topics": one[3],
        "outlets": one[4],
        "undated_articles": one[5],
        "quotes_in_several_articles": one[6],
        "anonymous_statements": one[7],
        "statements_by_kind": {k: kinds.get(k, 0) for k in ("direct", "indirect", "mixed")},
        "extractors": extractors,
    }


def kept(db: Any) -> dict[str, Any]:
    summary = stats(db.conn)
    figures = {key: summary[key] for key in recount(db) if key != "extractors"}
    figures["extractors"] = sorted(
        (
            (r["extractor"], r["model_version"], r["spacy_pipeline"], r["articles"])
            for r in summary["extractors"]
        ),
        key=repr,
    )
    return figures


def test_counts_follow_ingest_force_deletes_merges_and_splits(tmp_path: Path) -> None:
    rng = random.Random(3)
    db = open_db(tmp_path / "s.db", create=True)
    batch = [extraction(n, rng) for n in range(14)]
    for item in batch:
        save_extraction(db, item)
    expected = recount(db)
    assert expected["quotes_in_several_articles"] > 0 and expected["anonymous_statements"] > 0
    assert expected["outlets"] >= 2 and expected["undated_articles"] > 0
    assert kept(db) == expected
    # --force: the same texts stored again, with other outlets and extractors
    for item in batch[:5]:
        again = extraction(int(item.article.source.split("/")[1].split(".")[0]), random.Random(9))
        save_extraction(db, again, replace=True)
    assert kept(db) == recount(db)
    with db.conn:
        db.execute("DELETE FROM articles WHERE id IN (SELECT id FROM articles LIMIT 3)")
    assert kept(db) == recount(db)
    identity.merge(db, "Mara Olsen", "Tomas Berg")
    assert kept(db) == recount(db)
    identity.split(db, "Mara Olsen", "Tomas Berg")
    assert kept(db) == recount(db)
    with db.conn:
        db.execute("UPDATE statements SET kind = 'direct', anonymous_description = NULL")
        db.execute("UPDATE articles SET published = NULL, outlet = 'One Outlet'")
        db.execute("DELETE FROM topics")
    assert kept(db) == recount(db)
    with db.conn:
        db.execute("DELETE FROM articles")
    assert kept(db) == recount(db)
    assert db.execute("SELECT COUNT(*) FROM stats_counts WHERE value != 0").fetchone()[0] == 0
    db.close()


def test_an_older_database_is_counted_when_migrated(tmp_path: Path) -> None:
    rng = random.Random(4)
    db = open_db(tmp_path / "old.db", create=True)
    for n in range(10):
        save_extraction(db, extraction(n, rng))
    # as before the counts existed: no table, no triggers
    for name in migrations_module.STATS_COUNT_TRIGGERS:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DROP TABLE stats_counts")
    db.execute("DROP TABLE quotes_in_several_articles")
    with db.conn:
        migrations_module.m013_stats_counts(db)
        migrations_module.set_counting_conditions(db)  # as the later m014 does
    assert kept(db) == recount(db)
    save_extraction(db, extraction(10, rng))
    assert kept(db) == recount(db)
    db.close()
