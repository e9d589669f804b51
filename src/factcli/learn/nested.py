"""One content where two cues report much the same words.

"Officials said the mayor believes the bridge will reopen": the model may keep "said" with
"the mayor believes the bridge will reopen" and "believes" with "the bridge will reopen". When
the two contents share most of their characters, the annotators marked one attribution, never
both (in cross-validation on PolNeAR's training articles, not one such pair matched two
annotated contents), so the second is a wrong prediction. Of each such pair the less likely
candidate goes.
"""

from __future__ import annotations

from collections.abc import Sequence

SHARE = 0.4
"""Share of the longer content the two must have in common (chosen in cross-validation)."""


def shared(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Characters of `a` and `b` in common, as a share of the longer."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    longest = max(a[1] - a[0], b[1] - b[0])
    return inter / longest if inter > 0 and longest > 0 else 0.0


def drop_nested(
    contents: Sequence[tuple[int, int]],
    cues: Sequence[tuple[int, int]],
    probs: Sequence[float],
    share: float = SHARE,
) -> set[int]:
    """Indices to drop: of each pair whose cue lies inside the other's content and whose
    contents share at least `share`, the less likely one (the outer one on a tie), the most
    overlapping pairs first."""
    pairs = []
    for i, cue in enumerate(cues):
        for o, outer in enumerate(contents):
            if o != i and outer[0] <= cue[0] < outer[1]:
                s = shared(contents[i], outer)
                if s >= share:
                    pairs.append((s, i, o))
    gone: set[int] = set()
    for _, i, o in sorted(pairs, reverse=True):
        if i in gone or o in gone:
            continue
        gone.add(i if probs[i] < probs[o] else o)
    return gone
