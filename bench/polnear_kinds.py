"""Recall by kind of gold attribution on a PolNeAR split, from a database `ingest` filled.

    python bench/polnear.py ../shared/polnear --keep /tmp/dev.db
    python bench/polnear_kinds.py ../shared/polnear /tmp/dev.db

Kinds: quoted (the content is inside quote marks) or unquoted, crossed with the cue: say/tell,
"according to", a dash or colon (signed quotes, transcript turns) or any other cue (beliefs,
plans, stances: "wants", "believes", "polls show"). A gold attribution is found when a predicted
content covers at least half of it (predictions and gold matched one to one, as the scorer does).
"""

from __future__ import annotations

import argparse
import sqlite3
from collections import Counter
from pathlib import Path

from factcli.learn.brat import GoldAttribution, read_split
from factcli.learn.score import matches, positions

QUOTES = "“”\"‘’'«»"
SAY = ("say", "said", "says", "saying", "tell", "told", "tells", "telling")


def kind(text: str, gold: GoldAttribution) -> str:
    c0, c1 = gold.content[0][0], gold.content[-1][1]
    inner = text[c0:c1].strip()
    before = text[max(0, c0 - 2) : c0]
    quoted = (inner[:1] in QUOTES or any(q in before for q in QUOTES)) and (
        inner[-1:] in QUOTES or inner[-2:-1] in QUOTES or text[c1 : c1 + 2].strip()[:1] in QUOTES
    )
    cue = " ".join(text[a:b] for a, b in gold.cue).lower().strip()
    if "according" in cue:
        how = "according to"
    elif not any(ch.isalpha() for ch in cue):
        how = "dash/colon"
    elif any(w in SAY for w in cue.split()):
        how = "say/tell"
    else:
        how = "other cue"
    return f"{'quoted' if quoted else 'unquoted'} {how}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("split", type=Path)
    parser.add_argument("db", type=Path)
    args = parser.parse_args()
    conn = sqlite3.connect(args.db)
    preds: dict[str, list[tuple[frozenset[int], int]]] = {}
    rows = conn.execute(
        "SELECT a.source, s.content_start, s.content_end FROM statements s"
        " JOIN articles a ON a.id = s.article_id"
    )
    for source, start, end in rows:
        preds.setdefault(Path(source).stem, []).append((start, end))  # type: ignore[arg-type]
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for stem, path, golds in read_split(args.split):
        text = path.read_text(encoding="utf-8")
        P = [positions(text, [span]) for span in preds.get(stem, [])]  # type: ignore[list-item]
        G = [
            (positions(text, g.content), positions(text, [*g.source, *g.cue]), kind(text, g))
            for g in golds
        ]
        for sc, _, j, _ in matches(P, [(gc, frame) for gc, frame, _ in G]):
            if sc >= 0.5:
                found[G[j][2]] += 1
        for _, _, k in G:
            total[k] += 1
    print(f"{'kind of gold attribution':28}{'gold':>7}{'found':>7}{'recall':>8}")
    for k, n in total.most_common():
        print(f"{k:28}{n:7}{found[k]:7}{found[k] / n:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
