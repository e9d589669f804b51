"""A messy folder through the real ingest: every bad file is one stderr line naming it and the
reason, the good files are still stored, and nothing of a bad file reaches the database."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import check_offsets
from typer.testing import CliRunner

from factcli import pipeline
from factcli.cli import app
from factcli.extract import extract
from factcli.reader import read_article

DATA = Path(__file__).resolve().parent.parent / "data"

CP1252_ARTICLE = (
    "Caf\u00e9 owners in Lyon said on Monday that prices would rise. "
    "\u201cWe cannot wait,\u201d said Am\u00e9lie Durand, who runs a bakery.\n"
)


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTCLI_DB", raising=False)
    monkeypatch.delenv("FACTCLI_MAX_SIZE", raising=False)
    monkeypatch.setenv("COLUMNS", "80")


def ingest(*args: str) -> Any:
    """In this process (--jobs 1), so that the monkeypatched reader is the one that reads."""
    return CliRunner().invoke(app, ["ingest", "--jobs", "1", *args])


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def stored_sources(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT source FROM articles")}


def error_lines(stderr: str) -> dict[str, str]:
    """{path: reason} of the "factcli: error: PATH: REASON" lines; each path once."""
    found: dict[str, str] = {}
    for line in stderr.splitlines():
        match = re.fullmatch(r"factcli: error: (.+?\.\w+): (.+)", line)
        if match:
            assert match.group(1) not in found, line
            found[match.group(1)] = match.group(2)
    return found


def messy_folder(root: Path) -> dict[str, Path]:
    """Good, odd and bad files side by side, as a scraper leaves them."""
    files = {
        "good": write(root / "good.txt", (DATA / "no_header_brief.txt").read_bytes()),
        "utf16": write(
            root / "wide" / "utf16.txt",
            (DATA / "reuters_style_trade.txt").read_text(encoding="utf-8").encode("utf-16"),
        ),
        "cp1252": write(root / "old" / "cp1252.txt", CP1252_ARTICLE.encode("cp1252")),
        "empty": write(root / "empty.txt", b""),
        "blank": write(root / "blank.txt", b"  \n\t\r\n \n"),
        "png": write(root / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
        "zeros": write(root / "zeros.txt", bytes(4096)),
        "nul": write(root / "nul.txt", b"The minister said\x00 on Monday that talks would go on."),
        "cp1251": write(
            root / "cyrillic.txt",
            "\u041c\u0438\u043d\u0438\u0441\u0442\u0440 \u0441\u043a\u0430\u0437\u0430\u043b "
            "\u0432 \u043f\u043e\u043d\u0435\u0434\u0435\u043b\u044c\u043d\u0438\u043a.".encode(
                "cp1251"
            ),
        ),
        "header": write(root / "header_only.txt", b'19.04.2025\n\n"A Headline and Nothing Else"\n'),
        "huge": write(root / "huge.txt", b"The council said the road would reopen. " * 1_250_000),
        "unreadable": write(root / "locked" / "unreadable.txt", b"The mayor said no.\n"),
        "picture": write(root / "photo.png", b"\x89PNG\r\n\x1a\n"),
    }
    if sys.platform != "win32":
        os.symlink(root, root / "wide" / "loop")
        os.symlink(root / "nowhere.txt", root / "dangling.txt")
    return files


@pytest.fixture
def unreadable(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make one file unreadable even for root, who ignores chmod."""
    import builtins

    real_open = builtins.open

    def lock(path: Path) -> None:
        def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(file, *args, **kwargs)

        os.chmod(path, 0)
        monkeypatch.setattr("factcli.reader.open", guarded, raising=False)

    return lock


def test_messy_folder(tmp_path: Path, nlp: object, unreadable: Any) -> None:
    files = messy_folder(tmp_path / "news")
    assert files["huge"].stat().st_size == 50_000_000
    unreadable(files["unreadable"])
    db = tmp_path / "f.db"
    result = ingest(str(tmp_path / "news"), "--db", str(db))

    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    errors = error_lines(result.stderr)
    reasons = {name: errors.get(str(path)) for name, path in files.items()}
    assert reasons["empty"] == "is empty"
    assert reasons["blank"] == "is empty (whitespace only)"
    assert reasons["png"] == "looks like a binary file (PNG image)"
    assert reasons["zeros"] == "looks like a binary file (contains NUL bytes)"
    assert reasons["nul"] == "looks like a binary file (contains NUL bytes)"
    assert reasons["cp1251"] is not None and reasons["cp1251"].startswith("is not UTF-8 text")
    assert reasons["header"] == "has a header but no article text"
    assert reasons["huge"] == (
        "is too large (50,000,000 bytes; the limit is 20,000,000 bytes, see --max-size)"
    )
    assert reasons["unreadable"] == "permission denied"
    assert reasons["good"] is reasons["utf16"] is reasons["cp1252"] is reasons["picture"] is None
    if sys.platform != "win32":
        assert errors[str(tmp_path / "news" / "dangling.txt")] == "broken symbolic link"
    assert len(errors) == 10

    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [f"factcli: warning: {files['cp1252']}: not UTF-8, decoded as cp1252"]
    summary = result.stderr.splitlines()[-1]
    assert summary.startswith("articles: 3 ingested, 0 skipped, 10 failed;")

    assert stored_sources(db) == {str(files[k]) for k in ("good", "utf16", "cp1252")}
    with sqlite3.connect(db) as conn:
        texts = dict(conn.execute("SELECT source, text FROM articles"))
    assert texts[str(files["cp1252"])] == CP1252_ARTICLE
    assert texts[str(files["utf16"])] == (DATA / "reuters_style_trade.txt").read_text("utf-8")


def test_bad_files_leave_the_database_unchanged(tmp_path: Path, nlp: object) -> None:
    db = tmp_path / "f.db"
    good = write(tmp_path / "good.txt", (DATA / "no_header_brief.txt").read_bytes())
    assert ingest(str(good), "--db", str(db)).exit_code == 0
    before = table_counts(db)
    bad = tmp_path / "bad"
    write(bad / "empty.txt", b"")
    write(bad / "binary.txt", b"\x7fELF\x02\x01\x01" + bytes(100))
    write(bad / "header.txt", b"2025-04-19\n\n\xe2\x80\x9cJust a Headline\xe2\x80\x9d\n")
    result = ingest(str(bad), "--db", str(db))
    assert result.exit_code == 1
    assert len(error_lines(result.stderr)) == 3
    assert table_counts(db) == before


def test_max_size_option_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = write(tmp_path / "big.txt", b"The minister said the talks went well. " * 100)
    result = ingest(str(big), "--db", str(tmp_path / "f.db"), "--max-size", "1KB")
    assert result.exit_code == 1
    assert error_lines(result.stderr) == {
        str(big): "is too large (3,900 bytes; the limit is 1,000 bytes, see --max-size)"
    }
    monkeypatch.setenv("FACTCLI_MAX_SIZE", "2000")
    result = ingest(str(big), "--db", str(tmp_path / "f.db"))
    assert "the limit is 2,000 bytes" in result.stderr


def test_oversized_stdin_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["ingest", "-", "--db", str(tmp_path / "f.db"), "--max-size", "100"], input="x" * 500
    )
    assert result.exit_code == 1
    assert "factcli: error: -: is too large (more; the limit is 100 bytes" in result.stderr


def test_path_vanishing_during_ingest(tmp_path: Path, nlp: object) -> None:
    news = tmp_path / "news"
    keep = write(news / "a.txt", (DATA / "no_header_brief.txt").read_bytes())
    gone = write(news / "b.txt", (DATA / "reuters_style_trade.txt").read_bytes())
    failures: list[tuple[str, str]] = []

    def remove_after_listing(total: int) -> None:
        assert total == 2
        gone.unlink()

    report = pipeline.ingest(
        [str(news)],
        tmp_path / "f.db",
        on_total=remove_after_listing,
        on_error=lambda source, reason: failures.append((source, reason)),
    )
    assert report.ingested == 1
    assert failures == [(str(gone), "no such file or directory (moved or deleted?)")]
    assert stored_sources(tmp_path / "f.db") == {str(keep)}


def test_paragraph_too_long_to_analyse_is_refused(tmp_path: Path) -> None:
    line = "Officials met on Monday and said nothing. " * 7000
    src = write(tmp_path / "wall.txt", f"A Wall of Text\n\n{line}\n".encode())
    result = ingest(str(src), "--db", str(tmp_path / "f.db"))
    assert result.exit_code == 1
    assert error_lines(result.stderr) == {
        str(src): "has a paragraph of 293,999 characters; the longest that can be analysed is"
        " 250,000"
    }


def test_an_article_spacy_cannot_parse_fails_alone(
    tmp_path: Path, nlp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parse failure (spaCy's length limit, here set low) costs only the article that has it,
    not the other articles parsed in the same batch."""
    monkeypatch.setattr(nlp, "max_length", 2000)
    monkeypatch.setattr(pipeline, "MAX_PARAGRAPH_CHARS", 10**6)
    short = write(tmp_path / "short.txt", b"The mayor said the bridge would reopen.\n")
    long = write(tmp_path / "long.txt", b"Talks went on. " * 200 + b"\n")
    db = tmp_path / "f.db"
    result = ingest(str(short), str(long), "--db", str(db))
    assert result.exit_code == 1
    reason = error_lines(result.stderr)[str(long)]
    assert reason.startswith("could not be analysed (ValueError: [E088]")
    assert stored_sources(db) == {str(short)}


def test_a_100000_character_sentence(tmp_path: Path, nlp: object) -> None:
    items = ", ".join(
        f"the {w} bridge in district {i}" for i, w in enumerate(["old", "new"] * 2000)
    )
    sentence = ("The mayor said that the council would repair " + items)[:99_989] + " next year."
    assert len(sentence) == 100_000
    text = f"Roads Plan\n\n{sentence}\n\n\u201cWe are ready,\u201d she said.\n"
    src = write(tmp_path / "long.txt", text.encode())
    db = tmp_path / "f.db"
    result = ingest(str(src), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT text FROM articles").fetchone()
        sentences = conn.execute('SELECT start, "end", text FROM sentences').fetchall()
        statements = conn.execute(
            "SELECT content_start, content_end, content, cue_start, cue_end, cue FROM statements"
        ).fetchall()
    assert stored == text
    assert any(end - start >= 99_000 for start, end, _ in sentences)
    for start, end, sentence_text in sentences:
        assert text[start:end] == sentence_text
    assert len(statements) >= 2
    for cs, ce, content, qs, qe, cue in statements:
        assert text[cs:ce] == content and text[qs:qe] == cue


def test_extremely_long_lines(tmp_path: Path, nlp: object) -> None:
    line = "Officials met on Monday. The minister said the talks were useful. " * 500
    text = f"Long Line\n\n{line}\n" + "x" * 40_000 + "\n"
    article = read_article(str(write(tmp_path / "line.txt", text.encode())))
    extraction = extract(article)
    assert len(extraction.sentences) > 900
    assert len(extraction.statements) >= 400
    for statement in extraction.statements:
        check_offsets(text, statement)


QUOTES = [
    "\u201cWe will not stop,\u201d she said. \u201cNot now.\n\nNot ever,\u201d she added.",
    '"Unbalanced, he said.\n\nThe council met on Monday and said it would decide later.',
    "The minister said: \u201cThey told me \u2018never\u2019 and \u201cnever\u201d again.\u201d",
    "\u201cMixed quotes,\" the mayor said, 'and more \u2019 here\u201d.",
    '\u201d\u201c\u201d He said \u201c\u201c\u201c it \u2019\u2018 was "" fine \u201d.',
    "\u00abNous partons\u00bb, a dit le ministre. \u201eJa\u201c, sagte sie.",
    '""""" said """"" """"" "',
    'He said \' \u2018 \u201c " (\u201cbracketed)\u201d ["nested \u2018deep \u201cdeeper',
]


@pytest.mark.parametrize("body", QUOTES)
def test_odd_quote_marks(tmp_path: Path, nlp: object, body: str) -> None:
    text = f"Quotes\n\n{body}\n"
    article = read_article(str(write(tmp_path / "q.txt", text.encode())))
    extraction = extract(article)
    for statement in extraction.statements:
        check_offsets(text, statement)
    for sentence in extraction.sentences:
        assert 0 <= sentence.start < sentence.end <= len(text)
        assert text[sentence.start : sentence.end].strip()
