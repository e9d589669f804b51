"""Schema migrations, applied in order and recorded in ``PRAGMA user_version``.

A migration is a small function registered with ``@migration``; its position in ``MIGRATIONS``
is the schema version it produces. Later changes append a function, never edit an old one, so
a database written by any earlier factcli can be brought forward in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

Migration = Callable[["Database"], None]

MIGRATIONS: list[Migration] = []

FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next schema version."""
    MIGRATIONS.append(fn)
    return fn


def latest_version() -> int:
    return len(MIGRATIONS)


@migration
def m001_initial(db: Database) -> None:
    """Articles, their sentences and statements, actors and topics, with full-text search.

    Everything that belongs to an article cascades from it, so replacing an article is one
    DELETE. Names compare case-insensitively: "Pete Hegseth" and "pete hegseth" are one actor.
    """
    db.executescript(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            title TEXT,
            published TEXT,
            text TEXT NOT NULL,
            body_start INTEGER NOT NULL DEFAULT 0,
            ingested_at TEXT NOT NULL
        );
        CREATE TABLE sentences (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            paragraph INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE UNIQUE INDEX idx_sentences_article_idx ON sentences(article_id, idx);
        CREATE TABLE actors (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role TEXT,
            kind TEXT,
            aliases TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE topics (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            kind TEXT
        );
        CREATE TABLE statements (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            sentence_id INTEGER REFERENCES sentences(id) ON DELETE CASCADE,
            actor_id INTEGER REFERENCES actors(id) ON DELETE SET NULL,
            speaker_mention TEXT,
            speaker_role TEXT,
            speaker_start INTEGER,
            speaker_end INTEGER,
            cue TEXT NOT NULL,
            cue_start INTEGER NOT NULL,
            cue_end INTEGER NOT NULL,
            kind TEXT NOT NULL,
            content TEXT NOT NULL,
            content_start INTEGER NOT NULL,
            content_end INTEGER NOT NULL
        );
        CREATE INDEX idx_statements_article ON statements(article_id);
        CREATE INDEX idx_statements_sentence ON statements(sentence_id);
        CREATE INDEX idx_statements_actor ON statements(actor_id);
        CREATE TABLE statement_topics (
            statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
            topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
            PRIMARY KEY (statement_id, topic_id)
        );
        CREATE INDEX idx_statement_topics_topic ON statement_topics(topic_id);
        CREATE TABLE article_topics (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
            count INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (article_id, topic_id)
        );
        CREATE INDEX idx_article_topics_topic ON article_topics(topic_id);
        """
    )
    db.table("statements").enable_fts(["content"], create_triggers=True, tokenize=FTS_TOKENIZE)
    db.table("sentences").enable_fts(["text"], create_triggers=True, tokenize=FTS_TOKENIZE)


@migration
def m002_counts_and_query_indexes(db: Database) -> None:
    """Precomputed counts and the indexes the query commands walk, for archives of millions of
    statements.

    `actors` and `topics` ranked by a GROUP BY over every statement would read the whole archive
    for each listing; the counts are kept by triggers instead, so every write path (an insert,
    the cascade of a `--force` re-ingest) keeps them exact. The indexes return the top rows of a
    listing, and the statements of one actor or topic, in the order shown, without sorting.
    `actor_names` indexes every name and alias by its trigrams, so `actor hegseth` finds "Pete
    Hegseth" among a hundred thousand actors without reading them all.
    """
    for statement in _COUNTS_AND_INDEXES:
        db.execute(statement)


_COUNTS_AND_INDEXES = (
    "ALTER TABLE actors ADD COLUMN statement_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE topics ADD COLUMN statement_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE topics ADD COLUMN article_count INTEGER NOT NULL DEFAULT 0",
    """UPDATE actors SET statement_count =
        (SELECT COUNT(*) FROM statements s WHERE s.actor_id = actors.id)""",
    """UPDATE topics SET
        statement_count = (SELECT COUNT(*) FROM statement_topics st WHERE st.topic_id = topics.id),
        article_count = (SELECT COUNT(*) FROM article_topics at WHERE at.topic_id = topics.id)""",
    """CREATE TRIGGER statements_count_ai AFTER INSERT ON statements
    WHEN NEW.actor_id IS NOT NULL BEGIN
        UPDATE actors SET statement_count = statement_count + 1 WHERE id = NEW.actor_id;
    END""",
    """CREATE TRIGGER statements_count_ad AFTER DELETE ON statements
    WHEN OLD.actor_id IS NOT NULL BEGIN
        UPDATE actors SET statement_count = statement_count - 1 WHERE id = OLD.actor_id;
    END""",
    """CREATE TRIGGER statements_count_au AFTER UPDATE OF actor_id ON statements
    WHEN OLD.actor_id IS NOT NEW.actor_id BEGIN
        UPDATE actors SET statement_count = statement_count - 1 WHERE id = OLD.actor_id;
        UPDATE actors SET statement_count = statement_count + 1 WHERE id = NEW.actor_id;
    END""",
    """CREATE TRIGGER statement_topics_count_ai AFTER INSERT ON statement_topics BEGIN
        UPDATE topics SET statement_count = statement_count + 1 WHERE id = NEW.topic_id;
    END""",
    """CREATE TRIGGER statement_topics_count_ad AFTER DELETE ON statement_topics BEGIN
        UPDATE topics SET statement_count = statement_count - 1 WHERE id = OLD.topic_id;
    END""",
    """CREATE TRIGGER article_topics_count_ai AFTER INSERT ON article_topics BEGIN
        UPDATE topics SET article_count = article_count + 1 WHERE id = NEW.topic_id;
    END""",
    """CREATE TRIGGER article_topics_count_ad AFTER DELETE ON article_topics BEGIN
        UPDATE topics SET article_count = article_count - 1 WHERE id = OLD.topic_id;
    END""",
    """CREATE INDEX idx_actors_ranked
        ON actors(statement_count DESC, name COLLATE NOCASE) WHERE statement_count > 0""",
    """CREATE INDEX idx_topics_ranked
        ON topics(statement_count DESC, article_count DESC, name COLLATE NOCASE)""",
    """CREATE VIRTUAL TABLE actor_names
        USING fts5(name, actor_id UNINDEXED, tokenize = 'trigram')""",
    """INSERT INTO actor_names (name, actor_id)
        SELECT name, id FROM actors
        UNION ALL SELECT j.value, a.id FROM actors a, json_each(a.aliases) j""",
    """CREATE TRIGGER actors_names_ai AFTER INSERT ON actors BEGIN
        INSERT INTO actor_names (name, actor_id)
            SELECT NEW.name, NEW.id UNION ALL SELECT value, NEW.id FROM json_each(NEW.aliases);
    END""",
    """CREATE TRIGGER actors_names_au AFTER UPDATE OF aliases ON actors BEGIN
        INSERT INTO actor_names (name, actor_id)
            SELECT value, NEW.id FROM json_each(NEW.aliases)
            WHERE value NOT IN (SELECT value FROM json_each(OLD.aliases));
    END""",
    "DROP INDEX idx_statement_topics_topic",
    "CREATE INDEX idx_statement_topics_topic ON statement_topics(topic_id, statement_id)",
)


@migration
def m003_archive(db: Database) -> None:
    """An archive of many outlets: article metadata, one actor across articles, quote groups.

    ``articles`` gains the outlet, URL and author. ``article_actors`` keeps each article's own
    view of a speaker (the name, role and kind seen there) and the corpus actor it was matched
    to, so roles can be dated and a wrong match undone. ``actor_keys`` indexes actors by
    surname and normalised name for matching; ``actor_rules`` keeps manual merges and splits so
    they survive re-ingest. ``statement_quotes`` labels near-identical statements of one speaker
    with one quote id, found through the MinHash band keys in ``quote_keys``.
    """
    _execute_each(
        db,
        """
        ALTER TABLE articles ADD COLUMN outlet TEXT;
        ALTER TABLE articles ADD COLUMN url TEXT;
        ALTER TABLE articles ADD COLUMN author TEXT;
        CREATE INDEX idx_articles_published ON articles(published);
        CREATE INDEX idx_statements_kind ON statements(kind);
        CREATE INDEX idx_articles_outlet ON articles(outlet COLLATE NOCASE);
        CREATE TABLE article_actors (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
            name TEXT NOT NULL COLLATE NOCASE,
            role TEXT,
            kind TEXT,
            PRIMARY KEY (article_id, name)
        );
        CREATE INDEX idx_article_actors_actor ON article_actors(actor_id);
        CREATE TABLE actor_keys (
            key TEXT NOT NULL,
            actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
            PRIMARY KEY (key, actor_id)
        ) WITHOUT ROWID;
        CREATE INDEX idx_actor_keys_actor ON actor_keys(actor_id);
        CREATE TABLE actor_rules (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL CHECK (rule IN ('merge', 'split')),
            name TEXT NOT NULL COLLATE NOCASE,
            actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            UNIQUE (rule, name, actor_id)
        );
        CREATE INDEX idx_actor_rules_actor ON actor_rules(actor_id);
        CREATE TABLE statement_quotes (
            statement_id INTEGER PRIMARY KEY REFERENCES statements(id) ON DELETE CASCADE,
            quote_id INTEGER NOT NULL
        );
        CREATE INDEX idx_statement_quotes_quote ON statement_quotes(quote_id);
        CREATE TABLE quote_keys (
            key INTEGER NOT NULL,
            statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
            PRIMARY KEY (key, statement_id)
        ) WITHOUT ROWID;
        CREATE INDEX idx_quote_keys_statement ON quote_keys(statement_id);
        INSERT OR IGNORE INTO article_actors (article_id, actor_id, name, role, kind)
            SELECT s.article_id, s.actor_id, ac.name, MAX(s.speaker_role), ac.kind
            FROM statements s JOIN actors ac ON ac.id = s.actor_id
            GROUP BY s.article_id, s.actor_id;
        """,
    )
    # a renamed actor ("Hegseth" becomes "Pete Hegseth") is found by its new name too, and a
    # merged-away actor leaves no names behind in the index of names (see m002)
    db.execute(
        """CREATE TRIGGER actors_names_au_name AFTER UPDATE OF name ON actors
        WHEN OLD.name IS NOT NEW.name BEGIN
            INSERT INTO actor_names (name, actor_id) VALUES (NEW.name, NEW.id);
        END"""
    )
    db.execute(
        """CREATE TRIGGER actors_names_ad AFTER DELETE ON actors BEGIN
            DELETE FROM actor_names WHERE actor_id = OLD.id;
        END"""
    )
    from factcli.store import identity, quotes

    for actor_id, name, kind in db.execute("SELECT id, name, kind FROM actors").fetchall():
        identity.index_actor(db, actor_id, name, kind)
    quotes.regroup(db, [row[0] for row in db.execute("SELECT id FROM statements ORDER BY id")])


@migration
def m004_extraction_provenance(db: Database) -> None:
    """Which extractor ("rules" or "model"), which model version and which spaCy pipeline
    produced each article's statements, so figures from two runs can be told apart."""
    _execute_each(
        db,
        """
        ALTER TABLE articles ADD COLUMN extractor TEXT;
        ALTER TABLE articles ADD COLUMN model_version TEXT;
        ALTER TABLE articles ADD COLUMN spacy_pipeline TEXT;
        """,
    )


def _execute_each(db: Database, script: str) -> None:
    """Run `script` statement by statement: ``executescript`` would commit the migration's
    transaction half-way, and a failed upgrade must leave the old schema intact."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migration
def m009_web(db: Database) -> None:
    """``who_said``: one row per statement with its speaker, role, cue, kind, date, month,
    outlet and article as plain columns, for browsing the archive in Datasette.

    A table page can facet and search only its own columns; the speaker's name and the
    article's outlet and date live in other tables. The view joins them once, and Datasette
    searches it through ``statements_fts`` (the view's ``id`` is the statement's rowid). A view
    stores nothing, so the archive does not grow.

    ``articles.published_from`` names the field of an HTML page the date came from (``meta
    article:published_time``, ``json-ld datePublished``, ``title``, ...): a page often gives
    several dates, and a wrong one must be traceable.
    """
    db.execute("ALTER TABLE articles ADD COLUMN published_from TEXT")
    db.execute(
        """CREATE VIEW who_said AS
        SELECT s.id AS id, s.content AS statement,
               COALESCE(ac.name, s.speaker_mention) AS speaker, s.speaker_role AS role,
               s.cue AS cue, s.kind AS kind, a.published AS date,
               substr(a.published, 1, 7) AS month, a.outlet AS outlet, a.title AS article,
               s.article_id AS article_id, s.actor_id AS actor_id
        FROM statements s JOIN articles a ON a.id = s.article_id
        LEFT JOIN actors ac ON ac.id = s.actor_id"""
    )


@migration
def m005_anonymous_sources(db: Database) -> None:
    """Sources without a name ("a Home Office spokesman", "analysts") stay with their article.

    Such a statement has no actor: ``anonymous_source`` keeps the words the article used,
    ``anonymous_description`` who the source is ("spokesman") and ``anonymous_organisation``
    whom it speaks for ("Home Office"), so `actors --anonymous` can count them by description
    and organisation without ever merging two articles' spokesmen into one actor.
    """
    _execute_each(
        db,
        """
        ALTER TABLE statements ADD COLUMN anonymous_source TEXT;
        ALTER TABLE statements ADD COLUMN anonymous_description TEXT;
        ALTER TABLE statements ADD COLUMN anonymous_organisation TEXT;
        CREATE INDEX idx_statements_anonymous
            ON statements(anonymous_description, anonymous_organisation)
            WHERE anonymous_description IS NOT NULL
        """,
    )


@migration
def m008_dataset_load(db: Database) -> None:
    """What ``factcli load`` needs to be stopped and resumed safely.

    ``dataset_loads`` names the datasets whose actors and quote groups were copied in as they
    are (a bulk load into an empty database). While a bulk load runs, the secondary indexes,
    the full-text triggers and the count triggers are set aside in ``deferred_schema`` and
    built once at the end; a load cut short leaves them there, and the next load puts them
    back. ``deferred_quotes`` holds the statements whose quote starts in an article not loaded
    yet.
    """
    _execute_each(
        db,
        """
        CREATE TABLE dataset_loads (
            fingerprint TEXT PRIMARY KEY,
            loaded_at TEXT NOT NULL
        );
        CREATE TABLE deferred_schema (
            name TEXT PRIMARY KEY,
            sql TEXT NOT NULL
        );
        CREATE TABLE deferred_quotes (
            statement_id INTEGER PRIMARY KEY REFERENCES statements(id) ON DELETE CASCADE,
            quote_sha256 TEXT NOT NULL,
            quote_index INTEGER NOT NULL
        );
        """,
    )


@migration
def m006_topic_phrases(db: Database) -> None:
    """Topics ranked by how much the archive is about them: key phrases beside entities.

    ``article_topics.salient`` marks the articles that are about a topic (see
    `factcli.topics.article_topics`); ``topics`` gains its ``specificity`` (0 to 1, from general
    word frequencies, set when the topic is first stored), the number of articles where it is
    salient and ``score``, that number times the specificity. The triggers keep all three exact
    on every insert and cascade, and ``topics`` walks an index on ``score``. Older topics keep
    a specificity of 1 and count as salient where mentioned twice; `ingest --force` re-extracts
    them as key phrases.
    """
    for statement in _TOPIC_PHRASES:
        db.execute(statement)


_TOPIC_PHRASES = (
    "ALTER TABLE topics ADD COLUMN specificity REAL NOT NULL DEFAULT 1.0",
    "ALTER TABLE topics ADD COLUMN salient_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE topics ADD COLUMN score REAL NOT NULL DEFAULT 0",
    "ALTER TABLE article_topics ADD COLUMN salient INTEGER NOT NULL DEFAULT 0",
    "UPDATE topics SET kind = 'phrase' WHERE kind = 'concept'",
    "UPDATE article_topics SET salient = 1 WHERE count >= 2",
    """UPDATE topics SET salient_count =
        (SELECT COUNT(*) FROM article_topics at WHERE at.topic_id = topics.id AND at.salient)""",
    "UPDATE topics SET score = salient_count * specificity",
    "DROP TRIGGER IF EXISTS article_topics_count_ai",
    "DROP TRIGGER IF EXISTS article_topics_count_ad",
    "DELETE FROM deferred_schema WHERE name LIKE 'article_topics_count_%'",
    """CREATE TRIGGER article_topics_count_ai AFTER INSERT ON article_topics BEGIN
        UPDATE topics SET article_count = article_count + 1,
            salient_count = salient_count + NEW.salient,
            score = (salient_count + NEW.salient) * specificity
        WHERE id = NEW.topic_id;
    END""",
    """CREATE TRIGGER article_topics_count_ad AFTER DELETE ON article_topics BEGIN
        UPDATE topics SET article_count = article_count - 1,
            salient_count = salient_count - OLD.salient,
            score = (salient_count - OLD.salient) * specificity
        WHERE id = OLD.topic_id;
    END""",
    """CREATE INDEX idx_topics_score
        ON topics(score DESC, article_count DESC, name COLLATE NOCASE)""",
    """CREATE INDEX idx_topics_kind_score
        ON topics(kind, score DESC, article_count DESC, name COLLATE NOCASE)""",
)


@migration
def m010_topics_periods(db: Database) -> None:
    """Topics ranked over a span of dates as fast as over the whole archive, and a named
    entity weighed by its kind.

    ``topic_months`` and ``topic_days`` hold, per month (``2015-11``) and per day
    (``2015-11-05``) of publication and per topic, the articles mentioning it, those about it
    (salient) and the statements on it. Triggers keep them exact as articles come and go (an
    article's rows are taken away before it is deleted, while its date can still be read), so
    `topics --since/--until` sums the whole months of the span and the days of its two edge
    months instead of reading every article in range. Entity topics stored with the old weight
    of 1 take their kind's (`factcli.topics.KIND_WEIGHTS`), and their score follows.
    ``topics.common`` marks a topic seen as a key phrase in lower case that an article is about,
    which no named entity of the same words takes over (see `store.writer._topic_id`).
    """
    from factcli.topics import KIND_WEIGHTS

    db.execute("ALTER TABLE topics ADD COLUMN common INTEGER NOT NULL DEFAULT 0")
    for statement in _TOPIC_PERIODS:
        db.execute(statement)
    for kind, weight in KIND_WEIGHTS.items():
        db.execute(
            "UPDATE topics SET specificity = ?, score = salient_count * ?"
            " WHERE kind = ? AND specificity = 1.0",
            [weight, weight, kind],
        )
    for statement in TOPIC_PERIODS_REBUILD:
        db.execute(statement)


def _period_triggers(table: str, key: str, length: int) -> tuple[str, ...]:
    """The triggers that keep `table` (one row per `key` and topic) up to date."""
    date = f"substr(a.published, 1, {length})"
    return (
        f"""CREATE TRIGGER article_topics_{table}_ai AFTER INSERT ON article_topics BEGIN
            INSERT INTO {table} ({key}, topic_id, articles, salient, statements)
            SELECT {date}, NEW.topic_id, 1, NEW.salient, 0 FROM articles a
            WHERE a.id = NEW.article_id AND a.published IS NOT NULL
            ON CONFLICT ({key}, topic_id) DO UPDATE SET articles = articles + 1,
                salient = salient + excluded.salient;
        END""",
        f"""CREATE TRIGGER article_topics_{table}_ad AFTER DELETE ON article_topics BEGIN
            UPDATE {table} SET articles = articles - 1, salient = salient - OLD.salient
            WHERE topic_id = OLD.topic_id AND {key} =
                (SELECT {date} FROM articles a WHERE a.id = OLD.article_id);
        END""",
        f"""CREATE TRIGGER statement_topics_{table}_ai AFTER INSERT ON statement_topics BEGIN
            INSERT INTO {table} ({key}, topic_id, articles, salient, statements)
            SELECT {date}, NEW.topic_id, 0, 0, 1 FROM statements s
            JOIN articles a ON a.id = s.article_id
            WHERE s.id = NEW.statement_id AND a.published IS NOT NULL
            ON CONFLICT ({key}, topic_id) DO UPDATE SET statements = statements + 1;
        END""",
        f"""CREATE TRIGGER statement_topics_{table}_ad AFTER DELETE ON statement_topics BEGIN
            UPDATE {table} SET statements = statements - 1
            WHERE topic_id = OLD.topic_id AND {key} = (SELECT {date} FROM statements s
                JOIN articles a ON a.id = s.article_id WHERE s.id = OLD.statement_id);
        END""",
        f"""CREATE TRIGGER articles_{table}_bd BEFORE DELETE ON articles
        WHEN OLD.published IS NOT NULL BEGIN
            {_take_article(table, key, length, "OLD")};
        END""",
        f"""CREATE TRIGGER articles_{table}_au AFTER UPDATE OF published ON articles
        WHEN OLD.published IS NOT NEW.published BEGIN
            {_take_article(table, key, length, "OLD")};
            INSERT INTO {table} ({key}, topic_id, articles, salient, statements)
            SELECT {key}, topic_id, SUM(articles), SUM(salient), SUM(statements) FROM (
                {_period_rows(date, "a.id = NEW.id", key)})
            WHERE true GROUP BY {key}, topic_id
            ON CONFLICT ({key}, topic_id) DO UPDATE SET articles = articles + excluded.articles,
                salient = salient + excluded.salient, statements = statements + excluded.statements;
        END""",
    )


def _take_article(table: str, key: str, length: int, row: str) -> str:
    """SQL taking the article `row` (OLD) away from its period's rows of `table`, and dropping
    the rows left empty."""
    return f"""UPDATE {table} SET
                articles = articles - (SELECT COUNT(*) FROM article_topics at
                    WHERE at.article_id = {row}.id AND at.topic_id = {table}.topic_id),
                salient = salient - (SELECT COALESCE(SUM(at.salient), 0) FROM article_topics at
                    WHERE at.article_id = {row}.id AND at.topic_id = {table}.topic_id),
                statements = statements - (SELECT COUNT(*) FROM statements s
                    JOIN statement_topics st ON st.statement_id = s.id
                    WHERE s.article_id = {row}.id AND st.topic_id = {table}.topic_id)
            WHERE {key} = substr({row}.published, 1, {length})
              AND topic_id IN (SELECT topic_id FROM article_topics WHERE article_id = {row}.id);
            DELETE FROM {table} WHERE {key} = substr({row}.published, 1, {length})
              AND articles <= 0 AND statements <= 0"""


def _period_rows(date: str, where: str, key: str) -> str:
    """Rows of (`key`, topic, 1 article, salient, 0) and (`key`, topic, 0, 0, 1 statement) for
    the dated articles matching `where`, to be summed by period and topic."""
    return f"""
        SELECT {date} AS {key}, at.topic_id AS topic_id, 1 AS articles, at.salient AS salient,
               0 AS statements
        FROM article_topics at JOIN articles a ON a.id = at.article_id
        WHERE a.published IS NOT NULL AND {where}
        UNION ALL
        SELECT {date}, st.topic_id, 0, 0, 1
        FROM statement_topics st JOIN statements s ON s.id = st.statement_id
        JOIN articles a ON a.id = s.article_id
        WHERE a.published IS NOT NULL AND {where}"""


TOPIC_PERIOD_TABLES = (("topic_months", "month", 7), ("topic_days", "day", 10))

_TOPIC_PERIODS = tuple(
    statement
    for table, key, length in TOPIC_PERIOD_TABLES
    for statement in (
        f"""CREATE TABLE {table} (
            {key} TEXT NOT NULL,
            topic_id INTEGER NOT NULL,
            articles INTEGER NOT NULL DEFAULT 0,
            salient INTEGER NOT NULL DEFAULT 0,
            statements INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY ({key}, topic_id)
        ) WITHOUT ROWID""",
        *_period_triggers(table, key, length),
    )
)

TOPIC_PERIODS_REBUILD = tuple(
    statement
    for table, key, length in TOPIC_PERIOD_TABLES
    for statement in (
        f"DELETE FROM {table}",
        f"""INSERT INTO {table} ({key}, topic_id, articles, salient, statements)
            SELECT {key}, topic_id, SUM(articles), SUM(salient), SUM(statements) FROM (
                {_period_rows(f"substr(a.published, 1, {length})", "1", key)})
            GROUP BY {key}, topic_id""",
    )
)
"""Fill ``topic_months`` and ``topic_days`` from the stored articles (after a bulk load)."""

TOPIC_PERIOD_TRIGGERS = tuple(
    f"{prefix}_{table}_{suffix}"
    for table, _, _ in TOPIC_PERIOD_TABLES
    for prefix, suffix in (("article_topics", "ai"), ("statement_topics", "ai"))
)
"""The insert triggers a bulk load sets aside, then makes up for with `TOPIC_PERIODS_REBUILD`."""


@migration
def m011_who_said_unnamed_sources(db: Database) -> None:
    """``who_said`` names an unnamed source as `who-said` does ("Home Office spokesman",
    "analysts"), not by the raw words of its mention ("A Home Office spokesman"), and gives
    the speaker's kind, so the browser can facet named actors apart from anonymous sources."""
    db.execute("DROP VIEW IF EXISTS who_said")
    db.execute(
        """CREATE VIEW who_said AS
        SELECT s.id AS id, s.content AS statement,
               COALESCE(ac.name, s.anonymous_source, s.speaker_mention) AS speaker,
               COALESCE(ac.kind, IIF(s.anonymous_source IS NULL, NULL, 'anonymous'))
                   AS speaker_kind,
               s.speaker_role AS role,
               s.cue AS cue, s.kind AS kind, a.published AS date,
               substr(a.published, 1, 7) AS month, a.outlet AS outlet, a.title AS article,
               s.article_id AS article_id, s.actor_id AS actor_id
        FROM statements s JOIN articles a ON a.id = s.article_id
        LEFT JOIN actors ac ON ac.id = s.actor_id"""
    )


@migration
def m013_stats_counts(db: Database) -> None:
    """The figures `stats` shows, kept as counts so it answers at once on any archive.

    ``stats_counts`` holds one row per figure (``subject``, ``key``, ``value``): the totals of
    articles, undated articles, statements, statements from unnamed sources, actors quoted,
    topics and quotes carried by several articles; statements by kind; articles by outlet and
    by extractor (a JSON array of extractor, model version and spaCy pipeline). Counting them
    took seconds at a million statements, mostly grouping every quote's statements by article.
    ``quotes_in_several_articles`` lists the quotes whose statements come from two articles or
    more. Triggers keep all of it exact through every write (ingest, a `--force` re-ingest and
    its cascade of deletes, actors merged or split, quotes regrouped); a bulk load sets its
    insert triggers aside and counts once at the end (`STATS_COUNTS_REBUILD`).
    """
    db.execute(
        """CREATE TABLE stats_counts (
            subject TEXT NOT NULL,
            key TEXT NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (subject, key)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE TABLE quotes_in_several_articles (quote_id INTEGER PRIMARY KEY)")
    for statement in STATS_COUNTS_REBUILD:
        db.execute(statement)
    for statement in _STATS_COUNT_TRIGGERS:
        db.execute(statement)


def _upsert(rows: str) -> str:
    """Add to counts: `rows` is a SELECT of (subject, key, value) rows, ending with a WHERE."""
    return (
        f"INSERT INTO stats_counts (subject, key, value) {rows}"
        " ON CONFLICT (subject, key) DO UPDATE SET value = value + excluded.value;"
    )


def _article_counts(row: str, sign: int) -> str:
    """What one article adds to (sign 1) or takes from (-1) the counts; empty groups go."""
    extractor = f"json_array({row}.extractor, {row}.model_version, {row}.spacy_pipeline)"
    return _upsert(
        f"SELECT 'total', 'articles', {sign}"
        f" UNION ALL SELECT 'total', 'undated_articles', {sign} WHERE {row}.published IS NULL"
        f" UNION ALL SELECT 'outlet', {row}.outlet, {sign} WHERE {row}.outlet IS NOT NULL"
        f" UNION ALL SELECT 'extractor', {extractor}, {sign} WHERE 1"
    ) + (
        f" DELETE FROM stats_counts WHERE value = 0 AND (subject, key) IN"
        f" (VALUES ('outlet', {row}.outlet), ('extractor', {extractor}));"
        if sign < 0
        else ""
    )


def _statement_counts(row: str, sign: int) -> str:
    return _upsert(
        f"SELECT 'total', 'statements', {sign}"
        f" UNION ALL SELECT 'kind', {row}.kind, {sign} WHERE {row}.kind IS NOT NULL"
        f" UNION ALL SELECT 'total', 'anonymous_statements', {sign}"
        f" WHERE {row}.anonymous_description IS NOT NULL"
    )


def _spread(quote: str) -> str:
    """True when the statements of quote `quote` come from two articles or more: some
    statement's article differs from its earliest statement's (both read through the index of
    quotes, and the search stops at the first other article)."""
    return f"""EXISTS (SELECT 1 FROM statement_quotes sq JOIN statements s ON s.id = sq.statement_id
        WHERE sq.quote_id = {quote} AND s.article_id != (
            SELECT s1.article_id FROM statement_quotes sq1 JOIN statements s1
                ON s1.id = sq1.statement_id
            WHERE sq1.quote_id = {quote} ORDER BY sq1.statement_id LIMIT 1))"""


def _total(key: str, change: str) -> str:
    return (
        f"UPDATE stats_counts SET value = value + ({change})"
        f" WHERE subject = 'total' AND key = '{key}';"
    )


_STATS_COUNT_TRIGGERS = (
    f"""CREATE TRIGGER stats_articles_ai AFTER INSERT ON articles BEGIN
        {_article_counts("NEW", 1)}
    END""",
    f"""CREATE TRIGGER stats_articles_ad AFTER DELETE ON articles BEGIN
        {_article_counts("OLD", -1)}
    END""",
    f"""CREATE TRIGGER stats_articles_au
    AFTER UPDATE OF published, outlet, extractor, model_version, spacy_pipeline ON articles BEGIN
        {_article_counts("OLD", -1)}
        {_article_counts("NEW", 1)}
    END""",
    f"""CREATE TRIGGER stats_statements_ai AFTER INSERT ON statements BEGIN
        {_statement_counts("NEW", 1)}
    END""",
    f"""CREATE TRIGGER stats_statements_ad AFTER DELETE ON statements BEGIN
        {_statement_counts("OLD", -1)}
    END""",
    f"""CREATE TRIGGER stats_statements_au
    AFTER UPDATE OF kind, anonymous_description ON statements BEGIN
        {_statement_counts("OLD", -1)}
        {_statement_counts("NEW", 1)}
    END""",
    f"""CREATE TRIGGER stats_topics_ai AFTER INSERT ON topics BEGIN
        {_total("topics", "1")}
    END""",
    f"""CREATE TRIGGER stats_topics_ad AFTER DELETE ON topics BEGIN
        {_total("topics", "-1")}
    END""",
    f"""CREATE TRIGGER stats_actors_ai AFTER INSERT ON actors
    WHEN NEW.statement_count > 0 BEGIN
        {_total("actors", "1")}
    END""",
    f"""CREATE TRIGGER stats_actors_ad AFTER DELETE ON actors
    WHEN OLD.statement_count > 0 BEGIN
        {_total("actors", "-1")}
    END""",
    f"""CREATE TRIGGER stats_actors_au AFTER UPDATE OF statement_count ON actors
    WHEN (OLD.statement_count > 0) != (NEW.statement_count > 0) BEGIN
        {_total("actors", "IIF(NEW.statement_count > 0, 1, -1)")}
    END""",
    f"""CREATE TRIGGER stats_statement_quotes_ai AFTER INSERT ON statement_quotes BEGIN
        INSERT OR IGNORE INTO quotes_in_several_articles (quote_id)
            SELECT NEW.quote_id WHERE {_spread("NEW.quote_id")};
    END""",
    f"""CREATE TRIGGER stats_statement_quotes_ad AFTER DELETE ON statement_quotes BEGIN
        DELETE FROM quotes_in_several_articles
            WHERE quote_id = OLD.quote_id AND NOT {_spread("OLD.quote_id")};
    END""",
    f"""CREATE TRIGGER stats_statement_quotes_au AFTER UPDATE ON statement_quotes BEGIN
        DELETE FROM quotes_in_several_articles
            WHERE quote_id = OLD.quote_id AND NOT {_spread("OLD.quote_id")};
        INSERT OR IGNORE INTO quotes_in_several_articles (quote_id)
            SELECT NEW.quote_id WHERE {_spread("NEW.quote_id")};
    END""",
    f"""CREATE TRIGGER stats_quotes_several_ai AFTER INSERT ON quotes_in_several_articles BEGIN
        {_total("quotes_in_several_articles", "1")}
    END""",
    f"""CREATE TRIGGER stats_quotes_several_ad AFTER DELETE ON quotes_in_several_articles BEGIN
        {_total("quotes_in_several_articles", "-1")}
    END""",
)

STATS_COUNT_TRIGGERS = tuple(sql.split()[2] for sql in _STATS_COUNT_TRIGGERS)
"""The triggers that keep `stats_counts`; a bulk load sets them aside, then runs
`STATS_COUNTS_REBUILD`."""

STATS_COUNTS_REBUILD = (
    "DELETE FROM quotes_in_several_articles",
    """INSERT INTO quotes_in_several_articles (quote_id)
        SELECT sq.quote_id FROM statement_quotes sq JOIN statements s ON s.id = sq.statement_id
        GROUP BY sq.quote_id HAVING MIN(s.article_id) != MAX(s.article_id)""",
    "DELETE FROM stats_counts",
    """INSERT INTO stats_counts (subject, key, value)
        SELECT 'total', 'articles', COUNT(*) FROM articles
        UNION ALL SELECT 'total', 'undated_articles', COUNT(*) FROM articles
            WHERE published IS NULL
        UNION ALL SELECT 'total', 'statements', COUNT(*) FROM statements
        UNION ALL SELECT 'total', 'anonymous_statements', COUNT(*) FROM statements
            WHERE anonymous_description IS NOT NULL
        UNION ALL SELECT 'total', 'actors', COUNT(*) FROM actors WHERE statement_count > 0
        UNION ALL SELECT 'total', 'topics', COUNT(*) FROM topics
        UNION ALL SELECT 'total', 'quotes_in_several_articles', COUNT(*)
            FROM quotes_in_several_articles
        UNION ALL SELECT 'kind', kind, COUNT(*) FROM statements
            WHERE kind IS NOT NULL GROUP BY kind
        UNION ALL SELECT 'outlet', outlet, COUNT(*) FROM articles
            WHERE outlet IS NOT NULL GROUP BY outlet
        UNION ALL SELECT 'extractor', json_array(extractor, model_version, spacy_pipeline),
            COUNT(*) FROM articles GROUP BY extractor, model_version, spacy_pipeline""",
)
"""Every count of `stats_counts` from the stored rows (the migration; the end of a bulk load)."""


QUOTE_KEYS_DELETE_TRIGGER = """CREATE TRIGGER quote_key_lists_ad AFTER DELETE ON quote_key_lists
    BEGIN
        DELETE FROM quote_keys WHERE statement_id = OLD.statement_id
            AND key IN (SELECT value FROM json_each(OLD.keys));
    END"""


@migration
def m012_quote_band_keys(db: Database) -> None:
    """A quote's band keys are kept twice: by statement in ``quote_key_lists`` (one JSON array
    per quote's first statement, a row deleted with its statement) and by key in
    ``quote_keys``, which loses its ``statement_id`` index and foreign key: a trigger on
    ``quote_key_lists`` deletes them by key. A bulk load appends each list as it comes and
    fills ``quote_keys`` in key order once at the end, with no second index to sort (that index
    cost as much as the table). An unfinished bulk load's work table of keys is moved over."""
    _execute_each(
        db,
        """
        CREATE TABLE quote_key_lists (
            statement_id INTEGER PRIMARY KEY REFERENCES statements(id) ON DELETE CASCADE,
            keys TEXT NOT NULL
        );
        INSERT INTO quote_key_lists (statement_id, keys)
            SELECT statement_id, json_group_array(key) FROM quote_keys
            GROUP BY statement_id ORDER BY statement_id;
        CREATE TABLE quote_keys_by_key (
            key INTEGER NOT NULL,
            statement_id INTEGER NOT NULL,
            PRIMARY KEY (key, statement_id)
        ) WITHOUT ROWID;
        INSERT INTO quote_keys_by_key (key, statement_id)
            SELECT key, statement_id FROM quote_keys ORDER BY key, statement_id;
        DROP TABLE quote_keys;
        ALTER TABLE quote_keys_by_key RENAME TO quote_keys;
        DELETE FROM deferred_schema WHERE name = 'idx_quote_keys_statement'
        """,
    )
    pending = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pending_quote_keys'"
    ).fetchone()
    if pending:
        db.execute(
            "INSERT OR REPLACE INTO quote_key_lists (statement_id, keys)"
            " SELECT statement_id, keys FROM pending_quote_keys"
        )
        db.execute(
            "INSERT OR IGNORE INTO quote_keys (key, statement_id)"
            " SELECT j.value, p.statement_id FROM pending_quote_keys p, json_each(p.keys) j"
            " ORDER BY 1, 2"
        )
        db.execute("DROP TABLE pending_quote_keys")
    db.execute(QUOTE_KEYS_DELETE_TRIGGER)


DEFERRED_COUNTING = "counting_deferred"
"""While a row is in this table, the insert triggers of `COUNTING_TRIGGERS` leave the rows
from its ids on to the writer, which counts and indexes them with a few set-based statements
(`factcli.store.batching`). The row lives inside the writer's transaction only: no other
connection ever sees it, and a rolled-back write takes it away."""

COUNTING_TRIGGERS = (
    "sentences_ai",
    "statements_ai",
    "statements_count_ai",
    "stats_statements_ai",
    "statement_topics_count_ai",
    "article_topics_count_ai",
    *(
        f"{prefix}_{table}_ai"
        for prefix in ("article_topics", "statement_topics")
        for table, _, _ in TOPIC_PERIOD_TABLES
    ),
)
"""The insert triggers an ingest makes up for per chunk of articles (`DEFERRED_COUNTING`)."""


def counting_condition(sql: str) -> str:
    """The trigger `sql` firing only while no writer counts for it: its WHEN clause (or a new
    one) gains ``NOT EXISTS (SELECT 1 FROM counting_deferred)``."""
    import re

    begin = re.search(r"\bBEGIN\b", sql, flags=re.IGNORECASE)
    assert begin is not None, sql
    head, body = sql[: begin.start()].rstrip(), sql[begin.start() :]
    condition = f"NOT EXISTS (SELECT 1 FROM {DEFERRED_COUNTING})"
    if re.search(r"\bWHEN\b", head, flags=re.IGNORECASE):
        return f"{head} AND {condition}\n    {body}"
    return f"{head} WHEN {condition}\n    {body}"


@migration
def m014_ingest_batched_triggers(db: Database) -> None:
    """Ingest counts and indexes a chunk of articles at once, not row by row.

    Each row an article inserts fired up to three triggers (full-text indexes, the counts of
    actors, topics and `stats`, the topics' months and days): about half of the time spent
    storing an article. `COUNTING_TRIGGERS` now stand aside while the writer holds a row in
    ``counting_deferred`` (inside its own transaction), and the writer brings the indexes and
    counts up to date for the rows it inserted, in a few set-based statements per chunk. Every
    other write (deletes and their cascade, `--force`, actors merged or split, a load) fires
    them as before. Triggers set aside by an unfinished bulk load are changed where they wait.
    """
    db.execute(
        f"""CREATE TABLE {DEFERRED_COUNTING} (
            since_article INTEGER NOT NULL,
            since_sentence INTEGER NOT NULL,
            since_statement INTEGER NOT NULL
        )"""
    )
    set_counting_conditions(db)


def set_counting_conditions(db: Database) -> None:
    """Give each of `COUNTING_TRIGGERS` its condition (`counting_condition`), where it is
    defined or where a bulk load set it aside; a trigger that has it already is left alone."""
    for name in COUNTING_TRIGGERS:
        row = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]
        ).fetchone()
        if row is not None:
            if DEFERRED_COUNTING not in row[0]:
                db.execute(f'DROP TRIGGER "{name}"')
                db.execute(counting_condition(row[0]))
            continue
        waiting = db.execute("SELECT sql FROM deferred_schema WHERE name = ?", [name]).fetchone()
        if waiting is not None and DEFERRED_COUNTING not in waiting[0]:
            db.execute(
                "UPDATE deferred_schema SET sql = ? WHERE name = ?",
                [counting_condition(waiting[0]), name],
            )


def _actor_view_counts(row: str, sign: int) -> str:
    """What one ``article_actors`` row adds to (sign 1) or takes from (-1) its actor's counts
    of kinds and of spellings; a count that reaches nothing goes."""
    if sign > 0:
        return f"""INSERT INTO actor_kind_counts (actor_id, kind, articles)
            SELECT {row}.actor_id, {row}.kind, 1 WHERE {row}.kind IS NOT NULL
            ON CONFLICT (actor_id, kind) DO UPDATE SET articles = articles + 1;
        INSERT INTO actor_name_counts (actor_id, name, spelling, articles)
            VALUES ({row}.actor_id, {row}.name, {row}.name, 1)
            ON CONFLICT (actor_id, name, spelling) DO UPDATE SET articles = articles + 1;"""
    kind = f"actor_id = {row}.actor_id AND kind = {row}.kind"
    name = f"actor_id = {row}.actor_id AND name = {row}.name AND spelling = {row}.name"
    return f"""UPDATE actor_kind_counts SET articles = articles - 1 WHERE {kind};
        DELETE FROM actor_kind_counts WHERE {kind} AND articles <= 0;
        UPDATE actor_name_counts SET articles = articles - 1 WHERE {name};
        DELETE FROM actor_name_counts WHERE {name} AND articles <= 0;"""


_ACTOR_VIEW_COUNT_TRIGGERS = (
    f"""CREATE TRIGGER actor_view_counts_ai AFTER INSERT ON article_actors BEGIN
        {_actor_view_counts("NEW", 1)}
    END""",
    f"""CREATE TRIGGER actor_view_counts_ad AFTER DELETE ON article_actors BEGIN
        {_actor_view_counts("OLD", -1)}
    END""",
    f"""CREATE TRIGGER actor_view_counts_au AFTER UPDATE OF actor_id, name, kind
    ON article_actors BEGIN
        {_actor_view_counts("OLD", -1)}
        {_actor_view_counts("NEW", 1)}
    END""",
)

ACTOR_VIEW_COUNTS_INSERT_TRIGGER = "actor_view_counts_ai"
"""The trigger a bulk load sets aside, then makes up for with `ACTOR_VIEW_COUNTS_REBUILD`."""

ACTOR_VIEW_COUNTS_REBUILD = (
    "DELETE FROM actor_kind_counts",
    """INSERT INTO actor_kind_counts (actor_id, kind, articles)
        SELECT actor_id, kind, COUNT(*) FROM article_actors WHERE kind IS NOT NULL
        GROUP BY actor_id, kind ORDER BY actor_id, kind""",
    "DELETE FROM actor_name_counts",
    """INSERT INTO actor_name_counts (actor_id, name, spelling, articles)
        SELECT actor_id, name, name, COUNT(*) FROM article_actors
        GROUP BY actor_id, name COLLATE BINARY ORDER BY actor_id, name, name COLLATE BINARY""",
)
"""Every count of ``actor_kind_counts`` and ``actor_name_counts`` from ``article_actors`` (the
migration; the end of a bulk load)."""


@migration
def m015_actor_kind_counts(db: Database) -> None:
    """An actor's kinds and spellings counted over its articles, kept as counts.

    When an article names an actor, the kind most articles gave it and the spelling most
    articles use are chosen again (`identity._majority_kind`, `identity._usual_casing`). Both
    counted the actor's ``article_actors`` rows each time, so a speaker of thousands of
    articles cost more at each new one. ``actor_kind_counts`` (``actor_id``, ``kind``,
    ``articles``) and ``actor_name_counts`` (``actor_id``, ``name`` compared without case,
    ``spelling`` as written, ``articles``) keep those counts; triggers on ``article_actors``
    keep them exact through every write (an article stored, deleted or stored again with
    `--force`, actors merged or split), and a bulk load counts them once at its end. A bulk
    load left unfinished gets the insert trigger set aside with its own, so it counts too.
    """
    _execute_each(
        db,
        """
        CREATE TABLE actor_kind_counts (
            actor_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (actor_id, kind)
        ) WITHOUT ROWID;
        CREATE TABLE actor_name_counts (
            actor_id INTEGER NOT NULL,
            name TEXT NOT NULL COLLATE NOCASE,
            spelling TEXT NOT NULL COLLATE BINARY,
            articles INTEGER NOT NULL,
            PRIMARY KEY (actor_id, name, spelling)
        ) WITHOUT ROWID
        """,
    )
    for statement in ACTOR_VIEW_COUNTS_REBUILD:
        db.execute(statement)
    pending = db.execute("SELECT 1 FROM deferred_schema LIMIT 1").fetchone() is not None
    for sql in _ACTOR_VIEW_COUNT_TRIGGERS:
        name = sql.split()[2]
        if pending and name == ACTOR_VIEW_COUNTS_INSERT_TRIGGER:
            db.execute("INSERT INTO deferred_schema (name, sql) VALUES (?, ?)", [name, sql])
        else:
            db.execute(sql)
