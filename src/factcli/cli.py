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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from factcli import __version__
from factcli.errors import FactcliError
from factcli.formats import Format

if TYPE_CHECKING:
    import sqlite3

    from rich.console import RenderableType

app = typer.Typer(
    name="factcli",
    help="Turn news articles into a queryable SQLite record of who said what, about what.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

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


def _size(value: str) -> int:
    from factcli.reader import parse_size

    try:
        return parse_size(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def default_db_path() -> Path:
    """$FACTCLI_DB if set, else factcli.db in the per-user data directory."""
    env = os.environ.get("FACTCLI_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("factcli")) / "factcli.db"


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
def _database(db: Path | None) -> Iterator[sqlite3.Connection]:
    """A read-only connection for a query; SQLite failures become one line naming the file."""
    from factcli.store.reading import describe_error, open_query_db

    path = db or default_db_path()
    conn = open_query_db(path)
    try:
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


def _emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    table: Callable[[Sequence[dict[str, Any]]], RenderableType],
    empty: str,
    columns: Sequence[str] | None = None,
) -> None:
    from factcli import render

    if fmt is not Format.table:
        render.write_records(rows, fmt, sys.stdout, columns=columns)
        return
    if not rows:
        typer.echo(empty, err=True)
        return
    render.print_table(table(rows), sys.stdout)


def _emit_statements(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    empty: str,
    highlights: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> None:
    from factcli import render
    from factcli.queries import STATEMENT_KEYS

    _emit(
        rows,
        fmt,
        lambda r: render.statements_table(r, highlights, width=render.terminal_width(sys.stdout)),
        empty,
        columns=STATEMENT_KEYS,
    )


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
) -> None:
    """Read articles, extract who said what, and store it. Articles already stored are skipped.

    Ctrl-C stops after the article being stored; what was stored so far stays.
    """
    with _reporting():
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from factcli import pipeline, reader

        stderr = Console(stderr=True, highlight=False)
        progress: Progress | None = None
        task = None
        if stderr.is_terminal:
            progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
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
) -> None:
    """Who said TEXT: statements whose content matches, best match first."""
    out = _format(fmt, json_)
    with _reporting():
        from factcli import queries

        with _database(db) as conn:
            hits = queries.who_said(conn, text, limit, raw=fts)
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
) -> None:
    """Speakers with their roles and how many statements each made."""
    out = _format(fmt, json_)
    with _reporting():
        from factcli import queries, render

        with _database(db) as conn:
            rows = queries.actors(conn, limit)
        _emit(
            rows,
            out,
            render.actors_table,
            "no speakers yet",
            ("name", "role", "kind", "aliases", "statements"),
        )


@app.command("actor")
def actor(
    name: Annotated[str, typer.Argument(help="Part of a name or alias, any case: hegseth.")],
    db: DbOption = None,
    limit: LimitOption = 20,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """Statements by the actor whose name or alias contains NAME."""
    out = _format(fmt, json_)
    with _reporting():
        from factcli import queries

        with _database(db) as conn:
            rows = queries.statements_by_actor(conn, name, limit)
        _emit_statements(rows, out, f"no statements by an actor matching {name!r}")


@app.command("topics")
def topics(
    db: DbOption = None,
    limit: LimitOption = 50,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """Topics with the number of statements and articles about each."""
    out = _format(fmt, json_)
    with _reporting():
        from factcli import queries, render

        with _database(db) as conn:
            rows = queries.topics(conn, limit)
        _emit(
            rows,
            out,
            render.topics_table,
            "no topics yet",
            ("name", "kind", "statements", "articles"),
        )


@app.command("topic")
def topic(
    name: Annotated[str, typer.Argument(help="A topic name, any case: taiwan.")],
    db: DbOption = None,
    limit: LimitOption = 20,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """Statements about the topic NAME."""
    out = _format(fmt, json_)
    with _reporting():
        from factcli import queries

        with _database(db) as conn:
            rows = queries.statements_on_topic(conn, name, limit)
        _emit_statements(rows, out, f"no statements on a topic matching {name!r}")


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words or a phrase to find in any sentence.")],
    db: DbOption = None,
    limit: LimitOption = 20,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    fts: FtsOption = False,
) -> None:
    """Full-text search over every sentence, attributed or not, with snippets."""
    out = _format(fmt, json_)
    with _reporting():
        from factcli import queries, render

        with _database(db) as conn:
            hits = queries.search_sentences(conn, text, limit, raw=fts)
        highlights = [h.highlights for h in hits]
        _emit(
            [h.row for h in hits],
            out,
            lambda rows: render.sentences_table(rows, highlights),
            f"no sentence matches {text!r}",
            queries.SENTENCE_KEYS,
        )


@app.command("articles")
def articles(
    db: DbOption = None,
    limit: LimitOption = 50,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """Stored articles, oldest ingest first."""
    out = _format(fmt, json_)
    with _reporting():
        from factcli import queries, render

        with _database(db) as conn:
            rows = queries.articles(conn, limit)
        _emit(rows, out, render.articles_table, "no articles yet", queries.ARTICLE_KEYS)


@app.command("show")
def show(
    article_id: Annotated[int, typer.Argument(help="An id from factcli articles.")],
    db: DbOption = None,
    limit: LimitOption = 0,
    fmt: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """One article with its statements. JSON and JSONL give one object; CSV its statements."""
    import json

    out = _format(fmt, json_)
    with _reporting():
        from factcli import queries, render

        with _database(db) as conn:
            found = queries.article(conn, article_id)
        if limit > 0:
            found["statements"] = found["statements"][:limit]
        if out is Format.table:
            render.print_table(
                render.article_view(found, width=render.terminal_width(sys.stdout)), sys.stdout
            )
        elif out is Format.csv:
            render.write_records(
                found["statements"], out, sys.stdout, columns=queries.STATEMENT_KEYS
            )
        else:
            sys.stdout.write(json.dumps(found, ensure_ascii=False) + "\n")


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
        from factcli import queries, render

        with _database(db) as conn:
            rows: Iterator[dict[str, Any]] = queries.export(conn)
            if limit > 0:
                rows = itertools.islice(rows, limit)
            if out is Format.table:
                _emit_statements(list(rows), out, "no statements yet")
            else:
                render.write_records(rows, out, sys.stdout, columns=queries.STATEMENT_KEYS)


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "default_db_path", "main"]
