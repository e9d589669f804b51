"""Extraction without a database: articles in, statement records (the JSON contract) out.

This is the map step for archives too large for one machine: any engine that can run a Python
function over partitions of articles (Dask, Ray, Spark) calls `extraction_records` on each
extraction and writes the records out, as JSON Lines or Parquet shards; ``factcli extract``
does the same from the command line. See docs/scaling.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from factcli import formats, reader
from factcli.formats import InputOptions
from factcli.models import Article, Extraction
from factcli.queries.sql import STATEMENT_KEYS

if TYPE_CHECKING:
    from factcli.extract import ExtractorName


def extraction_records(
    extraction: Extraction, article_id: int | str, first_id: int = 1
) -> list[dict[str, Any]]:
    """The statements of one extraction as contract dicts, numbered from `first_id`.

    Without a database there are no database ids: `id` numbers statements within the run and
    `article_id` is whatever identifies the article to the caller (a running number, a hash).
    """
    article = extraction.article
    text = article.text
    actors = {a.name.casefold(): a for a in extraction.actors}
    sentences = {s.index: s for s in extraction.sentences}
    records = []
    for offset, st in enumerate(extraction.statements):
        actor = actors.get(st.actor.casefold()) if st.actor else None
        sentence = sentences.get(st.sentence_index)
        speaker = st.speaker
        record = {
            "id": first_id + offset,
            "article_id": article_id,
            "source": article.source,
            "title": article.title,
            "published": article.published,
            "speaker": st.actor,
            "speaker_mention": speaker.text(text) if speaker else None,
            "speaker_role": actor.role if actor else None,
            "speaker_kind": actor.kind if actor else None,
            "cue": st.cue.text(text),
            "kind": st.kind,
            "content": st.content.text(text),
            "sentence": text[sentence.start : sentence.end] if sentence else None,
            "topics": list(dict.fromkeys(st.topics)),
            "speaker_start": speaker.start if speaker else None,
            "speaker_end": speaker.end if speaker else None,
            "cue_start": st.cue.start,
            "cue_end": st.cue.end,
            "content_start": st.content.start,
            "content_end": st.content.end,
        }
        records.append({key: record[key] for key in STATEMENT_KEYS})
    return records


def read_inputs(
    paths: Sequence[str], options: InputOptions | None = None, stdin: BinaryIO | None = None
) -> Iterator[Article | reader.InputError]:
    """Every article of every path (folders walked as by ``ingest``), or the reason one input
    or record could not be read."""
    inputs, problems = reader.collect_inputs(paths)
    for source, reason in problems:
        yield reader.InputError(source, reason)
    for source in inputs:
        try:
            yield from formats.read_articles(source, options, stdin=stdin)
        except reader.InputError as exc:
            yield exc


def extract_stream(
    articles: Iterable[Article], extractor: ExtractorName = "model"
) -> Iterator[tuple[Article, list[dict[str, Any]] | None, str | None]]:
    """``(article, records, error)`` per article, extracted in batches; records are numbered
    across the whole stream and `article_id` is the article's running number from 1."""
    from factcli.extract import extract_articles

    next_id = 1
    extracted = extract_articles(articles, extractor=extractor)
    for number, (article, extraction, error) in enumerate(extracted, start=1):
        if extraction is None:
            yield article, None, str(error)
            continue
        rows = extraction_records(extraction, number, next_id)
        next_id += len(rows)
        yield article, rows, None
