"""Where ingest's CPU time goes, stage by stage, in one process over real articles.

    python bench/ingest_stages.py FOLDER [FOLDER ...] --articles 200

Takes --articles .txt files spread evenly over the folders (an equal share from each, spread
over its sorted files), reads them, parses their paragraphs with `nlp.pipe` as ingest does,
then extracts each article with the trained model (after a first extraction that takes the
one-time loads) and stores them in a fresh database in chunks of 16, timing each stage with
the CPU clock of this process (with --passes N the extraction is repeated N times and each
stage's fastest pass is shown: on a shared machine the steadier figure). One line per stage in
milliseconds per article (one-time loads in seconds), parse first: everything after it is what
ingest adds to bare spaCy. To compare two versions, run it with `PYTHONPATH=OTHER/src` too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def pick(folders: list[Path], articles: int) -> list[Path]:
    share = [articles // len(folders) + (k < articles % len(folders)) for k in range(len(folders))]
    files = []
    for folder, n in zip(folders, share, strict=True):
        found = sorted(folder.rglob("*.txt"))
        if len(found) < n:
            raise SystemExit(f"{folder}: {len(found)} articles, fewer than {n}")
        files += [found[k * len(found) // n] for k in range(n)]
    return files


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", type=Path, nargs="+", help="folders of .txt articles")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="extract the parsed articles this many times; each stage's fastest pass is shown",
    )
    args = parser.parse_args()
    files = pick(args.folders, args.articles)
    spent: dict[str, float] = {}

    def add(stage: str, seconds: float) -> None:
        spent[stage] = spent.get(stage, 0.0) + seconds

    clock = time.process_time
    start = clock()
    from factcli import extract, nlp, reader, store

    language = nlp.load()
    add("once: imports and spaCy's load", clock() - start)
    start = clock()
    judge = extract.judge_for("model")
    add("once: the attribution model's load", clock() - start)
    start = clock()
    read = [reader.read_article(str(path)) for path in files]
    paras = [extract.article_paragraphs(a) for a in read]
    add("reading and paragraphs", clock() - start)
    texts = [a.text[s:e] for a, ps in zip(read, paras, strict=True) for s, e in ps]
    start = clock()
    docs = list(language.pipe(texts, batch_size=nlp.BATCH_SIZE))
    add("parse (nlp.pipe of the paragraphs)", clock() - start)
    reading = spent["reading and paragraphs"]
    parsing = spent["parse (nlp.pipe of the paragraphs)"]
    parsed = iter(docs)
    per_article = [[next(parsed) for _ in ps] for ps in paras]

    def timed(name: str, stage: str) -> None:
        original = getattr(extract, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            begin = clock()
            try:
                return original(*a, **k)
            finally:
                add(stage, clock() - begin)

        setattr(extract, name, wrapper)

    timed("_sentences", "sentences")
    timed("_candidates", "candidates: rules and the model")
    timed("ActorResolver", "actors of the article (entities)")
    timed("_resolve", "speakers resolved, statement topics")
    timed("article_topics", "topics of the article")

    def judged(rules: Any, found: Any) -> Any:
        begin = clock()
        try:
            return judge(rules, found)  # type: ignore[misc]
        finally:
            add("  of which the model's judgement", clock() - begin)

    judging: Callable[..., Any] = judged
    judging.version = getattr(judge, "version", None)  # type: ignore[attr-defined]
    start = clock()
    extract.extract_parsed(read[0], paras[0], per_article[0], judge)
    for doc in per_article[0]:
        doc.user_data.clear()  # the topics' cache of the doc
    add(
        "once: the first extraction, with the loads it makes (names, word frequencies)",
        clock() - start,
    )
    spent.update({stage: 0.0 for stage in spent if not stage.startswith("once")})
    spent["reading and paragraphs"] = reading
    spent["parse (nlp.pipe of the paragraphs)"] = parsing
    fastest: dict[str, float] = {}
    for _ in range(args.passes):
        for stage in [s for s in spent if not s.startswith(("once", "reading", "parse"))]:
            del spent[stage]
        for doc in docs:
            doc.user_data.clear()
        start = clock()
        extractions = [
            extract.extract_parsed(a, ps, ds, judging)
            for a, ps, ds in zip(read, paras, per_article, strict=True)
        ]
        add("extraction, all of it", clock() - start)
        for stage, seconds in spent.items():
            fastest[stage] = min(fastest.get(stage, seconds), seconds)
    spent.update(fastest)
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "stages.db", create=True)
        start = clock()
        for at in range(0, len(extractions), 16):
            store.save_extractions(db, extractions[at : at + 16])
        add("storing (chunks of 16 articles)", clock() - start)
        db.close()
    statements = sum(len(e.statements) for e in extractions)
    tokens = sum(len(d) for d in docs)
    print(f"{len(files)} articles, {tokens} tokens, {statements} statements")
    for stage, seconds in sorted(spent.items(), key=lambda kv: not kv[0].startswith("once")):
        if stage.startswith("once"):
            print(f"{seconds:8.2f} s          {stage}")
        else:
            print(f"{seconds / len(files) * 1000:8.1f} ms/article {stage}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
