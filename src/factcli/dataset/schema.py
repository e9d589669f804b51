"""The dataset's tables as Arrow schemas, and the conversions between an `Extraction` and rows.

An article is keyed by its text's SHA-256 and a statement by (sha256, statement_index), so a
retried task or a duplicate article writes the same key twice and is kept once. `order` is the
article's position in the input of the run that wrote it (input number × 2³² + record number):
corpus-wide actor identity and quote groups follow it, as ingest follows the input order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcli.models import Actor, Article, Extraction, Sentence, Span, Statement, Topic

if TYPE_CHECKING:
    import pyarrow as pa

FORMAT_VERSION = 3
"""3: `articles.published_from`; actor_mentions and quote_groups partitioned by month and
sorted by `order`; quote_groups hold their band keys (`band_keys`) rather than MinHash
signatures; the `topics` summary."""
TABLES = (
    "articles",
    "statements",
    "errors",
    "actors",
    "actor_mentions",
    "quote_groups",
    "topics",
)
PARTITIONED = ("articles", "statements")
"""Partitioned by month by the map step (actor_mentions and quote_groups: by the reduce)."""
UNKNOWN_MONTH = "unknown"
ROW_GROUPS = {"articles": 2_048, "statements": 16_384}
"""Rows per Parquet row group of a month's articles and statements: a reader (`load`, in
batches) decodes one row group at a time, so its memory depends on these, not on the size of
a month."""
ORDER_STRIDE = 1 << 32


def check_format(path: Path) -> None:
    """A one-line error unless the dataset at `path` was written in this `FORMAT_VERSION`."""
    import json

    from factcli.errors import FactcliError

    try:
        marker = json.loads((path / "dataset.json").read_text(encoding="utf-8"))
        version = int(marker["version"])
    except (OSError, ValueError, KeyError, TypeError):
        raise FactcliError(f"{path} is not a factcli dataset (unreadable dataset.json)") from None
    if version != FORMAT_VERSION:
        raise FactcliError(
            f"{path} is a dataset of format {version}; this factcli reads format "
            f"{FORMAT_VERSION}: run factcli extract --engine dask on the same inputs into a new "
            "--out"
        )


def month(published: str | None) -> str:
    """``2025-03-04`` → ``2025-03``; articles without a date go to ``unknown``."""
    if published and len(published) >= 7 and published[4] == "-" and published[:4].isdigit():
        return published[:7]
    return UNKNOWN_MONTH


def provenance(extraction: Extraction) -> tuple[str, str | None]:
    """The extractor and model version that produced an extraction (rules: no model)."""
    return extraction.extractor, extraction.model_version


def schemas() -> dict[str, pa.Schema]:
    import pyarrow as pa

    string, i32, i64 = pa.string(), pa.int32(), pa.int64()
    speaker = pa.struct(
        [
            ("name", string),
            ("kind", string),
            ("role", string),
            ("aliases", pa.list_(string)),
            ("description", string),
            ("organisation", string),
        ]
    )
    return {
        "articles": pa.schema(
            [
                ("sha256", string),
                ("order", i64),
                ("month", string),
                ("source", string),
                ("title", string),
                ("published", string),
                ("published_from", string),
                ("outlet", string),
                ("url", string),
                ("author", string),
                ("body_start", i32),
                ("text", string),
                ("extractor", string),
                ("model_version", string),
                ("parser", string),
                (
                    "sentences",
                    pa.list_(pa.struct([("paragraph", i32), ("start", i32), ("end", i32)])),
                ),
                ("speakers", pa.list_(speaker)),
                ("other_speakers", pa.list_(string)),
                (
                    "topics",
                    pa.list_(
                        pa.struct(
                            [
                                ("name", string),
                                ("kind", string),
                                ("count", i32),
                                ("specificity", pa.float64()),
                                ("salient", pa.bool_()),
                            ]
                        )
                    ),
                ),
                ("statement_count", i32),
            ]
        ),
        "statements": pa.schema(
            [
                ("sha256", string),
                ("statement_index", i32),
                ("order", i64),
                ("month", string),
                ("source", string),
                ("title", string),
                ("published", string),
                ("speaker", string),
                ("speaker_key", string),
                ("speaker_mention", string),
                ("speaker_role", string),
                ("speaker_kind", string),
                ("cue", string),
                ("kind", string),
                ("content", string),
                ("sentence", string),
                ("sentence_index", i32),
                ("topics", pa.list_(string)),
                ("speaker_start", i32),
                ("speaker_end", i32),
                ("cue_start", i32),
                ("cue_end", i32),
                ("content_start", i32),
                ("content_end", i32),
                ("extractor", string),
                ("model_version", string),
            ]
        ),
        "errors": pa.schema(
            [("source", string), ("order", i64), ("sha256", string), ("reason", string)]
        ),
        "actors": pa.schema(
            [
                ("actor_id", i64),
                ("name", string),
                ("role", string),
                ("kind", string),
                ("aliases", pa.list_(string)),
                ("keys", pa.list_(string)),
                ("statement_count", i64),
            ]
        ),
        "actor_mentions": pa.schema(
            [
                ("sha256", string),
                ("order", i64),
                ("name", string),
                ("name_key", string),
                ("role", string),
                ("kind", string),
                ("listed", pa.bool_()),
                ("actor_id", i64),
            ]
        ),
        "quote_groups": pa.schema(
            [
                ("sha256", string),
                ("statement_index", i32),
                ("order", i64),
                ("actor_id", i64),
                ("quote_sha256", string),
                ("quote_statement_index", i32),
                ("band_keys", pa.list_(i64)),
            ]
        ),
        "topics": pa.schema(
            [
                ("name", string),
                ("kind", string),
                ("salient", i64),
                ("articles", i64),
                ("statements", i64),
                ("score", pa.float64()),
            ]
        ),
    }


def article_row(extraction: Extraction, order: int) -> dict[str, Any]:
    a = extraction.article
    extractor, model_version = provenance(extraction)
    listed = {actor.name.casefold() for actor in extraction.actors}
    others: list[str] = []
    for st in extraction.statements:
        if st.actor is not None and st.actor.casefold() not in listed:
            listed.add(st.actor.casefold())
            others.append(st.actor)
    return {
        "sha256": a.sha256,
        "order": order,
        "month": month(a.published),
        "source": a.source,
        "title": a.title,
        "published": a.published,
        "published_from": a.published_from,
        "outlet": a.outlet,
        "url": a.url,
        "author": a.author,
        "body_start": a.body_start,
        "text": a.text,
        "extractor": extractor,
        "model_version": model_version,
        "parser": extraction.parser,
        "sentences": [
            {"paragraph": s.paragraph, "start": s.start, "end": s.end} for s in extraction.sentences
        ],
        "speakers": [
            {
                "name": x.name,
                "kind": x.kind,
                "role": x.role,
                "aliases": list(x.aliases),
                "description": x.description,
                "organisation": x.organisation,
            }
            for x in extraction.actors
        ],
        "other_speakers": others,
        "topics": [
            {
                "name": t.name,
                "kind": t.kind,
                "count": n,
                "specificity": t.specificity,
                "salient": t.salient,
            }
            for t, n in extraction.topics
        ],
        "statement_count": len(extraction.statements),
    }


def statement_rows(extraction: Extraction, order: int) -> list[dict[str, Any]]:
    """The statements of one extraction: every field of the JSON contract (through
    `records.extraction_records`, the function ``factcli extract`` writes), keyed by article
    hash and position."""
    from factcli.records import extraction_records

    a = extraction.article
    extractor, model_version = provenance(extraction)
    rows = []
    records = extraction_records(extraction, a.sha256, 0)
    for index, (st, record) in enumerate(zip(extraction.statements, records, strict=True)):
        record.pop("id")
        record.pop("article_id")
        record.update(
            sha256=a.sha256,
            statement_index=index,
            order=order,
            month=month(a.published),
            speaker_key=st.actor.casefold() if st.actor else None,
            sentence_index=st.sentence_index,
            extractor=extractor,
            model_version=model_version,
        )
        rows.append(record)
    return rows


def to_extraction(article: dict[str, Any], statements: list[dict[str, Any]]) -> Extraction:
    """An article row and its statement rows back to the `Extraction` they came from, for the
    store's own writer."""
    text = article["text"]
    art = Article(
        text=text,
        source=article["source"],
        title=article["title"],
        published=article["published"],
        published_from=article.get("published_from"),
        body_start=article["body_start"],
        outlet=article["outlet"],
        url=article["url"],
        author=article["author"],
    )
    sentences = tuple(
        Sentence(i, s["paragraph"], s["start"], s["end"])
        for i, s in enumerate(article["sentences"] or [])
    )
    actors = tuple(
        Actor(
            x["name"],
            x["kind"],
            x["role"],
            tuple(x["aliases"] or ()),
            x.get("description"),
            x.get("organisation"),
        )
        for x in article["speakers"] or []
    )
    stmts = tuple(
        Statement(
            sentence_index=r["sentence_index"],
            kind=r["kind"],
            cue=Span(r["cue_start"], r["cue_end"]),
            content=Span(r["content_start"], r["content_end"]),
            speaker=Span(r["speaker_start"], r["speaker_end"])
            if r["speaker_start"] is not None
            else None,
            actor=r["speaker"],
            topics=tuple(r["topics"] or ()),
        )
        for r in sorted(statements, key=lambda r: r["statement_index"])
    )
    topics = tuple(
        (Topic(t["name"], t["kind"], t["specificity"], bool(t["salient"])), t["count"])
        for t in article["topics"] or []
    )
    return Extraction(
        art,
        sentences,
        actors,
        stmts,
        topics,
        extractor=article["extractor"] or "rules",
        model_version=article["model_version"],
        parser=article.get("parser"),
    )
