"""Start-up time of every command against the framework's own floor, side by side.

    python bench/startup.py                     # 20 rounds
    python bench/startup.py --runs 50 --db archive.db

The floor is a minimal typer app with two commands, run with the same Python and the same typer
release as factcli. Each round runs the floor, `factcli --help` and every query command (as a
table and as JSON) once each, in turn, so a machine's drift hits all alike. Figures: p50 and
p95 per command, and its p95 over the floor's p95 (the target is at most 50 ms). Without --db a
small archive is generated first (bench/query.py's generator, 200 articles).

Afterwards one process per command checks what a query loads: never spaCy or sqlite-utils, and
no rich for JSON. One line per figure, then a summary line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR_APP = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str, count: int = 1) -> None:
    """Say hello."""
    for _ in range(count):
        typer.echo(f"hello {name}")


@app.command()
def bye(name: str) -> None:
    """Say goodbye."""
    typer.echo(f"bye {name}")


app()
'''

QUERY_COMMANDS: dict[str, list[str]] = {
    "who-said": ["who-said", "{word}"],
    "who-said --no-group": ["who-said", "{word}", "--no-group"],
    "search": ["search", "{word}"],
    "actor": ["actor", "{actor}"],
    "actors": ["actors"],
    "topic": ["topic", "{topic}"],
    "topics": ["topics"],
    "articles": ["articles"],
    "show": ["show", "1"],
    "quote": ["quote", "1"],
    "stats": ["stats"],
    "export": ["export", "--limit", "20"],
}

PROBE = """
import runpy, sys
sys.argv = ['factcli', *{args!r}]
try:
    runpy.run_module('factcli', run_name='__main__', alter_sys=True)
except SystemExit:
    pass
sys.stdout.flush()
loaded = sorted({{m.split('.')[0] for m in sys.modules}} & {{'spacy', 'sqlite_utils', 'rich',
    'numpy'}})
sys.stderr.write('LOADED ' + ' '.join(loaded) + '\\n')
"""


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def small_archive(path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from query import build  # the generator of bench/query.py

    build(path, 200, 5)


def arguments(db: Path) -> dict[str, str]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        actor = conn.execute("SELECT name FROM actors ORDER BY statement_count DESC").fetchone()
        topic = conn.execute("SELECT name FROM topics ORDER BY statement_count DESC").fetchone()
        word = conn.execute("SELECT content FROM statements ORDER BY id LIMIT 1").fetchone()
    finally:
        conn.close()
    return {"actor": actor[0].split()[-1], "topic": topic[0], "word": word[0].split()[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", type=Path, help="an archive to query; default: a small new one")
    parser.add_argument("--no-tables", action="store_true", help="time JSON output only")
    args = parser.parse_args()

    import typer

    env = {**os.environ, "COLUMNS": "100"}
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "small.db"
            small_archive(db)
        values = arguments(db)
        floor = Path(tmp) / "floor.py"
        floor.write_text(FLOOR_APP)
        factcli = [sys.executable, "-m", "factcli"]
        commands: dict[str, list[str]] = {
            "typer floor (2 commands)": [sys.executable, str(floor), "hello", "x"],
            "factcli --help": [*factcli, "--help"],
        }
        for name, argv in QUERY_COMMANDS.items():
            filled = [a.format(**values) for a in argv]
            if not args.no_tables:
                commands[f"{name} (table)"] = [*factcli, *filled, "--db", str(db)]
            json_flag = ["--format", "jsonl"] if name == "export" else ["--json"]
            commands[f"{name} (json)"] = [*factcli, *filled, *json_flag, "--db", str(db)]
        for cmd in commands.values():
            timed(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(timed(cmd, env))

        print(f"python {sys.version.split()[0]}, typer {typer.__version__}, {args.runs} rounds")
        floor_p95 = percentile(times["typer floor (2 commands)"], 0.95)
        worst, worst_name = 0.0, ""
        for name, t in times.items():
            p50, p95 = statistics.median(t), percentile(t, 0.95)
            over = p95 - floor_p95
            if name != "typer floor (2 commands)" and over > worst:
                worst, worst_name = over, name
            print(
                f"{name:<30} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"
                f"  p95 over floor {over * 1000:+6.1f} ms"
            )
        for name, argv in QUERY_COMMANDS.items():
            filled = [a.format(**values) for a in argv]
            json_flag = ["--format", "jsonl"] if name == "export" else ["--json"]
            probe = PROBE.format(args=[*filled, *json_flag, "--db", str(db)])
            result = subprocess.run(
                [sys.executable, "-c", probe], capture_output=True, text=True, env=env
            )
            loaded = result.stderr.rsplit("LOADED", 1)[-1].split()
            print(f"loads {name + ' --json':<30} {' '.join(loaded) or '(none of them)'}")
        print(
            f"summary: typer {typer.__version__}; floor p95 {floor_p95 * 1000:.0f} ms; worst "
            f"command {worst_name} p95 {worst * 1000:+.0f} ms over the floor (target +50 ms)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
