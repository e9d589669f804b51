"""Text and tables laid out for a terminal as rich lays them out, at a fraction of the cost.

A table command used to spend more time importing rich's console (themes, styles, markup,
highlighting, terminal probing) and walking its general renderer than running its query. This
module does the one job our tables need, with rich's own rules: the same column widths (ratios,
fixed, minimum and maximum widths, collapsing to fit), the same word wrapping and folding of
long words (rich's `divide_line` and cell widths, so wide characters count as two cells), the
same box (rich's SIMPLE_HEAD, or ASCII where the output cannot encode it) and the same styles.
It reads the width and colour settings rich reads (COLUMNS, FORCE_COLOR, TTY_COMPATIBLE,
TERM=dumb). Cell text is never parsed as markup: square brackets in a quote stay text.
`tests/test_layout.py` checks the output against rich's, character by character and style by
style, over many generated tables and widths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from math import ceil
from typing import TextIO

from rich.cells import cell_len, chop_cells, set_cell_size

_ATTRIBUTES = [
    "bold",
    "dim",
    "italic",
    "underline",
    "blink",
    "blink2",
    "reverse",
    "conceal",
    "strike",
]
"""Style attributes in the order of their SGR codes (bold is 1, strike 9)."""
_BITS = {name: 1 << i for i, name in enumerate(_ATTRIBUTES)}
_STRIP = {code: None for code in (7, 8, 11, 12, 13)}  # control codes rich's Text drops
_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")
HEADER_STYLE = "bold"
TITLE_STYLE = "italic"

Line = tuple[str, list[int]]
"""One laid-out line: its characters and each one's style (a bit mask of attributes)."""


def style_mask(style: str | None) -> int:
    """Attributes named in `style` ("bold reverse") as a bit mask."""
    mask = 0
    for word in (style or "").split():
        if word not in _BITS:
            raise ValueError(f"unknown style {word!r}")
        mask |= _BITS[word]
    return mask


class Text:
    """A string and a style per character: a base style, and styles over ranges."""

    __slots__ = ("base", "masks", "plain")

    def __init__(self, text: str = "", style: str | None = None) -> None:
        self.plain = text.translate(_STRIP)
        self.base = style_mask(style)
        self.masks = [self.base] * len(self.plain)

    def append(self, text: str, style: str | None = None) -> Text:
        text = text.translate(_STRIP)
        mask = self.base | style_mask(style)
        self.plain += text
        self.masks += [mask] * len(text)
        return self

    def stylize(self, style: str, start: int, end: int) -> None:
        mask = style_mask(style)
        for i in range(max(start, 0), min(end, len(self.plain))):
            self.masks[i] |= mask

    def __add__(self, other: Text) -> Text:
        joined = Text()
        joined.base = self.base
        joined.plain = self.plain + other.plain
        joined.masks = self.masks + [m | self.base for m in other.masks]
        return joined

    def __str__(self) -> str:
        return self.plain

    def measure(self) -> tuple[int, int]:
        """The narrowest width (its longest word) and the widest (its longest line)."""
        lines = self.plain.splitlines()
        widest = max((cell_len(line) for line in lines), default=0)
        words = self.plain.split()
        return (max(cell_len(w) for w in words) if words else widest), widest

    def wrap(
        self, width: int, justify: str = "default", overflow: str = "fold", no_wrap: bool = False
    ) -> list[Line]:
        """The lines of this text in `width` cells (rich's `Text.wrap`)."""
        if width < 1:
            return []
        lines: list[Line] = []
        start = 0
        for part in self.plain.split("\n"):
            end = start + len(part)
            piece: Line = (part, self.masks[start:end])
            start = end + 1
            if "\t" in part:
                piece = _expand_tabs(piece)
            if no_wrap:
                pieces = [piece]
            else:
                pieces = _divide(piece, _divide_line(piece[0], width, overflow == "fold"))
                pieces = [_rstrip_end(p, width) for p in pieces]
            if justify == "left":
                pieces = [_truncate(p, width, overflow, self.base, pad=True) for p in pieces]
            elif justify in ("right", "center"):
                justified = []
                for text, masks in pieces:
                    text, masks = _truncate(
                        (text.rstrip(), masks[: len(text.rstrip())]), width, overflow, self.base
                    )
                    room = width - cell_len(text)
                    left = room // 2 if justify == "center" else room
                    right = room - left if justify == "center" else 0
                    justified.append(
                        (
                            " " * left + text + " " * right,
                            [self.base] * left + masks + [self.base] * right,
                        )
                    )
                pieces = justified
            lines += [_truncate(p, width, overflow, self.base) for p in pieces]
        return lines


def _expand_tabs(line: Line) -> Line:
    """Tabs to spaces up to the next multiple of 8 cells, in the tab's style."""
    text, masks = line
    out, out_masks = [], []
    position = 0
    for char, mask in zip(text, masks, strict=True):
        if char == "\t":
            spaces = 1 + (8 - (position + 1) % 8) % 8
            out.append(" " * spaces)
            out_masks += [mask] * spaces
            position += spaces
        else:
            out.append(char)
            out_masks.append(mask)
            position += cell_len(char)
    return "".join(out), out_masks


def _divide_line(text: str, width: int, fold: bool) -> list[int]:
    """Where to break `text` to fit `width` cells (rich's `_wrap.divide_line`)."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start = match.start()
        word = match.group(0)
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length > width:
            if fold:
                folded = chop_cells(word, width=width)
                for i, line in enumerate(folded):
                    if start:
                        breaks.append(start)
                    if i == len(folded) - 1:
                        offset = cell_len(line)
                    else:
                        start += len(line)
            else:
                if start:
                    breaks.append(start)
                offset = cell_len(word)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return breaks


def _divide(line: Line, offsets: Sequence[int]) -> list[Line]:
    text, masks = line
    if not offsets:
        return [line]
    bounds = [0, *offsets, len(text)]
    return [(text[a:b], masks[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def _rstrip_end(line: Line, size: int) -> Line:
    text, masks = line
    if len(text) > size:
        space = _TRAILING_SPACE.search(text)
        if space is not None:
            cut = min(len(space.group(0)), len(text) - size)
            return text[: len(text) - cut], masks[: len(text) - cut]
    return line


def _truncate(line: Line, width: int, overflow: str, base: int, pad: bool = False) -> Line:
    text, masks = line
    length = cell_len(text)
    if length > width:
        if overflow == "ellipsis":
            text = set_cell_size(text, width - 1) + "…"
        else:
            text = set_cell_size(text, width)
        masks = masks[: len(text)] + [base] * (len(text) - len(masks))
    if pad and length < width:
        text += " " * (width - length)
        masks = masks + [base] * (width - length)
    return text, masks


class Column:
    """A column's options, as rich's `Column` takes them, and its cells."""

    def __init__(
        self,
        header: str,
        *,
        justify: str = "left",
        width: int | None = None,
        min_width: int | None = None,
        max_width: int | None = None,
        ratio: int | None = None,
        no_wrap: bool = False,
        overflow: str = "ellipsis",
    ) -> None:
        self.header = Text(header)
        self.justify, self.width, self.ratio = justify, width, ratio
        self.min_width, self.max_width = min_width, max_width
        self.no_wrap, self.overflow = no_wrap, overflow
        self.cells: list[Text] = []


class Table:
    """rich's `Table(box=SIMPLE_HEAD, pad_edge=False)`: a rule under the header, one space
    between columns, none at the table's edges."""

    def __init__(
        self,
        *,
        show_lines: bool = False,
        expand: bool = False,
        title: str | None = None,
        title_justify: str = "center",
    ) -> None:
        self.columns: list[Column] = []
        self.show_lines, self.expand = show_lines, expand
        self.title, self.title_justify = title, title_justify

    def add_column(self, header: str, **options: object) -> None:
        self.columns.append(Column(header, **options))  # type: ignore[arg-type]

    def add_row(self, *cells: Text | str) -> None:
        for column, cell in zip(self.columns, cells, strict=True):
            column.cells.append(cell if isinstance(cell, Text) else Text(cell))

    def _padding(self, index: int) -> tuple[int, int]:
        """Spaces left and right of a cell: one between columns, none at the edges."""
        return (0 if index == 0 else 1), (0 if index == len(self.columns) - 1 else 1)

    def _measure(self, index: int, max_width: int) -> tuple[int, int]:
        if max_width < 1:
            return 0, 0
        column = self.columns[index]
        pad = sum(self._padding(index))
        if column.width is not None:
            fixed = min(column.width + pad, max_width)
            return fixed, fixed
        lows, highs = [], []
        for cell in (column.header, *column.cells):
            low, high = _measure_padded(cell, pad, max_width)
            lows.append(low)
            highs.append(high)
        low, high = min(max(lows), max_width), min(max(highs), max_width)
        if column.min_width is not None:
            least = max(0, column.min_width + pad)
            low, high = max(low, least), max(high, least)
        if column.max_width is not None:
            low, high = min(low, column.max_width + pad), min(high, column.max_width + pad)
        return low, high

    def _widths(self, max_width: int) -> list[int]:
        """Each column's width with its padding (rich's `_calculate_column_widths`)."""
        columns = self.columns
        ranges = [self._measure(i, max_width) for i in range(len(columns))]
        widths = [high or 1 for _, high in ranges]
        if self.expand:
            ratios = [c.ratio or 0 for c in columns if c.ratio is not None]
            if any(ratios):
                fixed = [
                    0 if c.ratio is not None else high
                    for (_, high), c in zip(ranges, columns, strict=True)
                ]
                minimums = [
                    (c.width or 1) + sum(self._padding(i))
                    for i, c in enumerate(columns)
                    if c.ratio is not None
                ]
                flex = iter(_ratio_distribute(max_width - sum(fixed), ratios, minimums))
                for i, column in enumerate(columns):
                    if column.ratio is not None:
                        widths[i] = fixed[i] + next(flex)
        table_width = sum(widths)
        if table_width > max_width:
            widths = _collapse(
                widths, [c.width is None and not c.no_wrap for c in columns], max_width
            )
            table_width = sum(widths)
            if table_width > max_width:
                excess = table_width - max_width
                widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
                table_width = sum(widths)
            widths = [self._measure(i, w)[1] for i, w in enumerate(widths)]
        if table_width < max_width and self.expand:
            pads = _ratio_distribute(max_width - table_width, widths)
            widths = [w + p for w, p in zip(widths, pads, strict=True)]
        return widths

    def lines(self, width: int, box: Box) -> list[Line]:
        columns = self.columns
        if not columns:
            return [("", [])]
        extra = 2 + len(columns) - 1
        widths = self._widths(width - extra)
        table_width = sum(widths) + extra
        out: list[Line] = []
        if self.title:
            title = Text(self.title, TITLE_STYLE)
            out += title.wrap(table_width, self.title_justify)
        out.append(_plain(box.top(widths)))
        rows = list(zip(*((c.header, *c.cells) for c in columns), strict=True))
        header_mask = style_mask(HEADER_STYLE)
        for r, row in enumerate(rows):
            header = r == 0
            cell_mask = header_mask if header else 0
            cells = []
            for i, (cell, column, w) in enumerate(zip(row, columns, widths, strict=True)):
                cells.append(self._cell(cell, column, i, w, cell_mask))
            # rich aligns cells to the tallest (header cells to its bottom), in the cell's
            # style, and only then gives a row of empty cells its one line, unstyled
            height = max(len(c) for c in cells)
            for i, cell in enumerate(cells):
                blank = (" " * widths[i], [cell_mask] * widths[i])
                if header:
                    cell[:0] = [blank] * (height - len(cell))
                else:
                    cell += [blank] * (height - len(cell))
                if not height:
                    cell.append((" " * widths[i], [0] * widths[i]))
            height = max(height, 1)
            edge, divider = box.edges(
                "head" if header else ("foot" if r == len(rows) - 1 else "mid")
            )
            for n in range(height):
                text, masks = edge, [0] * len(edge)
                for i, cell in enumerate(cells):
                    if i:
                        text += divider
                        masks = masks + [0] * len(divider)
                    text += cell[n][0]
                    masks = masks + cell[n][1]
                out.append((text + edge, masks + [0] * len(edge)))
            if header:
                out.append(_plain(box.rule(widths, "head")))
            elif self.show_lines and r < len(rows) - 1:
                out.append(_plain(box.rule(widths, "row")))
        out.append(_plain(box.bottom(widths)))
        return out

    def _cell(self, cell: Text, column: Column, index: int, width: int, mask: int) -> list[Line]:
        left, right = self._padding(index)
        inner = width - left - right
        lines = cell.wrap(inner, column.justify, column.overflow, column.no_wrap)
        shaped = []
        for text, masks in lines:
            room = inner - cell_len(text)
            if room < 0:
                text = set_cell_size(text, inner)
                masks = masks[: len(text)] + [0] * (len(text) - len(masks))
                room = 0
            shaped.append(
                (
                    " " * left + text + " " * (room + right),
                    [mask] * left + [m | mask for m in masks] + [mask] * (room + right),
                )
            )
        return shaped


def _measure_padded(cell: Text, pad: int, max_width: int) -> tuple[int, int]:
    """rich's measurement of a cell in its padding, capped at `max_width`."""
    if max_width - pad < 1:
        low, high = max_width, max_width
    else:
        low, high = cell.measure()
        low, high = _normalize(low, high, max_width)
        if high < 1:
            low, high = 0, 0
        low, high = min(low + pad, max_width), min(high + pad, max_width)
    low, high = _normalize(low, high, max_width)
    return (0, 0) if high < 1 else (low, high)


def _normalize(low: int, high: int, cap: int) -> tuple[int, int]:
    low = min(max(0, low), high)
    low, high = max(0, low), max(0, max(low, high))
    return min(low, cap), min(high, cap)


def _collapse(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    total = sum(widths)
    excess = total - max_width
    if any(wrapable):
        while total and excess > 0:
            widest = max(w for w, ok in zip(widths, wrapable, strict=True) if ok)
            second = max(
                w if ok and w != widest else 0 for w, ok in zip(widths, wrapable, strict=True)
            )
            difference = widest - second
            ratios = [
                1 if (w == widest and ok) else 0 for w, ok in zip(widths, wrapable, strict=True)
            ]
            if not any(ratios) or not difference:
                break
            widths = _ratio_reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
            total = sum(widths)
            excess = total - max_width
    return widths


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    ratios = [r if m else 0 for r, m in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            share = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - share)
            remaining -= share
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _ratio_distribute(
    total: int, ratios: list[int], minimums: list[int] | None = None
) -> list[int]:
    if minimums:
        ratios = [r if m else 0 for r, m in zip(ratios, minimums, strict=True)]
    total_ratio = sum(ratios)
    remaining = total
    result = []
    for ratio, minimum in zip(ratios, minimums or [0] * len(ratios), strict=True):
        share = (
            max(minimum, ceil(ratio * remaining / total_ratio)) if total_ratio > 0 else remaining
        )
        result.append(share)
        total_ratio -= ratio
        remaining -= share
    return result


def _plain(text: str) -> Line:
    return text, [0] * len(text)


class Box:
    """The characters of rich's SIMPLE_HEAD box, or of its ASCII box."""

    def __init__(self, ascii_only: bool) -> None:
        from rich import box

        self.box = box.ASCII if ascii_only else box.SIMPLE_HEAD

    def top(self, widths: list[int]) -> str:
        return self.box.get_top(widths)

    def bottom(self, widths: list[int]) -> str:
        return self.box.get_bottom(widths)

    def rule(self, widths: list[int], level: str) -> str:
        return self.box.get_row(widths, level)  # type: ignore[arg-type]

    def edges(self, level: str) -> tuple[str, str]:
        """The left edge and the divider of a row's lines (the right edge is the same in both
        boxes)."""
        return getattr(self.box, f"{level}_left"), getattr(self.box, f"{level}_vertical")


class Group:
    """Several renderables, one after the other."""

    def __init__(self, *parts: Text | Table | Group) -> None:
        self.parts = parts


Renderable = Text | Table | Group


class Screen:
    """Where a renderable goes: the width and colour rich's Console would choose for `out`."""

    def __init__(self, out: TextIO, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.out = out
        self.terminal = _is_terminal(out, env)
        dumb = self.terminal and env.get("TERM", "").lower() in ("dumb", "unknown")
        self.colour = self.terminal and not dumb
        self.width = 80 if dumb else _width(env)
        encoding = (getattr(out, "encoding", "utf-8") or "utf-8").lower()
        self.box = Box(ascii_only=not encoding.startswith("utf"))

    def lines(self, renderable: Renderable) -> list[Line]:
        if isinstance(renderable, Group):
            return [line for part in renderable.parts for line in self.lines(part)]
        if isinstance(renderable, Table):
            return renderable.lines(self.width, self.box)
        return renderable.wrap(self.width)

    def print(self, renderable: Renderable) -> None:
        out = []
        for text, masks in self.lines(renderable):
            if cell_len(text) > self.width:
                text = set_cell_size(text, self.width)
                masks = masks[: len(text)] + [0] * (len(text) - len(masks))
            out.append((_styled(text, masks) if self.colour else text) + "\n")
        self.out.write("".join(out))


def _styled(text: str, masks: list[int]) -> str:
    """`text` with ANSI escapes for its styles: one run per change of style."""
    parts = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or masks[i] != masks[start]:
            chunk, mask = text[start:i], masks[start]
            if mask:
                codes = ";".join(str(bit + 1) for bit in range(len(_ATTRIBUTES)) if mask >> bit & 1)
                parts.append(f"\x1b[{codes}m{chunk}\x1b[0m")
            else:
                parts.append(chunk)
            start = i
    return "".join(parts)


def _is_terminal(out: TextIO, environ: Mapping[str, str]) -> bool:
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    isatty = getattr(out, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:
        return False


def _width(env: Mapping[str, str]) -> int:
    """COLUMNS, else the size of the first of stdin, stdout and stderr that is a terminal,
    else 80 (as rich's Console)."""
    columns = env.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd)[0]
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80
    return 80
