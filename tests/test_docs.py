"""The examples in README.md and docs/ are what the commands print (docs/build.py --check)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "docs" / "build.py"


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_build", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_build_rewrites_and_checks_marked_blocks(tmp_path: Path) -> None:
    build = _build_module()
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n<!-- check-setup\nprintf 'one\\ntwo\\n' > words.txt\n-->\n\n"
        "```text check\n$ sort -r words.txt\nstale\n"
        '$ echo "$FACTCLI_DB" | grep -c other.db\n```\n\n'
        '```text check db=other\n$ basename "$FACTCLI_DB"\n```\n\n'
        "```text\n$ echo not checked\nleft alone\n```\n\n"
        "```python check\nprint(6 * 7)\n```\n\n```text\n0\n```\n",
        encoding="utf-8",
    )
    assert build.main([str(page), "--check"]) == 1
    assert "stale" in page.read_text(encoding="utf-8")
    assert build.main([str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "$ sort -r words.txt\ntwo\none\n$ echo" in text
    assert "| grep -c other.db\n0\n```" in text
    assert '$ basename "$FACTCLI_DB"\nother.db\n```' in text
    assert "$ echo not checked\nleft alone\n" in text
    assert "print(6 * 7)\n```\n\n```text\n42\n```" in text
    assert str(tmp_path) not in text
    assert build.main([str(page), "--check"]) == 0


def test_docs_examples_match_what_the_commands_print() -> None:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed; some examples pipe into it")
    done = subprocess.run(
        [sys.executable, str(BUILD), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
