"""Rewrite the example outputs in the documentation from real runs of the commands.

    python docs/build.py            # rewrite every checked example in README.md and docs/*.md
    python docs/build.py --check    # change nothing; exit 1 and show a diff where one differs
    python docs/build.py docs/x.md  # only these files

An example opts in with the word ``check`` after the fence's language. Its lines that start with
``$ `` are commands, run in order with bash; what follows each (stdout and stderr, as a terminal
user sees them) is the output, replaced by what the command prints now::

    ```text check
    $ factcli who-said indispensable -n 1
    ...
    ```

Each file runs on its own: its commands run in a fresh folder holding links to ``data/``,
``tests/`` and ``bench/``, in order, and share the database. ``check db=NAME`` runs a block on
another database of the file (``$FACTCLI_DB`` is ``NAME.db``, ``factcli.db`` by default). A
comment ``<!-- check-setup [db=NAME]`` followed by shell lines and ``-->`` runs those lines
silently, for files an example needs. A ``python check`` block runs as a script and its
output replaces the ``text`` block right after it. Output is made deterministic: an
80-column terminal without colour, UTC, one processor, and the run folder's path removed.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINKED = ("data", "tests", "bench")
TIMEOUT = 300

_ITEM = re.compile(
    r"^```text check(?P<text_opts>[^\n]*)\n(?P<text>.*?)^```[ \t]*$"
    r"|^```python check(?P<py_opts>[^\n]*)\n(?P<code>.*?)^```[ \t]*\n\n"
    r"```text\n(?P<out>.*?)^```[ \t]*$"
    r"|^<!-- check-setup(?P<setup_opts>[^\n]*)\n(?P<setup>.*?)^-->[ \t]*$",
    re.M | re.S,
)


@dataclass
class Sandbox:
    """The folder and environment in which one file's examples run."""

    folder: Path

    def env(self, db: str) -> dict[str, str]:
        env = dict(os.environ)
        for key in ("FORCE_COLOR", "CLICOLOR_FORCE", "FACTCLI_MAX_SIZE"):
            env.pop(key, None)
        env.update(
            COLUMNS="80",
            LINES="50",
            TERM="dumb",
            NO_COLOR="1",
            TZ="UTC",
            LC_ALL="C.UTF-8",
            PYTHONHASHSEED="0",
            PYTHONIOENCODING="utf-8",
            FACTCLI_DB=str(self.folder / f"{db}.db"),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        )
        return env

    def run(self, args: list[str], db: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            args,
            cwd=self.folder,
            env=self.env(db),
            input=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
        )
        return self.clean(done.stdout)

    def clean(self, output: str) -> str:
        for path in {str(self.folder), str(self.folder.resolve())}:
            output = output.replace(path + os.sep, "").replace(path, ".")
        lines = [line.rstrip() for line in output.splitlines()]
        return "".join(line + "\n" for line in lines)


def _processors() -> list[int]:
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return [0]


def _build_on(path: Path, processor: int) -> tuple[str, str]:
    """`build` in a worker process pinned to one processor, which the examples inherit:
    `ingest` then parses in its own process instead of starting a worker per processor, each
    loading spaCy (its output is the same either way, and the examples cost half the time),
    and the files' examples run side by side, one file per processor."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {processor})
    return build(path)


def _db(options: str | None) -> str:
    found = re.search(r"\bdb=([\w.-]+)", options or "")
    return found.group(1) if found else "factcli"


def _commands(body: str) -> list[str]:
    """The commands of a block: each ``$ `` line, with ``\\``-continued lines joined."""
    commands: list[str] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("$ "):
            command = lines[i][2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command + "\n" + lines[i]
            commands.append(command)
        i += 1
    return commands


def render(text: str, sandbox: Sandbox) -> str:
    """`text` with every checked example's output replaced by a fresh run's."""
    out: list[str] = []
    last = 0
    for item in _ITEM.finditer(text):
        out.append(text[last : item.start()])
        last = item.end()
        if item.group("setup") is not None:
            sandbox.run(["bash", "-c", item.group("setup")], _db(item.group("setup_opts")))
            out.append(item.group(0))
        elif item.group("code") is not None:
            output = sandbox.run(
                [sys.executable, "-"], _db(item.group("py_opts")), item.group("code")
            )
            out.append(
                f"```python check{item.group('py_opts')}\n{item.group('code')}```\n\n"
                f"```text\n{output}```"
            )
        else:
            db = _db(item.group("text_opts"))
            body = ""
            for command in _commands(item.group("text")):
                body += "$ " + command + "\n"
                body += sandbox.run(["bash", "-c", command], db)
            out.append(f"```text check{item.group('text_opts')}\n{body}```")
    out.append(text[last:])
    return "".join(out)


def build(path: Path) -> tuple[str, str]:
    """(the file as it is, the file with fresh outputs), run in a folder of its own."""
    original = path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="factcli-docs-") as folder:
        for name in LINKED:
            if (ROOT / name).exists():
                (Path(folder) / name).symlink_to(ROOT / name)
        return original, render(original, Sandbox(Path(folder)))


def default_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="markdown files (default: all)")
    parser.add_argument("--check", action="store_true", help="report differences, write nothing")
    args = parser.parse_args(argv)
    if shutil.which("bash") is None:
        print("docs/build.py: bash is needed to run the examples", file=sys.stderr)
        return 2
    differ = 0
    files = args.files or default_files()
    processors = _processors()
    # the longest files first, so that the processors finish together
    order = sorted(files, key=lambda p: -p.stat().st_size)
    with ProcessPoolExecutor(max_workers=len(processors)) as pool:
        futures = {
            path: pool.submit(_build_on, path, processors[n % len(processors)])
            for n, path in enumerate(order)
        }
        built = {path: future.result() for path, future in futures.items()}
    for path in files:
        original, fresh = built[path]
        if fresh == original:
            continue
        if args.check:
            differ += 1
            name = os.path.relpath(path, ROOT)
            sys.stdout.writelines(
                difflib.unified_diff(
                    original.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    f"{name} (written)",
                    f"{name} (printed now)",
                )
            )
        else:
            path.write_text(fresh, encoding="utf-8")
            print(f"rewrote {os.path.relpath(path, ROOT)}", file=sys.stderr)
    if differ:
        print(
            f"{differ} file(s) differ from what the commands print: run python docs/build.py",
            file=sys.stderr,
        )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
