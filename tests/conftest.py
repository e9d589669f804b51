"""Shared fixtures: spaCy is loaded once per test session, and only by tests that ask for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from factcli.models import Article, Extraction, Statement

if TYPE_CHECKING:
    from spacy.language import Language

Extracted = tuple[str, Extraction]
ExtractText = Callable[[str], Extracted]


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The one model of the session; `factcli.nlp.load` caches it, so `extract` reuses it."""
    from factcli import nlp as factcli_nlp

    return factcli_nlp.load()


def run_extract(text: str) -> Extracted:
    """Extract a hand-written text as an article without a header with the rules alone (the
    trained model judges their candidates; tests/test_learn.py covers it); returns (text,
    extraction)."""
    from factcli.extract import extract

    return text, extract(Article(text=text, source="t"), extractor="rules")


@pytest.fixture(scope="session")
def extract_text(nlp: Language) -> ExtractText:
    """`extract_text("Smith said ...")` → (text, extraction), with the session's model."""
    return run_extract


def check_offsets(text: str, statement: Statement) -> None:
    """Every span of a statement lies inside the text, in order, and is not empty."""
    spans = [statement.cue, statement.content]
    if statement.speaker is not None:
        spans.append(statement.speaker)
    for span in spans:
        assert 0 <= span.start < span.end <= len(text), (span, text)
        assert span.text(text) == text[span.start : span.end]
        assert span.text(text).strip(), (span, text)


@pytest.fixture(scope="session")
def data_archive(nlp: Language, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of the articles in `data/`, ingested once per session (read-only users)."""
    from typer.testing import CliRunner

    from factcli.cli import app

    path = tmp_path_factory.mktemp("archive") / "factcli.db"
    data = Path(__file__).resolve().parent.parent / "data"
    result = CliRunner().invoke(app, ["ingest", str(data), "--db", str(path), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return path
