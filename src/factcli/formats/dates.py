"""Dates as sources write them → ISO dates (``2025-04-19``) for storage and range filters.

Metadata dates come in every shape: ISO timestamps from feeds (``2025-04-19T10:00:00Z``), RFC
822 from RSS (``Sat, 19 Apr 2025 10:00:00 GMT``), prose (``April 19, 2025``), European dotted
dates and epoch seconds. The common shapes are read without help; the rest go to dateparser,
which is asked for absolute dates only, so ``yesterday`` never becomes the day of the ingest.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from factcli.header import parse_date

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = re.compile(r"\d{9,10}(?:\.\d+)?")
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}


def to_iso_date(value: object) -> str | None:
    """The calendar date `value` names, as ``YYYY-MM-DD``; None when it names no full date.

    The date is the one written in the source's own time zone: ``2025-04-19T23:30:00-05:00``
    is the 19th, as the outlet's readers saw it.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = " ".join(str(value).split())
    if not text or len(text) > 80:
        return None
    if _ISO_DAY.match(text):
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text))
    simple = parse_date(text)
    if simple is not None:
        return simple
    import dateparser

    parsed = dateparser.parse(text, settings=_DATEPARSER_SETTINGS)
    return parsed.date().isoformat() if parsed is not None else None


def _from_epoch(seconds: float) -> str | None:
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None
