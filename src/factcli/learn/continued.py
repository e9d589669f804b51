"""A quotation that goes on after its cue clause: “A,” X said on Monday. “B.”

Annotators mark A and B as one content when the sentence after the cue clause opens a quotation
that no cue of its own follows; the rules find A alone (and B, if at all, as a quote of its own).
A kept content that ends at a closing quote mark, followed in its paragraph by a short cue clause
without quote marks and a sentence that opens a quotation, is run on to that quotation's end;
a content inside the added stretch is dropped, as it is now part of the longer one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_CLOSE = frozenset('”"')
_PAIR = {"“": "”", '"': '"'}
_QUOTE_MARKS = frozenset('“”"')
_SENTENCE_THEN_QUOTE = re.compile(r"[.?!](?=\s+[“\"])")
_CUE_AFTER = re.compile(
    r"^[,.]?\s*(?:[\w.'’-]+\s+){0,6}?"
    r"(said|says|added|adds|told|tells|wrote|writes|continued|noted|explained|asked|according"
    r"|replied|replies|responded|argued|insisted|warned|stated|declared)\b"
)
"""A cue right after the second quotation makes it an attribution of its own."""
MAX_GAP = 250
"""Characters at most between the first quotation's close and the sentence's end."""


def continued_end(text: str, end: int, limit: int) -> tuple[int, int] | None:
    """(start, end) of the quotation that continues a content ending at `end` (article
    characters; `limit` is the paragraph's end), or None."""
    i = end
    while i < limit and text[i] in ",.?!;:":
        i += 1
    if i >= limit or text[i] not in _CLOSE:
        return None
    j = i + 1
    m = _SENTENCE_THEN_QUOTE.search(text, j, limit)
    if m is None or m.start() - j > MAX_GAP:
        return None
    if any(ch in _QUOTE_MARKS for ch in text[j : m.start()]):
        return None
    k = m.end()
    while k < limit and text[k] in " \t":
        k += 1
    if k >= limit or text[k] not in _PAIR:
        return None
    close = text.find(_PAIR[text[k]], k + 1, limit)
    if close == -1 or _CUE_AFTER.match(text[close + 1 : close + 80]):
        return None
    e = close
    while e > k and text[e - 1] in " ,":
        e -= 1
    return k + 1, e


def run_on(
    text: str, contents: Sequence[tuple[int, int]], limits: Sequence[int]
) -> tuple[list[tuple[int, int]], set[int]]:
    """The contents with each continued quotation added, and the indices of contents that now lie
    inside another one (to drop); `limits`: the end of each content's paragraph."""
    out = list(contents)
    drop: set[int] = set()
    for n, ((c0, c1), limit) in enumerate(zip(contents, limits, strict=True)):
        if c0 < 0 or c1 > limit:
            continue
        found = continued_end(text, c1, limit)
        if found is None:
            continue
        q0, q1 = found
        out[n] = (c0, q1)
        for m, (d0, d1) in enumerate(contents):
            if m != n and q0 - 1 <= d0 and d1 <= q1 + 1:
                drop.add(m)
    return out, drop
