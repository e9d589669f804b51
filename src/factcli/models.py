"""Plain data passed between stages.

Every span is a pair of character offsets into `Article.text`, the article exactly as decoded,
so any result can be checked with ``article.text[span.start:span.end]``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

StatementKind = Literal["direct", "indirect", "mixed"]
ActorKind = Literal["person", "organisation", "group", "place", "anonymous"]
TopicKind = Literal["place", "organisation", "group", "event", "law", "product", "phrase"]


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


@dataclass(frozen=True)
class Article:
    """One article as read: `text` is never altered after decoding (only a BOM is dropped).

    `outlet` is the publication ("AP", a site name), `url` where it was published; both are
    optional metadata from HTML pages, JSON Lines fields or ``ingest --source``.
    """

    text: str
    source: str
    title: str | None = None
    published: str | None = None
    body_start: int = 0
    outlet: str | None = None
    url: str | None = None
    author: str | None = None
    published_from: str | None = None
    """Where `published` came from on an HTML page ("meta article:published_time",
    "json-ld datePublished", "title", ...); None for other inputs."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class Actor:
    """A canonical speaker: the fullest name seen in the article, with its other mentions.

    An ``anonymous`` actor is a source without a name ("a Home Office spokesman"): it belongs
    to its article alone, `description` says who it is ("spokesman") and `organisation` whom
    it speaks for ("Home Office"), when the text says so.
    """

    name: str
    kind: ActorKind
    role: str | None = None
    aliases: tuple[str, ...] = ()
    description: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class Topic:
    """A topic as one article sees it: `specificity` (0 to 1) weighs it in the archive's ranking,
    `salient` says the article is about it (see `factcli.topics.article_topics`)."""

    name: str
    kind: TopicKind
    specificity: float = 1.0
    salient: bool = False


@dataclass(frozen=True)
class Statement:
    """An attributed statement; `actor` names an `Actor` of the same extraction."""

    sentence_index: int
    kind: StatementKind
    cue: Span
    content: Span
    speaker: Span | None
    actor: str | None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extraction:
    """Everything factcli learns from one article; stored in one transaction."""

    article: Article
    sentences: tuple[Sentence, ...]
    actors: tuple[Actor, ...]
    statements: tuple[Statement, ...]
    topics: tuple[tuple[Topic, int], ...] = field(default=())
    extractor: str = "rules"
    """Which extractor found the statements: "rules" or "model"."""
    model_version: str | None = None
    """The trained model's version string when the model judged the candidates."""
    parser: str | None = None
    """The spaCy pipeline that parsed the article, "name version"."""
