"""Input formats: plain text, HTML pages and JSON Lines, each optionally gzip-compressed.

One input (a path or ``-``) yields one article (text, HTML) or many (JSON Lines). The format is
told by the file name (``.txt``, ``.html``/``.htm``, ``.jsonl``, each with an optional ``.gz``)
or forced with ``--input-format``. A JSON Lines record that cannot be read is one failed input
named ``file:LINE``; the rest of the file is still read.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO, Literal, cast

from factcli import reader
from factcli.models import Article
from factcli.reader import STDIN, InputError

InputFormat = Literal["txt", "html", "jsonl"]
INPUT_FORMATS: tuple[InputFormat, ...] = ("txt", "html", "jsonl")

_BY_SUFFIX: tuple[tuple[str, InputFormat], ...] = (
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".html", "html"),
    (".htm", "html"),
    (".xhtml", "html"),
    (".txt", "txt"),
)


@dataclass(frozen=True)
class InputOptions:
    """How to read inputs: a forced format, the outlet to record, JSON Lines field names."""

    input_format: InputFormat | None = None
    outlet: str | None = None
    text_field: str = "text"
    title_field: str = "title"
    date_field: str = "date"
    url_field: str = "url"
    id_field: str = "id"
    source_field: str = "source"
    max_bytes: int = reader.DEFAULT_MAX_BYTES


def detect(source: str, forced: InputFormat | None = None) -> tuple[InputFormat, bool]:
    """``(format, gzipped)`` for an input: the forced format, else the name's suffix, else text.

    ``-`` (stdin) is text unless forced; a ``.gz`` name is decompressed whatever the format.
    """
    name = source.lower()
    gzipped = name.endswith(".gz")
    if gzipped:
        name = name[:-3]
    if forced is not None:
        return forced, gzipped
    for suffix, fmt in _BY_SUFFIX:
        if name.endswith(suffix):
            return fmt, gzipped
    return "txt", gzipped


def read_articles(
    source: str,
    options: InputOptions | None = None,
    stdin: BinaryIO | None = None,
    warn: reader.Warn | None = None,
    skip: int = 0,
) -> Iterator[Article | InputError]:
    """The articles of one input, in order, from the record numbered `skip` (from 0).

    Raises `InputError` when the input as a whole cannot be read (missing, too large, not the
    format it claims); yields an `InputError` for one bad record of a JSON Lines file.
    """
    options = options or InputOptions()
    fmt, gzipped = detect(source, options.input_format)
    if fmt == "jsonl":
        from factcli.formats import jsonl

        with _open_stream(source, gzipped, stdin) as stream:
            for item in jsonl.read_records(stream, source, options, skip):
                yield _with_outlet(item, options)
        return
    if skip:
        return
    data = _read_all(source, gzipped, stdin, options.max_bytes)
    if fmt == "html":
        from factcli.formats import html

        article = html.article_from_html(data, source)
    else:
        article = reader.article_from_bytes(data, source, warn)
    yield _with_outlet(article, options)


def count_articles(source: str, options: InputOptions | None = None) -> int | None:
    """How many articles an input holds, for a progress bar: one, or a JSON Lines file's
    non-blank lines; None when it cannot be known without reading it (stdin, unreadable)."""
    options = options or InputOptions()
    fmt, gzipped = detect(source, options.input_format)
    if fmt != "jsonl":
        return 1
    if source == STDIN:
        return None
    try:
        with _open_stream(source, gzipped, None) as stream:
            return sum(1 for line in stream if line.strip())
    except (OSError, EOFError, zlib.error, InputError):
        return None


def _with_outlet(item: Article | InputError, options: InputOptions) -> Article | InputError:
    if isinstance(item, Article) and options.outlet:
        return replace(item, outlet=options.outlet)
    return item


class _Stream:
    """A binary stream that closes what it opened (not stdin) and reports read errors."""

    def __init__(self, source: str, gzipped: bool, stdin: BinaryIO | None) -> None:
        self.source = source
        self._owned: BinaryIO | None = None
        raw: BinaryIO
        if source == STDIN:
            raw = stdin if stdin is not None else sys.stdin.buffer
        else:
            try:
                raw = self._owned = open(source, "rb")  # noqa: SIM115
            except OSError as err:
                raise InputError(source, reader._os_reason(err)) from None
        self.stream: BinaryIO = (
            cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb")) if gzipped else raw
        )

    def __enter__(self) -> BinaryIO:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        if self._owned is not None:
            self._owned.close()


def _open_stream(source: str, gzipped: bool, stdin: BinaryIO | None) -> _Stream:
    return _Stream(source, gzipped, stdin)


def _read_all(source: str, gzipped: bool, stdin: BinaryIO | None, max_bytes: int) -> bytes:
    """The whole (decompressed) input, refused past `max_bytes` after decompression too."""
    if not gzipped:
        return reader._read_bytes(source, stdin, max_bytes)
    try:
        with _open_stream(source, gzipped, stdin) as stream:
            data = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as err:
        if isinstance(err, gzip.BadGzipFile | EOFError | zlib.error):
            raise InputError(source, f"is not a readable gzip file ({err})") from None
        raise InputError(source, reader._os_reason(err)) from None
    if len(data) > max_bytes:
        raise InputError(source, reader._too_large(max_bytes))
    return data


__all__ = [
    "INPUT_FORMATS",
    "InputFormat",
    "InputOptions",
    "count_articles",
    "detect",
    "read_articles",
]
