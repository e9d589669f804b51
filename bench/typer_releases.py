"""Start-up of factcli under several typer releases, side by side, to choose the version range.

    python bench/typer_releases.py VENV_PYTHON... --db archive.db [--runs 20]

Give one Python per typer release, each from a virtualenv with that typer (and platformdirs)
installed and factcli's source importable (``pip install -e .`` or a .pth file). Each round
runs, for every interpreter in turn, the minimal two-command typer app of bench/startup.py,
`factcli --help`, and `who-said`, `actors` and `stats` as a table and as JSON. Figures: p50
and p95 per release and command. One line per figure, then a summary line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup import FLOOR_APP, arguments, percentile, timed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pythons", nargs="+", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    env = {**os.environ, "COLUMNS": "100"}
    values = arguments(args.db)
    releases = {}
    for python in args.pythons:
        version = subprocess.run(
            [str(python), "-c", "import typer; print(typer.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        releases[version] = str(python)
    with tempfile.TemporaryDirectory() as tmp:
        floor = Path(tmp) / "floor.py"
        floor.write_text(FLOOR_APP)
        db = ["--db", str(args.db)]
        commands = {
            "floor": [str(floor), "hello", "x"],
            "--help": ["-m", "factcli", "--help"],
            "who-said": ["-m", "factcli", "who-said", values["word"], *db],
            "who-said --json": ["-m", "factcli", "who-said", values["word"], "--json", *db],
            "actors": ["-m", "factcli", "actors", *db],
            "actors --json": ["-m", "factcli", "actors", "--json", *db],
            "stats --json": ["-m", "factcli", "stats", "--json", *db],
        }
        times: dict[tuple[str, str], list[float]] = {}
        for python in releases.values():
            for argv in commands.values():
                timed([python, *argv], env)  # compiles each release's modules once
        for _ in range(args.runs):
            for version, python in releases.items():
                for name, argv in commands.items():
                    times.setdefault((version, name), []).append(timed([python, *argv], env))
    best: dict[str, float] = {}
    for (version, name), t in times.items():
        p50, p95 = statistics.median(t), percentile(t, 0.95)
        if name == "who-said --json":
            best[version] = p95
        print(f"typer {version:<8} {name:<16} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms")
    fastest = min(best, key=best.__getitem__)
    print(
        f"summary: {args.runs} rounds; who-said --json p95 fastest with typer {fastest} "
        f"({best[fastest] * 1000:.0f} ms); "
        + ", ".join(f"{v} {p * 1000:.0f} ms" for v, p in best.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
