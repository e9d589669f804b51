"""Turn what the user points at (files, folders, ``-``) into decoded `Article`s.

Every later stage stores character offsets into `Article.text`, so the text is kept exactly as
decoded: newlines and whitespace are untouched and only a byte-order mark is dropped. Anything
that is not an article (empty, binary, undecodable, too large, unreadable) is refused here with a
one-line reason, so a messy folder costs one failed input per bad file and nothing more. Text that
is not UTF-8 but reads as Windows-1252 (Latin-1) is decoded as such and reported as a warning.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import BinaryIO

from factcli.errors import FactcliError
from factcli.header import parse_header
from factcli.models import Article

STDIN = "-"
"""The path that means standard input; it is also the article's `source`."""

DEFAULT_MAX_BYTES = 20_000_000
"""Larger inputs are refused rather than read into memory whole (``--max-size`` changes it)."""

Warn = Callable[[str], None]
"""Receives a one-line warning about an input that was read anyway (without the path)."""

ARTICLE_SUFFIX = ".txt"
ARTICLE_SUFFIXES: tuple[str, ...] = (
    ARTICLE_SUFFIX,
    ".html",
    ".htm",
    ".jsonl",
    ".txt.gz",
    ".html.gz",
    ".htm.gz",
    ".jsonl.gz",
)
"""What a directory walk picks up; `factcli.formats` reads each kind."""

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.05
_LEGACY = "cp1252"
_LEGACY_ERRORS = "factcli-cp1252"
_MAX_LEGACY_HIGH_SHARE = 0.3
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_ASCII = bytes(range(128))
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*([kmg]i?b?|b)?\s*", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 10**3,
    "kb": 10**3,
    "ki": 2**10,
    "kib": 2**10,
    "m": 10**6,
    "mb": 10**6,
    "mi": 2**20,
    "mib": 2**20,
    "g": 10**9,
    "gb": 10**9,
    "gi": 2**30,
    "gib": 2**30,
}


def _legacy_byte(err: UnicodeError) -> tuple[str, int]:
    """Decode each byte the strict codec refused as Windows-1252, or Latin-1 for the five bytes
    Windows-1252 leaves undefined, so a fallback decode can never fail."""
    assert isinstance(err, UnicodeDecodeError)
    chars = []
    for byte in err.object[err.start : err.end]:
        try:
            chars.append(bytes([byte]).decode(_LEGACY))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars), err.end


codecs.register_error(_LEGACY_ERRORS, _legacy_byte)


class InputError(FactcliError):
    """One input cannot be read as an article; the run records it and goes on with the others.

    `reason` is the message without the path, for reports that show the path in a column.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{display_name(source)}: {reason}")
        self.source = source
        self.reason = reason


def display_name(source: str) -> str:
    """How an input is named in messages: ``<stdin>`` for ``-``, otherwise the path as given."""
    return "<stdin>" if source == STDIN else source


def collect_inputs(paths: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Expand the paths given on the command line into the inputs to read, in a stable order.

    Files are taken as given whatever their name (the user chose them); directories are walked
    recursively for articles (``*.txt``, ``*.html``, ``*.jsonl`` and their ``.gz``), sorted
    by name, without following symbolic links to directories, so a link back to a parent
    cannot loop. ``-`` is standard input. Returns
    ``(inputs, problems)``: a missing path or a directory without articles is one
    ``(path, reason)`` problem, so the other inputs are still ingested. Inputs that resolve to
    the same file are kept once.
    """
    inputs: list[str] = []
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = path if path == STDIN else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            inputs.append(path)

    for path in paths:
        if path == STDIN:
            add(path)
        elif os.path.isdir(path):
            found, walk_problems = _walk_directory(path)
            problems.extend(walk_problems)
            for file in found:
                add(file)
            if not found and not walk_problems:
                problems.append(
                    (
                        path,
                        f"no *{ARTICLE_SUFFIX} articles in this directory (nor *.html, *.jsonl)",
                    )
                )
        elif os.path.exists(path):
            add(path)
        elif os.path.lexists(path):
            problems.append((path, "broken symbolic link"))
        else:
            problems.append((path, "no such file or directory"))
    return inputs, problems


def _walk_directory(root: str) -> tuple[list[str], list[tuple[str, str]]]:
    found: list[str] = []
    problems: list[tuple[str, str]] = []

    def on_error(err: OSError) -> None:
        problems.append((err.filename or root, _os_reason(err)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.lower().endswith(ARTICLE_SUFFIXES):
                continue
            path = os.path.join(dirpath, name)
            if os.path.isfile(path):
                found.append(path)
            elif os.path.islink(path) and not os.path.exists(path):
                problems.append((path, "broken symbolic link"))
    return found, problems


def parse_size(text: str) -> int:
    """A size limit as people write it: ``20MB``, ``500k``, ``1.5 MiB`` or a number of bytes.

    K, M and G are powers of 1000 (``KiB``, ``MiB``, ``GiB`` powers of 1024). Raises ValueError
    with a message a user understands.
    """
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size; write it like 20MB, 500KB or 1000000")
    size = int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "").lower()])
    if size < 1:
        raise ValueError(f"{text!r} is too small; a size limit is at least 1 byte")
    return size


def read_article(
    source: str,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    warn: Warn | None = None,
) -> Article:
    """Read and decode one input (a path, or ``-`` for `stdin`) and split off its header.

    Raises `InputError` (a `FactcliError`) naming the input and the reason when it is missing,
    unreadable, larger than `max_bytes`, binary, not decodable text, empty, or only a header.
    `warn` hears about an input read with a fallback encoding.
    """
    return article_from_bytes(_read_bytes(source, stdin, max_bytes), source, warn)


def article_from_bytes(data: bytes, source: str, warn: Warn | None = None) -> Article:
    """A plain-text article from its bytes: decoded, header split off (see `read_article`)."""
    text = decode(data, source, warn)
    header = parse_header(text)
    if header.body_start >= len(text) or not text[header.body_start :].strip():
        raise InputError(source, "has a header but no article text")
    return Article(
        text=text,
        source=source,
        title=header.title,
        published=header.published,
        body_start=header.body_start,
    )


def decode(data: bytes, source: str = STDIN, warn: Warn | None = None) -> str:
    """Decode article bytes: UTF-8 (BOM dropped), UTF-16/32 when a BOM says so, else cp1252.

    Text that is not UTF-8 is nearly always Windows-1252 or Latin-1 from an older system
    ("Café" written with the single byte 0xe9), so it is decoded as cp1252 and `warn` is told,
    never silently. A file that is mostly UTF-8 with a few stray bytes keeps its UTF-8 and only
    the stray bytes are read as cp1252. Bytes that look like neither (a third or more of them
    non-ASCII, as in another legacy encoding or random data) are refused rather than stored
    garbled.
    """
    if not data:
        raise InputError(source, "is empty")
    encoding, label = "utf-8", "UTF-8"
    for bom, bom_encoding, bom_label in _BOMS:
        if data.startswith(bom):
            encoding, label = bom_encoding, bom_label
            break
    else:
        kind = _binary_kind(data)
        if kind is not None:
            raise InputError(source, f"looks like a binary file ({kind})")
    note = None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 1].hex()
        where = f"invalid byte 0x{bad} at byte {err.start}"
        if label != "UTF-8":
            raise InputError(source, f"is not {label} text ({where})") from None
        text, note = _decode_legacy(data.removeprefix(codecs.BOM_UTF8), source, where)
    if not text.strip():
        raise InputError(source, "is empty (whitespace only)")
    if "\x00" in text:
        raise InputError(source, "looks like a binary file (contains NUL characters)")
    controls = sum(1 for _ in _CONTROL.finditer(text))
    if controls > len(text) * _MAX_CONTROL_SHARE:
        raise InputError(source, "looks like a binary file (many control characters)")
    if note is not None and warn is not None:
        warn(note)
    return text


def _decode_legacy(data: bytes, source: str, where: str) -> tuple[str, str]:
    """cp1252 for the bytes that are not UTF-8: (text, the warning saying so)."""
    utf8 = sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    stray = len(data.translate(None, _ASCII)) - utf8
    if stray > (len(data) - utf8) * _MAX_LEGACY_HIGH_SHARE:
        raise InputError(
            source, f"is not UTF-8 text ({where}) and too much of it is non-ASCII to be cp1252"
        )
    if utf8:
        text = data.decode("utf-8", errors=_LEGACY_ERRORS)
        return text, f"not valid UTF-8 ({where}); the invalid bytes were decoded as {_LEGACY}"
    return data.decode(_LEGACY, errors=_LEGACY_ERRORS), f"not UTF-8, decoded as {_LEGACY}"


def _binary_kind(data: bytes) -> str | None:
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return kind
    if b"\x00" in data:
        return "contains NUL bytes"
    return None


def _read_bytes(source: str, stdin: BinaryIO | None, max_bytes: int) -> bytes:
    if source == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            data = stream.read(max_bytes + 1)
        except OSError as err:
            raise InputError(source, _os_reason(err)) from None
    else:
        try:
            with open(source, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size > max_bytes:
                    raise InputError(source, _too_large(max_bytes, size))
                data = f.read(max_bytes + 1)
        except OSError as err:
            raise InputError(source, _os_reason(err)) from None
    if len(data) > max_bytes:
        raise InputError(source, _too_large(max_bytes))
    return data


def _too_large(max_bytes: int, size: int | None = None) -> str:
    what = f"{size:,} bytes" if size is not None else "more"
    return f"is too large ({what}; the limit is {max_bytes:,} bytes, see --max-size)"


def _os_reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "no such file or directory (moved or deleted?)"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    return (err.strerror or str(err) or type(err).__name__).lower()
