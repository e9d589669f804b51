"""What a query command loads: the JSON path of every query needs neither spaCy, sqlite-utils
nor rich (timings live in bench/startup.py, not here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from builders import build_db

QUERIES = [
    ["who-said", "japan"],
    ["who-said", "japan", "--no-group", "--sort", "newest"],
    ["search", "tokyo", "--sort", "oldest"],
    ["actors"],
    ["actor", "hegseth"],
    ["topics"],
    ["topic", "japan"],
    ["articles"],
    ["show", "1"],
    ["quote", "1"],
    ["stats"],
    ["export", "--limit", "2", "--format", "json"],
]

PROBE = """
import runpy, sys
for args in QUERIES:
    sys.argv = ['factcli', *args, '--db', DB] + ([] if 'export' in args else ['--json'])
    try:
        runpy.run_module('factcli', run_name='__main__', alter_sys=True)
    except SystemExit as exc:
        assert exc.code in (0, None), (args, exc.code)
print('LOADED', sorted({m.split('.')[0] for m in sys.modules}
                       & {'spacy', 'thinc', 'numpy', 'sqlite_utils', 'rich', 'markdown_it',
                          'pygments'} | set(sys.modules) & {'typer.rich_utils'}))
"""


def test_json_queries_load_no_spacy_sqlite_utils_or_rich(tmp_path: Path) -> None:
    db = build_db(tmp_path / "s.db")
    result = subprocess.run(
        [sys.executable, "-c", f"DB = {str(db)!r}\nQUERIES = {QUERIES!r}\n" + PROBE],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert result.returncode == 0, result.stderr
    assert '"speaker": "Pete Hegseth"' in result.stdout
    assert result.stdout.rstrip().splitlines()[-1] == "LOADED []"


HELP_MACHINERY = [
    "typer.rich_utils",
    "rich.markdown",
    "rich.syntax",
    "rich.traceback",
    "rich._emoji_codes",
    "markdown_it",
    "pygments",
]


def test_a_table_loads_rich_but_still_no_spacy_sqlite_utils_or_help_machinery(
    tmp_path: Path,
) -> None:
    """A table needs rich's cell widths and box characters only: not its console, its table,
    typer's help renderer, markdown, syntax colouring, tracebacks or the emoji table."""
    db = build_db(tmp_path / "s.db")
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['factcli', 'who-said', 'japan', '--db', {str(db)!r}]\n"
        "try:\n    runpy.run_module('factcli', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules}"
        " & {'spacy', 'sqlite_utils', 'rich'}))\n"
        "print('RICH', sorted(set(sys.modules) & {'rich.console', 'rich.table', 'rich.text'}))\n"
        f"print('HELP', sorted(set(sys.modules) & set({HELP_MACHINERY!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    lines = result.stdout.rstrip().splitlines()
    assert "Hegseth" in result.stdout
    assert lines[-3] == "LOADED ['rich']"
    assert lines[-2] == "RICH []"
    assert lines[-1] == "HELP []"


def test_the_help_app_prints_the_same_page_as_the_whole_app() -> None:
    """`factcli --help` lists commands from stand-ins without parameters: same page, byte for
    byte, as the app with every command built."""
    from typer.testing import CliRunner

    from factcli import cli

    runner = CliRunner()
    env = {"COLUMNS": "100"}
    whole = runner.invoke(cli.app, ["--help"], env=env, prog_name="factcli")
    listed = runner.invoke(cli._app_for(["--help"], {}), ["--help"], env=env, prog_name="factcli")
    assert whole.exit_code == listed.exit_code == 0
    assert "who-said" in whole.output and "--install-completion" in whole.output
    assert listed.output == whole.output
    assert cli._app_for(["-h"], {}) is not cli.app
    assert cli._app_for(["who-said", "--help"], {}).registered_commands[0].callback is cli.who_said
