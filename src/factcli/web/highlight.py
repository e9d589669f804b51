"""An article's text cut at the offsets of a statement's parts, for marking them up.

The stored offsets are the proof of an answer: the page marks exactly the characters
``text[start:end]`` of the content, the cue and the speaker mention, so a reader sees what the
extractor read. Parts may nest or overlap (a mixed quote's cue inside its content); each
segment carries every part it belongs to.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Span(NamedTuple):
    start: int
    end: int
    name: str


def segments(text: str, spans: list[Span]) -> list[dict[str, Any]]:
    """`text` as consecutive segments ``{"text", "marks"}``; joined, they give `text` back.

    Spans outside the text are clipped to it; empty ones mark nothing.
    """
    size = len(text)
    clipped = [Span(max(0, min(s.start, size)), max(0, min(s.end, size)), s.name) for s in spans]
    clipped = [s for s in clipped if s.start < s.end]
    cuts = sorted({0, size, *(s.start for s in clipped), *(s.end for s in clipped)})
    out: list[dict[str, Any]] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        marks = [s.name for s in clipped if s.start <= start and end <= s.end]
        out.append({"start": start, "text": text[start:end], "marks": marks})
    return out
