"""The attribute table against spaCy's attribute ruler: the same annotations, and the CPU of each.

    python bench/attributes.py FOLDER [FOLDER ...]              # identity over every article
    python bench/attributes.py FOLDER --articles 80 --time 3    # CPU per component, 3 rounds

Identity: every .txt article of the folders, as the paragraphs factcli parses and as the whole
text (whose blank lines are whitespace tokens), goes through the pipes of the pipeline as
installed up to its `attribute_ruler` (tok2vec, tagger, parser: what comes before the ruler is
the same for both, so it runs once); then one copy of each document goes through spaCy's ruler
and the other through the table of `factcli.nlp.load()`, and each through the pipes after it
(lemmatizer, NER), and every document's `doc.to_array` of POS, TAG, MORPH, LEMMA, DEP, HEAD,
ENT_IOB, ENT_TYPE, SENT_START and NORM is compared token by token. It prints the documents,
tokens and documents that differ (with the first differing tokens), and exits 1 on any.

--time N: the paragraphs of --articles articles (spread evenly over the folders) go through the
pipes before the ruler once; then, N rounds, each component's own work over all of them is
timed with this process's CPU clock (tok2vec, tagger and parser on fresh copies; the ruler and
the table each on copies of the parsed documents; the lemmatizer and NER after it): the figure
is the fastest round, in ms per article, which other processes on the machine disturb little
(the table's first round is shown too: it fills the table as new combinations come).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

ATTRS = ["POS", "TAG", "MORPH", "LEMMA", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE", "SENT_START", "NORM"]


def articles(folders: list[Path], limit: int | None) -> list[Path]:
    """Every .txt file of the folders, or `limit` of them spread evenly over each folder."""
    files = []
    for k, folder in enumerate(folders):
        found = sorted(folder.rglob("*.txt"))
        if limit is None:
            files += found
            continue
        n = limit // len(folders) + (k < limit % len(folders))
        files += [found[i * len(found) // n] for i in range(min(n, len(found)))]
    return files


def paragraphs(path: Path) -> list[str]:
    from factcli.extract import article_paragraphs
    from factcli.reader import read_article

    article = read_article(str(path))
    return [article.text[s:e] for s, e in article_paragraphs(article)]


def documents(files: list[Path]) -> Iterator[str]:
    for path in files:
        yield from paragraphs(path)
        yield path.read_text(encoding="utf-8", errors="replace")


def batched(items: Iterator[Any], n: int) -> Iterator[list[Any]]:
    while batch := list(islice(items, n)):
        yield batch


def installed() -> Any:
    from factcli import nlp

    return importlib.import_module(nlp.package_name()).load()


def check(files: list[Path]) -> int:
    from factcli import nlp

    spacy_nlp = installed()
    table = nlp.load().get_pipe("attribute_ruler")
    print(f"components: installed {type(spacy_nlp.get_pipe('attribute_ruler')).__name__}; "
          f"factcli.nlp.load() {type(table).__name__}")  # fmt: skip
    names = spacy_nlp.pipe_names
    at = names.index("attribute_ruler")
    ruler = spacy_nlp.get_pipe("attribute_ruler")
    after = [spacy_nlp.get_pipe(name) for name in names[at + 1 :]]
    docs = tokens = differ = 0
    with spacy_nlp.select_pipes(enable=names[:at]):
        parsed = spacy_nlp.pipe(documents(files), batch_size=nlp.BATCH_SIZE)
        for batch in batched(parsed, nlp.BATCH_SIZE):
            ours = [table(doc.copy()) for doc in batch]
            theirs = [ruler(doc) for doc in batch]
            for pipe in after:
                ours = list(pipe.pipe(ours, batch_size=nlp.BATCH_SIZE))
                theirs = list(pipe.pipe(theirs, batch_size=nlp.BATCH_SIZE))
            for a, b in zip(theirs, ours, strict=True):
                docs += 1
                tokens += len(a)
                x, y = a.to_array(ATTRS), b.to_array(ATTRS)
                if x.shape == y.shape and (x == y).all():
                    continue
                differ += 1
                if differ <= 5:
                    i = next(i for i in range(len(a)) if (x[i] != y[i]).any())
                    print(f"differs: {a[i].text!r} in {a[: i + 1].text[-60:]!r}")
    print(f"identity: {len(files)} articles, {docs} documents, {tokens} tokens, {differ} differ")
    return 1 if differ else 0


def timed(rounds: int, work: Callable[[], None]) -> float:
    return min(timed_rounds(rounds, work))


def timed_rounds(rounds: int, work: Callable[[], None]) -> list[float]:
    seconds = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        seconds.append(time.process_time() - start)
    return seconds


def timing(files: list[Path], rounds: int) -> None:
    from factcli import nlp

    spacy_nlp = installed()
    ruler = spacy_nlp.get_pipe("attribute_ruler")
    table = nlp.load().get_pipe("attribute_ruler")
    texts = [t for path in files for t in paragraphs(path)]
    n = len(files)
    docs = [spacy_nlp.make_doc(t) for t in texts]
    print(f"timing: {n} articles, {len(texts)} paragraphs, {sum(map(len, docs))} tokens")
    before = ["tok2vec", "tagger", "parser"]
    for name in before:
        pipe = spacy_nlp.get_pipe(name)
        copies = [[d.copy() for d in docs] for _ in range(rounds)]
        seconds = timed(rounds, lambda p=pipe, c=copies: list(p.pipe(c.pop(), batch_size=64)))
        print(f"{name:>16} {seconds / n * 1000:7.2f} ms/article")
        docs = list(pipe.pipe(docs, batch_size=64))
    for label, component in (("attribute_ruler", ruler), ("attribute table", table)):
        copies = [[d.copy() for d in docs] for _ in range(rounds)]
        times = timed_rounds(rounds, lambda p=component, c=copies: [p(d) for d in c.pop()])
        print(f"{label:>16} {min(times) / n * 1000:7.2f} ms/article")
        if component is table:
            print(f"{'(first round)':>16} {times[0] / n * 1000:7.2f} ms/article, as it fills")
    docs = [ruler(d) for d in docs]
    for name in ["lemmatizer", "ner"]:
        pipe = spacy_nlp.get_pipe(name)
        copies = [[d.copy() for d in docs] for _ in range(rounds)]
        seconds = timed(rounds, lambda p=pipe, c=copies: list(p.pipe(c.pop(), batch_size=64)))
        print(f"{name:>16} {seconds / n * 1000:7.2f} ms/article")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", type=Path, nargs="+", help="folders of .txt articles")
    parser.add_argument("--articles", type=int, help="spread evenly over the folders (all)")
    parser.add_argument("--time", type=int, metavar="ROUNDS", help="time the components instead")
    args = parser.parse_args()
    files = articles(args.folders, args.articles)
    if args.time:
        timing(files, args.time)
        return 0
    return check(files)


if __name__ == "__main__":
    sys.exit(main())
