"""Start-up time: `factcli --help` against `python -c pass` and `python -c "import typer, rich"`.

    python bench/startup.py                     # 20 runs of each, in turn
    python bench/startup.py --runs 50

The three commands run in turn (A, B, C, A, B, C, ...) so a machine's drift hits all alike; the
medians and the difference to the `import typer, rich` floor are printed, one line per figure,
then a summary line. The command of each query is checked too: none may import spaCy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def factcli_command() -> list[str]:
    script = Path(sys.executable).with_name("factcli")
    if script.exists():
        return [str(script)]
    found = shutil.which("factcli")
    return [found] if found else [sys.executable, "-m", "factcli"]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import typer, rich": [sys.executable, "-c", "import typer, rich"],
        "factcli --help": [*factcli_command(), "--help"],
    }
    for cmd in commands.values():
        timed(cmd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(timed(cmd))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, median in medians.items():
        print(f"{name:<20} p50 {median * 1000:6.1f} ms  min {min(times[name]) * 1000:6.1f} ms")
    over = medians["factcli --help"] - medians["import typer, rich"]
    print(f"factcli --help is import typer, rich + {over * 1000:.1f} ms (target 100 ms)")
    probe = (
        "import sys\nfrom typer.testing import CliRunner\nfrom factcli.cli import app\n"
        "for cmd in (['--help'], ['who-said', '--help'], ['search', '--help']):\n"
        "    CliRunner().invoke(app, cmd)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'thinc', 'numpy'}))\n"
    )
    heavy = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"heavy modules loaded by --help: {heavy}")
    print(
        f"summary: --help {medians['factcli --help'] * 1000:.0f} ms, "
        f"+{over * 1000:.0f} ms over import typer, rich; "
        f"python -c pass {medians['python -c pass'] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
