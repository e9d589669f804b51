"""Output: rich tables for people, JSON / JSONL / CSV for programs.

Machine formats are stable, colourless and go to stdout; they carry exactly the dicts the
queries return. Tables are laid out to stay readable in an 80-column terminal.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from factcli.formats import Format

MATCH_STYLE = "bold reverse"


def write_records(
    records: Iterable[dict[str, Any]],
    fmt: Format | str,
    out: TextIO,
    *,
    columns: Sequence[str] | None = None,
) -> int:
    """Write records as JSON (one array), JSONL or CSV; return how many were written.

    Records are streamed one at a time, so `export` of a large archive stays flat in memory.
    CSV joins list values with "; " because a cell cannot hold a list.
    """
    fmt = Format(fmt)
    count = 0
    if fmt is Format.json:
        for record in records:
            out.write("[\n" if count == 0 else ",\n")
            out.write(_json(record))
            count += 1
        out.write("[]\n" if count == 0 else "\n]\n")
    elif fmt is Format.jsonl:
        for record in records:
            out.write(_json(record) + "\n")
            count += 1
    elif fmt is Format.csv:
        writer: csv.DictWriter[str] | None = None
        if columns is not None:
            writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
        for record in records:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(record), lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
            count += 1
    else:
        raise ValueError(f"{fmt.value} is not a machine format")
    return count


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _dim(value: Any, fallback: str = "—") -> Text:
    if value is None or value == "":
        return Text(fallback, style="dim")
    return Text(str(value))


def _marked(text: str, ranges: Sequence[tuple[int, int]] = ()) -> Text:
    rich_text = Text(text)
    for start, end in ranges:
        rich_text.stylize(MATCH_STYLE, start, end)
    return rich_text


def _article_cell(row: dict[str, Any]) -> Text:
    cell = Text(row.get("title") or row.get("source") or "")
    cell.append("\n" + (row.get("published") or "date unknown"), style="dim")
    return cell


def statements_table(
    rows: Sequence[dict[str, Any]],
    highlights: Sequence[Sequence[tuple[int, int]]] | None = None,
    *,
    width: int = 80,
) -> Table:
    """Speaker, role, cue, kind, quote (match highlighted), article title and date.

    Below 120 columns the role shares the speaker's cell and the kind the cue's, so the quote
    keeps enough room to be read in an 80-column terminal.
    """
    wide = width >= 120
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_lines=True, expand=True)
    if wide:
        table.add_column("Speaker", max_width=22, overflow="fold")
        table.add_column("Role", max_width=24, overflow="fold")
        table.add_column("Cue", max_width=14, overflow="fold")
        table.add_column("Kind", no_wrap=True)
    else:
        table.add_column("Speaker / role", width=16, overflow="fold")
        table.add_column("Cue / kind", width=12, overflow="fold")
    table.add_column("Quote", ratio=1, overflow="fold")
    table.add_column("Article", width=24 if wide else 16, overflow="fold")
    for i, row in enumerate(rows):
        ranges = highlights[i] if highlights is not None and i < len(highlights) else ()
        speaker = (
            Text(row["speaker"])
            if row.get("speaker")
            else Text(row.get("speaker_mention") or "unattributed", style="italic dim")
        )
        quote = _marked(row.get("content") or "", ranges)
        if wide:
            cells: list[RenderableType] = [
                speaker,
                _dim(row.get("speaker_role")),
                _dim(row.get("cue")),
                _dim(row.get("kind")),
            ]
        else:
            if row.get("speaker_role"):
                speaker.append("\n" + row["speaker_role"], style="dim")
            cue = _dim(row.get("cue"))
            cue.append("\n" + (row.get("kind") or ""), style="dim")
            cells = [speaker, cue]
        table.add_row(*cells, quote, _article_cell(row))
    return table


def actors_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Actor", ratio=2, overflow="fold")
    table.add_column("Role", ratio=2, overflow="fold")
    table.add_column("Kind")
    table.add_column("Statements", justify="right")
    table.add_column("Also called", ratio=2, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"],
            _dim(row.get("role")),
            _dim(row.get("kind")),
            str(row["statements"]),
            _dim(", ".join(row.get("aliases") or []), ""),
        )
    return table


def topics_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Topic", ratio=3, overflow="fold")
    table.add_column("Kind")
    table.add_column("Statements", justify="right")
    table.add_column("Articles", justify="right")
    for row in rows:
        table.add_row(
            row["name"], _dim(row.get("kind")), str(row["statements"]), str(row["articles"])
        )
    return table


def sentences_table(
    rows: Sequence[dict[str, Any]],
    highlights: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_lines=True)
    table.add_column("Article", ratio=1, min_width=12, overflow="fold")
    table.add_column("Sentence", ratio=3, min_width=20, overflow="fold")
    for i, row in enumerate(rows):
        ranges = highlights[i] if highlights is not None and i < len(highlights) else ()
        cell = _article_cell(row)
        cell.append(f"\n#{row['article_id']}", style="dim")
        table.add_row(cell, _marked(row.get("snippet") or row.get("text") or "", ranges))
    return table


def articles_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("ID", justify="right")
    table.add_column("Title", ratio=3, overflow="fold")
    table.add_column("Published")
    table.add_column("Statements", justify="right")
    table.add_column("Source", ratio=2, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            _dim(row.get("title"), "untitled"),
            _dim(row.get("published"), "unknown"),
            str(row["statements"]),
            row["source"],
        )
    return table


def article_view(article: dict[str, Any], *, width: int = 80) -> RenderableType:
    """An article's metadata, then its statements as a table."""
    head = Text(article.get("title") or "untitled", style="bold")
    head.append(
        f"\n#{article['id']}  {article.get('published') or 'date unknown'}  {article['source']}",
        style="dim",
    )
    statements = article.get("statements") or []
    body: RenderableType = (
        statements_table(statements, width=width)
        if statements
        else Text("no attributed statements in this article", style="dim")
    )
    return Group(head, body)


def terminal_width(out: TextIO) -> int:
    """The width tables are laid out for: the terminal's, or 80 when writing to a pipe."""
    return Console(file=out).width


def print_table(renderable: RenderableType, out: TextIO) -> None:
    """Print for a person: colour only on a terminal, wrapping to its width."""
    Console(file=out, highlight=False, soft_wrap=False).print(renderable)
