"""Quotation spans found on characters, not tokens, so a quote may run over several sentences.

Marks: curly “…”, „…“, «…», straight "…", the doubled apostrophes ''…'' some wires use, and
single curly ‘…’ when no double quote is open (headlines quote that way). A straight mark opens
when it follows a space or the start of a paragraph and closes otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = {"“": "”", "„": "“", "«": "»"}
CLOSERS = {"”", "»"}
STRAIGHT = ('"', "''")
_OPEN_CONTEXT = set(" \t\n\r([{—–-/:") | {"“", "‘", "\u00a0"}
_MARK_CHARS = frozenset('"“„«”»‘’')
_NEXT_MARK = re.compile("[\"“„«”»‘’]|''")
"""Where the scan next has something to do: text between marks is skipped at C speed."""


@dataclass(frozen=True, slots=True)
class Quote:
    """Inner text is text[start:end]; the opening mark sits at open_at. An unclosed quote has
    close_end == end: the paragraph ended first, and the quote goes on in the next one."""

    open_at: int
    start: int
    end: int
    close_end: int
    closed: bool


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def find_quotes(text: str, start: int = 0, end: int | None = None) -> list[Quote]:
    """Quotes in text[start:end], one paragraph: quotes never pair across paragraphs here."""
    end = len(text) if end is None else end
    quotes: list[Quote] = []
    i = start
    open_at: int | None = None
    open_len = 0
    expected_close: set[str] = set()
    single_open: int | None = None

    def emit(o: int, olen: int, c: int, clen: int, closed: bool) -> None:
        quotes.append(Quote(o, o + olen, c, c + clen, closed))

    while i < end:
        ch = text[i]
        if ch not in _MARK_CHARS:
            mark = _NEXT_MARK.search(text, i, end + 1)  # "''" may end one past `end`
            if mark is None or mark.start() >= end:
                break
            i = mark.start()
            ch = text[i]
        two = text[i : i + 2]
        prev = text[i - 1] if i > start else " "
        if two == "''" or ch == '"':
            mlen = 2 if two == "''" else 1
            nxt = text[i + mlen] if i + mlen < end else " "
            opening = prev in _OPEN_CONTEXT or (prev in "‘'" and i - 1 >= start)
            if (
                open_at is not None
                and (not opening or '"' in expected_close or "''" in expected_close)
                and not (opening and _is_word(nxt) and not _is_word(prev))
            ):
                emit(open_at, open_len, i, mlen, True)
                open_at = None
                i += mlen
                continue
            if open_at is None and (opening or not _is_word(prev)) and not nxt.isspace():
                open_at, open_len, expected_close = i, mlen, {'"', "''"}
                single_open = None
            i += mlen
            continue
        if ch in OPENERS:
            if open_at is not None:
                emit(open_at, open_len, _trim_end(text, open_at + open_len, i), 0, False)
            open_at, open_len, expected_close = i, 1, {OPENERS[ch]}
            single_open = None
        elif (ch in CLOSERS or (ch == "“" and "“" in expected_close)) and open_at is not None:
            emit(open_at, open_len, i, 1, True)
            open_at = None
        elif ch == "‘" and open_at is None and not _is_word(prev):
            single_open = i
        elif ch == "’" and single_open is not None and open_at is None:
            nxt = text[i + 1] if i + 1 < end else " "
            if not _is_word(nxt):
                emit(single_open, 1, i, 1, True)
                single_open = None
        i += 1
    if open_at is not None:
        emit(open_at, open_len, _trim_end(text, open_at + open_len, end), 0, False)
    return [q for q in quotes if q.end > q.start]


def _trim_end(text: str, lo: int, hi: int) -> int:
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return hi
