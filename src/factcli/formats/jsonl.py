"""JSON Lines: one article per line, ``{"text": ..., "title": ..., "date": ..., "url": ...}``.

Field names differ between dumps (``body``, ``headline``, ``published_at``), so each is an
option. A record is named ``file:LINE`` in messages and stored as its `source`, so every
statement can be traced back to the line it came from.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from factcli.formats.dates import to_iso_date
from factcli.header import parse_header
from factcli.models import Article
from factcli.reader import InputError, decode, display_name

if TYPE_CHECKING:
    from factcli.formats import InputOptions


def read_records(
    stream: BinaryIO, source: str, options: InputOptions, skip: int = 0
) -> Iterator[Article | InputError]:
    """Articles from the lines of `stream`; a bad line is yielded as an `InputError`.

    Blank lines are skipped, and so are the first `skip` records, unparsed (a task of a
    cluster reads one range of a large file). A file that is not gzip though named ``.gz``, or
    is cut short, is raised as an `InputError` for the whole file after the records read so far.
    """
    lineno = 0
    try:
        for raw in stream:
            lineno += 1
            if not raw.strip():
                continue
            if skip:
                skip -= 1
                continue
            name = f"{display_name(source)}:{lineno}"
            if len(raw) > options.max_bytes:
                yield InputError(name, f"record is too large (limit {options.max_bytes:,} bytes)")
                continue
            try:
                yield article_from_record(raw, name, options)
            except InputError as err:
                yield err
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise InputError(source, f"is not a readable gzip file ({err})") from None
    except OSError as err:
        raise InputError(source, (err.strerror or str(err)).lower()) from None


def article_from_record(raw: bytes, name: str, options: InputOptions) -> Article:
    """One JSON Lines record → `Article` whose text is the title, a blank line and the body.

    The title leads the text as it would in a plain-text article, so a headline attribution
    ("Minister: talks will resume") is found and offsets stay valid for the stored text.
    """
    try:
        record = json.loads(decode(raw, name))
    except ValueError as err:
        raise InputError(name, f"is not valid JSON ({err})") from None
    if not isinstance(record, dict):
        raise InputError(name, "is not a JSON object")
    body = record.get(options.text_field)
    if not isinstance(body, str) or not body.strip():
        raise InputError(name, f"has no text in field {options.text_field!r}")
    title = _string(record.get(options.title_field))
    published = to_iso_date(record.get(options.date_field))
    url = _string(record.get(options.url_field))
    outlet = _string(record.get(options.source_field))
    if title and not body.lstrip().startswith(title):
        text = f"{title}\n\n{body}"
        body_start = len(title) + 2 + (len(body) - len(body.lstrip()))
    else:
        text = body
        header = parse_header(body)
        body_start = header.body_start
        title = title or header.title
        published = published or header.published
    if body_start >= len(text):
        raise InputError(name, "has a header but no article text")
    record_id = _string(record.get(options.id_field))
    return Article(
        text=text,
        source=f"{name}#{record_id}" if record_id else name,
        title=title,
        published=published,
        body_start=body_start,
        outlet=outlet,
        url=url,
    )


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = " ".join(str(value).split())
    return text or None
