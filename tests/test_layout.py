"""`factcli.layout` lays tables and text out as rich does: the same characters in the same
places, in the same styles, over many generated tables and terminal widths."""

from __future__ import annotations

import io
import random
import re
from typing import Any

import pytest
from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from factcli import layout

WORDS = [
    "the",
    "minister",
    "said",
    "talks",
    "went",
    "well",
    "and",
    "nobody",
    "expected",
    "a",
    "vote",
    "before",
    "spring",
    "Ministry-of-Defence",
    "spokeswoman",
    "internationalisation",
    "東京都",
    "서울특별시",
    "naïve",
    "café",
    "[bold]not-markup[/bold]",
    ":fire:",
    "x",
]
STYLES = (None, "dim", "italic dim", "bold", "bold reverse")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.choice((0, 1, 2, 5, 12, 30)))]
    if rng.random() < 0.1:
        words.append("x" * rng.randint(20, 70))  # longer than any column: folded or cut
    text = " ".join(words)
    for mark in ("\n", "\t"):
        if rng.random() < 0.3 and text:
            cut = rng.randrange(len(text))
            text = text[:cut] + mark + text[cut:]
    return text


def cell(rng: random.Random) -> tuple[str, list[tuple[str | None, int, int]]]:
    text = sentence(rng)
    spans = [(rng.choice(STYLES), 0, len(text))]
    for _ in range(rng.randint(0, 2)):
        a = rng.randint(0, len(text))
        spans.append((rng.choice(STYLES), a, rng.randint(a, len(text))))
    return text, spans


COLUMN_OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"justify": "right"},
    {"no_wrap": True},
    {"ratio": 1, "overflow": "fold"},
    {"ratio": 2, "overflow": "fold"},
    {"ratio": 3, "overflow": "fold", "min_width": 12},
    {"width": 12, "overflow": "fold"},
    {"width": 16, "overflow": "fold"},
    {"max_width": 14, "overflow": "fold"},
    {"ratio": 1, "min_width": 20, "overflow": "fold"},
)


def build(rng: random.Random) -> tuple[Any, Any]:
    """The same table for rich and for `layout`, with a title or a text around it at times."""
    options = dict(
        show_lines=rng.random() < 0.5,
        expand=rng.random() < 0.5,
        title=rng.choice((None, "Top speakers", "Who speaks about the very long topic name")),
        title_justify="left",
    )
    ours = layout.Table(**options)  # type: ignore[arg-type]
    theirs = Table(box=box.SIMPLE_HEAD, pad_edge=False, **options)  # type: ignore[arg-type]
    for _ in range(rng.randint(1, 5)):
        column = rng.choice(COLUMN_OPTIONS)
        header = rng.choice(("Quote", "Speaker / role", "Statements", "ID", "Article"))
        ours.add_column(header, **column)
        theirs.add_column(header, **column)
    for _ in range(rng.randint(0, 5)):
        row_ours, row_theirs = [], []
        for _ in ours.columns:
            text, spans = cell(rng)
            mine, rich_text = layout.Text(text, spans[0][0]), Text(text, style=spans[0][0] or "")
            for style, a, b in spans[1:]:
                if style:
                    mine.stylize(style, a, b)
                    rich_text.stylize(style, a, b)
            row_ours.append(mine)
            row_theirs.append(rich_text)
        ours.add_row(*row_ours)
        theirs.add_row(*row_theirs)
    if rng.random() < 0.3:
        head = sentence(rng)
        return layout.Group(layout.Text(head, "bold"), ours), Group(
            Text(head, style="bold"), theirs
        )
    return ours, theirs


def styled_cells(output: str) -> list[list[tuple[str, frozenset[str]]]]:
    """Each line's characters with the SGR attributes in force at each."""
    lines = []
    for line in output.split("\n"):
        chars, current, pos = [], frozenset[str](), 0
        for match in SGR.finditer(line):
            chars += [(c, current) for c in line[pos : match.start()]]
            codes = match.group(1)
            current = frozenset() if codes in ("0", "") else current | set(codes.split(";"))
            pos = match.end()
        chars += [(c, current) for c in line[pos:]]
        lines.append(chars)
    return lines


def rich_output(renderable: Any, width: int, colour: bool) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=colour,
        color_system="standard" if colour else None,
        highlight=False,
        soft_wrap=False,
        emoji=False,
    )
    console.print(renderable)
    return out.getvalue()


def our_output(renderable: Any, width: int, colour: bool) -> str:
    out = io.StringIO()
    env = {"COLUMNS": str(width), "TTY_COMPATIBLE": "1" if colour else "0"}
    layout.Screen(out, env).print(renderable)
    return out.getvalue()


@pytest.mark.parametrize("seed", range(3))
def test_tables_match_rich_at_every_width(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        ours, theirs = build(rng)
        for width in (rng.randint(8, 40), rng.randint(40, 100), rng.randint(100, 200)):
            expected = rich_output(theirs, width, colour=False)
            assert our_output(ours, width, colour=False) == expected, width
            assert styled_cells(our_output(ours, width, colour=True)) == styled_cells(
                rich_output(theirs, width, colour=True)
            ), width


def test_markup_and_control_codes_stay_text() -> None:
    table = layout.Table()
    table.add_column("Name")
    table.add_row("[bold]Ann[/bold] \x07said")
    assert "[bold]Ann[/bold] said" in our_output(table, 40, colour=False)


def test_width_and_colour_follow_the_environment() -> None:
    out = io.StringIO()
    screen = layout.Screen(out, {"COLUMNS": "57", "FORCE_COLOR": "1"})
    assert (screen.width, screen.colour) == (57, True)
    screen = layout.Screen(out, {"COLUMNS": "57", "FORCE_COLOR": "1", "TERM": "dumb"})
    assert (screen.width, screen.colour) == (80, False)
    assert layout.Screen(out, {"COLUMNS": "90"}).colour is False


def test_ascii_box_where_the_output_cannot_encode_box_lines() -> None:
    def table(kind: Any, text: Any) -> Any:
        t = kind(show_lines=True, title="Top speakers", title_justify="left")
        t.add_column("Speaker", ratio=1, overflow="fold")
        t.add_column("Statements", justify="right")
        t.add_row(text("Mara Olsen, harbour master of the port"), text("12"))
        t.add_row(text("Tomas Berg"), text("3"))
        return t

    def ascii_out() -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BytesIO(), encoding="ascii", newline="\n")

    ours, theirs = ascii_out(), ascii_out()
    layout.Screen(ours, {"COLUMNS": "30", "TTY_COMPATIBLE": "0"}).print(
        table(layout.Table, layout.Text)
    )
    rich_table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_lines=True, title="Top speakers")
    rich_table.title_justify = "left"
    rich_table.add_column("Speaker", ratio=1, overflow="fold")
    rich_table.add_column("Statements", justify="right")
    rich_table.add_row(Text("Mara Olsen, harbour master of the port"), Text("12"))
    rich_table.add_row(Text("Tomas Berg"), Text("3"))
    Console(file=theirs, width=30, color_system=None, force_terminal=False).print(rich_table)
    ours.seek(0)
    theirs.seek(0)
    printed = ours.read()
    assert printed == theirs.read()
    assert "+--" in printed and "|" in printed
