"""What matching speakers to the archive's actors costs per article as the archive grows.

    python bench/identity_growth.py FOLDER [FOLDER ...] --cache /tmp/extractions.pickle.gz
    python bench/identity_growth.py --cache /tmp/extractions.pickle.gz --before OTHER/src

Every .txt article of the folders (in order: each folder's files sorted) is parsed and
extracted once, as `ingest` does, and the extractions are kept in --cache (reused when it
exists, so a second run parses nothing). Then they are stored into a fresh database in chunks
of 16 articles (`save_extractions`, as ingest does), in a new process per round, and the CPU
time of the identity step (`writer.resolve_actors`: matching each speaker to a stored actor and
recording the article's view of it), of the choice of its kind and spelling in it
(`identity._majority_kind` and `_usual_casing`) and of the whole of storing is taken per
article (a text met twice is stored once, as ingest does). --copies N stores the articles N
times over, each copy a new text, so the actors gather N times the articles. Printed:
CPU milliseconds per article of each step over the first and the last --window articles and
over each window between, one line per round. --before SRC stores the same extractions with the
code in SRC (a `src/` folder, such as `git archive` of an earlier commit) in alternate rounds,
on the same machine at the same time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def extract_all(folders: list[Path], cache: Path) -> None:
    from factcli import extract, reader

    files = [path for folder in folders for path in sorted(folder.rglob("*.txt"))]
    articles = (reader.read_article(str(path)) for path in files)
    extractions = []
    for _, extraction, reason in extract.extract_articles(articles):
        if extraction is not None:
            extractions.append(extraction)
        else:
            print(f"not extracted: {reason}", file=sys.stderr)
    with gzip.open(cache, "wb") as f:
        pickle.dump(extractions, f, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"{len(extractions)} extractions kept in {cache}", file=sys.stderr)


def replay(cache: Path, chunk: int, copies: int) -> dict[str, list[float]]:
    """Store the cached extractions into a fresh database, `copies` times over; CPU seconds
    per article of each step (an article's share of its chunk's storing: the chunk's time over
    its articles)."""
    from dataclasses import replace

    from factcli import store
    from factcli.store import identity, writer

    with gzip.open(cache, "rb") as f:
        every = pickle.load(f)
    first: dict[str, Any] = {}  # a text met again is skipped, as ingest skips it
    for e in every:
        first.setdefault(e.article.sha256, e)
    once = list(first.values())
    extractions = once + [
        replace(e, article=replace(e.article, text=f"{e.article.text}\n(copy {k})\n"))
        for k in range(1, copies)
        for e in once
    ]
    clock = time.process_time
    steps: dict[str, list[float]] = {"identity": [], "choice": [], "choices": []}
    choosing = [0.0, 0]

    def timed(original: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            begin = clock()
            try:
                return original(*args, **kwargs)
            finally:
                choosing[0] += clock() - begin
                choosing[1] += 1

        return run

    resolve_actors = writer.resolve_actors

    def identity_step(*args: Any, **kwargs: Any) -> Any:
        choosing[:] = [0.0, 0]
        begin = clock()
        try:
            return resolve_actors(*args, **kwargs)
        finally:
            steps["identity"].append(clock() - begin)
            steps["choice"].append(choosing[0])
            steps["choices"].append(choosing[1])

    writer.resolve_actors = identity_step
    for name in ("_majority_kind", "_usual_casing"):
        setattr(identity, name, timed(getattr(identity, name)))
    storing: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "growth.db", create=True)
        for at in range(0, len(extractions), chunk):
            part = extractions[at : at + chunk]
            begin = clock()
            results = store.save_extractions(db, part)
            spent = clock() - begin
            failed = [r for r in results if isinstance(r, Exception)]
            if failed:
                raise SystemExit(f"not stored: {failed[0]}")
            storing += [spent / len(part)] * len(part)
        db.close()
    return {**steps, "storing": storing}


def summary(label: str, times: dict[str, list[float]], window: int) -> list[str]:
    lines = []
    calls = times.pop("choices")
    spent = times["choice"]
    per_call = [
        sum(spent[k : k + window]) / max(1, sum(calls[k : k + window])) * 1e6
        for k in range(0, len(calls), window)
    ]
    lines.append(
        f"{label:6} choice   us/call    first {window}: {per_call[0]:.1f}  last {window}:"
        f" {sum(spent[-window:]) / max(1, sum(calls[-window:])) * 1e6:.1f}"
        f"  (by {window}: {' '.join(f'{v:.1f}' for v in per_call)})"
    )
    for step, values in times.items():
        spans = list(range(0, len(values), window))
        cells = []
        for start in spans:
            part = values[start : start + window]
            cells.append(f"{sum(part) / len(part) * 1000:.3f}")
        last = values[-window:]
        lines.append(
            f"{label:6} {step:8} ms/article first {window}: {cells[0]}  last {window}:"
            f" {sum(last) / len(last) * 1000:.3f}  (by {window}: {' '.join(cells)})"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", type=Path, nargs="*", help="folders of .txt articles")
    parser.add_argument("--cache", type=Path, required=True, help="the extractions, kept")
    parser.add_argument("--before", type=Path, help="a src/ folder of other code, run alongside")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=16)
    parser.add_argument(
        "--copies", type=int, default=1, help="store the articles this many times (new texts)"
    )
    parser.add_argument("--replay", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay:
        print(json.dumps(replay(args.cache, args.chunk, args.copies)))
        return 0
    if not args.cache.exists():
        if not args.folders:
            raise SystemExit("no --cache yet: give the folders of articles to extract")
        extract_all(args.folders, args.cache)
    sources = [("after", None)] + ([("before", args.before)] if args.before else [])
    command = [sys.executable, __file__, "--cache", str(args.cache), "--replay"]
    command += ["--chunk", str(args.chunk), "--copies", str(args.copies)]
    for round_ in range(args.rounds):
        for label, src in sources if round_ % 2 == 0 else sources[::-1]:
            env = dict(os.environ)
            if src is not None:
                env["PYTHONPATH"] = str(src)
            out = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
            times = json.loads(out.stdout)
            for line in summary(label, times, args.window):
                print(f"round {round_ + 1} {line}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
