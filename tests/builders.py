"""Hand-built extractions for storage, query, render and CLI tests (no NLP involved)."""

from __future__ import annotations

from pathlib import Path

from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement, Topic
from factcli.store import open_db, save_extraction

TEXT_ONE = (
    "12.05.2025\n"
    "\n"
    '"Allies Pledge Closer Defense Ties"\n'
    "\n"
    "TOKYO (AP) — U.S. Defense Secretary Pete Hegseth called Japan an “indispensable partner” "
    "on Sunday.\n"
    "\n"
    "“Japan is our indispensable partner in deterring aggression,” Hegseth stated in Tokyo. "
    "He expressed that the U.S. is moving quickly to reestablish deterrence.\n"
    "\n"
    "Japanese defense officials indicated that there is unease regarding trade tariffs. "
    "The talks were productive, according to a joint statement. "
    "President Donald Trump was not in Tokyo.\n"
)

TEXT_TWO = (
    "Ministers meet in Manila\n"
    "\n"
    "Secretary Hegseth said on Tuesday that the alliance with the Philippines is “ironclad”. "
    "Gen Nakatani, the defense minister, noted that Japan would join the exercises. "
    "Straße café naïve résumé.\n"
)


def span(text: str, needle: str, after: int = 0) -> Span:
    start = text.index(needle, after)
    return Span(start, start + len(needle))


def sentence_spans(text: str, starts: list[str], body_start: int) -> tuple[Sentence, ...]:
    """Sentences that begin at each of `starts` and end just before the next one."""
    positions = [text.index(s, body_start) for s in starts] + [len(text.rstrip("\n"))]
    sentences = []
    paragraph = 0
    for i, (a, b) in enumerate(zip(positions, positions[1:], strict=False)):
        if i and "\n\n" in text[positions[i - 1] : a]:
            paragraph += 1
        sentences.append(Sentence(i, paragraph, a, len(text[:b].rstrip())))
    return tuple(sentences)


def extraction_one(source: str = "one.txt") -> Extraction:
    t = TEXT_ONE
    body = t.index("TOKYO")
    article = Article(
        text=t,
        source=source,
        title="Allies Pledge Closer Defense Ties",
        published="2025-05-12",
        body_start=body,
    )
    sentences = sentence_spans(
        t,
        [
            "TOKYO (AP)",
            "“Japan is our",
            "He expressed",
            "Japanese defense",
            "The talks",
            "President",
        ],
        body,
    )
    hegseth = Actor("Pete Hegseth", "person", "U.S. Defense Secretary", ("Hegseth", "He"))
    officials = Actor("Japanese defense officials", "group")
    trump = Actor("Donald Trump", "person", "President")
    statements = (
        Statement(
            0,
            "mixed",
            span(t, "called"),
            span(t, "Japan an “indispensable partner”"),
            span(t, "Pete Hegseth"),
            "Pete Hegseth",
            ("Japan",),
        ),
        Statement(
            1,
            "direct",
            span(t, "stated"),
            span(t, "Japan is our indispensable partner in deterring aggression,"),
            span(t, "Hegseth", t.index("stated") - 10),
            "Pete Hegseth",
            ("Japan", "deterrence"),
        ),
        Statement(
            2,
            "indirect",
            span(t, "expressed"),
            span(t, "the U.S. is moving quickly to reestablish deterrence"),
            span(t, "He", t.index("He expressed")),
            "Pete Hegseth",
            ("deterrence", "United States"),
        ),
        Statement(
            3,
            "indirect",
            span(t, "indicated"),
            span(t, "there is unease regarding trade tariffs"),
            span(t, "Japanese defense officials"),
            "Japanese defense officials",
            ("trade tariff", "Japan"),
        ),
        Statement(
            4,
            "indirect",
            span(t, "according to"),
            span(t, "The talks were productive"),
            None,
            None,
            (),
        ),
    )
    topics = (
        (Topic("Japan", "place", salient=True), 3),
        (Topic("Tokyo", "place", salient=True), 2),
        (Topic("deterrence", "phrase", 0.9), 1),
        (Topic("trade tariff", "phrase", 1.0), 1),
    )
    return Extraction(article, sentences, (hegseth, officials, trump), statements, topics)


def extraction_two(source: str = "two.txt") -> Extraction:
    t = TEXT_TWO
    article = Article(text=t, source=source, title="Ministers meet in Manila", body_start=25)
    sentences = sentence_spans(t, ["Secretary Hegseth", "Gen Nakatani", "Straße"], 25)
    hegseth = Actor("pete hegseth", "person", "Defense Secretary", ("Secretary Hegseth",))
    nakatani = Actor("Gen Nakatani", "person", "Japan's Defense Minister", ("Nakatani",))
    statements = (
        Statement(
            0,
            "mixed",
            span(t, "said"),
            span(t, "the alliance with the Philippines is “ironclad”"),
            span(t, "Secretary Hegseth"),
            "Pete Hegseth",
            ("Philippines", "alliance"),
        ),
        Statement(
            1,
            "indirect",
            span(t, "noted"),
            span(t, "Japan would join the exercises"),
            span(t, "Gen Nakatani"),
            "Gen Nakatani",
            ("japan",),
        ),
    )
    topics = ((Topic("Philippines", "place"), 1), (Topic("Manila", "place"), 1))
    return Extraction(article, sentences, (hegseth, nakatani), statements, topics)


def build_db(path: Path) -> Path:
    db = open_db(path, create=True)
    save_extraction(db, extraction_one())
    save_extraction(db, extraction_two())
    db.close()
    return path
