"""Article → `Extraction`: paragraphs, sentences, attributed statements, actors and topics.

Paragraphs are parsed as separate documents (a sentence never spans two paragraphs), in batches
across articles with `nlp.pipe`; statements are then found per paragraph and their speakers
resolved in text order over the whole article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from factcli.actors import ActorResolver, ResolvedEntity, to_actor
from factcli.attribution.quotes import find_quotes
from factcli.attribution.rules import Candidate, ParagraphRules, mention_bounds
from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement
from factcli.topics import article_topics, span_topics

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

_DATELINE = re.compile(
    r"[A-Z][A-Z.'’\- ]{1,40}(?:,\s*[A-Z][A-Za-z.]{1,12}(?:\s+\d{1,2})?)*\s*(?:\([^)]{1,30}\))?"
    r"\s*[-–—]+\s*"
)
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")
_LINE_END_OK = tuple(".!?:;\"”’)'")


def article_paragraphs(article: Article) -> list[tuple[int, int]]:
    """The headline (a paragraph of its own: headlines carry attributions too, "Caddell: Voters
    Worried …") followed by the body's paragraphs."""
    paras = split_paragraphs(article.text, article.body_start)
    if article.title and article.body_start:
        at = article.text.find(article.title, 0, article.body_start)
        if at >= 0:
            paras.insert(0, (at, at + len(article.title)))
    return paras


def split_paragraphs(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Paragraph spans of text[start:]: blocks between blank lines, and lines that end a sentence
    (scraped news keeps one paragraph per line; hard-wrapped lines stay together)."""
    spans: list[tuple[int, int]] = []
    pos = start
    blocks: list[tuple[int, int]] = []
    for match in _BLANK_LINES.finditer(text, start):
        blocks.append((pos, match.start()))
        pos = match.end()
    blocks.append((pos, len(text)))
    for b0, b1 in blocks:
        lines = text[b0:b1].splitlines(keepends=True)
        wrapped = _hard_wrapped(lines)
        line_start = b0
        for line in lines:
            line_end = line_start + len(line)
            if not wrapped or line.rstrip().endswith(_LINE_END_OK) or line_end >= b1:
                spans.append((line_start, line_end))
                line_start = line_end
        if line_start < b1:
            spans.append((line_start, b1))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _hard_wrapped(lines: list[str]) -> bool:
    """Lines of a block wrapped at a fixed width (all but the last 40–100 characters long) are
    one paragraph; otherwise each line is a paragraph of its own, as scraped news has it."""
    if len(lines) < 3:
        return False
    body = [len(line.rstrip()) for line in lines[:-1]]
    return all(40 <= n <= 100 for n in body)


ExtractResult = tuple[Article, "Extraction | None", "str | None"]
ExtractorName = Literal["rules", "model"]
EXTRACTORS: tuple[ExtractorName, ...] = ("model", "rules")
Judge = Callable[[ParagraphRules, list[Candidate]], list[Candidate]]
"""Given a paragraph's rules (already run) and their candidates, the candidates to keep."""


def judge_for(extractor: ExtractorName) -> Judge | None:
    """The trained model's judge for "model" (loaded once per process), None for the rules.

    Raises FactcliError when the model file is missing or unreadable."""
    if extractor == "rules":
        return None
    from factcli.learn import model

    return model.judge()


def extract_articles(
    articles: Iterable[Article], batch_size: int = 32, extractor: ExtractorName = "model"
) -> Iterator[ExtractResult]:
    """Extract many articles; the paragraphs of `batch_size` articles go through one `nlp.pipe`.

    Yields (article, extraction, None), or (article, None, reason) when one article cannot be
    analysed, so one odd text never stops a run.
    """
    judge = judge_for(extractor)
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= batch_size:
            yield from _extract_batch(batch, judge)
            batch = []
    if batch:
        yield from _extract_batch(batch, judge)


def _extract_batch(articles: list[Article], judge: Judge | None) -> Iterator[ExtractResult]:
    from factcli import nlp

    paras = [article_paragraphs(a) for a in articles]
    texts = [a.text[s:e] for a, ps in zip(articles, paras, strict=True) for s, e in ps]
    try:
        docs = iter(list(nlp.parse(texts)))
    except Exception as exc:  # noqa: BLE001 - e.g. a paragraph over spaCy's max_length
        if len(articles) > 1:  # parse each article alone, so only the culprit fails
            for article in articles:
                yield from _extract_batch([article], judge)
        else:
            yield articles[0], None, f"{type(exc).__name__}: {exc}"
        return
    for article, ps in zip(articles, paras, strict=True):
        article_docs = [next(docs) for _ in ps]
        try:
            yield article, extract_parsed(article, ps, article_docs, judge), None
        except Exception as exc:  # noqa: BLE001 - reported per article, the run goes on
            yield article, None, f"{type(exc).__name__}: {exc}"


def extract(article: Article, extractor: ExtractorName = "model") -> Extraction:
    """Extract one article (for library users and tests); errors propagate."""
    from factcli import nlp

    judge = judge_for(extractor)
    paras = article_paragraphs(article)
    docs = list(nlp.parse(article.text[s:e] for s, e in paras))
    return extract_parsed(article, paras, docs, judge)


def extract_parsed(
    article: Article,
    paras: list[tuple[int, int]],
    docs: list[Doc],
    judge: Judge | None = None,
) -> Extraction:
    """Extraction from paragraphs already parsed (one doc per paragraph span); `judge` (the
    trained model) adds and drops candidates of each paragraph, None keeps the rules' own."""
    from factcli import nlp

    pairs = list(zip(docs, (s for s, _ in paras), strict=True))
    sentences = _sentences(article.text, pairs)
    candidates = _candidates(article, paras, pairs, judge)
    resolver = ActorResolver(article.text, pairs)
    found = _resolve(candidates, resolver, sentences)

    person_words = resolver.person_words()
    actors: dict[str, Actor] = {}
    statements: list[Statement] = []
    for stmt, entity in _unique(found):
        name = None
        if entity is not None:
            actor = to_actor(entity)
            actors.setdefault(actor.name, actor)
            name = actor.name
        topics = tuple(t for t in stmt.topics if t.lower() not in person_words)
        statements.append(replace(stmt, actor=name, topics=topics))
    headline = docs[0] if article.title and paras and paras[0][0] < article.body_start else None
    counted = [
        (topic, n)
        for topic, n in article_topics(docs, (s.topics for s in statements), headline)
        if topic.name.lower() not in person_words
    ]
    return Extraction(
        article=article,
        sentences=tuple(sentences),
        actors=tuple(actors.values()),
        statements=tuple(statements),
        topics=tuple(counted),
        extractor="rules" if judge is None else "model",
        model_version=getattr(judge, "version", None),
        parser=nlp.describe(),
    )


def _sentences(text: str, pairs: list[tuple[Doc, int]]) -> list[Sentence]:
    sentences: list[Sentence] = []
    for p_idx, (doc, offset) in enumerate(pairs):
        for sent in doc.sents:
            s, e = sent.start_char + offset, sent.end_char + offset
            while e > s and text[e - 1].isspace():
                e -= 1
            while s < e and text[s].isspace():
                s += 1
            if e > s:
                sentences.append(Sentence(len(sentences), p_idx, s, e))
    return sentences


def _dateline_end(article: Article, paras: list[tuple[int, int]]) -> int:
    """End of "TOKYO (AP) –" opening the body: it is never part of what anybody said."""
    body = [p for p in paras if p[0] >= article.body_start]
    if body:
        match = _DATELINE.match(article.text, body[0][0], body[0][1])
        if match:
            return match.end()
    return -1


def _candidates(
    article: Article,
    paras: list[tuple[int, int]],
    pairs: list[tuple[Doc, int]],
    judge: Judge | None = None,
) -> list[tuple[Candidate, Doc, int]]:
    """Every rule over every paragraph, plus the rules that cross a paragraph break: a colon cue
    ending one paragraph ("Caddell continued:") and a quote continuing the last speaker."""
    text = article.text
    dateline_end = _dateline_end(article, paras)
    out: list[tuple[Candidate, Doc, int]] = []
    previous: list[Candidate] = []
    previous_open = False
    pending: tuple[Token, ParagraphRules] | None = None
    for (doc, offset), (p0, p1) in zip(pairs, paras, strict=True):
        quotes = find_quotes(text, p0, p1)
        rules = ParagraphRules(doc, offset, quotes)
        starts_with_quote = bool(quotes) and quotes[0].open_at == p0
        found: list[Candidate] = []
        if starts_with_quote and pending is not None:
            cand = pending[1].candidate_for_quote(pending[0], quotes[0], text)
            if cand is not None:
                rules.used_quotes.add(0)
                found.append(cand)
        found += rules.labelled(text, p0, p1)
        found += rules.direct_quotes(text)
        found += rules.indirect(text)
        found += rules.prepositional(text)
        if starts_with_quote and 0 not in rules.used_quotes and previous:
            cont = _continuation(text, previous, previous_open, quotes[0].start, quotes[0].end)
            if cont is not None:
                found.append(cont)
                rules.used_quotes.add(0)
        colon_cue = rules.colon_cue() if text[p0:p1].rstrip().endswith(":") else None
        pending = (colon_cue, rules) if colon_cue is not None else None
        if judge is not None:
            found = judge(rules, found)
        for cand in found:
            if cand.content[0] < dateline_end < cand.content[1]:
                cand.content = (dateline_end, cand.content[1])
            out.append((cand, doc, offset))
        previous = found
        previous_open = bool(quotes) and not quotes[-1].closed
    return out


def _continuation(
    text: str, previous: list[Candidate], previous_open: bool, start: int, end: int
) -> Candidate | None:
    """A paragraph opening with a quote goes on with the last speaker when the previous paragraph
    left its quote open, or ended with a quoted sentence (not a quoted word) of that speaker."""
    last = max(previous, key=lambda c: c.content[0])
    trimmed = _trim(text, start, end)
    quoted_sentence = last.kind == "direct" and len(text[slice(*last.content)].split()) >= 4
    if trimmed is None or not (previous_open or quoted_sentence):
        return None
    return Candidate(
        "direct", last.cue, trimmed, last.speakers, last.cue_token, inherited_from=last
    )


Speaker = tuple[Span | None, "ResolvedEntity | None"]


def _resolve(
    candidates: list[tuple[Candidate, Doc, int]],
    resolver: ActorResolver,
    sentences: list[Sentence],
) -> list[tuple[Statement, ResolvedEntity | None]]:
    """Statements with their speakers resolved in text order (pronouns look backwards); one
    statement per speaker of a candidate."""
    candidates.sort(key=lambda item: (item[0].cue[0], item[0].content[0]))
    resolved: dict[int, list[Speaker]] = {}
    out: list[tuple[Statement, ResolvedEntity | None]] = []
    for cand, doc, offset in candidates:
        if cand.inherited_from is not None and id(cand.inherited_from) in resolved:
            speakers = resolved[id(cand.inherited_from)]
        else:
            speakers = []
            for head in cand.speakers:
                b0, b1 = mention_bounds(head)
                hdoc = head.doc
                at = offset if cand.speaker_offset is None else cand.speaker_offset
                chars = Span(hdoc[b0].idx + at, hdoc[b1 - 1].idx + len(hdoc[b1 - 1].text) + at)
                speakers.append((chars, resolver.resolve(head, at, (b0, b1))))
            if not speakers:
                speakers = [(None, None)]
        resolved[id(cand)] = speakers
        content_tokens = doc.char_span(
            max(0, cand.content[0] - offset),
            min(_doc_length(doc), cand.content[1] - offset),
            alignment_mode="expand",
        )
        topics = _statement_topics(doc, content_tokens, cand.cue[0] - offset, cand.speakers)
        sentence_index = _sentence_at(sentences, cand.cue[0])
        for span, entity in speakers:
            stmt = Statement(
                sentence_index=sentence_index,
                kind=cand.kind,
                cue=Span(*cand.cue),
                content=Span(*cand.content),
                speaker=span,
                actor=None,
                topics=topics,
            )
            out.append((stmt, entity))
    return out


def _statement_topics(
    doc: Doc, content: SpacySpan | None, cue_char: int, speakers: Iterable[Token]
) -> tuple[str, ...]:
    """The topics of a statement's content and of the sentence of its cue, the speaker left
    out ("Beijing's envoy said tariffs would hurt" is about tariffs, and not about Beijing)."""
    exclude = [mention_bounds(head) for head in speakers]
    names = []
    if content is not None:
        names = [name for name, _ in span_topics(doc, content.start, content.end, exclude)]
    for sent in doc.sents:
        if sent.start_char <= cue_char < sent.end_char:
            names.extend(name for name, _ in span_topics(doc, sent.start, sent.end, exclude))
            break
    return tuple(dict.fromkeys(names))


def _doc_length(doc: Doc) -> int:
    """Characters in a doc, without `doc.text`, which joins every token on each call."""
    last = doc[-1]
    return last.idx + len(last.text_with_ws)


def _unique(
    found: list[tuple[Statement, ResolvedEntity | None]],
) -> list[tuple[Statement, ResolvedEntity | None]]:
    """In text order; the same content from the same speaker found by two rules is kept once."""
    seen: set[tuple[int, int, object]] = set()
    out = []
    for stmt, entity in sorted(found, key=lambda se: (se[0].content.start, se[0].cue.start)):
        key = (stmt.content.start, stmt.content.end, id(entity) if entity else stmt.speaker)
        if key not in seen:
            seen.add(key)
            out.append((stmt, entity))
    return out


def _sentence_at(sentences: list[Sentence], pos: int) -> int:
    for sent in sentences:
        if sent.start <= pos < sent.end:
            return sent.index
    best = 0
    for sent in sentences:
        if sent.start <= pos:
            best = sent.index
    return best


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return (start, end) if end > start else None
