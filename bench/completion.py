"""Shell completion of `actor NAME` and `topic NAME` at 100,000 actors and topics.

    python bench/completion.py                  # 100,000 actors and topics
    python bench/completion.py --actors 20000 --runs 10

Generates a database with that many speakers and topics (names from random syllables, with
skewed statement counts, written by SQL into factcli's schema), then times `complete_names`
inside the process for typed prefixes of 0 to 6 characters (p50/p95/max), and the completion
end to end as the shell runs it (a `factcli` process answering `_FACTCLI_COMPLETE`), side by
side with the minimal typer app of bench/startup.py. One line per figure, then a summary line.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from factcli.queries import actors as actor_queries
from factcli.queries import topics as topic_queries
from factcli.store import open_db, open_query_db

sys.path.insert(0, str(Path(__file__).parent))
from startup import FLOOR_APP, percentile  # noqa: E402

SYLLABLES = "ka ri to ma ne lo sa vi du pe ra go li na ba te mo ku shi an el or un is at en ir ul"


def generate(path: Path, n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    parts = SYLLABLES.split()

    def word(low: int, high: int) -> str:
        return "".join(rng.choices(parts, k=rng.randint(low, high)))

    actors = list(dict.fromkeys(f"{word(1, 3).title()} {word(2, 4).title()}" for _ in range(n)))
    topics = list(dict.fromkeys(f"{word(2, 3)} {word(2, 4)}" for _ in range(n)))
    db = open_db(path, create=True)
    with db.conn:
        db.conn.executemany(
            "INSERT INTO actors (name, kind, statement_count) VALUES (?, 'person', ?)",
            [(name, int(1000 / (i + 1)) + 1) for i, name in enumerate(actors)],
        )
        db.conn.executemany(
            "INSERT INTO topics (name, kind, statement_count, article_count) VALUES (?, ?, ?, ?)",
            [(t, "concept", int(500 / (i + 1)) + 1, 1) for i, t in enumerate(topics)],
        )
    db.execute("ANALYZE")
    db.close()
    return actors, topics


def factcli_script() -> str:
    """The installed `factcli` script: the shell's completion variable is named after it."""
    script = Path(sys.executable).with_name("factcli")
    if not script.exists():
        raise SystemExit("factcli is not installed next to this Python; pip install -e .")
    return str(script)


def prefixes(names: list[str], rng: random.Random, count: int) -> list[str]:
    """What people type: the first 0 to 6 characters of a name."""
    return [rng.choice(names)[: rng.randint(0, 6)] for _ in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--actors", type=int, default=100_000, help="actors, and as many topics")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20, help="completion processes per command")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed + 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "names.db"
        start = time.perf_counter()
        actors, topics = generate(path, args.actors, args.seed)
        print(
            f"database: {len(actors)} actors, {len(topics)} topics, "
            f"built in {time.perf_counter() - start:.1f} s"
        )
        conn = open_query_db(path)
        worst = 0.0
        for name, complete, names in (
            ("actor", actor_queries.complete_names, actors),
            ("topic", topic_queries.complete_names, topics),
        ):
            times = []
            for typed in prefixes(names, rng, args.queries):
                t0 = time.perf_counter()
                complete(conn, typed)
                times.append(time.perf_counter() - t0)
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            worst = max(worst, p95)
            print(
                f"complete {name:<6} in-process  p50 {p50 * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms"
                f"  max {max(times) * 1000:6.2f} ms  ({len(times)} prefixes)"
            )
        conn.close()

        floor = Path(tmp) / "floor.py"
        floor.write_text(FLOOR_APP)
        env = {**os.environ, "_FACTCLI_COMPLETE": "complete_bash", "FACTCLI_DB": str(path)}
        commands = {
            "typer floor (2 commands)": ([sys.executable, str(floor), "hello", "x"], {}),
            "complete actor": ([factcli_script()], {"word": "actor"}),
            "complete topic": ([factcli_script()], {"word": "topic"}),
        }
        process_times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (cmd, extra) in commands.items():
                run_env = os.environ.copy()
                if extra:
                    typed = rng.choice(actors if extra["word"] == "actor" else topics)[:2]
                    words = f"factcli {extra['word']} {typed}"
                    run_env = {**env, "COMP_WORDS": words, "COMP_CWORD": "2"}
                t0 = time.perf_counter()
                subprocess.run(cmd, env=run_env, stdout=subprocess.DEVNULL, check=True)
                process_times[name].append(time.perf_counter() - t0)
        floor_p95 = percentile(process_times["typer floor (2 commands)"], 0.95)
        for name, times in process_times.items():
            p95 = percentile(times, 0.95)
            print(
                f"{name:<26} process  p50 {statistics.median(times) * 1000:6.1f} ms"
                f"  p95 {p95 * 1000:6.1f} ms  over floor {(p95 - floor_p95) * 1000:+6.1f} ms"
            )
        print(
            f"summary: {len(actors)} actors; completion query p95 {worst * 1000:.2f} ms "
            f"in-process (target 100 ms)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
