"""`factcli serve` in a real browser: headless Chromium, driven by selenium, on `data/`.

Uses the system's Chromium and its driver (Debian's `chromium` and `chromium-driver`; CI installs
them); nothing is downloaded. Skipped, with the reason, where they are not installed. One
screenshot per run goes into the test's temporary folder, so a failure can be looked at.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("datasette", reason="factcli[web] is not installed")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="no Chromium: install Debian's chromium and chromium-driver (CI does)",
)

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1400",
)
"""Headless and quiet: without the background-networking flags Chromium keeps retrying
connections a closed network refuses, and stalls."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def server(data_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`factcli serve` on the archive, in its own process; yields the base URL."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "factcli", "serve", "--db", str(data_archive), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"factcli serve did not start: {log.name}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def _statement(db: Path, like: str) -> tuple[int, int, int, int | None, int | None, str]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT s.id, s.content_start, s.content_end, s.speaker_start, s.speaker_end, a.text "
            "FROM statements s JOIN articles a ON a.id = s.article_id WHERE s.content LIKE ?",
            [like],
        ).fetchone()
    assert row is not None, like
    return row


def test_search_indispensable_shows_hegseth(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    box = browser.find_element(By.CSS_SELECTOR, ".factcli-search input[type=search]")
    box.send_keys("indispensable")
    box.submit()
    rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert rows, browser.page_source[:500]
    speakers = {r.find_element(By.CSS_SELECTOR, "td.col-speaker").text for r in rows}
    assert speakers == {"Pete Hegseth"}
    facets = browser.find_element(By.CSS_SELECTOR, ".facet-results").text
    assert "speaker" in facets and "month" in facets


def test_statement_page_highlights_exactly_the_content(
    browser: Any, server: str, data_archive: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    sid, start, end, s_start, s_end, text = _statement(data_archive, "%indispensable partner in%")
    browser.get(f"{server}/factcli/-/statement/{sid}")
    article = browser.find_element(By.CSS_SELECTOR, ".factcli-article")
    shown = browser.execute_script("return arguments[0].textContent", article)
    assert shown == text
    marked = browser.execute_script(
        "return Array.from(arguments[0].querySelectorAll(arguments[1]))"
        ".map(e => e.textContent).join('')",
        article,
        "mark.factcli-content",
    )
    assert marked == text[start:end]
    if s_start is not None and s_end is not None:
        speaker = browser.execute_script(
            "return Array.from(arguments[0].querySelectorAll('mark.factcli-speaker'))"
            ".map(e => e.textContent).join('')",
            article,
        )
        assert speaker == text[s_start:s_end]
    browser.execute_script("document.getElementById('statement').scrollIntoView({block: 'center'})")
    assert browser.save_screenshot(str(tmp_path / "statement.png"))


def test_actor_page_lists_statements_and_draws_the_chart(
    browser: Any, server: str, data_archive: Path
) -> None:
    from selenium.webdriver.common.by import By

    with sqlite3.connect(data_archive) as conn:
        actor_id, count = conn.execute(
            "SELECT id, statement_count FROM actors WHERE name = 'Pete Hegseth'"
        ).fetchone()
    browser.get(f"{server}/factcli/-/actor/{actor_id}")
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "Pete Hegseth"
    rows = browser.find_elements(By.CSS_SELECTOR, "table.factcli-statements tbody tr")
    assert len(rows) == count
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.factcli-months rect.factcli-bar")
    assert bars
    drawn = [b for b in bars if b.size["height"] > 0 and b.size["width"] > 0]
    assert sum(int(b.get_attribute("data-count")) for b in drawn) == count
    assert browser.find_element(By.CSS_SELECTOR, "svg.factcli-months").is_displayed()


def test_no_url_writes_the_archive(server: str, data_archive: Path) -> None:
    before = _digest(data_archive)
    attempts = [
        ("GET", "/factcli.json?sql=" + quote("DELETE FROM statements")),
        ("GET", "/factcli.json?sql=" + quote("SELECT 1; DROP TABLE statements")),
        ("GET", "/factcli.json?sql=" + quote("PRAGMA query_only = 0")),
        ("POST", "/factcli/-/query?sql=" + quote("UPDATE actors SET name = 'x'")),
        ("POST", "/factcli/statements"),
        ("POST", "/factcli/statements/1/-/delete"),
        ("POST", "/factcli/-/create"),
    ]
    for method, path in attempts:
        request = urllib.request.Request(
            server + path, method=method, data=b"" if method == "POST" else None
        )
        try:
            status = urllib.request.urlopen(request, timeout=10).status
        except urllib.error.HTTPError as e:
            status = e.code
        assert status >= 400 or method == "GET" and status == 200 and "PRAGMA" in path, (
            path,
            status,
        )
    assert _digest(data_archive) == before
    with sqlite3.connect(data_archive) as conn:
        assert conn.execute("SELECT COUNT(*) FROM statements").fetchone()[0] > 0


@pytest.mark.parametrize(
    "text", ['"', "AND(", '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">']
)
def test_hostile_search_never_breaks_or_runs(browser: Any, server: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    url = f"{server}/factcli/who_said?_search={quote(text)}"
    try:
        status = urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as e:
        status = e.code
    assert status in (200, 400)
    browser.get(url)
    assert browser.execute_script("return window.pwned") is None
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Internal Server Error" not in body and "Error 500" not in browser.title
    if status == 400:
        assert "syntax error" in body or "Invalid" in body or "error" in body.lower()
    else:
        # the words are searched as plain words: "AND(" finds statements with "and" in them
        words = [w.lower() for w in re.findall(r"\w+", text)]
        for cell in browser.find_elements(By.CSS_SELECTOR, "td.col-statement"):
            assert any(re.search(rf"\b{w}", cell.text.lower()) for w in words), cell.text
