"""Fuzzing reader → extractor → store: arbitrary text never raises, and every stored offset
slices the stored article text back to what was stored with it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcli.extract import extract
from factcli.models import Extraction
from factcli.reader import InputError, read_article
from factcli.store import open_db, save_extraction

FRAGMENTS = [
    "said",
    "says",
    "told reporters",
    "according to",
    "added",
    "denied that",
    "that",
    "He",
    "She",
    "They",
    "it",
    "the minister",
    "Pete Hegseth",
    "Ms. Vale",
    "Dr. O'Neil-Smith",
    "the Pentagon",
    "Japan's",
    "U.S.",
    "Jos\u00e9 Mar\u00eda",
    "\u5317\u4eac",
    "\u0645\u0631\u062d\u0628\u0627",
    "\U0001f642",
    "e\u0301",
    "\u200b",
    "\ufeff",
    "\u00a0",
    "\u2028",
    "\u0085",
    "\t",
    "\r\n",
    "\n",
    "\n\n",
    ".",
    ",",
    ":",
    ";",
    "?",
    "!",
    "\u2014",
    "-",
    "(",
    ")",
    "(AP)",
    "TOKYO",
    '"',
    "'",
    "\u201c",
    "\u201d",
    "\u2018",
    "\u2019",
    "\u00ab",
    "\u00bb",
    "\u201e",
    "19.04.2025",
    "April 19, 2025",
    "2025",
    "would",
    "not",
    "the talks",
    "were",
    "productive",
    "a",
]

newsy_text = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=60).map(" ".join)
any_text = st.text(min_size=1, max_size=300)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite_utils.Database]:
    database = open_db(Path(tmp_path_factory.mktemp("fuzz")) / "f.db", create=True)
    yield database
    database.close()


def check(extraction: Extraction, db: sqlite_utils.Database) -> None:
    text = extraction.article.text
    n = len(text)
    assert 0 <= extraction.article.body_start <= n
    for sentence in extraction.sentences:
        assert 0 <= sentence.start < sentence.end <= n
    for statement in extraction.statements:
        spans = [statement.cue, statement.content]
        if statement.speaker is not None:
            spans.append(statement.speaker)
        for span in spans:
            assert 0 <= span.start < span.end <= n, (span, text)
            assert text[span.start : span.end].strip(), (span, text)
        assert statement.actor is None or statement.actor in {a.name for a in extraction.actors}

    article_id = save_extraction(db, extraction, replace=True)
    stored = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    assert stored == text
    for start, end, sentence in db.execute(
        'SELECT start, "end", text FROM sentences WHERE article_id = ?', [article_id]
    ):
        assert stored[start:end] == sentence
    rows = db.execute(
        "SELECT content_start, content_end, content, cue_start, cue_end, cue,"
        " speaker_start, speaker_end, speaker_mention FROM statements WHERE article_id = ?",
        [article_id],
    ).fetchall()
    assert len(rows) == len(extraction.statements)
    for cs, ce, content, qs, qe, cue, ss, se, mention in rows:
        assert stored[cs:ce] == content
        assert stored[qs:qe] == cue
        assert (mention is None and ss is None) or stored[ss:se] == mention
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def run(text: str, db: sqlite_utils.Database) -> None:
    try:
        article = read_article("-", stdin=io.BytesIO(text.encode("utf-8", "surrogatepass")))
    except InputError:
        return
    check(extract(article), db)


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(any_text)
def test_arbitrary_unicode_never_raises(nlp: object, db: sqlite_utils.Database, text: str) -> None:
    run(text, db)


@FUZZ
@given(newsy_text)
def test_news_like_fragments_never_raise(nlp: object, db: sqlite_utils.Database, text: str) -> None:
    run(text, db)


@FUZZ
@given(st.lists(newsy_text, min_size=1, max_size=6).map("\n\n".join), newsy_text)
def test_header_and_paragraphs_never_raise(
    nlp: object, db: sqlite_utils.Database, body: str, headline: str
) -> None:
    run(f"19.04.2025\n\n\u201c{headline}\u201d\n\nTOKYO (AP) \u2014 U\n\n{body}", db)
