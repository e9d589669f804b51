"""Read brat standoff annotations of attributions (PolNeAR's form) into plain spans.

    T1	Source 110 112	we
    T2	Cue 113 119	mocked
    T3	Content 120 211;215 230	the presidential ambitions …
    E1	Attribution:T4 Content:T3 Cue:T2 Source:T1

One `.ann` per article and annotator (``<stem>_<annotator>.ann``); where several annotators marked
one article the first in sorted order is read, so a corpus always gives the same examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GoldAttribution:
    source: Ranges
    cue: Ranges
    content: Ranges


def parse_ann(text: str) -> list[GoldAttribution]:
    """Attributions of one `.ann` file; an event without a content or a cue is skipped."""
    spans: dict[str, Ranges] = {}
    events: list[dict[str, str]] = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        ident, body = parts[0], parts[1]
        if ident.startswith("T"):
            label, _, offsets = body.partition(" ")
            ranges = []
            for piece in offsets.split(";"):
                a, _, b = piece.strip().partition(" ")
                if a.isdigit() and b.isdigit():
                    ranges.append((int(a), int(b)))
            spans[ident] = tuple(ranges)
        elif ident.startswith("E"):
            roles = {}
            for arg in body.split():
                role, _, ref = arg.partition(":")
                roles[role] = ref
            events.append(roles)
    out = []
    for roles in events:
        content = spans.get(roles.get("Content", ""), ())
        cue = spans.get(roles.get("Cue", ""), ())
        if not content or not cue:
            continue
        out.append(GoldAttribution(spans.get(roles.get("Source", ""), ()), cue, content))
    return out


def annotation_files(folder: Path) -> dict[str, Path]:
    """Article stem → its first annotator's `.ann` file."""
    chosen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.ann")):
        stem = path.stem.rsplit("_", 1)[0] if "_" in path.stem else path.stem
        chosen.setdefault(stem, path)
    return chosen


def read_split(root: Path) -> list[tuple[str, Path, list[GoldAttribution]]]:
    """(article stem, text path, attributions) of a split folder with `text/` and
    `attributions/` (PolNeAR's layout) or `texts/` and `gold.jsonl` (the scorer's layout)."""
    if (root / "gold.jsonl").is_file():
        out = []
        for line in (root / "gold.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            golds = [
                GoldAttribution(
                    tuple(map(tuple, a["source"] or ())),
                    tuple(map(tuple, a["cue"] or ())),
                    tuple(map(tuple, a["content"])),
                )
                for a in row["attributions"]
            ]
            out.append((row["article"], root / "texts" / f"{row['article']}.txt", golds))
        return sorted(out, key=lambda r: r[0])
    texts = root / "text"
    out = []
    for stem, ann in sorted(annotation_files(root / "attributions").items()):
        path = texts / f"{stem}.txt"
        if path.is_file():
            out.append((stem, path, parse_ann(ann.read_text(encoding="utf-8"))))
    return out
