from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcli.header import TITLE_MAX_CHARS, parse_date, parse_header

DATA = Path(__file__).resolve().parents[1] / "data"

SAMPLE_HEADER = (
    "19.04.2025\n\n"
    '"U.S. Upgrades Military Command in Japan Amid China Tensions"\n\n'
    "TOKYO (AP) \u2014 U\n\n"
)
SAMPLE_BODY = (
    "TOKYO (AP) \u2013 U.S. Defense Secretary Pete Hegseth labeled Japan as an "
    "\u201cindispensable partner\u201d on Sunday.\n\nHe said more.\n"
)


def test_sample_header_exactly() -> None:
    text = SAMPLE_HEADER + SAMPLE_BODY
    h = parse_header(text)
    assert h.title == "U.S. Upgrades Military Command in Japan Amid China Tensions"
    assert h.published == "2025-04-19"
    assert h.body_start == len(SAMPLE_HEADER)
    assert text[h.body_start :] == SAMPLE_BODY
    assert h.title_span is not None and h.title_span.text(text) == h.title
    assert h.date_span is not None and h.date_span.text(text) == "19.04.2025"
    assert h.fragment_span is not None
    assert h.fragment_span.text(text) == "TOKYO (AP) \u2014 U"


def test_sample_article_file() -> None:
    text = (DATA / "000_87d165e13d463a75.txt").read_text(encoding="utf-8")
    h = parse_header(text)
    assert h.published == "2025-04-19"
    assert h.title == "U.S. Upgrades Military Command in Japan Amid China Tensions"
    assert text[h.body_start :].startswith("TOKYO (AP) \u2013 U.S. Defense Secretary")


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("19.04.2025", "2025-04-19"),
        ("2025-04-19", "2025-04-19"),
        ("April 19, 2025", "2025-04-19"),
        ("19 April 2025", "2025-04-19"),
        ("Apr. 19, 2025", "2025-04-19"),
        ("Sept. 3, 2025", "2025-09-03"),
        ("Tuesday, April 1, 2025", "2025-04-01"),
        ("Published: 3 March 2025, 10:15 a.m. EDT", "2025-03-03"),
        ("2025-04-19T10:00:00Z", "2025-04-19"),
        ("04/19/2025", "2025-04-19"),
        ("19/04/2025", "2025-04-19"),
        ("04/04/2025", "2025-04-04"),
    ],
)
def test_date_formats(line: str, iso: str) -> None:
    assert parse_date(line) == iso
    h = parse_header(f"{line}\n\nThe ministry said on Tuesday that talks would resume.\n")
    assert h.published == iso
    assert h.date_span is not None


@pytest.mark.parametrize("line", ["04/05/2025", "31.02.2025", "2025-13-01"])
def test_ambiguous_or_impossible_date_is_header_but_unknown(line: str) -> None:
    """US or European? 04/05 cannot be told apart, and 31 February does not exist."""
    text = f"{line}\n\nThe ministry said on Tuesday that talks would resume.\n"
    h = parse_header(text)
    assert h.published is None
    assert text[h.body_start :].startswith("The ministry said")


def test_iso_date_and_plain_headline() -> None:
    text = (
        "2025-03-11\n\nChile and South Korea agree to cut copper tariffs\n\n"
        "SANTIAGO, March 11 \u2013 Chile and South Korea agreed on Tuesday to cut tariffs.\n"
    )
    h = parse_header(text)
    assert h.published == "2025-03-11"
    assert h.title == "Chile and South Korea agree to cut copper tariffs"
    assert text[h.body_start :].startswith("SANTIAGO, March 11")


def test_curly_quoted_headline_and_month_name_date() -> None:
    text = (
        "April 19, 2025\n\n\u201cA River Town Bets on the Ferry\u201d\n\n"
        "PORT ALDER, Ore. \u2013 Every morning the mayor counts the cars.\n"
    )
    h = parse_header(text)
    assert (h.title, h.published) == ("A River Town Bets on the Ferry", "2025-04-19")
    assert text[h.body_start :].startswith("PORT ALDER")


def test_headline_before_date() -> None:
    text = '"Ferry Town Votes Yes"\n\n3 April 2025\n\nThe council voted on Thursday.\n'
    h = parse_header(text)
    assert (h.title, h.published) == ("Ferry Town Votes Yes", "2025-04-03")
    assert text[h.body_start :] == "The council voted on Thursday.\n"


def test_no_header_short_first_line_without_blank_is_title_and_body() -> None:
    text = "Water authority issues warning\nThe authority warned on Monday.\n"
    h = parse_header(text)
    assert h.title == "Water authority issues warning"
    assert h.published is None
    assert h.body_start == 0


def test_no_header_plain_headline_followed_by_blank_line() -> None:
    text = "Water authority issues warning\n\nThe authority warned on Monday.\n"
    h = parse_header(text)
    assert h.title == "Water authority issues warning"
    assert text[h.body_start :] == "The authority warned on Monday.\n"


def test_long_first_paragraph_stays_in_body() -> None:
    para = (
        "The regional water authority warned on Monday that reservoirs serving the eastern "
        "valley could fall below a third of capacity by August unless households cut their "
        "use by at least 15 percent. The director argued that voluntary measures had failed."
    )
    text = para + "\n\nSecond paragraph.\n"
    h = parse_header(text)
    assert h.body_start == 0
    assert h.published is None
    assert h.title is not None and h.title.endswith("\u2026")
    assert len(h.title) <= TITLE_MAX_CHARS + 1
    assert para.startswith(h.title[:-1])
    assert h.title_span is not None and h.title_span.text(text) == h.title[:-1]


@pytest.mark.parametrize(
    "first",
    [
        "The meeting was cancelled.",
        "\u201cWe will not back down!\u201d",
        "\u201cThe ferry stays,\u201d the mayor said, \u201cand so do we.\u201d",
        "\u201cWe need the boat,\u201d",
        "Brandt said: \u201cWe raised the alarm in January.\u201d",
    ],
)
def test_short_body_paragraphs_are_never_swallowed(first: str) -> None:
    text = first + "\n\nThe mayor spoke at the landing.\n"
    h = parse_header(text)
    assert h.body_start == 0
    assert h.title == first


def test_quote_lede_ending_in_full_stop_after_date_is_headline() -> None:
    """After a date line the top of the file is a header, so a quoted line there is its title."""
    text = "2025-04-03\n\n\u201cStudies Don't Carry Anybody.\u201d\n\nThe mayor said so.\n"
    h = parse_header(text)
    assert h.title == "Studies Don't Carry Anybody."


@pytest.mark.parametrize(
    ("fragment", "line"),
    [
        ("TOKYO (AP) \u2014 U", "TOKYO (AP) \u2013 U.S. Defense Secretary spoke."),
        ("TOKYO (AP) - U", "TOKYO (AP) \u2014 U.S. Defense Secretary spoke."),
        ("TOKYO  (AP) \u2013 U.S. Def\u2026", "TOKYO (AP) \u2013 U.S. Defense Secretary spoke."),
        ("BERLIN (Reuters) -", "BERLIN (Reuters) - Germany said on Tuesday."),
    ],
)
def test_dateline_fragment_is_skipped(fragment: str, line: str) -> None:
    text = f'19.04.2025\n\n"Headline Here"\n\n{fragment}\n\n{line}\n'
    h = parse_header(text)
    assert h.fragment_span is not None and h.fragment_span.text(text) == fragment
    assert text[h.body_start :] == line + "\n"


def test_fragment_without_other_header() -> None:
    text = "TOKYO (AP) \u2014 U\nTOKYO (AP) \u2013 U.S. officials met on Sunday in the capital.\n"
    h = parse_header(text)
    assert h.fragment_span is not None
    assert text[h.body_start :].startswith("TOKYO (AP) \u2013 U.S.")
    assert h.title == "TOKYO (AP) \u2013 U.S. officials met on Sunday in the capital."


def test_a_line_that_differs_from_the_next_is_no_fragment() -> None:
    text = "19.04.2025\n\nTOKYO (AP) \u2014 X said.\n\nTOKYO (AP) \u2013 U.S. officials met.\n"
    h = parse_header(text)
    assert h.fragment_span is None
    assert text[h.body_start :].startswith("TOKYO (AP) \u2014 X said.")


def test_long_repeated_paragraph_is_no_fragment() -> None:
    first = "The ministry said on Tuesday that the talks would resume next week in Geneva, " * 3
    text = f"{first.strip()}\n\n{first} after a pause.\n"
    h = parse_header(text)
    assert h.fragment_span is None
    assert h.body_start == 0


def test_header_only_file_has_empty_body() -> None:
    text = "19.04.2025\n\n\u201cHeadline Only\u201d\n\n"
    h = parse_header(text)
    assert h.title == "Headline Only"
    assert h.published == "2025-04-19"
    assert h.body_start == len(text)


def test_crlf_and_leading_whitespace() -> None:
    text = '\r\n  2025-04-19\r\n\r\n  "Headline"\r\n\r\n  The body starts here.\r\n'
    h = parse_header(text)
    assert (h.title, h.published) == ("Headline", "2025-04-19")
    assert text[h.body_start :] == "The body starts here.\r\n"


def test_empty_and_blank_text() -> None:
    assert parse_header("").body_start == 0
    h = parse_header(" \n\t\n")
    assert h.title is None and 0 <= h.body_start <= 4


@pytest.mark.parametrize(
    "name",
    ["reuters_style_trade.txt", "feature_multi_paragraph_quote.txt", "no_header_brief.txt"],
)
def test_data_samples(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    h = parse_header(text)
    expected = {
        "reuters_style_trade.txt": ("2025-03-11", "SANTIAGO, March 11"),
        "feature_multi_paragraph_quote.txt": ("2025-04-03", "PORT ALDER, Ore."),
        "no_header_brief.txt": (None, "The regional water authority warned"),
    }[name]
    assert h.published == expected[0]
    assert text[h.body_start :].startswith(expected[1])
    assert h.title


_header_parts = st.sampled_from(
    [
        "19.04.2025",
        "April 19, 2025",
        '"Quoted Headline"',
        "\u201cCurly\u201d",
        "TOKYO (AP) \u2014 U",
        "TOKYO (AP) \u2013 U.S. said.",
        "",
        "\r",
        "\u2028",
        "Short line",
    ]
)


_sentence = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC ,\u2019\u2014", min_size=1, max_size=30),
    min_size=1,
    max_size=4,
).map(lambda words: " ".join(words).strip() + ".")
_paragraph = st.lists(_sentence, min_size=1, max_size=3).map(" ".join)


@given(st.lists(_paragraph, min_size=1, max_size=5), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_body_paragraphs_are_never_header(paragraphs: list[str], sep: str) -> None:
    text = sep.join(paragraphs)
    h = parse_header(text)
    assert text[h.body_start :] == text.lstrip()
    assert h.published is None


@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    h = parse_header(text)
    assert 0 <= h.body_start <= len(text)
    assert not text[: h.body_start].strip() or h.date_span or h.title_span or h.fragment_span


@given(st.lists(st.one_of(_header_parts, st.text(max_size=40)), max_size=8), st.text(max_size=3))
def test_never_raises_on_header_like_text(parts: list[str], sep: str) -> None:
    text = (sep or "\n").join(parts)
    h = parse_header(text)
    assert 0 <= h.body_start <= len(text)
    for span in (h.title_span, h.date_span, h.fragment_span):
        if span is not None:
            assert 0 <= span.start <= span.end <= len(text)
            assert span.end <= h.body_start or span.start >= h.body_start
