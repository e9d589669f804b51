"""The `factcli` command: parse options, call the library, hand results to `render`.

No SQL and no NLP here. Storage, queries and the ingest pipeline (which loads spaCy) are
imported inside the commands that need them, so `factcli --help` starts instantly.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from factcli import __version__
from factcli.errors import FactcliError
from factcli.output_formats import Format
from factcli.queries.ranking import COMMON_MATCHES

if TYPE_CHECKING:
    from rich.progress import ProgressColumn, Task

    from factcli.layout import Renderable as RenderableType

_APP_SETTINGS: dict[str, Any] = {
    "name": "factcli",
    "help": "Turn news articles into a queryable SQLite record of who said what, about what.",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": "rich",
    "add_completion": True,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_APP_SETTINGS)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file. Default: $FACTCLI_DB, else factcli.db in the user data directory.",
        dir_okay=False,
        show_default=False,
    ),
]
LimitOption = Annotated[
    int, typer.Option("--limit", "-n", min=0, help="Most rows to show; 0 for all.")
]
FormatOption = Annotated[
    Format | None,
    typer.Option("--format", "-f", case_sensitive=False, help="Output format.", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Shortcut for --format json.")]
FtsOption = Annotated[
    bool,
    typer.Option(
        "--fts", help="Take TEXT as raw SQLite FTS5 query syntax (AND, OR, NOT, NEAR, prefix*)."
    ),
]

DatasetOption = Annotated[
    Path | None,
    typer.Option(
        "--dataset",
        help="Answer from a Parquet dataset (factcli extract --engine dask) through DuckDB "
        "instead of a database. Keyword match there is a case-insensitive match of whole "
        "words, in input order, not a bm25 ranking.",
        file_okay=False,
        show_default=False,
    ),
]


class SortChoice(StrEnum):
    relevance = "relevance"
    newest = "newest"
    oldest = "oldest"


SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only articles published on or after this date.", show_default=False
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until", help="Only articles published on or before this date.", show_default=False
    ),
]
SortOption = Annotated[
    SortChoice | None,
    typer.Option(
        "--sort",
        case_sensitive=False,
        help="Order of the matches: relevance (bm25, best first), newest or oldest (by the "
        "article's publication date; undated articles last). Default: relevance, or newest "
        f"when the words match {COMMON_MATCHES:,} or more rows, where ranking them all would "
        "be slow.",
        show_default=False,
    ),
]


def _warn(message: str) -> None:
    typer.echo(f"factcli: warning: {message}", err=True)


def _size(value: str) -> int:
    from factcli.reader import parse_size

    try:
        return parse_size(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


class Engine(StrEnum):
    local = "local"
    dask = "dask"


class InputFormatChoice(StrEnum):
    txt = "txt"
    html = "html"
    jsonl = "jsonl"


InputFormatOption = Annotated[
    InputFormatChoice | None,
    typer.Option(
        "--input-format",
        case_sensitive=False,
        help="Read every input as this format instead of telling it by the file name.",
        show_default=False,
    ),
]
OutletOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="The outlet these articles come from (AP, Reuters…), stored with each article.",
        show_default=False,
    ),
]
TextFieldOption = Annotated[
    str, typer.Option("--text-field", help="JSON Lines: the field holding the article text.")
]
TitleFieldOption = Annotated[
    str, typer.Option("--title-field", help="JSON Lines: the field holding the title.")
]
DateFieldOption = Annotated[
    str, typer.Option("--date-field", help="JSON Lines: the field holding the date (any format).")
]
UrlFieldOption = Annotated[
    str, typer.Option("--url-field", help="JSON Lines: the field holding the URL.")
]
IdFieldOption = Annotated[
    str, typer.Option("--id-field", help="JSON Lines: the field holding the record's id.")
]
SourceFieldOption = Annotated[
    str, typer.Option("--source-field", help="JSON Lines: the field holding the outlet's name.")
]


def _rate_column() -> ProgressColumn:
    """Articles per second, so a long ingest shows its pace next to the time remaining."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(
                "" if speed is None else f"{speed:.1f} articles/s", style="progress.data.speed"
            )

    return RateColumn()


def default_db_path() -> Path:
    """$FACTCLI_DB if set, else factcli.db in the per-user data directory."""
    env = os.environ.get("FACTCLI_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("factcli")) / "factcli.db"


def _complete_actor(ctx: typer.Context, incomplete: str) -> list[str]:
    """Names of speakers in the database, for the shell's completion of `actor NAME`."""
    return _complete(ctx, incomplete, "actors")


def _complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    """Topic names in the database, for the shell's completion of `topic NAME`."""
    return _complete(ctx, incomplete, "topics")


def _complete(ctx: typer.Context, incomplete: str, subject: str) -> list[str]:
    """Completion must never fail loudly: a missing or unreadable database completes nothing."""
    try:
        from factcli.store.reading import open_query_db

        conn = open_query_db(ctx.params.get("db") or default_db_path())
        try:
            if subject == "actors":
                from factcli.queries.actors import complete_names
            else:
                from factcli.queries.topics import complete_names
            return complete_names(conn, incomplete)
        finally:
            conn.close()
    except Exception:
        return []


def _print_json(value: Any, sink: Any = None) -> None:
    """One JSON value on its own line (json is imported here: --help never needs it)."""
    import json

    (sink or sys.stdout).write(json.dumps(value, ensure_ascii=False) + "\n")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"factcli: error: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


@contextmanager
def _reporting() -> Iterator[None]:
    """Every failure becomes one line on stderr and an exit code; never a traceback."""
    try:
        yield
    except FactcliError as e:
        raise _fail(e.message, e.exit_code) from None
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(1) from None
    except Exception as e:
        if _is_sqlite_error(e):
            raise _fail(f"database error: {e}") from None
        raise
    except KeyboardInterrupt:
        raise _fail("interrupted", 130) from None


class _Interrupts:
    """SIGINT during an ingest: the first Ctrl-C asks it to stop once the article being stored
    is stored; a second one interrupts at once (the article in progress is rolled back). Once
    the ingest has returned, Ctrl-C no longer cuts the summary short."""

    def __init__(self) -> None:
        self.requested = False
        self.finishing = False

    def stop_requested(self) -> bool:
        return self.requested

    def __call__(self, signum: int, frame: object) -> None:
        if self.requested and not self.finishing:
            raise KeyboardInterrupt
        self.requested = True


@contextmanager
def _handling_interrupts() -> Iterator[_Interrupts]:
    interrupts = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return
    previous = signal.signal(signal.SIGINT, interrupts)
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGINT, previous)


def _is_sqlite_error(error: BaseException) -> bool:
    """sqlite3 is imported only by the commands that open a database, never for --help."""
    sqlite3 = sys.modules.get("sqlite3")
    return sqlite3 is not None and isinstance(error, sqlite3.Error)


@contextmanager
def _database(db: Path | None, *, write: bool = False) -> Iterator[Any]:
    """A read-only connection for a query, or the writer's database for the commands that
    correct it (actors --merge); SQLite failures become one line naming the file."""
    from factcli.store.checks import describe_error
    from factcli.store.reading import open_query_db

    path = db or default_db_path()
    if write:
        from factcli.store import open_db

        conn: Any = open_db(path, create=False)
    else:
        conn = open_query_db(path)
    try:
        if write:  # a bulk load killed outright is finished first: corrections need triggers
            from factcli.dataset.load import finish_cut_short

            finish_cut_short(conn)
        yield conn
    except Exception as e:
        if _is_sqlite_error(e):
            raise FactcliError(describe_error(path, e)) from None  # type: ignore[arg-type]
        raise
    finally:
        conn.close()


def _format(fmt: Format | None, json_flag: bool, default: Format = Format.table) -> Format:
    if json_flag:
        if fmt not in (None, Format.json):
            raise typer.BadParameter("--json cannot be combined with --format " + fmt.value)
        return Format.json
    return fmt or default


def _render() -> ModuleType:
    """The rich tables, imported only when a table is printed: JSON needs no rich."""
    from factcli import render

    return render


def _emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    table: Callable[[Sequence[dict[str, Any]]], RenderableType],
    empty: str,
    columns: Sequence[str] | None = None,
) -> None:
    if fmt is not Format.table:
        from factcli import writers

        writers.write_records(rows, fmt, sys.stdout, columns=columns)
        return
    if not rows:
        typer.echo(empty, err=True)
        return
    _render().print_table(table(rows), sys.stdout)


def _emit_statements(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    empty: str,
    highlights: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> None:
    from factcli.queries.sql import STATEMENT_KEYS

    _emit(
        rows,
        fmt,
        lambda r: _statements_table(r, highlights),
        empty,
        columns=STATEMENT_KEYS,
    )


def _statements_table(
    rows: Sequence[dict[str, Any]], highlights: Sequence[Sequence[tuple[int, int]]] | None
) -> RenderableType:
    render = _render()
    return render.statements_table(rows, highlights, width=render.terminal_width(sys.stdout))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"factcli {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Turn news articles into a queryable SQLite record of who said what, about what."""


class Extractor(StrEnum):
    model = "model"
    rules = "rules"


ExtractorOption = Annotated[
    Extractor,
    typer.Option(
        "--extractor",
        help="model: the trained attribution model over the rules (the default); "
        "rules: the hand-written rules alone.",
        case_sensitive=False,
    ),
]


@app.command()
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (searched for *.txt) or - for stdin.", show_default=False
        ),
    ],
    db: DbOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-extract articles that are already stored.")
    ] = False,
    max_size: Annotated[
        int | None,
        typer.Option(
            "--max-size",
            envvar="FACTCLI_MAX_SIZE",
            parser=_size,
            metavar="SIZE",
            help="Refuse input files larger than this: 20MB (the default), 500KB, 1000000.",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes for parsing. Default: one per processor.",
            show_default=False,
        ),
    ] = None,
    input_format: InputFormatOption = None,
    outlet: OutletOption = None,
    text_field: TextFieldOption = "text",
    title_field: TitleFieldOption = "title",
    date_field: DateFieldOption = "date",
    url_field: UrlFieldOption = "url",
    id_field: IdFieldOption = "id",
    source_field: SourceFieldOption = "source",
    extractor: ExtractorOption = Extractor.model,
) -> None:
    """Read articles, extract who said what, and store it. Articles already stored are skipped.

    Plain text, HTML pages and JSON Lines (one article per line), each optionally gzipped,
    told apart by the file name or --input-format.

    Ctrl-C stops after the article being stored; what was stored so far stays.
    """
    with _reporting():
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        from factcli import pipeline, reader
        from factcli.formats import InputOptions

        options = InputOptions(
            input_format=input_format.value if input_format else None,
            outlet=outlet,
            text_field=text_field,
            title_field=title_field,
            date_field=date_field,
            url_field=url_field,
            id_field=id_field,
            source_field=source_field,
        )

        stderr = Console(stderr=True, highlight=False)
        progress: Progress | None = None
        task = None
        if stderr.is_terminal:
            progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                _rate_column(),
                TimeRemainingColumn(),
                console=stderr,
                transient=True,
            )
        reported: set[tuple[str, str]] = set()

        def start(total: int | None) -> None:
            nonlocal task
            if progress is not None and task is None and (total is None or total > 1):
                progress.start()
                task = progress.add_task("ingesting", total=total)

        def on_total(total: int) -> None:
            if task is None:
                start(total)
            elif progress is not None:
                progress.update(task, total=total)

        def on_article(source: str, status: str) -> None:
            if progress is not None and task is not None:
                progress.update(task, advance=1, description=escape(f"{status} {source}"[:40]))

        def say(line: str) -> None:
            if progress is not None and task is not None:
                progress.console.print(line, markup=False)
            else:
                typer.echo(line, err=True)

        def on_error(source: str, reason: str) -> None:
            reported.add((source, reason))
            say(f"factcli: error: {source}: {' '.join(reason.split())}")

        def on_warning(source: str, reason: str) -> None:
            say(f"factcli: warning: {source}: {' '.join(reason.split())}")

        with _handling_interrupts() as interrupts:
            if len(paths) > 1:
                start(None)
            try:
                report = pipeline.ingest(
                    paths,
                    db or default_db_path(),
                    force=force,
                    jobs=jobs,
                    on_total=on_total,
                    on_article=on_article,
                    on_error=on_error,
                    on_warning=on_warning,
                    should_stop=interrupts.stop_requested,
                    max_bytes=reader.DEFAULT_MAX_BYTES if max_size is None else max_size,
                    options=options,
                    extractor=extractor.value,
                )
            finally:
                interrupts.finishing = True
                if progress is not None:
                    progress.stop()
            for source, reason in report.failed:
                if (source, reason) not in reported:
                    on_error(source, reason)
            if report.interrupted:
                typer.echo(
                    "factcli: interrupted; every article stored so far is complete", err=True
                )
            typer.echo(
                f"articles: {report.ingested} ingested, {report.skipped} skipped, "
                f"{len(report.failed)} failed; statements: {report.statements}; "
                f"actors: {report.actors}",
                err=True,
            )
        if report.interrupted:
            raise typer.Exit(130)
        if report.failed:
            raise typer.Exit(1)


@app.command("who-said")
def who_said(
    text: Annotated[str, typer.Argument(help="Words or a phrase to find in what was said.")],
    db: DbOption = None,
    limit: LimitOption = 20,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    fts: FtsOption = False,
    group: Annotated[
        bool | None,
        typer.Option(
            "--group/--no-group",
            help="Show a quote carried by several articles once, with their number and the "
            "earliest date. Default: on for tables; JSON, JSONL and CSV list every statement "
            "unless --group is given.",
            show_default=False,
        ),
    ] = None,
    sort: SortOption = None,
    dataset: DatasetOption = None,
) -> None:
    """Who said TEXT: statements whose content matches, best match first (see --sort).

    With --dataset, statements holding every word of TEXT (any case, whole words; not bm25),
    in input order.
    """
    out = _format(fmt, json_)
    if dataset is not None:
        if group:
            raise typer.BadParameter("--group is not available with --dataset")
        _from_dataset(dataset, "who_said", text, limit, out, f"no statement matches {text!r}")
        return
    if group if group is not None else out is Format.table:
        _who_said_grouped(text, db, limit, out, fts, sort)
        return
    with _reporting():
        from factcli.queries import statements

        with _database(db) as conn:
            hits = statements.who_said(conn, text, limit, raw=fts, sort=sort, notice=_warn)
        _emit_statements(
            [h.row for h in hits],
            out,
            f"no statement matches {text!r}",
            [h.highlights for h in hits],
        )


@app.command("actors")
def actors(
    db: DbOption = None,
    limit: LimitOption = 50,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    merge: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--merge",
            metavar="ACTOR OTHER",
            help="Make OTHER part of ACTOR (kept when articles are ingested again).",
            show_default=False,
        ),
    ] = None,
    split: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--split",
            metavar="ACTOR NAME",
            help="Give the articles where ACTOR was called NAME their own actor NAME "
            "(kept when articles are ingested again).",
            show_default=False,
        ),
    ] = None,
    anonymous: Annotated[
        bool,
        typer.Option(
            "--anonymous",
            help="Add the sources without a name (a spokesman, analysts), counted by "
            "description and organisation.",
        ),
    ] = False,
) -> None:
    """Named speakers with their roles and how many statements each made; --anonymous adds
    unnamed sources; --merge and --split correct which names are one actor."""
    out = _format(fmt, json_)
    if merge is not None or split is not None:
        _correct_actors(db, merge, split)
        return
    with _reporting():
        from factcli.queries import actors as actor_queries

        with _database(db) as conn:
            rows = actor_queries.actors(conn, limit, anonymous=anonymous)
        columns = ("name", "role", "kind", "aliases", "statements")
        _emit(
            rows,
            out,
            lambda r: _render().actors_table(r),
            "no speakers yet",
            columns + (("organisation", "articles") if anonymous else ()),
        )


@app.command("actor")
def actor(
    name: Annotated[
        str,
        typer.Argument(
            help="Part of a name or alias, any case: hegseth.", autocompletion=_complete_actor
        ),
    ],
    db: DbOption = None,
    limit: LimitOption = 20,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    timeline: Annotated[
        bool, typer.Option("--timeline", help="The actor's statements in date order.")
    ] = False,
    profile: Annotated[
        bool,
        typer.Option(
            "--profile", help="Only the profile (roles, counts, topics, first and last seen)."
        ),
    ] = False,
    dataset: DatasetOption = None,
) -> None:
    """An actor's profile and statements: the actor whose name or alias contains NAME.

    The table starts with the profile of the best match (roles with dates, statement count,
    top topics, first and last seen); JSON, JSONL and CSV give the statements, or the profile
    with --profile. --timeline lists the statements by date. With --dataset, the statements
    only.
    """
    out = _format(fmt, json_)
    if dataset is not None:
        if timeline or profile:
            raise typer.BadParameter("--timeline and --profile are not available with --dataset")
        _from_dataset(
            dataset, "statements_by_actor", name, limit, out, f"no actor matching {name!r}"
        )
        return
    if timeline or profile:
        _actor_profile(name, db, limit, out, timeline=timeline, profile_only=profile)
        return
    with _reporting():
        from factcli.queries import actors as actor_queries

        with _database(db) as conn:
            rows = actor_queries.statements_by_actor(conn, name, limit)
            found = (
                actor_queries.actor_profile(conn, name) if out is Format.table and rows else None
            )
        if found is not None:
            _render().print_table(_render().profile_view(found), sys.stdout)
        _emit_statements(rows, out, f"no statements by an actor matching {name!r}")


class TopicKindChoice(StrEnum):
    place = "place"
    organisation = "organisation"
    group = "group"
    event = "event"
    law = "law"
    product = "product"
    phrase = "phrase"


@app.command("topics")
def topics(
    db: DbOption = None,
    limit: LimitOption = 50,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    dataset: DatasetOption = None,
    kind: Annotated[
        TopicKindChoice | None,
        typer.Option("--kind", case_sensitive=False, help="Only topics of this kind."),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """What the archive is about: topics ranked by the number of articles about each (where
    the topic is salient), weighted by how specific it is; key phrases beside named places,
    organisations, groups and events."""
    out = _format(fmt, json_)
    since_iso, until_iso = _date_option("--since", since), _date_option("--until", until)
    with _reporting():
        from factcli.queries import topics as topic_queries

        if dataset is not None:
            from factcli.dataset import duck

            if kind or since or until:
                raise FactcliError("--kind, --since and --until need a database, not --dataset")
            rows = duck.topics(duck.connect(dataset), limit)
        else:
            with _database(db) as conn:
                rows = topic_queries.topics(
                    conn, limit, kind=kind.value if kind else None, since=since_iso, until=until_iso
                )
        _emit(
            rows,
            out,
            lambda r: _render().topics_table(r),
            "no topics yet",
            ("name", "kind", "salient", "articles", "statements", "score"),
        )


@app.command("topic")
def topic(
    name: Annotated[
        str,
        typer.Argument(
            help="A topic name, any case, singular or plural: taiwan, tariffs.",
            autocompletion=_complete_topic,
        ),
    ],
    db: DbOption = None,
    limit: LimitOption = 20,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    speakers: Annotated[
        bool,
        typer.Option("--speakers", help="Only who speaks about it most, with counts."),
    ] = False,
) -> None:
    """Who speaks about the topic NAME most, and the statements about it.

    The table shows the top speakers, then the statements; JSON, JSONL and CSV give the
    statements, or the speakers with --speakers.
    """
    out = _format(fmt, json_)
    with _reporting():
        from factcli.queries import topics as topic_queries

        with _database(db) as conn:
            if speakers:
                top = topic_queries.topic_speakers(conn, name, limit)
                _emit(
                    top,
                    out,
                    lambda r: _render().speakers_table(r),
                    f"no speakers on a topic matching {name!r}",
                    topic_queries.SPEAKER_KEYS,
                )
                return
            rows = topic_queries.statements_on_topic(conn, name, limit)
            top = (
                topic_queries.topic_speakers(conn, name, 5) if out is Format.table and rows else []
            )
        if top:
            render = _render()
            render.print_table(render.speakers_table(top, f"Who speaks about {name}"), sys.stdout)
        _emit_statements(rows, out, f"no statements on a topic matching {name!r}")


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words or a phrase to find in any sentence.")],
    db: DbOption = None,
    limit: LimitOption = 20,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    fts: FtsOption = False,
    sort: SortOption = None,
) -> None:
    """Full-text search over every sentence, attributed or not, with snippets."""
    out = _format(fmt, json_)
    with _reporting():
        from factcli.queries import sentences

        with _database(db) as conn:
            hits = sentences.search_sentences(conn, text, limit, raw=fts, sort=sort, notice=_warn)
        highlights = [h.highlights for h in hits]
        _emit(
            [h.row for h in hits],
            out,
            lambda rows: _render().sentences_table(rows, highlights),
            f"no sentence matches {text!r}",
            sentences.SENTENCE_KEYS,
        )


@app.command("articles")
def articles(
    db: DbOption = None,
    limit: LimitOption = 50,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Only articles from this outlet, or whose path or URL contains it.",
            show_default=False,
        ),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """Stored articles, oldest ingest first; --source, --since and --until filter them."""
    out = _format(fmt, json_)
    since_iso, until_iso = _date_option("--since", since), _date_option("--until", until)
    with _reporting():
        from factcli.queries import articles as article_queries

        with _database(db) as conn:
            rows = article_queries.articles(
                conn, limit, source=source, since=since_iso, until=until_iso
            )
        _emit(
            rows,
            out,
            lambda r: _render().articles_table(r),
            "no articles yet",
            article_queries.ARTICLE_KEYS,
        )


@app.command("show")
def show(
    article_id: Annotated[int, typer.Argument(help="An id from factcli articles.")],
    db: DbOption = None,
    limit: LimitOption = 0,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """One article with its statements. JSON and JSONL give one object; CSV its statements."""

    out = _format(fmt, json_)
    with _reporting():
        from factcli import writers
        from factcli.queries import articles as article_queries
        from factcli.queries.sql import STATEMENT_KEYS

        with _database(db) as conn:
            found = article_queries.article(conn, article_id)
        if limit > 0:
            found["statements"] = found["statements"][:limit]
        if out is Format.table:
            render = _render()
            render.print_table(
                render.article_view(found, width=render.terminal_width(sys.stdout)), sys.stdout
            )
        elif out is Format.csv:
            writers.write_records(found["statements"], out, sys.stdout, columns=STATEMENT_KEYS)
        else:
            _print_json(found)


@app.command("export")
def export(
    db: DbOption = None,
    limit: LimitOption = 0,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """Every statement in id order, as JSONL unless another format is asked for."""
    out = _format(fmt, json_, default=Format.jsonl)
    with _reporting():
        from factcli import writers
        from factcli.queries import statements
        from factcli.queries.sql import STATEMENT_KEYS

        with _database(db) as conn:
            rows: Iterator[dict[str, Any]] = statements.export(conn)
            if limit > 0:
                rows = itertools.islice(rows, limit)
            if out is Format.table:
                _emit_statements(list(rows), out, "no statements yet")
            else:
                writers.write_records(rows, out, sys.stdout, columns=STATEMENT_KEYS)


def _from_dataset(
    dataset: Path, query: str, text: str, limit: int, out: Format, empty: str
) -> None:
    """A statement query answered from a dataset by DuckDB, printed as the database's."""
    with _reporting():
        from factcli.dataset import duck

        rows = getattr(duck, query)(duck.connect(dataset), text, limit)
        _emit_statements(rows, out, empty)


def _date_option(option: str, value: str | None) -> str | None:
    """A date typed by the user (``2025-03-01``, ``March 1, 2025``, ``1 Mar 2025``) → ISO."""
    if value is None:
        return None
    from factcli.formats.dates import to_iso_date

    iso = to_iso_date(value)
    if iso is None:
        raise typer.BadParameter(f"{value!r} is not a date", param_hint=option)
    return iso


def _who_said_grouped(
    text: str, db: Path | None, limit: int, out: Format, fts: bool, sort: SortChoice | None
) -> None:
    with _reporting():
        from factcli.queries import quotes

        with _database(db) as conn:
            hits = quotes.who_said_grouped(conn, text, limit, raw=fts, sort=sort, notice=_warn)
        highlights = [h.highlights for h in hits]
        _emit(
            [h.row for h in hits],
            out,
            lambda rows: _render().quote_groups_table(rows, highlights),
            f"no statement matches {text!r}",
            quotes.QUOTE_GROUP_KEYS,
        )


def _correct_actors(
    db: Path | None, merge: tuple[str, str] | None, split: tuple[str, str] | None
) -> None:
    with _reporting():
        from factcli.store import identity

        if merge is not None and split is not None:
            raise typer.BadParameter("use --merge or --split, not both")
        with _database(db, write=True) as conn:
            if merge is not None:
                done = identity.merge(conn, *merge)
                typer.echo(
                    f"merged {done['merged']} into {done['actor']}: "
                    f"{done['statements_moved']} statements moved",
                    err=True,
                )
            elif split is not None:
                done = identity.split(conn, *split)
                typer.echo(
                    f"split {done['split']} from {done['actor']}: "
                    f"{done['statements_moved']} statements moved",
                    err=True,
                )


def _actor_profile(
    name: str, db: Path | None, limit: int, out: Format, *, timeline: bool, profile_only: bool
) -> None:
    with _reporting():
        from factcli import writers
        from factcli.queries import actors as actor_queries
        from factcli.queries.sql import STATEMENT_KEYS

        with _database(db) as conn:
            found = actor_queries.actor_profile(conn, name)
            rows = actor_queries.actor_timeline(conn, name, limit) if timeline else []
        if found is None:
            _emit([], out, lambda r: _render().actors_table(r), f"no actor matching {name!r}")
            return
        if out is not Format.table:
            if profile_only:
                if out is Format.csv:
                    flat = {k: v for k, v in found.items() if k not in ("roles", "topics")}
                    flat["roles"] = [r["role"] for r in found["roles"]]
                    flat["topics"] = [t["name"] for t in found["topics"]]
                    writers.write_records([flat], out, sys.stdout)
                else:
                    _print_json(found)
            else:
                writers.write_records(rows, out, sys.stdout, columns=STATEMENT_KEYS)
            return
        _render().print_table(_render().profile_view(found), sys.stdout)
        if timeline and rows:
            _render().print_table(_render().timeline_table(rows), sys.stdout)


@app.command("quote")
def quote(
    statement_id: Annotated[
        int, typer.Argument(help="A statement id from who-said (its id, or 'quote N').")
    ],
    db: DbOption = None,
    limit: LimitOption = 50,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """Every article that carried a quote: the statement's near-identical copies, by date.

    JSON and JSONL give one object with a carried_by list; CSV gives one row per article.
    """
    out = _format(fmt, json_)
    with _reporting():
        from factcli import writers
        from factcli.queries import quotes

        with _database(db) as conn:
            found = quotes.quote(conn, statement_id, limit)
        if out is Format.table:
            _render().print_table(_render().quote_view(found), sys.stdout)
        elif out is Format.csv:
            writers.write_records(found["carried_by"], out, sys.stdout, columns=quotes.CARRIER_KEYS)
        else:
            _print_json(found)


@app.command("stats")
def stats(
    db: DbOption = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="How many top speakers; 0 for all.")
    ] = 10,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """The archive in numbers: articles, statements by kind, actors, topics, dates, speakers.

    JSON and JSONL give one object; CSV gives key,value rows.
    """
    out = _format(fmt, json_)
    with _reporting():
        from factcli import writers
        from factcli.queries import stats as stat_queries

        with _database(db) as conn:
            summary = stat_queries.stats(conn, limit)
        if out is Format.table:
            _render().print_table(_render().stats_view(summary), sys.stdout)
        elif out is Format.csv:
            writers.write_records(stat_queries.stats_records(summary), out, sys.stdout)
        else:
            _print_json(summary)


@app.command("extract")
def extract(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files, folders or - for stdin, as for ingest.", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", dir_okay=False
        ),
    ] = None,
    input_format: InputFormatOption = None,
    outlet: OutletOption = None,
    text_field: TextFieldOption = "text",
    title_field: TitleFieldOption = "title",
    date_field: DateFieldOption = "date",
    url_field: UrlFieldOption = "url",
    id_field: IdFieldOption = "id",
    source_field: SourceFieldOption = "source",
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            case_sensitive=False,
            help="local: JSON Lines from this process. dask: a Parquet dataset (--out) built "
            "on a Dask cluster, with corpus-wide actors and quote groups.",
        ),
    ] = Engine.local,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="dask: the dataset folder to create or extend (see docs/dataset.md).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="dask: an existing cluster, tcp://host:8786 or a scheduler file. Default: a "
            "local cluster for the run.",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="dask: worker processes of the local cluster. Default: one per processor.",
            show_default=False,
        ),
    ] = None,
    partition_size: Annotated[
        int,
        typer.Option("--partition-size", min=1, help="dask: articles per task."),
    ] = 200,
    actor_rules: Annotated[
        Path | None,
        typer.Option(
            "--actor-rules",
            help="dask: apply the actor merges and splits made in this database (factcli "
            "actors --merge/--split) to the dataset's actors.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    extractor: ExtractorOption = Extractor.model,
) -> None:
    """Extract statements without a database: JSON Lines here, or a Parquet dataset on Dask.

    Each line is a statement object of the JSON contract; `id` numbers the statements of this
    run and `article_id` the articles (from 1, in input order). With --engine dask, the map
    step runs on a Dask cluster and writes a dataset that factcli load turns into a database
    and --dataset queries in place; running it again finishes an interrupted run.
    """
    with _reporting():
        from factcli import records
        from factcli.formats import InputOptions
        from factcli.models import Article
        from factcli.reader import InputError

        options = InputOptions(
            input_format=input_format.value if input_format else None,
            outlet=outlet,
            text_field=text_field,
            title_field=title_field,
            date_field=date_field,
            url_field=url_field,
            id_field=id_field,
            source_field=source_field,
        )
        from factcli.pipeline import check_extractor

        check_extractor(extractor.value)
        if engine is Engine.dask:
            if out_dir is None:
                raise typer.BadParameter("--engine dask needs --out DATASET")
            if output is not None:
                raise typer.BadParameter("--engine dask writes --out, not --output")
            _extract_dataset(
                paths,
                out_dir,
                scheduler,
                workers,
                partition_size,
                options,
                extractor.value,
                actor_rules,
            )
            return
        if any(x is not None for x in (out_dir, scheduler, workers, actor_rules)):
            raise typer.BadParameter(
                "--out, --scheduler, --workers and --actor-rules need --engine dask"
            )
        failed = 0

        def report(source: str, reason: str) -> None:
            nonlocal failed
            failed += 1
            typer.echo(f"factcli: error: {source}: {' '.join(reason.split())}", err=True)

        def articles() -> Iterator[Article]:
            for item in records.read_inputs(paths, options):
                if isinstance(item, InputError):
                    report(item.source, item.reason)
                else:
                    yield item

        n_articles = n_statements = 0
        try:
            sink = output.open("w", encoding="utf-8") if output else sys.stdout
        except OSError as e:
            raise FactcliError(f"cannot write {output}: {e.strerror or e}") from None
        try:
            for article, rows, error in records.extract_stream(articles(), extractor.value):
                if rows is None:
                    report(article.source, f"could not be analysed ({error})")
                    continue
                n_articles += 1
                n_statements += len(rows)
                for row in rows:
                    _print_json(row, sink)
        finally:
            if output:
                sink.close()
        typer.echo(
            f"articles: {n_articles} extracted, {failed} failed; statements: {n_statements}",
            err=True,
        )
        if failed:
            raise typer.Exit(1)


def _extract_dataset(
    paths: list[str],
    out: Path,
    scheduler: str | None,
    workers: int | None,
    partition_size: int,
    options: Any,
    extractor: str,
    actor_rules: Path | None = None,
) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from factcli.dataset.build import build

    stderr = Console(stderr=True, highlight=False)
    progress = Progress(
        TextColumn("partitions"),
        BarColumn(),
        MofNCompleteColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )
    task = progress.add_task("partitions", total=None)
    with progress:
        report = build(
            paths,
            out,
            scheduler=scheduler,
            workers=workers,
            partition_size=partition_size,
            options=options,
            extractor=extractor,
            actor_rules=actor_rules,
            on_total=lambda n: progress.update(task, total=n),
            on_task=lambda: progress.advance(task),
        )
    for source, reason in report.failed:
        typer.echo(f"factcli: error: {source}: {' '.join(reason.split())}", err=True)
    typer.echo(
        f"articles: {report.articles} in the dataset ({report.duplicates} duplicates dropped), "
        f"{len(report.failed)} failed; statements: {report.statements}; "
        f"actors: {report.actors}; quotes: {report.quote_groups}; "
        f"tasks: {report.tasks} ({report.tasks_done_before} done before)",
        err=True,
    )
    if report.failed:
        raise typer.Exit(1)


@app.command("load")
def load(
    dataset: Annotated[
        Path,
        typer.Argument(
            help="A dataset written by factcli extract --engine dask.", show_default=False
        ),
    ],
    db: DbOption = None,
) -> None:
    """Build or extend a database from a dataset, without parsing again.

    Into an empty database the dataset's actors and quote groups are copied as they are and the
    full-text indexes built once at the end; into one holding other articles, each article is
    matched against them as ingest would. Articles already stored are skipped, so loading twice
    changes nothing. Ctrl-C stops after the month being loaded; run it again to finish.
    """
    with _reporting():
        from factcli.dataset.load import load as load_dataset

        with _handling_interrupts() as interrupts:
            try:
                report = load_dataset(
                    dataset, db or default_db_path(), should_stop=interrupts.stop_requested
                )
            finally:
                interrupts.finishing = True
        if report.interrupted:
            typer.echo("factcli: interrupted; run factcli load again to finish", err=True)
        typer.echo(
            f"articles: {report.articles} loaded, {report.skipped} already stored; "
            f"statements: {report.statements}; partitions: {report.partitions}",
            err=True,
        )
        if report.interrupted:
            raise typer.Exit(130)


@app.command("serve")
def serve(
    db: DbOption = None,
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")
    ] = 8001,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on; the default keeps the archive on this machine."
        ),
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the home page in a web browser.")
    ] = False,
) -> None:
    """Browse the archive in a web browser: speakers, topics, statements in their articles.

    Runs Datasette with factcli's pages on a read-only connection (needs factcli[web]). Every
    page is also JSON: add .json to its address.
    """
    with _reporting():
        from factcli.serve import serve as run

        run(db or default_db_path(), host=host, port=port, open_browser=open_browser)


def main() -> None:
    """Console-script entry point."""
    _app_for(sys.argv[1:], os.environ)()


def _app_for(argv: Sequence[str], env: Mapping[str, str]) -> typer.Typer:
    """`app`, or an app of fewer parts that behaves the same for this command line.

    typer turns every command's parameters into click's on each start. A query names its
    command first: an app of that command alone saves a tenth of its start-up. `factcli --help`
    lists the commands by name and first line of help only: an app whose commands have the
    same names and help but no parameters prints the same page without building them all.
    Shell completion and anything else get the whole app, so help and errors are unchanged.
    """
    if not argv or "_FACTCLI_COMPLETE" in env:
        return app
    if len(argv) == 1 and argv[0] in ("--help", "-h"):
        return _help_app()
    chosen = [
        c
        for c in app.registered_commands
        if argv[0] == (c.name or getattr(c.callback, "__name__", "").lower().replace("_", "-"))
    ]
    if len(chosen) != 1:
        return app
    single = typer.Typer(**_APP_SETTINGS)
    single.registered_callback = app.registered_callback
    single.registered_commands = chosen
    return single


def _help_app() -> typer.Typer:
    """The app for `factcli --help`: every command by its name and help, without parameters."""
    import copy

    listing = typer.Typer(**_APP_SETTINGS)
    listing.registered_callback = app.registered_callback
    for command in app.registered_commands:
        listed = copy.copy(command)
        listed.callback = _listed(command.callback)
        listing.registered_commands.append(listed)
    return listing


def _listed(callback: Any) -> Callable[[], None]:
    """A stand-in callback with the command's name and docstring (what the listing shows)."""

    def listed() -> None:  # pragma: no cover - only listed, never run
        raise AssertionError("a listed command is never run")

    listed.__name__ = callback.__name__
    listed.__doc__ = callback.__doc__
    return listed


__all__ = ["app", "default_db_path", "main"]
