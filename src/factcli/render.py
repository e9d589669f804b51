"""Output: tables for people (JSON / JSONL / CSV for programs live in `writers`).

Machine formats are stable, colourless and go to stdout; they carry exactly the dicts the
queries return. Tables are laid out to stay readable in an 80-column terminal, by `layout`,
which draws them as rich would (SIMPLE_HEAD box, no padding at the edges) at a fraction of
rich's start-up cost. Cell text is shown as written, never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from factcli.layout import Group, Screen, Table, Text
from factcli.layout import Renderable as RenderableType
from factcli.output_formats import Format as Format

MATCH_STYLE = "bold reverse"


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
    table = Table(show_lines=True, expand=True)
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
            cells: list[Text] = [
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
    table = Table()
    table.add_column("Actor", ratio=2, overflow="fold")
    table.add_column("Role", ratio=2, overflow="fold")
    table.add_column("Kind")
    table.add_column("Statements", justify="right")
    table.add_column("Also called", ratio=2, overflow="fold")
    for row in rows:
        aliases = ", ".join(row.get("aliases") or [])
        if row.get("kind") == "anonymous":
            # an anonymous source: who it speaks for, and in how many articles
            aliases = ", ".join(
                part
                for part in (
                    row.get("organisation") and f"for {row['organisation']}",
                    row.get("articles") and f"in {row['articles']} articles",
                )
                if part
            )
        table.add_row(
            row["name"],
            _dim(row.get("role")),
            _dim(row.get("kind")),
            str(row["statements"]),
            _dim(aliases, ""),
        )
    return table


def topics_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table()
    table.add_column("Topic", ratio=3, overflow="fold")
    table.add_column("Kind")
    table.add_column("About", justify="right")
    table.add_column("Articles", justify="right")
    table.add_column("Statements", justify="right")
    for row in rows:
        table.add_row(
            row["name"],
            _dim(row.get("kind")),
            str(row.get("salient", "")),
            str(row["articles"]),
            str(row["statements"]),
        )
    return table


def sentences_table(
    rows: Sequence[dict[str, Any]],
    highlights: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> Table:
    table = Table(show_lines=True)
    table.add_column("Article", ratio=1, min_width=12, overflow="fold")
    table.add_column("Sentence", ratio=3, min_width=20, overflow="fold")
    for i, row in enumerate(rows):
        ranges = highlights[i] if highlights is not None and i < len(highlights) else ()
        cell = _article_cell(row)
        cell.append(f"\n#{row['article_id']}", style="dim")
        table.add_row(cell, _marked(row.get("snippet") or row.get("text") or "", ranges))
    return table


def articles_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table()
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
            Text(row["outlet"] + "\n", style="bold") + Text(row["source"])
            if row.get("outlet")
            else Text(row["source"]),
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
    """The width tables are laid out for: $COLUMNS, else the terminal's, else 80."""
    return Screen(out).width


def print_table(renderable: RenderableType, out: TextIO) -> None:
    """Print for a person: styles only on a terminal, wrapping to its width. Text is printed
    as written: no markup, no emoji codes (":fire:" in a name is text)."""
    Screen(out).print(renderable)


def profile_view(profile: dict[str, Any]) -> RenderableType:
    """An actor at a glance: kind and role, counts, dates, roles over time, top topics."""
    head = Text(profile["name"], style="bold")
    facts = [profile.get("kind") or "kind unknown"]
    if profile.get("role"):
        facts.append(profile["role"])
    head.append("\n" + " · ".join(facts), style="dim")
    head.append(
        f"\n{_count(profile['statements'], 'statement')} in "
        f"{_count(profile['articles'], 'article')}; "
        f"seen {profile.get('first_seen') or '?'} to {profile.get('last_seen') or '?'}"
    )
    if profile.get("aliases"):
        head.append("\nalso called: " + ", ".join(profile["aliases"]), style="dim")
    parts: list[RenderableType] = [head]
    if profile.get("roles"):
        roles = Table(title_justify="left")
        roles.add_column("Role", ratio=3, overflow="fold")
        roles.add_column("First seen")
        roles.add_column("Last seen")
        roles.add_column("Articles", justify="right")
        for row in profile["roles"]:
            roles.add_row(
                row["role"],
                _dim(row.get("first_seen"), "?"),
                _dim(row.get("last_seen"), "?"),
                str(row["articles"]),
            )
        parts.append(roles)
    if profile.get("topics"):
        topics = ", ".join(f"{t['name']} ({t['statements']})" for t in profile["topics"])
        parts.append(Text("speaks most about: " + topics))
    if profile.get("also_matching"):
        parts.append(Text("also matching: " + ", ".join(profile["also_matching"]), style="dim"))
    return Group(*parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def timeline_table(rows: Sequence[dict[str, Any]]) -> Table:
    """Statements in date order, the date shown once per day."""
    table = Table(show_lines=True, expand=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Cue / kind", width=12, overflow="fold")
    table.add_column("Quote", ratio=1, overflow="fold")
    table.add_column("Article", width=18, overflow="fold")
    previous: object = object()
    for row in rows:
        date = row.get("published")
        cue = _dim(row.get("cue"))
        cue.append("\n" + (row.get("kind") or ""), style="dim")
        table.add_row(
            _dim(date, "undated") if date != previous else Text(""),
            cue,
            Text(row.get("content") or ""),
            Text(row.get("title") or row.get("source") or "")
            + Text(f"\n#{row['article_id']}", style="dim"),
        )
        previous = date
    return table


def speakers_table(rows: Sequence[dict[str, Any]], title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Speaker", ratio=2, overflow="fold")
    table.add_column("Role", ratio=2, overflow="fold")
    table.add_column("Statements", justify="right")
    table.add_column("Articles", justify="right")
    for row in rows:
        table.add_row(
            row["name"], _dim(row.get("role")), str(row["statements"]), str(row["articles"])
        )
    return table


def quote_groups_table(
    rows: Sequence[dict[str, Any]],
    highlights: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> Table:
    """Each quote once: speaker, words (match highlighted), how many articles and since when."""
    table = Table(show_lines=True, expand=True)
    table.add_column("Speaker / role", width=16, overflow="fold")
    table.add_column("Quote", ratio=1, overflow="fold")
    table.add_column("Carried by", width=18, overflow="fold")
    for i, row in enumerate(rows):
        ranges = highlights[i] if highlights is not None and i < len(highlights) else ()
        speaker = Text(row.get("speaker") or "unattributed")
        if row.get("speaker_role"):
            speaker.append("\n" + row["speaker_role"], style="dim")
        n = row["articles"]
        carried = Text(f"{n} article" + ("" if n == 1 else "s"))
        carried.append(f"\nfirst {row.get('first_published') or 'undated'}", style="dim")
        if row.get("first_outlet"):
            carried.append(f"\n{row['first_outlet']}", style="dim")
        carried.append(f"\nquote {row['id']}", style="dim")
        table.add_row(speaker, _marked(row.get("content") or "", ranges), carried)
    return table


def quote_view(found: dict[str, Any]) -> RenderableType:
    head = Text(found.get("speaker") or "unattributed", style="bold")
    if found.get("speaker_role"):
        head.append(f" ({found['speaker_role']})", style="dim")
    head.append("\n“" + (found.get("content") or "") + "”")
    n = found["articles"]
    head.append(
        f"\n{n} article{'' if n == 1 else 's'}, first {found.get('first_published') or 'undated'}",
        style="dim",
    )
    shown = len(found["carried_by"])
    if shown < n:
        head.append(f"; the first {shown} shown (--limit 0 for all)", style="dim")
    table = Table(show_lines=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("Outlet", ratio=1, overflow="fold")
    table.add_column("Article", ratio=3, overflow="fold")
    table.add_column("Statement", justify="right")
    for row in found["carried_by"]:
        table.add_row(
            _dim(row.get("published"), "undated"),
            _dim(row.get("outlet")),
            Text(row.get("title") or row.get("source") or "")
            + Text(f"\n#{row['article_id']} {row.get('url') or row['source']}", style="dim"),
            str(row["statement_id"]),
        )
    return Group(head, table)


def stats_view(summary: dict[str, Any]) -> RenderableType:
    kinds = summary["statements_by_kind"]
    lines = Text()
    lines.append(f"articles      {summary['articles']}")
    lines.append(
        f"\nstatements    {summary['statements']} ("
        + ", ".join(f"{k} {v}" for k, v in kinds.items())
        + ")"
    )
    lines.append(f"\nactors        {summary['actors']}")
    if "anonymous_statements" in summary:
        lines.append(
            f"\nanonymous     {summary['anonymous_statements']} statements from unnamed sources"
            f" ({summary['anonymous_share']:.1%})"
        )
    lines.append(f"\ntopics        {summary['topics']}")
    lines.append(f"\noutlets       {summary['outlets']}")
    lines.append(
        f"\ndates         {summary.get('first_published') or '?'} to "
        f"{summary.get('last_published') or '?'}"
        f" ({summary['undated_articles']} undated)"
    )
    lines.append(f"\nquotes carried by several articles  {summary['quotes_in_several_articles']}")
    for row in summary.get("extractors", []):
        made = row["extractor"] or "unrecorded"
        if row["model_version"]:
            made += f" ({row['model_version']})"
        lines.append(
            f"\nextracted by  {made}, parsed by {row['spacy_pipeline'] or 'unrecorded'}:"
            f" {row['articles']} articles"
        )
    parts: list[RenderableType] = [lines]
    if summary["top_speakers"]:
        table = Table(title="Top speakers", title_justify="left")
        table.add_column("Speaker", ratio=2, overflow="fold")
        table.add_column("Role", ratio=2, overflow="fold")
        table.add_column("Statements", justify="right")
        for row in summary["top_speakers"]:
            table.add_row(row["name"], _dim(row.get("role")), str(row["statements"]))
        parts.append(table)
    return Group(*parts)
