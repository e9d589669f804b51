"""Quote grouping's MinHash signature: the array arithmetic gives the values of the plain
product, so stored band keys stay valid across versions."""

from __future__ import annotations

import hashlib
import random

from factcli.store import quotes


def _plain_signature(content: str) -> list[int]:
    """The signature as first defined: each product taken whole, in Python integers."""
    words = quotes.normalise(content).split()
    shingles = {" ".join(words[i : i + 2]) for i in range(max(len(words) - 1, 1))} or {""}
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest()) for s in shingles]
    return [min((a * h + b) % (2**61 - 1) for h in hashes) for a, b in quotes._PERMUTATIONS]


SENTENCES = [
    "The tariffs will hurt farmers, the minister said.",
    "“We will not back down,” she told reporters on Tuesday!",
    "We will not back down",
    "Rates",
    "",
    "!!! ...",
    "Prices rose 3.5% in March – the fastest pace since 2008 – and wages did not.",
]


def test_signatures_equal_the_whole_product() -> None:
    assert quotes.signatures(SENTENCES) == [_plain_signature(s) for s in SENTENCES]
    assert [quotes.signature(s) for s in SENTENCES] == [_plain_signature(s) for s in SENTENCES]
    assert quotes.signatures([]) == []


def test_least_images_at_the_edges_of_64_bits() -> None:
    p = 2**61 - 1
    rng = random.Random(7)
    edges = [0, 1, p - 1, p, p + 1, 2**61, 2**62 - 1, 2**63, 2**64 - 2, 2**64 - 1]
    runs = [edges[:3], edges[3:7], edges[7:], [rng.getrandbits(64) for _ in range(50)]]
    flat = [h for run in runs for h in run]
    starts = [sum(len(r) for r in runs[:k]) for k in range(len(runs))]
    perms = quotes._PERMUTATIONS
    expected = [[min((a * h + b) % p for h in run) for a, b in perms] for run in runs]
    assert quotes._least_images(flat, starts) == expected


def test_band_keys_are_pinned() -> None:
    assert quotes.band_keys(7, "The tariffs will hurt farmers, the minister said.") == [
        3756152043307732259,
        3287451304576043612,
        5996243950287491686,
        3003267717312754706,
        8596538073894258688,
        3759253433304408014,
        9222728494651942689,
        1315526799536170992,
    ]
    assert quotes.signature("Tariffs hurt.")[:4] == [
        1190008792079496963,
        1226481250349904665,
        1059842124621599120,
        1216247008968254928,
    ]
