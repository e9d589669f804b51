"""The same quote carried by many outlets: near-identical statements of one speaker, one label.

Outlets copy wire quotes with small changes: a full stop becomes an exclamation mark, "tariff"
becomes "tariffs", curly quotes become straight ones. Each statement with a speaker gets a
quote id: the id of the earliest stored statement it nearly repeats, or its own.

Candidates come from MinHash locality-sensitive hashing over word pairs: the first statement of
each quote stores a few band keys (each mixed with the speaker's id; `quote_keys` finds them by
key, `quote_key_lists` by statement), and a new statement is
compared with rapidfuzz only to the first statements that share a key with it. Later copies
store no keys, so a quote carried by thousands of articles still costs a handful of indexed
look-ups and comparisons, however large the archive.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sqlite_utils import Database

SIMILARITY = 90.0
"""rapidfuzz ratio (0–100) of the normalised contents at or above which two are one quote."""

BANDS = 8
ROWS = 2
_PRIME = (1 << 61) - 1
_MASK = (1 << 63) - 1
_PERMUTATIONS = tuple(
    (
        int.from_bytes(hashlib.blake2b(f"a{i}".encode(), digest_size=8).digest()) % _PRIME | 1,
        int.from_bytes(hashlib.blake2b(f"b{i}".encode(), digest_size=8).digest()) % _PRIME,
    )
    for i in range(BANDS * ROWS)
)
_QUOTES = str.maketrans("“”„‟«»‘’‚‛‹›", "\"\"\"\"\"\"''''''")
_NON_WORD = re.compile(r"[^\w']+")
Q = TypeVar("Q", int, tuple[int, int])
MAX_CANDIDATES = 200
"""First statements of quotes compared at most, the earliest first."""


def normalise(content: str) -> str:
    """Casefolded words, quote marks unified, punctuation dropped: what near-identical means."""
    return " ".join(_NON_WORD.sub(" ", content.translate(_QUOTES).casefold()).split())


def band_keys(actor_id: int, content: str) -> list[int]:
    """`BANDS` signed 64-bit keys: equal for two contents with a high share of word pairs."""
    return keys_from_signature(actor_id, signature(content))


def signature(content: str) -> list[int]:
    """The MinHash signature of a content's word pairs (each value below 2⁶¹): the costly part
    of `band_keys`, independent of the speaker, so a cluster job can compute it once."""
    words = normalise(content).split()
    shingles = {" ".join(words[i : i + 2]) for i in range(max(len(words) - 1, 1))} or {""}
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest()) for s in shingles]
    return [min((a * h + b) % _PRIME for h in hashes) for a, b in _PERMUTATIONS]


def keys_from_signature(actor_id: int, signature: list[int]) -> list[int]:
    """The band keys of a signature for one speaker (see `band_keys`)."""
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        packed = struct.pack(f">qi{ROWS}q", actor_id, band, *rows)
        value = int.from_bytes(hashlib.blake2b(packed, digest_size=8).digest()) & _MASK
        keys.append(value)
    return keys


def choose_quote(content: str, own: Q, candidates: Iterable[tuple[str, Q]]) -> Q:
    """The quote a statement joins: among `candidates` (first statements of quotes sharing a
    band key with it, as (content, quote id), earliest first), the most similar at or above
    `SIMILARITY`, the earliest quote on a tie; else `own`, a quote of its own.

    Pure, so a cluster job grouping statements by band key gives the answers ingest gives.
    """
    from rapidfuzz import fuzz

    target = normalise(content)
    quote_id = own
    best = SIMILARITY
    for other, other_quote in candidates:
        score = fuzz.ratio(target, normalise(other), score_cutoff=best)
        if score >= best and (score > best or other_quote < quote_id):
            best, quote_id = score, other_quote
    return quote_id


def assign(db: Database, statement_id: int, actor_id: int | None, content: str) -> int | None:
    """Give a stored statement its quote id; None without a speaker. A statement that starts a
    quote of its own stores its band keys, so later copies find it."""
    if actor_id is None:
        return None
    keys = band_keys(actor_id, content)
    marks = ",".join("?" * len(keys))
    # The band keys lead the plan: "+s.actor_id" keeps SQLite from walking all of a much-quoted
    # speaker's statements through the actor index instead.
    rows = db.execute(
        "SELECT s.content, sq.quote_id FROM statements s"
        " JOIN statement_quotes sq ON sq.statement_id = s.id"
        f" WHERE s.id IN (SELECT statement_id FROM quote_keys WHERE key IN ({marks}))"
        f" AND s.id != ? AND +s.actor_id = ? ORDER BY s.id LIMIT {MAX_CANDIDATES}",
        [*keys, statement_id, actor_id],
    ).fetchall()
    quote_id = choose_quote(content, statement_id, rows)
    record_quote(db, statement_id, quote_id, keys)
    return quote_id


def record_quote(db: Database, statement_id: int, quote_id: int, keys: Iterable[int]) -> None:
    """Store the quote a statement belongs to; only a quote's first statement keeps its band
    keys (`keys`, ignored otherwise), so a much-copied quote costs the same as a rare one.

    The keys go into `quote_keys` (found by key) and, as one list, into `quote_key_lists`
    (found by statement), whose delete trigger takes them out of `quote_keys` (see m012)."""
    db.execute(
        "INSERT OR REPLACE INTO statement_quotes (statement_id, quote_id) VALUES (?, ?)",
        [statement_id, quote_id],
    )
    lists = _keys_listed(db)
    if lists:
        db.execute("DELETE FROM quote_key_lists WHERE statement_id = ?", [statement_id])
    if quote_id == statement_id:
        stored = sorted(set(keys))
        if lists:
            db.execute(
                "INSERT INTO quote_key_lists (statement_id, keys) VALUES (?, ?)",
                [statement_id, json_keys(stored)],
            )
        db.conn.executemany(
            "INSERT OR IGNORE INTO quote_keys (key, statement_id) VALUES (?, ?)",
            [(key, statement_id) for key in stored],
        )


def _keys_listed(db: Database) -> bool:
    """Whether `quote_key_lists` exists: not yet while an older database is brought forward by
    migrations that group its quotes before m012 adds it."""
    from factcli.store.migrations import MIGRATIONS, m012_quote_band_keys

    version = db.execute("PRAGMA user_version").fetchone()[0]
    return bool(version >= MIGRATIONS.index(m012_quote_band_keys) + 1)


def json_keys(keys: Iterable[int]) -> str:
    """Band keys as the JSON array `quote_key_lists.keys` holds."""
    return "[" + ",".join(map(str, keys)) + "]"


def regroup(db: Database, statement_ids: Iterable[int]) -> None:
    """Group statements again after their speaker changed (a merge, a split, a migration)."""
    ids = list(statement_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        if _keys_listed(db):  # their band keys go with them (a trigger)
            db.execute(f"DELETE FROM quote_key_lists WHERE statement_id IN ({marks})", chunk)
        else:
            db.execute(f"DELETE FROM quote_keys WHERE statement_id IN ({marks})", chunk)
        db.execute(f"DELETE FROM statement_quotes WHERE statement_id IN ({marks})", chunk)
    for statement_id in ids:
        row = db.execute(
            "SELECT actor_id, content FROM statements WHERE id = ?", [statement_id]
        ).fetchone()
        if row is not None:
            assign(db, statement_id, row[0], row[1])
