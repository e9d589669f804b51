"""Input formats without NLP: HTML pages, JSON Lines, gzip, dates, format detection."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from factcli.formats import InputOptions, count_articles, detect, read_articles
from factcli.formats.dates import to_iso_date
from factcli.models import Article
from factcli.reader import InputError, collect_inputs

FIXTURES = Path(__file__).parent / "fixtures" / "archive"


def articles_of(path: Path | str, **options: object) -> list[Article | InputError]:
    return list(read_articles(str(path), InputOptions(**options)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2025-04-19", "2025-04-19"),
        ("2025-04-19T23:30:00-05:00", "2025-04-19"),
        ("Sat, 19 Apr 2025 10:00:00 GMT", "2025-04-19"),
        ("April 19, 2025", "2025-04-19"),
        ("19 April 2025", "2025-04-19"),
        ("19.04.2025", "2025-04-19"),
        (1745056800, "2025-04-19"),
        ("yesterday", None),
        ("2025", None),
        ("", None),
        (None, None),
        ("not a date at all", None),
    ],
)
def test_dates_to_iso(value: object, iso: str | None) -> None:
    assert to_iso_date(value) == iso


@pytest.mark.parametrize(
    ("name", "forced", "expected"),
    [
        ("a.txt", None, ("txt", False)),
        ("a.HTML", None, ("html", False)),
        ("a.htm.gz", None, ("html", True)),
        ("feed.jsonl.gz", None, ("jsonl", True)),
        ("-", None, ("txt", False)),
        ("-", "jsonl", ("jsonl", False)),
        ("dump.data", "html", ("html", False)),
    ],
)
def test_detect(name: str, forced: str | None, expected: tuple[str, bool]) -> None:
    assert detect(name, forced) == expected  # type: ignore[arg-type]


def test_html_page_main_text_and_metadata() -> None:
    (article,) = articles_of(FIXTURES / "page.html")
    assert isinstance(article, Article)
    assert article.title == "Water tariff frozen, minister says"
    assert article.published == "2025-03-05"
    assert article.author == "Ana Ribeiro"
    assert article.outlet == "Valley Herald"
    assert article.url == "https://valleyherald.example/news/water-tariff-frozen"
    body = article.text[article.body_start :]
    assert body.startswith("Minister Voss told reporters")
    assert "“We will not raise the water tariff this year,” Voss said" in body
    for boilerplate in ("Subscribe now", "Most read", "Cookie settings", "All rights reserved"):
        assert boilerplate not in article.text


def test_html_without_main_text_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "nav.html"
    page.write_text(
        "<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>"
    )
    with pytest.raises(InputError, match="no article text"):
        articles_of(page)


def test_jsonl_records_and_bad_lines() -> None:
    items = articles_of(FIXTURES / "feed.jsonl")
    assert [type(i).__name__ for i in items] == ["Article", "Article", "InputError", "InputError"]
    first = items[0]
    assert isinstance(first, Article)
    assert first.source.endswith("feed.jsonl:1#vh-101")
    assert first.title == "Drought relief plan unveiled"
    assert first.published == "2025-03-04"
    assert first.outlet == "Daily Ledger"
    assert first.url == "https://dailyledger.example/drought-relief"
    assert first.text.startswith("Drought relief plan unveiled\n\nClara Voss")
    assert first.text[first.body_start :].startswith("Clara Voss, the interior minister")
    bad, empty = items[2], items[3]
    assert isinstance(bad, InputError) and "not valid JSON" in bad.reason
    assert bad.source.endswith("feed.jsonl:3")
    assert isinstance(empty, InputError) and "no text in field 'text'" in empty.reason


def test_jsonl_field_names_are_options(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    record = {
        "body": "The mayor said the bridge would reopen.",
        "headline": "Bridge",
        "ts": "3/14/2025",
    }
    dump.write_text(json.dumps(record) + "\n\n")
    (article,) = articles_of(
        dump, text_field="body", title_field="headline", date_field="ts", outlet="Wire"
    )
    assert isinstance(article, Article)
    assert article.title == "Bridge" and article.published == "2025-03-14"
    assert article.outlet == "Wire"
    assert article.text[article.body_start :] == record["body"]


def test_gzip_inputs(tmp_path: Path) -> None:
    txt = tmp_path / "brief.txt.gz"
    txt.write_bytes(gzip.compress((FIXTURES / "wire.txt").read_bytes()))
    feed = tmp_path / "feed.jsonl.gz"
    feed.write_bytes(gzip.compress((FIXTURES / "feed.jsonl").read_bytes()))
    (brief,) = articles_of(txt)
    assert isinstance(brief, Article) and brief.text == (FIXTURES / "wire.txt").read_text()
    assert brief.title == "Minister rules out water tariff rise"
    assert len([a for a in articles_of(feed) if isinstance(a, Article)]) == 2
    assert count_articles(str(feed)) == 4
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="gzip"):
        articles_of(broken)


def test_stdin_with_forced_format() -> None:
    data = (FIXTURES / "feed.jsonl").read_bytes()
    items = list(read_articles("-", InputOptions(input_format="jsonl"), stdin=io.BytesIO(data)))
    assert sum(isinstance(i, Article) for i in items) == 2
    assert items[0].source.startswith("<stdin>:1")


def test_directories_pick_up_every_format() -> None:
    inputs, problems = collect_inputs([str(FIXTURES)])
    assert [Path(p).name for p in inputs] == ["feed.jsonl", "page.html", "wire.txt"]
    assert problems == []


_BODY = (
    "<article><p>The culture minister said on Sunday that Berlin would fund research into the "
    "city's colonial past and rename three streets.</p><p>“We owe this to the descendants,” "
    "Minister Anna Weber said at the opening of the new centre.</p></article>"
)


def _page(head: str, body: str = _BODY) -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def _html_article(head: str, body: str = _BODY) -> Article:
    from factcli.formats.html import article_from_html

    return article_from_html(_page(head, body), "page.html")


@pytest.mark.parametrize(
    ("title", "sites", "headline"),
    [
        (
            "Berlin confronts Germany's colonial past with new initiative | DW | 19.01.2020",
            [],
            "Berlin confronts Germany's colonial past with new initiative",
        ),
        ("Water deal struck - The Valley Herald", ["The Valley Herald"], "Water deal struck"),
        (
            "Deutsche Welle :: Rail strike ends after four days",
            ["Deutsche Welle"],
            "Rail strike ends after four days",
        ),
        ("Rail strike ends | DW", ["Deutsche Welle"], "Rail strike ends"),
        (
            "Mid-term polls - what to expect in November",
            [],
            "Mid-term polls - what to expect in November",
        ),
        (
            "Opinion | Why the ferry matters to three islands",
            [],
            "Opinion | Why the ferry matters to three islands",
        ),
        (
            "Bridge reopens 2025-04-03 - valleyherald.example",
            ["valleyherald.example"],
            "Bridge reopens 2025-04-03",
        ),
    ],
)
def test_clean_title_keeps_the_headline(title: str, sites: list[str], headline: str) -> None:
    from factcli.formats.html_meta import clean_title

    assert clean_title(title, sites) == headline


def test_html_title_loses_site_and_date_and_date_comes_from_the_title() -> None:
    headline = "Berlin confronts Germany's colonial past with new initiative"
    article = _html_article(f"<title>{headline} | DW | 19.01.2020</title>")
    assert article.title == "Berlin confronts Germany's colonial past with new initiative"
    assert article.text.startswith(article.title + "\n\n")
    assert (article.published, article.published_from) == ("2020-01-19", "title")


def test_html_published_date_wins_over_modified_and_title() -> None:
    article = _html_article(
        "<title>Rail strike ends | Example News | 21.01.2020</title>"
        '<meta property="og:site_name" content="Example News">'
        '<meta property="article:modified_time" content="2020-01-22T08:00:00Z">'
        '<meta property="article:published_time" content="2020-01-19T23:30:00-05:00">'
    )
    assert article.title == "Rail strike ends"
    assert (article.published, article.published_from) == (
        "2020-01-19",
        "meta article:published_time",
    )


def test_html_json_ld_and_time_element_dates() -> None:
    ld = (
        '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
        '"dateModified": "2021-06-02", "datePublished": "2021-05-30T10:00:00Z"}]}</script>'
    )
    article = _html_article("<title>Ferry timetable changes</title>" + ld)
    assert (article.published, article.published_from) == ("2021-05-30", "json-ld datePublished")
    timed = _html_article(
        "<title>Ferry timetable changes</title>",
        _BODY.replace(
            "<article>",
            '<article><time itemprop="datePublished" datetime="2021-05-29">29 May</time>',
        ),
    )
    assert (timed.published, timed.published_from) == ("2021-05-29", "time datePublished")


def test_html_published_from_is_stored(tmp_path: Path) -> None:
    import sqlite3

    from factcli.models import Extraction
    from factcli.store import open_db
    from factcli.store.writer import save_extraction

    article = _html_article("<title>Rail strike ends | DW | 19.01.2020</title>")
    db = open_db(tmp_path / "f.db", create=True)
    save_extraction(
        db, Extraction(article=article, sentences=(), statements=(), actors=(), topics=())
    )
    db.close()
    row = (
        sqlite3.connect(tmp_path / "f.db")
        .execute("SELECT title, published, published_from FROM articles")
        .fetchone()
    )
    assert row == ("Rail strike ends", "2020-01-19", "title")
