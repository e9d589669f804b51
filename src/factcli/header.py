"""Find the optional header of an article: date line, headline and dateline fragment.

Scraped articles often start like this (the sample in ``data/``)::

    19.04.2025

    "U.S. Upgrades Military Command in Japan Amid China Tensions"

    TOKYO (AP) — U

    TOKYO (AP) – U.S. Defense Secretary Pete Hegseth labeled Japan ...

The header lines are metadata, not body text: if they reached the sentence splitter, the headline
would merge into the first sentence and the truncated ``TOKYO (AP) — U`` would become a sentence of
its own. `parse_header` returns the metadata and the offset where the body starts; it never changes
the text, never raises, and never consumes a line unless it is sure the line is header.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from factcli.models import Span

TITLE_MAX_CHARS = 100
"""A title taken from a long first paragraph is cut to this length (at a word boundary)."""

_HEADER_SCAN_LINES = 6
_DATE_LINE_MAX_CHARS = 60
_HEADLINE_MAX_CHARS = 300
_PLAIN_TITLE_MAX_CHARS = 150
_FRAGMENT_MAX_CHARS = 100
_PLAIN_TITLE_MAX_WORDS = 25

_MONTHS = {
    "january": 1, "jan": 1,
    "february": 2, "feb": 2,
    "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "may": 5,
    "june": 6, "jun": 6,
    "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_PREFIX = r"(?:(?:published|updated|posted|date)(?:\s+on)?\s*:?\s+)?" + _WEEKDAY
_ORDINAL = r"(?:st|nd|rd|th)?"
_TIME = (
    r"(?:(?:,?\s+|T)(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?"
)

_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (order, re.compile(_PREFIX + body + _TIME + r"\s*", re.IGNORECASE))
    for order, body in (
        ("ymd", r"(?P<a>\d{4})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,2})"),
        ("dmy", r"(?P<a>\d{1,2})\.\s?(?P<b>\d{1,2})\.\s?(?P<c>\d{4})"),
        ("slash", r"(?P<a>\d{1,2})(?P<sep>[/-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{4})"),
        ("mdy", _MONTH + r"\s+(?P<day>\d{1,2})" + _ORDINAL + r",?\s+(?P<year>\d{4})"),
        ("dmy_name", r"(?P<day>\d{1,2})" + _ORDINAL + r"\.?\s+" + _MONTH + r",?\s+(?P<year>\d{4})"),
    )
)

_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]+")
_SPACES = re.compile(r"\s+")
_QUOTE_MAP = str.maketrans("“”„‟«»‘’‚‛‹›", "\"\"\"\"\"\"''''''")
_DOUBLE_QUOTES = frozenset('"“”„‟«»')
_SINGLE_QUOTES = frozenset("'‘’‚‛‹›")
_SENTENCE_BREAK = re.compile(r"[.!?][\"'”’)]*\s+[\"'“‘(]*[A-Z]")
_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]\.){2,}$")
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)]*\s*$")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Header:
    """What the top of an article says about it, with spans into the text it came from.

    `body_start` is the first non-space character after the header (0 for text that starts
    with its body), so ``text[body_start:]`` is the body with nothing of the header in it.
    `title_span` covers the source of `title` (inside the quote marks of a quoted headline);
    a title cut from a long first paragraph ends in "…", which is not part of the span.
    """

    title: str | None
    published: str | None
    body_start: int
    title_span: Span | None = None
    date_span: Span | None = None
    fragment_span: Span | None = None


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str
    blank_after: bool


def parse_header(text: str) -> Header:
    """Split the header lines off the top of `text`; total on any input.

    A header line is a date line, a quoted headline, a dateline fragment that repeats the start
    of the next line, or a short plain headline followed by a blank line. Without a title line the
    title is the first body line (shortened when it is a whole paragraph) and the body keeps it.
    """
    lines = _leading_lines(text)
    title: str | None = None
    title_span: Span | None = None
    published: str | None = None
    date_span: Span | None = None
    fragment_span: Span | None = None
    date_seen = False
    consumed = 0

    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not date_seen and _is_date_line(line.text):
            date_seen = True
            published = parse_date(line.text)
            date_span = Span(line.start, line.end)
        elif title_span is None and (inner := _quoted_headline(line, date_seen)) is not None:
            title_span = inner
            title = text[inner.start : inner.end]
        elif (
            fragment_span is None
            and nxt is not None
            and _is_fragment(line.text, nxt.text, consumed > 0)
        ):
            fragment_span = Span(line.start, line.end)
        elif title_span is None and nxt is not None and _is_plain_title(line, nxt):
            title_span = Span(line.start, line.end)
            title = line.text
        else:
            break
        consumed = i + 1

    header_end = lines[consumed - 1].end if consumed else 0
    body_start = _skip_space(text, header_end)

    if title is None and body_start < len(text):
        title, title_span = _title_from_body(text, body_start)

    return Header(
        title=title,
        published=published,
        body_start=body_start,
        title_span=title_span,
        date_span=date_span,
        fragment_span=fragment_span,
    )


def parse_date(line: str) -> str | None:
    """Return the ISO date a date line names, or None when it is invalid or ambiguous.

    ``19.04.2025`` is day.month.year (the European dotted form). ``04/19/2025`` and
    ``19/04/2025`` are accepted because one number exceeds 12; ``04/05/2025`` is ambiguous
    between the US and European readings, so its date stays unknown rather than guessed.
    """
    stripped = line.strip()
    if len(stripped) > _DATE_LINE_MAX_CHARS:
        return None
    for order, pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(stripped)
        if m is None:
            continue
        if order in ("mdy", "dmy_name"):
            ymd = (int(m["year"]), _MONTHS[m["month"].lower()], int(m["day"]))
        else:
            a, b, c = int(m["a"]), int(m["b"]), int(m["c"])
            if order == "ymd":
                ymd = (a, b, c)
            elif order == "dmy" or a > 12 >= b or a == b:
                ymd = (c, b, a)
            elif b > 12 >= a:
                ymd = (c, a, b)
            else:
                return None
        return _iso(*ymd)
    return None


def _is_date_line(line: str) -> bool:
    """A line that has the shape of a date, even an impossible one (``31.02.2025``), is header."""
    if len(line) > _DATE_LINE_MAX_CHARS:
        return False
    return any(pattern.fullmatch(line) for _, pattern in _DATE_PATTERNS)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _leading_lines(text: str) -> list[_Line]:
    """The first few non-blank lines, stripped, with offsets and whether a blank line follows."""
    found: list[_Line] = []
    pending: tuple[int, int, str] | None = None
    blank_since_pending = False
    for start, end in _iter_lines(text):
        raw = text[start:end]
        stripped = raw.strip()
        if not stripped:
            blank_since_pending = True
            continue
        if pending is not None:
            found.append(_Line(*pending, blank_after=blank_since_pending))
            if len(found) >= _HEADER_SCAN_LINES:
                return found
        lead = len(raw) - len(raw.lstrip())
        pending = (start + lead, start + lead + len(stripped), stripped)
        blank_since_pending = False
    if pending is not None:
        found.append(_Line(*pending, blank_after=True))
    return found


def _iter_lines(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for m in _NEWLINE.finditer(text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def _quoted_headline(line: _Line, date_seen: bool) -> Span | None:
    """``"U.S. Upgrades Military Command in Japan"`` (straight or curly quotes) → inner span.

    A whole-line quote that is body text is refused: one ending in a comma continues into an
    attribution, one with a quote mark inside the same kind of quotes is a split quote
    (``“…,” she said, “…”``), and one ending in sentence punctuation (``“We will not back
    down!”``) is a quote lede unless a date line already marked the start of a header.
    """
    s = line.text
    if len(s) < 3 or len(s) > _HEADLINE_MAX_CHARS:
        return None
    first, last = s[0], s[-1]
    if first in _DOUBLE_QUOTES and last in _DOUBLE_QUOTES:
        inner_forbidden = _DOUBLE_QUOTES
    elif first in _SINGLE_QUOTES and last in _SINGLE_QUOTES:
        inner_forbidden = frozenset("‘‚‛‹›")
    else:
        return None
    inner = s[1:-1]
    stripped = inner.strip()
    if not stripped or any(ch in inner_forbidden for ch in inner):
        return None
    if stripped[-1] in ",;:-–—" or (stripped[-1] in ".!?…" and not date_seen):
        return None
    lead = len(inner) - len(inner.lstrip())
    start = line.start + 1 + lead
    return Span(start, start + len(stripped))


def _normalise(s: str) -> str:
    s = s.translate(_QUOTE_MAP)
    s = _DASHES.sub("-", s)
    s = _SPACES.sub(" ", s)
    return s.strip().casefold()


def _is_fragment(line: str, next_line: str, in_header: bool) -> bool:
    """``TOKYO (AP) — U`` before ``TOKYO (AP) – U.S. Defense …``: a truncated copy of the next line.

    Scrapers leave it behind from a teaser; dashes, quotes and spacing may differ, so the two are
    compared after normalising those. A trailing ellipsis on the fragment is ignored. A long line
    that happens to open the next paragraph is body text, not a teaser, and so is a complete
    sentence at the top of the file (``Yes.`` before ``Yes. We did it.``).
    """
    if len(line) > _FRAGMENT_MAX_CHARS:
        return False
    if not in_header and _ENDS_SENTENCE.search(line) and not _ABBREVIATION_END.search(line):
        return False
    frag = line.rstrip().removesuffix("…").removesuffix("...")
    frag_n = _normalise(frag)
    if not frag_n or not any(ch.isalnum() for ch in frag_n):
        return False
    nxt_n = _normalise(next_line[: len(line) * 2 + 16])
    full_n = nxt_n if len(nxt_n) > len(frag_n) else _normalise(next_line)
    return len(full_n) > len(frag_n) and full_n.startswith(frag_n)


def _is_plain_title(line: _Line, nxt: _Line) -> bool:
    """A short unquoted line set off by a blank line is a headline: ``Japan, U.S. agree on arms``.

    A one-sentence first paragraph (``The meeting was cancelled.``) must stay body text, so a
    line ending in sentence punctuation or containing a sentence break is never a title; nor is a
    line that opens a quote.
    """
    s = line.text
    if not (line.blank_after or _is_date_line(nxt.text)):
        return False
    if len(s) > _PLAIN_TITLE_MAX_CHARS or len(s.split()) > _PLAIN_TITLE_MAX_WORDS:
        return False
    if s[0] in _DOUBLE_QUOTES or s[0] in "‘‚‛‹" or s[-1] in _DOUBLE_QUOTES or s[-1] in "’'":
        return False
    if s[-1] in ",;:-–—" or (s[-1] == "." and not _ABBREVIATION_END.search(s)):
        return False
    if not any(ch.isalpha() for ch in s):
        return False
    return not _SENTENCE_BREAK.search(s)


def _skip_space(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    return pos


def _title_from_body(text: str, body_start: int) -> tuple[str, Span]:
    """The first body line as title; a paragraph is cut to a few words and keeps its place in
    the body, so the title never hides text from the extractor."""
    m = _NEWLINE.search(text, body_start)
    line_end = m.start() if m else len(text)
    line = text[body_start:line_end].rstrip()
    if len(line) <= TITLE_MAX_CHARS:
        return line, Span(body_start, body_start + len(line))
    cut = line[: TITLE_MAX_CHARS + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > TITLE_MAX_CHARS // 2 else cut[:TITLE_MAX_CHARS]
    cut = cut.rstrip(" ,;:-–—")
    return cut + "…", Span(body_start, body_start + len(cut))
