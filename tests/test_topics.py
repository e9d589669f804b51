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
from factcli.store import open_db, open_query_db, save_extraction, save_extractions
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
    assert specificity("Japan", "place") == 0.5
    assert specificity("Olympic Games", "event") == 1.0


def test_a_lowercase_entity_is_read_as_words(nlp: Language) -> None:
    from spacy.tokens import Span

    doc = nlp("The gamer bought a console in Leeds.")
    doc.ents = [Span(doc, 1, 2, label="ORG"), Span(doc, 6, 7, label="GPE")]
    found = {m.name: m.kind for m in doc_mentions(doc)}
    assert found["Leeds"] == "place"
    assert found["gamer"] == "phrase"


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


def test_a_longer_phrase_counts_for_the_phrase_it_ends_with(nlp: Language) -> None:
    docs = [
        nlp("Councils want a local income tax."),
        nlp("Ministers said income tax would not rise."),
        nlp("The tax office was closed."),
    ]
    found = {t.name: t.salient for t, _ in article_topics(docs, [])}
    assert found["income tax"] is True  # "local income tax" is an income tax
    assert "local income tax" not in found  # named once, "tax" alone is not its mention


def test_lower_case_only_where_the_text_writes_it_so(nlp: Language) -> None:
    """Lower-cased at the start of a sentence, a word is no evidence of common use: the topic
    keeps the capital the article gives it elsewhere."""
    doc = nlp("Labour will win the seat. Voters like Labour.")
    doc.ents = []  # as if the recogniser had missed the party
    names = {t.name for t, _ in article_topics([doc], [])}
    assert "Labour" in names and "labour" not in names
    rates = nlp("Interest rates rose. The interest rates were high.")
    assert "interest rate" in {t.name for t, _ in article_topics([rates], [])}


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


def test_a_place_weighs_half_a_subject(tmp_path: Path) -> None:
    """Salient in three articles, "budget deficit" (0.95) outranks "Oslo", salient in four
    (a place weighs 0.5): the ranking prefers what articles are about to where they happen."""
    deficit = Topic("budget deficit", "phrase", specificity("budget deficit", "phrase"), True)
    oslo = Topic("Oslo", "place", specificity("Oslo", "place"), True)
    db = open_db(tmp_path / "w.db", create=True)
    for n in range(4):
        save_extraction(db, _article(n, [(oslo, 2)] + [(deficit, 2)] * (n < 3), "2020-01-05"))
    db.close()
    conn = open_query_db(tmp_path / "w.db")
    rows = topic_queries.topics(conn)
    conn.close()
    assert [(r["name"], r["salient"]) for r in rows] == [("budget deficit", 3), ("Oslo", 4)]
    assert rows[1]["score"] == 2.0


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("order", [1, -1])
def test_words_in_lower_case_outrank_a_name_whatever_the_order(
    tmp_path: Path, order: int, chunked: bool
) -> None:
    """One capitalised "General Election" read as an organisation does not make the phrase an
    article is about a name; a name outranks the same words capitalised as a phrase ("White
    House") or in lower case in passing ("a labour of love"). The same when the articles are
    stored in one chunk, whose writer keeps the topics it has read."""
    sightings = [
        [(Topic("General Election", "organisation", 0.5, True), 2)],
        [(Topic("general election", "phrase", 0.94, True), 2)],
        [(Topic("White House", "phrase", 0.7, True), 2)],
        [(Topic("White House", "organisation", 0.5, True), 2)],
        [(Topic("labour", "phrase", 0.14, False), 1)],
        [(Topic("Labour", "organisation", 0.5, True), 3)],
    ]
    db = open_db(tmp_path / "k.db", create=True)
    articles = [_article(n, topics, "2020-01-05") for n, topics in enumerate(sightings)][::order]
    if chunked:
        assert all(isinstance(r, int) for r in save_extractions(db, articles))
    for article in articles if not chunked else []:
        save_extraction(db, article)
    db.close()
    conn = open_query_db(tmp_path / "k.db")
    rows = {r["name"]: (r["kind"], r["salient"], r["score"]) for r in topic_queries.topics(conn)}
    conn.close()
    assert rows == {
        "general election": ("phrase", 2, 1.88),
        "White House": ("organisation", 2, 1.0),
        "Labour": ("organisation", 1, 0.5),
    }


def test_a_topic_of_an_article_rolled_back_is_not_taken_for_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article that fails after its topics went in is rolled back with them; the next
    article of the chunk naming the same topic stores it anew."""
    import sqlite3

    from factcli.store import quotes

    calls = iter(range(10))
    signatures = quotes.signatures

    def failing_second(contents: list[str]) -> list[list[int]]:
        if next(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return signatures(contents)

    monkeypatch.setattr(quotes, "signatures", failing_second)
    bergen = Topic("Bergen", "place", 0.5, True)
    db = open_db(tmp_path / "r.db", create=True)
    found = save_extractions(
        db,
        [
            _article(0, [(Topic("Oslo", "place", 0.5, True), 2)], "2020-01-05"),
            _article(1, [(bergen, 2)], "2020-01-05"),
            _article(2, [(bergen, 2)], "2020-01-05"),
        ],
    )
    assert [type(r) for r in found] == [int, sqlite3.OperationalError, int]
    rows = db.execute("SELECT name, article_count FROM topics ORDER BY name").fetchall()
    linked = db.execute("SELECT article_id, topic_id FROM article_topics").fetchall()
    db.close()
    assert rows == [("Bergen", 1), ("Oslo", 1)]
    assert len(linked) == 2


def test_date_ranges_sum_months_and_edge_days(tmp_path: Path) -> None:
    """Ranked over dates from the per-month and per-day counts, kept exact as articles are
    stored, re-dated and deleted: the same figures as counting the articles in range."""
    tax = Topic("tax", "phrase", 0.5, True)
    oslo = Topic("Oslo", "place", 0.5, False)
    dates = ["2020-01-31", "2020-02-01", "2020-02-15", "2020-03-01", "2020-03-02", "2020-04-30"]
    db = open_db(tmp_path / "d.db", create=True)
    for n, day in enumerate(dates):
        save_extraction(db, _article(n, [(tax, 2), (oslo, 1)][: 1 + n % 2], day))
    db.execute("UPDATE articles SET published = '2020-03-03' WHERE source = 'a5.txt'")
    db.execute("DELETE FROM articles WHERE source = 'a0.txt'")
    db.conn.commit()
    db.close()
    conn = open_query_db(tmp_path / "d.db")

    def ranked(since: str | None, until: str | None) -> dict[str, tuple[int, int]]:
        rows = topic_queries.topics(conn, 0, since=since, until=until)
        return {r["name"]: (r["salient"], r["articles"]) for r in rows}

    # stored now: tax on 02-01, 02-15, 03-01, 03-02, 03-03; Oslo on 02-01, 03-01, 03-03
    assert ranked("2020-01-01", "2020-12-31") == {"tax": (5, 5), "Oslo": (0, 3)}
    assert ranked("2020-02-01", "2020-03-01") == {"tax": (3, 3), "Oslo": (0, 2)}
    assert ranked("2020-02-02", "2020-03-02") == {"tax": (3, 3), "Oslo": (0, 1)}
    assert ranked("2020-03-02", None) == {"tax": (2, 2), "Oslo": (0, 1)}
    assert ranked(None, "2020-01-31") == {}
    assert ranked("2020-02-15", "2020-02-15") == {"tax": (1, 1)}
    assert ranked("2020-03-03", "2020-04-30") == {"tax": (1, 1), "Oslo": (0, 1)}
    assert ranked("2020-04-01", None) == {}
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


def test_noun_chunks_are_spacys_own(nlp: Language) -> None:
    """`_noun_chunks` reads the doc's arrays instead of spaCy's token by token iterator: the
    same chunks, coordinations and pronouns included."""
    from factcli.topics import _noun_chunks

    text = (
        "The mayor, a former teacher, and her deputy met farmers, bakers and the fishermen "
        "of the northern harbour. They said it would cost the town and its schools dearly. "
        "Nobody was there; what the council decided remains a mystery to everyone."
    )
    doc = nlp(text)
    ours = [(c.start, c.end, c.label_, c.root.i) for c in _noun_chunks(doc)]
    assert ours == [(c.start, c.end, c.label_, c.root.i) for c in doc.noun_chunks]
    assert len(ours) >= 10
    assert any(doc[c[3]].dep_ == "conj" for c in ours)


def test_word_frequencies_are_wordfreqs() -> None:
    """The look-up gives wordfreq's own `zipf_frequency`: over its English list, over plain
    words it does not know, and over words its tokenizer splits or changes."""
    import random
    import string

    from wordfreq import top_n_list, zipf_frequency

    from factcli.topics import _zipf

    rng = random.Random(3)
    plain = [w for w in top_n_list("en", 20_000) if w.isascii() and w.isalpha() and w.islower()]
    made_up = ["".join(rng.choice(string.ascii_lowercase) for _ in range(8)) for _ in range(200)]
    other = ["o'brien", "café", "Tariff", "covid-19", "2020", "1,000", "e-mail", "U.S.", "", " "]
    other += ["don't", "new york", "naïve", "straße", "x-ray", "3d", "ﬁnance", "日本"]
    words = plain + made_up + other
    assert len(plain) > 15_000
    assert [_zipf.__wrapped__(w) for w in words] == [zipf_frequency(w, "en") for w in words]
