"""Start-up time of every command against the framework's own floor, side by side.

    python bench/startup.py                     # 20 rounds
    python bench/startup.py --runs 50 --db archive.db

The floor is a minimal typer app with two commands, run with the same Python and the same typer
release as factcli. Each round runs the floor (a command, and its `--help`), `factcli --help` and
every query command (as a table and as JSON) once each, in turn, so a machine's drift hits all
alike. Figures: p50 and p95 per command, its p95 over the floor's p95 (the target is at most
50 ms), the median of its excess over the floor's run of the same round, and its median CPU
time (user + system) over the floor's, both steadier on a busy machine. `factcli --help` is set
against the floor's `--help`: typer draws help with rich and its help module, which a command
run does not load, so a command's floor would understate it.
Without --db a small archive is generated first (bench/query.py's generator, 200 articles).

factcli's bytecode is compiled first, as installing a wheel does: where PYTHONDONTWRITEBYTECODE
is set, an editable install would otherwise compile every module from source on each start,
while typer and rich, installed from wheels, load compiled, and the comparison would not hold.

`--before SRC` times a second factcli alongside, from the source folder SRC (for instance
`git archive` of an earlier commit, its `src/`), in the same rounds: each command then has a
second line marked "before", so a change is measured side by side on the same machine load.
The load average is printed at the start and at the end.

Afterwards one process per command checks what a query loads: never spaCy or sqlite-utils, and
no rich for JSON. One line per figure, then a summary line.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
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


FLOOR = "typer floor (2 commands)"
FLOOR_HELP = "typer floor --help"


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the process's CPU seconds (user + system), which a busy machine
    inflates much less than wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def small_archive(path: Path, env: dict[str, str]) -> None:
    """200 articles from bench/query.py's generator, written by the factcli `env` imports
    (each version reads an archive of its own schema)."""
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        f"from query import build\nbuild(__import__('pathlib').Path({str(path)!r}), 200, 5)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


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
    parser.add_argument(
        "--before", type=Path, help="also time the factcli in this source folder (its src/)"
    )
    args = parser.parse_args()

    import typer

    import factcli

    compileall.compile_dir(Path(factcli.__file__).parent, quiet=1)
    env = {**os.environ, "COLUMNS": "100"}
    envs: dict[str, dict[str, str]] = {}
    versions = [("", env)]
    if args.before is not None:
        compileall.compile_dir(args.before / "factcli", quiet=1)
        before_path = os.pathsep.join(
            p for p in (str(args.before.resolve()), env.get("PYTHONPATH", "")) if p
        )
        versions.append((" before", {**env, "PYTHONPATH": before_path}))
    print(f"load average at start: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.before is not None and args.db is not None:
            parser.error("--before builds an archive for each version: leave out --db")
        db = args.db
        dbs = {"": db}
        if db is None:
            for mark, version_env in versions:
                dbs[mark] = Path(tmp) / f"small{mark.strip()}.db"
                small_archive(dbs[mark], version_env)
            db = dbs[""]
        values = arguments(db)
        floor = Path(tmp) / "floor.py"
        floor.write_text(FLOOR_APP)
        factcli_cmd = [sys.executable, "-m", "factcli"]
        commands: dict[str, list[str]] = {
            FLOOR: [sys.executable, str(floor), "hello", "x"],
            FLOOR_HELP: [sys.executable, str(floor), "--help"],
        }
        for mark, version_env in versions:
            commands[f"factcli --help{mark}"] = [*factcli_cmd, "--help"]
            envs[f"factcli --help{mark}"] = version_env
            for name, argv in QUERY_COMMANDS.items():
                filled = [a.format(**values) for a in argv]
                json_flag = ["--format", "jsonl"] if name == "export" else ["--json"]
                runs = {f"{name} (json){mark}": [*filled, *json_flag]}
                if not args.no_tables:
                    runs = {f"{name} (table){mark}": filled, **runs}
                for label, line in runs.items():
                    commands[label] = [*factcli_cmd, *line, "--db", str(dbs[mark])]
                    envs[label] = version_env
        for name, cmd in commands.items():
            timed(cmd, envs.get(name, env))
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                wall, used = timed(cmd, envs.get(name, env))
                times[name].append(wall)
                cpu[name].append(used)

        print(f"python {sys.version.split()[0]}, typer {typer.__version__}, {args.runs} rounds")
        worst, worst_name, worst_paired, worst_paired_name = 0.0, "", 0.0, ""
        worst_before, worst_before_name = 0.0, ""
        for name, t in times.items():
            helps = name.startswith((FLOOR_HELP, "factcli --help"))
            base = FLOOR_HELP if helps else FLOOR
            p50, p95 = statistics.median(t), percentile(t, 0.95)
            over = p95 - percentile(times[base], 0.95)
            paired = statistics.median(a - b for a, b in zip(t, times[base], strict=True))
            cpu_over = statistics.median(cpu[name]) - statistics.median(cpu[base])
            if name.endswith(" before"):
                if over > worst_before:
                    worst_before, worst_before_name = over, name
            elif name not in (FLOOR, FLOOR_HELP) and over > worst:
                worst, worst_name = over, name
            if (
                name not in (FLOOR, FLOOR_HELP)
                and not name.endswith(" before")
                and (paired > worst_paired)
            ):
                worst_paired, worst_paired_name = paired, name
            print(
                f"{name:<37} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"
                f"  p95 over floor {over * 1000:+6.1f} ms  paired p50 {paired * 1000:+6.1f} ms"
                f"  cpu p50 {statistics.median(cpu[name]) * 1000:6.1f} ms,"
                f" over floor {cpu_over * 1000:+6.1f} ms"
                + ("  (floor: its --help)" if helps and name != FLOOR_HELP else "")
            )
        floor_p95 = percentile(times[FLOOR], 0.95)
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
            f"command {worst_name} p95 {worst * 1000:+.0f} ms over the floor (target +50 ms); "
            f"worst paired p50 {worst_paired_name} {worst_paired * 1000:+.0f} ms"
            + (
                f"; before: worst {worst_before_name} p95 {worst_before * 1000:+.0f} ms"
                if worst_before_name
                else ""
            )
            + f"; load average at end {load_average()}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
