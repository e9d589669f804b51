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
                       & {'spacy', 'thinc', 'numpy', 'sqlite_utils', 'rich'}))
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


def test_a_table_loads_rich_but_still_no_spacy_or_sqlite_utils(tmp_path: Path) -> None:
    db = build_db(tmp_path / "s.db")
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['factcli', 'who-said', 'japan', '--db', {str(db)!r}]\n"
        "try:\n    runpy.run_module('factcli', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules}"
        " & {'spacy', 'sqlite_utils', 'rich'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.rstrip().splitlines()[-1] == "LOADED ['rich']"
