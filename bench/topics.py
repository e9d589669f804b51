"""What an archive is about: the top topics of a folder of articles, and how specific they are.

    python bench/topics.py ARCHIVE_DIR                     # parse, extract, store, rank
    python bench/topics.py ARCHIVE_DIR --cache /tmp/c      # keep the parses for later runs
    python bench/topics.py ARCHIVE_DIR --top 30 --json

Every article of the folder is read, split into paragraphs and parsed as `factcli ingest` does,
then extracted and stored into a fresh database, and `topics` ranks what it holds. With
--cache the parses are kept (spaCy `DocBin`, keyed by the article texts and the model), so a
change to the topic rules is measured again without parsing anything.

Printed: the top topics with their kind, then one line per figure:
  generic_single_words  top topics that are not names and are one word used more than 100
                        times per million words of general English (zipf >= 5.0 in
                        `wordfreq`): "decision", "work"
  multiword_phrases     top key phrases (kind "phrase") of more than one word
  multiword_topics      top topics of any kind of more than one word
  plural_pairs          pairs among the top 100 that differ only by a plural "s"
  extract_seconds       time spent extracting (topic step included), parse excluded
  topic_seconds         of which the topic step alone (`factcli.topics`), if it can be timed
On stderr: parse_seconds (when not cached) and store_seconds, to set the topic step against a
whole ingest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GENERIC_ZIPF = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", help="a folder of articles (searched recursively)")
    parser.add_argument("--cache", help="folder for the parses (created if missing)")
    parser.add_argument("--db", help="keep the database here (default: a temporary file)")
    parser.add_argument("--top", type=int, default=50, help="topics shown (default 50)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    args = parser.parse_args()

    from factcli.reader import collect_inputs, read_article

    paths, _ = collect_inputs([args.archive])
    paths = sorted(p for p in paths if not p.upper().endswith("README.TXT"))
    articles = [read_article(p) for p in paths]
    docs = _parses(articles, args.cache)

    with tempfile.TemporaryDirectory() as tmp:
        db_path = args.db or str(Path(tmp) / "topics.db")
        extract_seconds, topic_seconds = _store(articles, docs, db_path)
        rows = _top(db_path, max(args.top, 100))
    report = _figures(rows, args.top)
    report["articles"] = len(articles)
    report["extract_seconds"] = round(extract_seconds, 2)
    if topic_seconds is not None:
        report["topic_seconds"] = round(topic_seconds, 2)
    if args.json:
        print(json.dumps({"top": rows[: args.top], **report}, ensure_ascii=False))
        return
    for i, row in enumerate(rows[: args.top], 1):
        extra = " ".join(f"{k}={v}" for k, v in row.items() if k not in ("name", "kind"))
        print(f"{i:3d}  {row['name']:<40} {row['kind'] or '-':<13} {extra}")
    for key, value in report.items():
        print(f"{key} {value}")


def _parses(articles: list[Any], cache: str | None) -> list[list[Any]]:
    """One list of paragraph docs per article, parsed once and cached if asked."""
    from factcli import nlp
    from factcli.extract import article_paragraphs

    paras = [article_paragraphs(a) for a in articles]
    texts = [a.text[s:e] for a, ps in zip(articles, paras, strict=True) for s, e in ps]
    model = nlp.load()
    cache_file = None
    if cache:
        key = hashlib.sha256()
        key.update(f"{model.meta['name']}-{model.meta['version']}".encode())
        for text in texts:
            key.update(hashlib.sha256(text.encode()).digest())
        Path(cache).mkdir(parents=True, exist_ok=True)
        cache_file = Path(cache) / f"{key.hexdigest()[:24]}.spacy"
    from spacy.tokens import DocBin

    if cache_file is not None and cache_file.exists():
        flat = list(DocBin().from_disk(cache_file).get_docs(model.vocab))
    else:
        started = time.perf_counter()
        flat = list(nlp.parse(texts))
        print(f"parse_seconds {time.perf_counter() - started:.1f}", file=sys.stderr)
        if cache_file is not None:
            DocBin(docs=flat).to_disk(cache_file)
    out, at = [], 0
    for ps in paras:
        out.append(flat[at : at + len(ps)])
        at += len(ps)
    return out


def _store(articles: list[Any], docs: list[list[Any]], db_path: str) -> tuple[float, float | None]:
    """Extract and store every article; the time spent extracting, and in the topic step."""
    from factcli import extract, topics
    from factcli.extract import article_paragraphs
    from factcli.store import open_db, save_extractions

    spent = [0.0]
    timed = _time_topic_step(topics, extract, spent)
    started = time.perf_counter()
    extractions = []
    failed = 0
    for article, article_docs in zip(articles, docs, strict=True):
        try:  # as `ingest` does: one article that cannot be analysed is reported, not fatal
            extractions.append(
                extract.extract_parsed(article, article_paragraphs(article), article_docs)
            )
        except Exception as exc:  # noqa: BLE001
            failed += 1
            print(f"failed {article.source}: {type(exc).__name__}: {exc}", file=sys.stderr)
    extract_seconds = time.perf_counter() - started
    started = time.perf_counter()
    db = open_db(Path(db_path), create=True)
    try:
        save_extractions(db, extractions)
    finally:
        db.close()
    print(f"store_seconds {time.perf_counter() - started:.1f}", file=sys.stderr)
    return extract_seconds, (spent[0] if timed else None)


def _time_topic_step(topics: Any, extract: Any, spent: list[float]) -> bool:
    """Wrap the topic functions `extract` calls, to time the topic step alone."""
    names = [n for n in ("article_topics", "tokens_topics", "span_topics") if hasattr(extract, n)]
    for name in names:
        original = getattr(extract, name)

        def timed(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = _original(*args, **kwargs)
                if isinstance(result, list):
                    return result
                return list(result) if hasattr(result, "__iter__") else result
            finally:
                spent[0] += time.perf_counter() - started

        setattr(extract, name, timed)
    return bool(names)


def _top(db_path: str, limit: int) -> list[dict[str, Any]]:
    from factcli.store import open_query_db

    try:
        from factcli.queries.topics import topics
    except ImportError:  # a factcli from before the queries package, for a comparison
        from factcli.queries import topics  # type: ignore[attr-defined,no-redef]

    conn = open_query_db(Path(db_path))
    try:
        return [dict(row) for row in topics(conn, limit)]
    finally:
        conn.close()


def _figures(rows: list[dict[str, Any]], top: int) -> dict[str, Any]:
    from wordfreq import zipf_frequency

    head = rows[:top]
    generic = [
        r["name"]
        for r in head
        if r["kind"] in ("phrase", "concept", None)
        and " " not in r["name"]
        and "-" not in r["name"]
        and zipf_frequency(r["name"], "en") >= GENERIC_ZIPF
    ]
    phrases = [r["name"] for r in head if r["kind"] in ("phrase", "concept") and " " in r["name"]]
    multi = [r["name"] for r in head if " " in r["name"]]
    names = {r["name"].casefold() for r in rows[:100]}
    pairs = sorted(n for n in names if n + "s" in names or n + "es" in names)
    return {
        "generic_single_words": f"{len(generic)}/{len(head)} {generic}",
        "multiword_phrases": f"{len(phrases)}/{len(head)}",
        "multiword_topics": f"{len(multi)}/{len(head)}",
        "plural_pairs": f"{len(pairs)} {pairs}",
    }


if __name__ == "__main__":
    main()
