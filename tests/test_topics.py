"""Topics: key phrases normalised to one form, their specificity and salience, and the ranking
of an archive by the articles that are about each topic."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from factcli.cli import app
from factcli.models import Article, Extraction, Sentence, Topic
from factcli.queries import topics as topic_queries
from factcli.store import open_db, open_query_db, save_extraction
from factcli.topics import (
    article_topics,
    doc_mentions,
    name_variants,
    specificity,
)


def phrases(nlp: Language, text: str) -> list[str]:
    return [m.name for m in doc_mentions(nlp(text)) if m.kind == "phrase"]


def names(nlp: Language, text: str) -> list[str]:
    return [m.name for m in doc_mentions(nlp(text))]


# --- normalisation ----------------------------------------------------------------------------


def test_plural_and_singular_are_one_phrase(nlp: Language) -> None:
    one = phrases(nlp, "The central bank raised the interest rate again.")
    many = phrases(nlp, "Analysts expect higher interest rates next year.")
    assert "interest rate" in one and "interest rate" in many


def test_determiners_and_vague_modifiers_are_dropped(nlp: Language) -> None:
    found = phrases(nlp, "The army opened a new war-fighting headquarters near the coast.")
    assert "war-fighting headquarters" in found
    assert not any(p.startswith(("a ", "the ", "new ")) for p in found)


def test_possessives_are_dropped_and_the_owner_is_a_topic(nlp: Language) -> None:
    found = names(nlp, "Norway's fishing quotas were cut by the ministry.")
    assert "fishing quota" in found
    assert "Norway" in found
    assert not any("'s" in n for n in found)


def test_case_is_folded_except_for_names(nlp: Language) -> None:
    found = names(nlp, "Tuition fees rose in Scotland. Students protested against tuition fees.")
    assert found.count("tuition fee") == 2
    assert "Scotland" in found


def test_groups_fold_their_plural(nlp: Language) -> None:
    found = names(nlp, "Republicans and Democrats met. One Republican left.")
    assert "Republican" in found and "Democrat" in found
    assert "Republicans" not in found


def test_generic_words_and_dates_are_no_topics(nlp: Language) -> None:
    found = phrases(nlp, "The decision was made last year, and the money was spent on work.")
    assert "money" not in found and "work" not in found and "year" not in " ".join(found)
    assert all(specificity(p, "phrase") < 0.3 for p in found)  # "decision": a weak topic


def test_a_wrong_lemma_keeps_the_word(nlp: Language) -> None:
    """spaCy reads "data" as the plural of "datum" and "politics" as that of "politic"."""
    found = phrases(nlp, "The survey data showed that identity politics divides voters.")
    assert "survey data" in found and "identity politics" in found


def test_specificity_orders_words_by_how_common_they_are() -> None:
    assert specificity("tariff", "phrase") > specificity("economy", "phrase")
    assert specificity("economy", "phrase") > specificity("decision", "phrase")
    assert specificity("decision", "phrase") < 0.3
    assert specificity("interest rate", "phrase") > 0.8
    assert specificity("Japan", "place") == 1.0


@pytest.mark.parametrize(
    "query, stored",
    [
        ("interest rates", "interest rate"),
        ("rates of interest", "interest rate"),
        ("the tariffs", "tariff"),
        ("crises", "crisis"),
        ("policy", "policies"),
        ("Japan", "Japan"),
    ],
)
def test_name_variants(query: str, stored: str) -> None:
    assert stored in name_variants(query)


# --- salience ---------------------------------------------------------------------------------


def test_salient_when_mentioned_twice_or_in_the_headline(nlp: Language) -> None:
    headline = nlp("Fishing quotas cut")
    body = [
        nlp("The ministry cut fishing quotas and raised the fuel duty."),
        nlp("Fishermen said the quota cut would ruin them; a rise in the fuel duty hurts too."),
        nlp("The harbour master was not available."),
    ]
    found = {t.name: (t.salient, n) for t, n in article_topics([headline, *body], [], headline)}
    assert found["fishing quota"] == (True, 2)
    assert found["fuel duty"][0] is True
    assert "harbour master" not in found  # once, not said: no topic of this article


def test_a_phrase_said_once_is_kept_but_not_salient(nlp: Language) -> None:
    docs = [nlp("The harbour master was not available.")]
    found = {t.name: t for t, _ in article_topics(docs, [["harbour master"]])}
    assert found["harbour master"].salient is False


# --- ranking ----------------------------------------------------------------------------------


def _article(n: int, topics: list[tuple[Topic, int]], published: str) -> Extraction:
    text = f"Article number {n}."
    article = Article(text=text, source=f"a{n}.txt", published=published)
    return Extraction(article, (Sentence(0, 0, 0, len(text)),), (), (), tuple(topics))


def _ranked_db(path: Path) -> Path:
    """ "budget deficit" is salient in one article, "money" (specificity 0.05) in three, "Oslo"
    is mentioned in four articles but salient in none."""
    deficit = Topic("budget deficit", "phrase", 0.95, True)
    money = Topic("money", "phrase", 0.05, True)
    oslo = Topic("Oslo", "place", 1.0, False)
    db = open_db(path, create=True)
    save_extraction(db, _article(1, [(deficit, 3), (money, 2), (oslo, 1)], "2020-01-05"))
    save_extraction(db, _article(2, [(money, 2), (oslo, 1)], "2020-02-05"))
    save_extraction(db, _article(3, [(money, 2), (oslo, 1)], "2020-03-05"))
    save_extraction(db, _article(4, [(oslo, 1)], "2020-03-06"))
    db.close()
    return path


def test_ranked_by_salient_articles_weighted_by_specificity(tmp_path: Path) -> None:
    conn = open_query_db(_ranked_db(tmp_path / "r.db"))
    rows = topic_queries.topics(conn)
    assert [r["name"] for r in rows] == ["budget deficit", "money", "Oslo"]
    assert [(r["salient"], r["articles"]) for r in rows] == [(1, 1), (3, 3), (0, 4)]
    assert rows[1]["score"] == 0.15
    assert [r["name"] for r in topic_queries.topics(conn, kind="place")] == ["Oslo"]
    since = topic_queries.topics(conn, since="2020-02-01", until="2020-03-05")
    assert [(r["name"], r["salient"], r["articles"]) for r in since] == [
        ("money", 2, 2),
        ("Oslo", 0, 2),
    ]
    conn.close()


def test_counts_follow_a_replaced_article(tmp_path: Path) -> None:
    path = _ranked_db(tmp_path / "r.db")
    db = open_db(path, create=False)
    replaced = _article(1, [(Topic("Oslo", "place", 1.0, True), 2)], "2020-01-05")
    save_extraction(db, replaced, replace=True)
    db.close()
    conn = open_query_db(path)
    rows = {r["name"]: r for r in topic_queries.topics(conn, 0)}
    conn.close()
    assert "budget deficit" not in rows
    assert (rows["Oslo"]["salient"], rows["Oslo"]["articles"]) == (1, 4)
    assert (rows["money"]["salient"], rows["money"]["score"]) == (2, 0.1)


# --- commands ---------------------------------------------------------------------------------


@pytest.fixture
def run() -> Callable[..., Any]:
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_topics_command_kind_and_dates(tmp_path: Path, run: Callable[..., Any]) -> None:
    db = str(_ranked_db(tmp_path / "r.db"))
    out = run("topics", "--db", db, "--kind", "phrase", "--json").stdout
    assert [r["name"] for r in json.loads(out)] == ["budget deficit", "money"]
    out = run("topics", "--db", db, "--since", "2020-03-01", "--json").stdout
    assert [r["name"] for r in json.loads(out)] == ["money", "Oslo"]
    bad = run("topics", "--db", db, "--until", "someday")
    assert bad.exit_code != 0 and "someday" in bad.output


def test_topic_command_finds_a_phrase_by_its_plural(
    nlp: Language, tmp_path: Path, run: Callable[..., Any]
) -> None:
    source = tmp_path / "a.txt"
    source.write_text(
        "Interest rates will rise again, the governor of the central bank said on Monday.\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "t.db")
    assert run("ingest", str(source), "--db", db).exit_code == 0
    for name in ("interest rates", "Interest rate", "rates of interest"):
        rows = json.loads(run("topic", name, "--db", db, "--json").stdout)
        assert rows and "interest rate" in rows[0]["topics"], name
