"""Attribution figures as PolNeAR's scorer counts them (content exact, overlap50, any and end to
end, predictions and gold matched one to one, best overlap first), for cross-validation."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from factcli.learn.brat import GoldAttribution

Ranges = Sequence[tuple[int, int]]
Prediction = tuple[Ranges, "Ranges | None"]
"""(content ranges, speaker ranges or None)."""


def positions(text: str, ranges: Iterable[tuple[int, int]]) -> frozenset[int]:
    out = set()
    for start, end in ranges:
        for i in range(max(0, start), min(len(text), end)):
            ch = text[i]
            if unicodedata.category(ch)[0] not in "PZC" and not ch.isspace():
                out.add(i)
    return frozenset(out)


GoldPositions = tuple[frozenset[int], "frozenset[int] | None", frozenset[int]]
"""(content, source or None, source and cue) as sets of character positions."""


def gold_positions(text: str, gold: Sequence[GoldAttribution]) -> list[GoldPositions]:
    return [
        (
            positions(text, g.content),
            positions(text, g.source) if g.source else None,
            positions(text, [*g.source, *g.cue]),
        )
        for g in gold
    ]


def matches(
    preds: Sequence[frozenset[int]], golds: Sequence[tuple[frozenset[int], frozenset[int]]]
) -> list[tuple[float, int, int, bool]]:
    """Predicted and gold contents matched one to one, best overlap first, as the scorer matches
    them: (overlap share, prediction index, gold index, exact) per matched pair. Each gold's
    frame (its source and cue) is taken out of a prediction first, so an enclosed "he said" is
    forgiven."""
    pairs = []
    for i, pc in enumerate(preds):
        for j, (gc, frame) in enumerate(golds):
            pcj = pc - frame
            inter = len(pcj & gc)
            if inter:
                pairs.append((inter / max(len(pcj), len(gc)), i, j, pcj == gc))
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for pair in sorted(pairs, reverse=True):
        _, i, j, _ = pair
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append(pair)
    return out


class Tally:
    def __init__(self) -> None:
        self.n_pred = 0
        self.n_gold = 0
        self.hits = {"exact": 0, "overlap50": 0, "any": 0, "end_to_end": 0}

    def add(self, text: str, gold: Sequence[GoldAttribution], preds: Sequence[Prediction]) -> None:
        ps = [(positions(text, c), positions(text, s) if s is not None else None) for c, s in preds]
        self.add_positions(gold_positions(text, gold), ps)

    def add_positions(
        self,
        golds: Sequence[GoldPositions],
        ps: Sequence[tuple[frozenset[int], frozenset[int] | None]],
    ) -> None:
        """As `add`, with the character positions computed already (see `gold_positions`)."""
        self.n_pred += len(ps)
        self.n_gold += len(golds)
        contents = [pc for pc, _ in ps]
        for sc, i, j, exact in matches(contents, [(gc, frame) for gc, _, frame in golds]):
            self.hits["any"] += 1
            self.hits["exact"] += exact
            if sc >= 0.5:
                self.hits["overlap50"] += 1
                s_p, s_g = ps[i][1], golds[j][1]
                ok = (s_p is None and s_g is None) or (
                    s_p is not None and s_g is not None and bool(s_p & s_g)
                )
                self.hits["end_to_end"] += ok

    def figures(self) -> dict[str, dict[str, float]]:
        out = {}
        for k, tp in self.hits.items():
            p = tp / self.n_pred if self.n_pred else 0.0
            r = tp / self.n_gold if self.n_gold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[k] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
        return out
