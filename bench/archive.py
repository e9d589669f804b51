"""Archive benchmark: a synthetic corpus from data/ with perturbations, ingested and queried.

    python bench/archive.py --articles 10000 --keep /tmp/archive.db
    python bench/archive.py --articles 200                      # a quick look at the costs

Each generated article is one of the sample articles with its date, outlet and name forms
changed, a paragraph sometimes dropped and a unique sign-off line, written as JSON Lines
shards (gzip for every other shard). The whole corpus is ingested with ``factcli ingest`` and
then every archive query is run and timed (wall clock, process start-up included).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTLETS = [
    "Wire One",
    "Daily Ledger",
    "Valley Herald",
    "Morning Post",
    "Coast Times",
    "The Dispatch",
]
NAME_FORMS = {
    "U.S. Defense Secretary Pete Hegseth": [
        "U.S. Defense Secretary Pete Hegseth",
        "Defense Secretary Pete Hegseth",
        "Secretary Pete Hegseth",
    ],
}
QUERIES = [
    ["who-said", "indispensable", "--no-group"],
    ["who-said", "indispensable"],
    ["who-said", "tariffs", "--group", "--json"],
    ["actors"],
    ["actor", "hegseth", "--profile", "--json"],
    ["actor", "hegseth", "--timeline", "-n", "50"],
    ["topics"],
    ["topic", "japan", "--speakers"],
    ["topic", "japan"],
    ["search", "reservoir"],
    ["articles", "--source", "Daily Ledger", "--since", "2025-01-01", "-n", "20"],
    ["quote", "4"],
    ["stats"],
]


def base_articles() -> list[tuple[str, str]]:
    """(title, body) of each sample article, header removed."""
    sys.path.insert(0, str(ROOT / "src"))
    from factcli.reader import read_article

    out = []
    for path in sorted((ROOT / "data").glob("*.txt")):
        article = read_article(str(path))
        out.append((article.title or path.stem, article.text[article.body_start :]))
    return out


def perturb(rng: random.Random, body: str, i: int) -> str:
    for name, forms in NAME_FORMS.items():
        body = body.replace(name, rng.choice(forms))
    paragraphs = body.split("\n\n") if "\n\n" in body else body.split("\n")
    if len(paragraphs) > 4 and rng.random() < 0.5:
        del paragraphs[rng.randrange(2, len(paragraphs))]
    if rng.random() < 0.3:
        paragraphs = [p.replace("”", '"').replace("“", '"') for p in paragraphs]
    paragraphs.append(f"Reporting by staff writer {i}; editing by desk {i % 97}.")
    return "\n\n".join(paragraphs)


def generate(folder: Path, n: int, seed: int = 7, per_shard: int = 1000) -> list[Path]:
    rng = random.Random(seed)
    bases = base_articles()
    shards: list[Path] = []
    for shard_start in range(0, n, per_shard):
        index = len(shards)
        path = folder / (f"shard{index:03d}.jsonl" + (".gz" if index % 2 else ""))
        opener = gzip.open if index % 2 else open
        with opener(path, "wt", encoding="utf-8") as f:  # type: ignore[operator]
            for i in range(shard_start, min(n, shard_start + per_shard)):
                title, body = bases[i % len(bases)]
                day = 1 + rng.randrange(700)
                record = {
                    "id": f"a{i}",
                    "title": title,
                    "date": time.strftime("%d %B %Y", time.gmtime(1704067200 + day * 86400)),
                    "url": f"https://news.example/{i}",
                    "source": rng.choice(OUTLETS),
                    "text": perturb(rng, body, i),
                }
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        shards.append(path)
    return shards


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="keep the database at this path")
    parser.add_argument("--corpus", type=Path, help="write the generated shards here")
    args = parser.parse_args()
    factcli = [sys.executable, "-m", "factcli"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.corpus or Path(tmp) / "corpus"
        folder.mkdir(parents=True, exist_ok=True)
        generate(folder, args.articles)
        db = args.keep or Path(tmp) / "archive.db"
        if db.exists():
            db.unlink()
        start = time.perf_counter()
        subprocess.run([*factcli, "ingest", str(folder), "--db", str(db)], check=False)
        elapsed = time.perf_counter() - start
        print(
            f"ingest: {args.articles} articles in {elapsed:.1f} s "
            f"({elapsed / max(args.articles, 1) * 1000:.1f} ms/article, "
            f"{args.articles / elapsed:.1f} articles/s)"
        )
        print(f"database: {db.stat().st_size / 1e6:.1f} MB")
        for query in QUERIES:
            start = time.perf_counter()
            result = subprocess.run(
                [*factcli, *query, "--db", str(db)], capture_output=True, text=True, check=False
            )
            ms = (time.perf_counter() - start) * 1000
            status = "ok" if result.returncode == 0 else f"exit {result.returncode}"
            print(f"{ms:8.0f} ms  {status:6}  factcli {' '.join(query)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
