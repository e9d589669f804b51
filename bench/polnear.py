"""Score factcli's attribution extractor on a PolNeAR split.

    python bench/polnear.py ../shared/polnear            # texts/, gold.jsonl and score.py inside
    python bench/polnear.py SPLIT_DIR --jobs 2 --keep /tmp/polnear.db
    python bench/polnear.py SPLIT_DIR --extractor rules     # the hand-written rules alone

Ingests SPLIT_DIR/texts into a fresh database, exports every statement as JSON Lines, runs the
split's own scorer on them and prints its table, plus the ingest time per article.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("split", type=Path, help="folder with texts/, gold.jsonl and score.py")
    parser.add_argument("--keep", type=Path, help="keep the database at this path")
    parser.add_argument("--json", action="store_true", help="print the scorer's JSON report")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default: 1)")
    parser.add_argument(
        "--extractor", choices=("model", "rules"), default="model", help="(default: model)"
    )
    args = parser.parse_args()

    texts = args.split / "texts"
    scorer = args.split / "score.py"
    if not texts.is_dir() or not scorer.is_file():
        print(f"error: {args.split} has no texts/ folder or score.py", file=sys.stderr)
        return 2
    n_articles = len(list(texts.glob("*.txt")))
    with tempfile.TemporaryDirectory() as tmp:
        db = args.keep or Path(tmp) / "polnear.db"
        if db.exists():
            db.unlink()
        pred = Path(tmp) / "pred.jsonl"
        factcli = [sys.executable, "-m", "factcli"]
        start = time.perf_counter()
        subprocess.run(
            [
                *factcli,
                "ingest",
                str(texts),
                "--db",
                str(db),
                "--jobs",
                str(args.jobs),
                "--extractor",
                args.extractor,
            ],
            check=True,
        )
        elapsed = time.perf_counter() - start
        with pred.open("w") as out:
            subprocess.run(
                [*factcli, "export", "--db", str(db), "--format", "jsonl"], check=True, stdout=out
            )
        cmd = [sys.executable, str(scorer), str(pred)] + (["--json"] if args.json else [])
        result = subprocess.run(cmd, check=True, capture_output=True, text=True)
        print(result.stdout, end="")
        print(
            f"ingest: {n_articles} articles in {elapsed:.1f} s "
            f"({elapsed / max(n_articles, 1) * 1000:.0f} ms/article, incl. start-up)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
