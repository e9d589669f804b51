"""CPU time the attribution model adds per article, after parsing, on a PolNeAR split.

    python bench/polnear_time.py ../shared/polnear [--rounds 3] [--against OTHER.json.gz]

Parses the split's articles once (as `ingest` splits and parses them), then times, in this one
process, the extraction of every article with the rules alone and with the rules and the model,
alternating the two, and prints the CPU milliseconds per article of each round and the size of
the model file. Parsing is not timed: `bench/ingest.py` times ingest end to end.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("split", type=Path, help="folder with texts/ and gold.jsonl")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another model file, timed in the same rounds")
    args = parser.parse_args()

    from factcli.extract import extract_parsed
    from factcli.learn import model
    from factcli.learn.corpus import load_corpus

    start = time.process_time()
    corpus = load_corpus(args.split)
    print(f"{len(corpus)} articles parsed in {time.process_time() - start:.1f} s CPU")
    judge = model.judge()
    path = model.model_path()
    print(f"model {judge.version}: {path.name}, {path.stat().st_size / 1e6:.2f} MB")
    times: dict[str, list[float]] = {"rules": [], "model": []}
    judges: list[tuple[str, model.ModelJudge | None]] = [("rules", None), ("model", judge)]
    if args.against is not None:
        other = model.judge(model.load(args.against))
        print(f"against {other.version}: {args.against.name}")
        judges.append(("against", other))
        times["against"] = []
    for _ in range(args.rounds):
        for name, j in judges:
            start = time.process_time()
            for p in corpus:
                extract_parsed(p.article, p.paragraphs, p.docs, j)
            times[name].append(1000 * (time.process_time() - start) / len(corpus))
    for name, ms in times.items():
        print(f"{name:6} ms per article: " + " ".join(f"{x:.1f}" for x in ms))
    added = min(times["model"]) - min(times["rules"])
    print(f"the model adds {added:.1f} ms per article (best rounds)")
    if args.against is not None:
        other_added = min(times["against"]) - min(times["rules"])
        print(f"the other model adds {other_added:.1f} ms per article (best rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
