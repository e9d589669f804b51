"""Annotated articles parsed once: the texts are read as `ingest` reads them, split into the
same paragraphs and parsed by the same spaCy pipeline; the docs are cached (a spaCy DocBin
per corpus, keyed by the texts and the pipeline) so a second training run skips parsing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from factcli.errors import FactcliError
from factcli.learn.brat import GoldAttribution, read_split

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from factcli.models import Article


@dataclass
class ParsedArticle:
    stem: str
    article: Article
    paragraphs: list[tuple[int, int]]
    docs: list[Doc]
    gold: list[GoldAttribution]


def refuse_test(path: Path) -> None:
    """A corpus' held-out compartment is never read for training or tuning."""
    if "test" in path.resolve().parts:
        raise FactcliError(f"{path} is inside a 'test' folder, which training never reads")


def training_root(path: Path) -> Path:
    """The folder with the annotations: PolNeAR's repository root means its data/train."""
    refuse_test(path)
    if (path / "data" / "train").is_dir():
        path = path / "data" / "train"
    if not ((path / "attributions").is_dir() or (path / "gold.jsonl").is_file()):
        raise FactcliError(f"{path} has neither attributions/ (brat .ann) nor gold.jsonl")
    return path


def load_corpus(root: Path, cache: Path | None = None) -> list[ParsedArticle]:
    """Every annotated article of `root`, parsed (from the cache when it holds them)."""
    from spacy.tokens import DocBin

    from factcli import nlp
    from factcli.extract import article_paragraphs
    from factcli.reader import read_article

    rows = read_split(root)
    articles = [read_article(str(path)) for _, path, _ in rows]
    paras = [article_paragraphs(a) for a in articles]
    texts = [a.text[s:e] for a, ps in zip(articles, paras, strict=True) for s, e in ps]
    lang = nlp.load()
    key = hashlib.sha256()
    key.update(f"{lang.meta.get('name')}-{lang.meta.get('version')}".encode())
    for t in texts:
        key.update(t.encode())
        key.update(b"\0")
    docs: list[Doc] | None = None
    cached = cache / f"docs-{key.hexdigest()[:16]}.spacy" if cache else None
    if cached is not None and cached.is_file():
        docs = list(DocBin().from_disk(cached).get_docs(lang.vocab))
        if len(docs) != len(texts):
            docs = None
    if docs is None:
        docs = list(nlp.parse(texts))
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            DocBin(store_user_data=False, docs=docs).to_disk(cached)
    it: Iterator[Doc] = iter(docs)
    out = []
    for (stem, _, gold), article, ps in zip(rows, articles, paras, strict=True):
        out.append(ParsedArticle(stem, article, ps, [next(it) for _ in ps], gold))
    return out
