"""Query speed on a synthetic archive: 100,000 articles and about a million statements.

    python bench/query.py                       # build and time; a few minutes
    python bench/query.py --articles 2000       # a quick look
    python bench/query.py --db /tmp/big.db      # keep the database for later runs
    python bench/query.py --copies 5            # generate a fifth, copy it by SQL (faster)

The archive is generated through factcli's own storage layer (`save_extractions`), from
generated names, topics and sentences: no text is downloaded, and a seed makes it the same on
every run. Then every query command is timed twice: the library function inside this process
(query time only, no interpreter start; p50/p95/max over many arguments) and the `factcli`
command end to end as a new process. The most frequent words come apart: for the words of rank
1, 10, 100 and 1000 onwards (--band-words of each), `who-said`, grouped `who-said` and `search`
are timed with every --sort and without one. One line per figure, then a summary line.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement, Topic
from factcli.queries import actors as actor_queries
from factcli.queries import quotes as quote_queries
from factcli.queries import sentences as sentence_queries
from factcli.queries import statements as statement_queries
from factcli.queries import stats as stats_queries
from factcli.queries import topics as topic_queries
from factcli.store import open_db, open_query_db, save_extractions

SENTENCES_PER_ARTICLE = 12
STATEMENTS_PER_ARTICLE = 10
BATCH = 500
CUES = ("said", "told reporters", "added", "warned", "argued", "according to", "stated")
KINDS = ("direct", "indirect", "mixed")
SYLLABLES = "ka ri to ma ne lo sa vi du pe ra go li na ba te mo ku shi an el or un is at en ir ul"


class Corpus:
    """Deterministic words, names and topics with the skewed frequencies of real news."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = self._words(20_000, 2, 4)
        self.firsts = [w.capitalize() for w in self._words(400, 2, 3)]
        self.lasts = [w.capitalize() for w in self._words(5_000, 2, 4)]
        pairs = zip(self._words(6_000, 2, 3), self._words(6_000, 2, 4), strict=True)
        self.topics = [" ".join(pair) for pair in pairs]
        self.word_weights = _zipf(len(self.words))
        self.name_weights = _zipf(len(self.lasts))
        self.topic_weights = _zipf(len(self.topics))

    def _words(self, n: int, low: int, high: int) -> list[str]:
        seen: dict[str, None] = {}
        while len(seen) < n:
            seen["".join(self.rng.choices(SYLLABLES.split(), k=self.rng.randint(low, high)))] = None
        return list(seen)

    def pick(self, items: list[str], cum: list[float], k: int) -> list[str]:
        return self.rng.choices(items, cum_weights=cum, k=k)

    def person(self) -> str:
        first = self.rng.choice(self.firsts)
        return f"{first} {self.pick(self.lasts, self.name_weights, 1)[0]}"

    def article(self, number: int) -> Extraction:
        rng = self.rng
        people = [self.person() for _ in range(3)]
        topic_names = list(dict.fromkeys(self.pick(self.topics, self.topic_weights, 4)))
        title = " ".join(self.pick(self.words, self.word_weights, 6)).capitalize()
        header = f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}\n{title}\n\n"
        parts = [header]
        pos = len(header)
        sentences: list[Sentence] = []
        statements: list[Statement] = []
        for index in range(SENTENCES_PER_ARTICLE):
            words = self.pick(self.words, self.word_weights, rng.randint(10, 22))
            if index % 4 == 1:
                words[rng.randrange(len(words))] = rng.choice(topic_names)
            content = " ".join(words)
            if index < STATEMENTS_PER_ARTICLE:
                speaker = rng.choice(people)
                cue = rng.choice(CUES)
                sentence = f"{speaker} {cue} that {content}."
                speaker_span = Span(pos, pos + len(speaker))
                cue_span = Span(speaker_span.end + 1, speaker_span.end + 1 + len(cue))
                start = cue_span.end + len(" that ")
                topics = tuple(t for t in topic_names if t in content)
                statements.append(
                    Statement(
                        index,
                        rng.choice(KINDS),  # type: ignore[arg-type]
                        cue_span,
                        Span(start, start + len(content)),
                        speaker_span,
                        speaker,
                        topics,
                    )
                )
            else:
                sentence = content.capitalize() + "."
            sentences.append(Sentence(index, index, pos, pos + len(sentence)))
            parts.append(sentence + "\n")
            pos += len(sentence) + 1
        roles = (None, "minister", "spokesperson")
        actors = tuple(
            Actor(name, "person", rng.choice(roles), (name.split()[1],))
            for name in dict.fromkeys(people)
        )
        article = Article(
            text="".join(parts),
            source=f"synthetic/{number:06d}.txt",
            title=title,
            published=header[:10],
            body_start=len(header),
        )
        topics = tuple((Topic(t, "phrase", salient=True), 1) for t in topic_names)
        return Extraction(article, tuple(sentences), actors, tuple(statements), topics)


def _zipf(n: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) for rank in range(n)))


def build(path: Path, articles: int, seed: int) -> float:
    corpus = Corpus(seed)
    start = time.perf_counter()
    db = open_db(path, create=True)
    try:
        done = 0
        while done < articles:
            batch = [corpus.article(n) for n in range(done, min(done + BATCH, articles))]
            for result in save_extractions(db, batch):
                if isinstance(result, Exception):
                    raise result
            done += len(batch)
        db.execute("ANALYZE")
    finally:
        db.close()
    return time.perf_counter() - start


def replicate(path: Path, copies: int) -> float:
    """Copy every article (sentences, statements and topics too) `copies` - 1 more times with
    SQL, each copy dated a year earlier: an archive `copies` times as large in a fraction of the
    time, with the same word frequencies. Actors are shared, and copies form no quote groups."""
    start = time.perf_counter()
    db = open_db(path, create=False)
    try:
        one = {t: db.execute(f"SELECT MAX(rowid) FROM {t}").fetchone()[0] for t in TABLES}
        for k in range(1, copies):
            with db.conn:
                for table, select in _copy_selects(db, k, one).items():
                    db.execute(f"INSERT INTO {table} {select}")
        db.execute("ANALYZE")
    finally:
        db.close()
    return time.perf_counter() - start


TABLES = ("articles", "sentences", "statements")


def _copy_selects(db: Any, k: int, one: dict[str, int]) -> dict[str, str]:
    """The rows of copy `k`: the originals (ids up to `one`) with ids shifted by k * `one`;
    every other column as it is, whatever columns later migrations added."""
    a, se, st = k * one["articles"], k * one["sentences"], k * one["statements"]
    changed = {
        "articles": {
            "id": f"id + {a}",
            "sha256": f"sha256 || '.{k}'",
            "source": f"source || '.{k}'",
            "published": f"date(published, '-{k} years')",
        },
        "sentences": {"id": f"id + {se}", "article_id": f"article_id + {a}"},
        "statements": {
            "id": f"id + {st}",
            "article_id": f"article_id + {a}",
            "sentence_id": f"sentence_id + {se}",
        },
        "statement_topics": {"statement_id": f"statement_id + {st}"},
        "article_topics": {"article_id": f"article_id + {a}"},
        "article_actors": {"article_id": f"article_id + {a}"},
    }
    originals = {
        "articles": f"id <= {one['articles']}",
        "sentences": f"id <= {one['sentences']}",
        "statements": f"id <= {one['statements']}",
        "statement_topics": f"statement_id <= {one['statements']}",
        "article_topics": f"article_id <= {one['articles']}",
        "article_actors": f"article_id <= {one['articles']}",
    }
    selects = {}
    for table, exprs in changed.items():
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})").fetchall()]
        names = ", ".join(f'"{c}"' for c in columns)
        values = ", ".join(exprs.get(c, f'"{c}"') for c in columns)
        selects[f"{table} ({names})"] = f"SELECT {values} FROM {table} WHERE {originals[table]}"
    return selects


def arguments(path: Path, n: int, seed: int) -> dict[str, list[str]]:
    """What people ask: words of the archive (a content word from the common half of the
    vocabulary), last names and topic names of the archive, drawn by how often they occur."""
    corpus = Corpus(seed)
    rng = random.Random(seed + 1)
    conn = open_query_db(path)
    words = corpus.words[: len(corpus.words) // 2]
    lasts = [r[0] for r in conn.execute("SELECT name FROM actors ORDER BY random() LIMIT ?", [n])]
    topic_rows = conn.execute("SELECT name FROM topics ORDER BY random() LIMIT ?", [n]).fetchall()
    conn.close()
    two = [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(n // 2)]
    return {
        "who-said": [rng.choice(words) for _ in range(n - n // 2)] + two,
        "search": [rng.choice(words) for _ in range(n - n // 2)] + two,
        "actor": [name.split()[-1].lower() for name in lasts],
        "topic": [r[0] for r in topic_rows],
        "topics": [""] * n,
        "topics dated": [_date_span(rng) for _ in range(n)],
        "actors": [""] * n,
        "stats": [""] * n,
    }


def _date_span(rng: random.Random) -> str:
    """A `topics --since/--until` span as "since|until": a day, a month, a quarter, a year, or
    everything since a date, starting on any day of 2021-2025 (the dates a build with copies
    covers)."""
    import datetime as dt

    start = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
    days = rng.choice((0, 30, 91, 365, None))
    end = "" if days is None else (start + dt.timedelta(days=days)).isoformat()
    return f"{start.isoformat()}|{end}"


BANDS = (1, 10, 100, 1000)


def frequent_words(seed: int, per_band: int) -> list[tuple[int, list[str]]]:
    """The words of each rank band of the archive's vocabulary by frequency (ranks 1 to
    `per_band`, 10 to 9 + `per_band`, ...): the most frequent are the slow case for bm25, which
    scores every match (the stop words of real news, such as "said")."""
    words = Corpus(seed).words
    return [(rank, words[rank - 1 : rank - 1 + per_band]) for rank in BANDS]


SORTS: tuple[str | None, ...] = (None, "relevance", "newest", "oldest")
WORD_QUERIES: dict[str, Callable[[Any, str, str | None], object]] = {
    "who-said": lambda db, a, s: statement_queries.who_said(db, a, sort=s),
    "who-said grouped": lambda db, a, s: quote_queries.who_said_grouped(db, a, sort=s),
    "search": lambda db, a, s: sentence_queries.search_sentences(db, a, sort=s),
}


def time_bands(path: Path, seed: int, per_band: int) -> Iterator[str]:
    """One line per command, sort and rank band: p50/p95/max over the band's words."""
    conn = open_query_db(path)
    try:
        for rank, words in frequent_words(seed, per_band):
            matches = [
                conn.execute(
                    "SELECT COUNT(*) FROM statements_fts WHERE statements_fts MATCH ?", [f'"{w}"']
                ).fetchone()[0]
                for w in words
            ]
            for name, run in WORD_QUERIES.items():
                for sort in SORTS:
                    times = []
                    for word in words:
                        start = time.perf_counter()
                        run(conn, word, sort)
                        times.append(time.perf_counter() - start)
                    p50, p95, top = percentiles(times)
                    yield (
                        (
                            f"band  {name:<16} rank {rank:<4} --sort {sort or 'default':<9}"
                            f"  p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"
                            f"  max {top * 1000:7.1f} ms"
                            f"  ({len(words)} words, {min(matches)}-{max(matches)} statements)"
                        ),
                        sort,
                        p95,
                    )
    finally:
        conn.close()


QUERIES: dict[str, Callable[[Any, str], object]] = {
    "who-said": lambda db, a: statement_queries.who_said(db, a),
    "search": lambda db, a: sentence_queries.search_sentences(db, a),
    "actor": lambda db, a: actor_queries.statements_by_actor(db, a),
    "topic": lambda db, a: topic_queries.statements_on_topic(db, a),
    "topics": lambda db, a: topic_queries.topics(db),
    "topics dated": lambda db, a: topic_queries.topics(
        db, since=a.split("|")[0] or None, until=a.split("|")[1] or None
    ),
    "actors": lambda db, a: actor_queries.actors(db),
    "stats": lambda db, a: stats_queries.stats(db),
}


def percentiles(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def time_in_process(path: Path, args: dict[str, list[str]]) -> Iterator[tuple[str, list[float]]]:
    conn = open_query_db(path)
    try:
        for name, run in QUERIES.items():
            times = []
            for arg in args[name]:
                start = time.perf_counter()
                run(conn, arg)
                times.append(time.perf_counter() - start)
            yield name, times
    finally:
        conn.close()


CLI_COMMANDS: dict[str, list[str]] = {
    "who-said": ["who-said", "{word}"],
    "who-said --json": ["who-said", "{word}", "--json"],
    "who-said frequent": ["who-said", "{frequent}", "--json"],
    "search": ["search", "{word}", "--json"],
    "search frequent": ["search", "{frequent}", "--json"],
    "actor": ["actor", "{actor}", "--json"],
    "topic": ["topic", "{topic}", "--json"],
    "actors": ["actors", "--json"],
    "topics": ["topics", "--json"],
    "articles": ["articles", "--json"],
    "show": ["show", "{article}", "--json"],
    "quote": ["quote", "{statement}", "--json"],
    "stats": ["stats", "--json"],
    "export": ["export", "--limit", "20"],
}


def time_cli(
    path: Path, args: dict[str, list[str]], runs: int, seed: int
) -> Iterator[tuple[str, list[float]]]:
    """Every query command as a new `factcli` process; `frequent` is the most frequent word."""
    factcli = [sys.executable, "-m", "factcli"]
    rng = random.Random(seed + 2)
    frequent = frequent_words(seed, 1)[0][1][0]
    conn = open_query_db(path)
    most = conn.execute("SELECT MAX(id) FROM articles").fetchone()[0]
    statements = conn.execute("SELECT MAX(id) FROM statements").fetchone()[0]
    conn.close()
    for name, argv in CLI_COMMANDS.items():
        times = []
        for n in range(runs):
            values = {
                "word": args["who-said"][n % len(args["who-said"])],
                "frequent": frequent,
                "actor": args["actor"][n % len(args["actor"])],
                "topic": args["topic"][n % len(args["topic"])],
                "article": str(rng.randint(1, most)),
                "statement": str(rng.randint(1, statements)),
            }
            cmd = [*factcli, *(a.format(**values) for a in argv), "--db", str(path)]
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        yield name, times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="build here, or reuse if it exists")
    parser.add_argument("--queries", type=int, default=100, help="arguments per query command")
    parser.add_argument("--cli-runs", type=int, default=10, help="processes per command")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--band-words", type=int, default=5, help="words per frequency band")
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="build ARTICLES / COPIES articles, then copy them by SQL up to ARTICLES (faster)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "synthetic.db"
        if not path.exists():
            took = build(path, args.articles // args.copies, args.seed)
            if args.copies > 1:
                took += replicate(path, args.copies)
            print(
                f"built: {args.articles} articles in {took:.1f} s"
                + (
                    f" ({args.articles // args.copies} generated, copied {args.copies} times)"
                    if args.copies > 1
                    else ""
                ),
                flush=True,
            )
        conn = open_query_db(path)
        counts = [
            conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("articles", "statements", "sentences", "actors", "topics")
        ]
        conn.close()
        print(
            "database: {} articles, {} statements, {} sentences, {} actors, {} topics, "
            "{:.0f} MB".format(*counts, path.stat().st_size / 1e6)
        )
        query_args = arguments(path, args.queries, args.seed)
        worst_query = 0.0
        for name, times in time_in_process(path, query_args):
            p50, p95, top = percentiles(times)
            worst_query = max(worst_query, p95)
            print(
                f"query {name:<9} in-process  p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"
                f"  max {top * 1000:6.1f} ms  ({len(times)} queries)",
                flush=True,
            )
        worst_band = 0.0
        for line, sort, p95 in time_bands(path, args.seed, args.band_words):
            print(line, flush=True)
            if sort != "relevance":
                worst_band = max(worst_band, p95)
        worst_cli = 0.0
        for name, times in time_cli(path, query_args, args.cli_runs, args.seed):
            p50, p95, top = percentiles(times)
            worst_cli = max(worst_cli, p95)
            print(
                f"cli   {name:<18} end-to-end  p50 {p50:6.3f} s   p95 {p95:6.3f} s   "
                f"max {top:6.3f} s   ({len(times)} runs)",
                flush=True,
            )
        print(
            f"summary: {counts[1]} statements; worst query p95 {worst_query * 1000:.1f} ms; "
            f"worst frequent-word band p95 {worst_band * 1000:.1f} ms (default, newest, oldest;"
            f" target 50); worst command p95 {worst_cli:.3f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
