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
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

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
    return signatures([content])[0]


def signatures(contents: Sequence[str]) -> list[list[int]]:
    """`signature` of each content, computed together: every word pair of every content goes
    through the permutations in one pass of 64-bit array arithmetic, a few array operations
    per batch instead of a Python multiplication per pair and permutation (an article's
    statements together cost about a tenth of what they cost one product at a time).

    Each value is ``min((a * h + b) mod p)`` over the content's word pair hashes ``h``, with
    ``p = 2⁶¹ - 1``: ``a * h`` would need 125 bits, so it is taken in 31-bit halves and
    folded with ``2⁶¹ ≡ 1 (mod p)``, which keeps every sum below 2⁶⁴ and every value exact
    (`tests/test_quotes.py` pins them against the product taken whole).
    """
    if not contents:
        return []
    hashes: list[int] = []
    starts: list[int] = []
    for content in contents:
        words = normalise(content).split()
        shingles = {" ".join(words[i : i + 2]) for i in range(max(len(words) - 1, 1))} or {""}
        starts.append(len(hashes))
        hashes += [
            int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest()) for s in shingles
        ]
    return _least_images(hashes, starts)


def _least_images(hashes: list[int], starts: list[int]) -> list[list[int]]:
    """For each run of `hashes` (from each of `starts` to the next), the least
    ``(a * h + b) mod p`` of every permutation (a, b)."""
    import numpy as np

    p, low31, low30, a_hi, a_lo, b = _arrays()
    h = np.array(hashes, dtype=np.uint64)
    h = (h & p) + (h >> np.uint64(61))  # h mod p, up to one p too many
    h = np.where(h >= p, h - p, h)
    h_hi, h_lo = h >> np.uint64(31), h & low31
    mid = a_hi * h_lo + a_lo * h_hi  # below 2⁶²
    total = (
        (a_hi * h_hi << np.uint64(1))  # a_hi·h_hi·2⁶² ≡ 2·a_hi·h_hi
        + (mid >> np.uint64(30))  # the part of mid·2³¹ at or above 2⁶¹, folded down
        + ((mid & low30) << np.uint64(31))
        + a_lo * h_lo
        + b
    )
    total = (total & p) + (total >> np.uint64(61))
    total = np.where(total >= p, total - p, total)
    mins = np.minimum.reduceat(total, np.array(starts, dtype=np.intp), axis=1)
    found: list[list[int]] = mins.T.tolist()
    return found


@lru_cache(maxsize=1)
def _arrays() -> tuple[Any, ...]:
    """p, the 31- and 30-bit masks, and each permutation's a (in 31-bit halves) and b, as
    uint64 columns (one row per permutation); numpy is imported on first use only."""
    import numpy as np

    def column(values: list[int]) -> Any:
        return np.array(values, dtype=np.uint64).reshape(-1, 1)

    return (
        np.uint64(_PRIME),
        np.uint64((1 << 31) - 1),
        np.uint64((1 << 30) - 1),
        column([a >> 31 for a, _ in _PERMUTATIONS]),
        column([a & ((1 << 31) - 1) for a, _ in _PERMUTATIONS]),
        column([b for _, b in _PERMUTATIONS]),
    )


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


def assign(
    db: Database,
    statement_id: int,
    actor_id: int | None,
    content: str,
    content_signature: list[int] | None = None,
    *,
    new: bool = False,
    listed: bool | None = None,
) -> int | None:
    """Give a stored statement its quote id; None without a speaker. A statement that starts a
    quote of its own stores its band keys, so later copies find it. `content_signature` is
    the content's `signature` when the caller computed it (with its neighbours', `signatures`);
    `new`: the statement was just inserted, so it has no quote and no keys yet to replace;
    `listed`: whether `quote_key_lists` exists, when the caller knows (see `keys_listed`)."""
    if actor_id is None:
        return None
    if content_signature is None:
        content_signature = signature(content)
    keys = keys_from_signature(actor_id, content_signature)
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
    record_quote(db, statement_id, quote_id, keys, new=new, listed=listed)
    return quote_id


def record_quote(
    db: Database,
    statement_id: int,
    quote_id: int,
    keys: Iterable[int],
    *,
    new: bool = False,
    listed: bool | None = None,
) -> None:
    """Store the quote a statement belongs to; only a quote's first statement keeps its band
    keys (`keys`, ignored otherwise), so a much-copied quote costs the same as a rare one.

    The keys go into `quote_keys` (found by key) and, as one list, into `quote_key_lists`
    (found by statement), whose delete trigger takes them out of `quote_keys` (see m012).
    `new` and `listed` as in `assign`."""
    conn = db.conn
    conn.execute(
        "INSERT OR REPLACE INTO statement_quotes (statement_id, quote_id) VALUES (?, ?)",
        [statement_id, quote_id],
    )
    lists = keys_listed(db) if listed is None else listed
    if lists and not new:
        conn.execute("DELETE FROM quote_key_lists WHERE statement_id = ?", [statement_id])
    if quote_id == statement_id:
        stored = sorted(set(keys))
        if lists:
            conn.execute(
                "INSERT INTO quote_key_lists (statement_id, keys) VALUES (?, ?)",
                [statement_id, json_keys(stored)],
            )
        conn.executemany(
            "INSERT OR IGNORE INTO quote_keys (key, statement_id) VALUES (?, ?)",
            [(key, statement_id) for key in stored],
        )


def keys_listed(db: Database) -> bool:
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
        if keys_listed(db):  # their band keys go with them (a trigger)
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
