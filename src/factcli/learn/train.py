"""Train the attribution model on annotated articles (PolNeAR's `data/train`, or your own).

    python -m factcli.learn.train PATH/TO/PolNeAR --out attribution.json.gz --cache DIR

PATH is PolNeAR's repository (its data/train is read, nothing else), or any folder with
`text/<stem>.txt` and `attributions/<stem>_<annotator>.ann` (brat), or with `texts/` and a
`gold.jsonl` as PolNeAR's scorer reads it. A folder named `test` is refused. Articles are split
into five folds (by sorted name): each fold is scored by a model trained on the other four, the
threshold is chosen on those held-out figures, and the final model is trained on everything.
The same corpus and options give the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from factcli.attribution.rules import Candidate, ParagraphRules, mention_bounds
from factcli.errors import FactcliError
from factcli.learn.bounds import best_end, end_options
from factcli.learn.continued import run_on
from factcli.learn.corpus import ParsedArticle, load_corpus, training_root
from factcli.learn.features import paragraph_candidates
from factcli.learn.linear import NEVER, RULE_FEATURE, LinearModel, bare_phrase, choose, fit
from factcli.learn.nested import drop_nested
from factcli.learn.score import Tally, gold_positions, positions
from factcli.learn.speakers import revised

THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
RULE_THRESHOLDS = (0.05, 0.15, 0.25, 0.35)
END_L2 = 1.0


@dataclass
class Example:
    article: int
    content: tuple[int, int]
    speakers: list[tuple[int, int]]
    feats: list[str] | None
    label: int
    group: int | None = None
    ends: list[tuple[int, list[str]]] | None = None
    """Ends tried for the content (`learn.bounds`), when it has more than one."""
    end_label: int | None = None
    """Index in `ends` of the end closest to the annotated content, when one overlaps it."""
    cue: tuple[int, int] = (0, 0)
    """The cue's characters (`learn.nested` drops one of two cues reporting the same words)."""


def _speaker_chars(cand: Candidate, offset: int, offsets: dict[int, int]) -> list[tuple[int, int]]:
    """The speaker mentions of `cand` if it is kept (`learn.speakers`), as character spans. A
    quotation that continues a speaker's has that speaker's mentions, in the paragraph they
    are in (`offsets`: each candidate's paragraph), as `extract` gives them."""
    while cand.inherited_from is not None and id(cand.inherited_from) in offsets:
        cand = cand.inherited_from
        offset = offsets[id(cand)]
    heads = revised(cand)
    out = []
    for head in cand.speakers if heads is None else heads:
        b0, b1 = mention_bounds(head)
        doc = head.doc
        at = offset if cand.speaker_offset is None else cand.speaker_offset
        out.append((doc[b0].idx + at, doc[b1 - 1].idx + len(doc[b1 - 1].text) + at))
    return out


def examples_of(index: int, parsed: ParsedArticle) -> list[Example]:
    """Every candidate of an article, labelled 1 when its content matches a gold content (at
    least half the characters of the longer, as the scorer counts) whose cue it shares: the
    same content reached through another word is a duplicate, which the scorer counts wrong."""
    from factcli.extract import _candidates

    text = parsed.article.text
    golds = [
        (positions(text, g.content), positions(text, [*g.source, *g.cue]), g.cue)
        for g in parsed.gold
    ]
    recorded: list[tuple[Candidate, list[str] | None, int | None]] = []
    options: list[list[tuple[int, list[str]]]] = []

    def record(rules: ParagraphRules, found: list[Candidate]) -> list[Candidate]:
        made = paragraph_candidates(rules, found)
        base = (index * 100_000 + len(recorded)) * 10_000  # group ids unique in the corpus
        recorded.extend((c, f, None if g is None else base + g) for c, f, g in made)
        options.extend([] if f is None else end_options(c, rules, f) for c, f, _ in made)
        return [c for c, _, _ in made]

    pairs = list(zip(parsed.docs, (s for s, _ in parsed.paragraphs), strict=True))
    found = _candidates(parsed.article, parsed.paragraphs, pairs, record)
    offsets = {id(c): off for c, _, off in found}
    scores = []
    end_labels: list[int | None] = []
    for (cand, _, _), ends in zip(recorded, options, strict=True):
        pc = positions(text, [cand.content])
        best = 0.0
        closest: tuple[frozenset[int], frozenset[int]] | None = None
        c0, c1 = cand.cue
        for gc, frame, cue in golds:
            pcj = pc - frame
            inter = len(pcj & gc)
            if inter and any(a < c1 and c0 < b for a, b in cue):
                share = inter / max(len(pcj), len(gc))
                if share > best:
                    best, closest = share, (gc, frame)
        scores.append(best)
        end_labels.append(None if closest is None else _closest_end(text, cand, ends, *closest))
    top: dict[int, float] = {}
    for (_, _, group), score in zip(recorded, scores, strict=True):
        if group is not None:
            top[group] = max(top.get(group, 0.0), score)
    out = []
    for (cand, feats, group), score, ends, end_label in zip(
        recorded, scores, options, end_labels, strict=True
    ):
        # of a cue's spans, only the one closest to the annotated content is right
        label = int(score >= 0.5 and (group is None or score >= top[group]))
        off = offsets.get(id(cand), 0)
        tried = ends if len(ends) > 1 else None
        out.append(
            Example(
                index,
                cand.content,
                _speaker_chars(cand, off, offsets),
                feats,
                label,
                group,
                tried,
                end_label if tried else None,
                cand.cue,
            )
        )
    return out


def _closest_end(
    text: str,
    cand: Candidate,
    ends: list[tuple[int, list[str]]],
    gold: frozenset[int],
    frame: frozenset[int],
) -> int | None:
    """Index of the end whose content overlaps `gold` best (the first of equals: the parse's
    own end, then the nearer ones)."""
    if len(ends) < 2:
        return None
    shares = []
    for end, _ in ends:
        pc = positions(text, [(cand.content[0], end)]) - frame
        shares.append(len(pc & gold) / max(len(pc), len(gold)) if pc else 0.0)
    return shares.index(max(shares))


def fit_ends(examples: Sequence[Example]) -> dict[str, float]:
    """Weights of the end chooser: each end tried is an example, the closest one positive."""
    feats: list[list[str]] = []
    labels: list[int] = []
    for ex in examples:
        if ex.ends is None or ex.end_label is None:
            continue
        for k, (_, fs) in enumerate(ex.ends):
            feats.append(fs)
            labels.append(int(k == ex.end_label))
    return fit(feats, labels, l2=END_L2) if feats else {}


def paragraph_ends(parsed: ParsedArticle, contents: Sequence[tuple[int, int]]) -> list[int]:
    """The end of the paragraph each content starts in (the text's end when none holds it)."""
    starts = [p0 for p0, _ in parsed.paragraphs]
    out = []
    for c0, _ in contents:
        i = bisect_right(starts, c0) - 1
        out.append(parsed.paragraphs[i][1] if i >= 0 else len(parsed.article.text))
    return out


def cross_validate(
    corpus: list[ParsedArticle], examples: list[Example], folds: int, l2: float, log: bool
) -> tuple[tuple[float, float], dict[str, object]]:
    """Held-out figures for a grid of the two thresholds (the rules' candidates, the model's
    own); returns the pair with the best sum of overlap50 and end-to-end F1, and the figures."""
    probs: list[float] = [0.0] * len(examples)
    contents = [ex.content for ex in examples]
    for fold in range(folds):
        train = [ex for ex in examples if ex.article % folds != fold and ex.feats is not None]
        weights = fit([ex.feats or [] for ex in train], [ex.label for ex in train], l2=l2)
        model = LinearModel(weights, 0.5, "cv", {})
        end_weights = fit_ends(train)
        for k, ex in enumerate(examples):
            if ex.article % folds == fold and ex.feats is not None:
                probs[k] = model.probability(ex.feats)
                if ex.ends and end_weights:
                    contents[k] = (ex.content[0], best_end(ex.ends, end_weights))
        if log:
            print(f"fold {fold + 1}/{folds} trained on {len(train)} candidates", file=sys.stderr)
    by_article: dict[int, list[int]] = {}
    for k, ex in enumerate(examples):
        by_article.setdefault(ex.article, []).append(k)
    by_rule = [ex.feats is None or RULE_FEATURE in ex.feats for ex in examples]
    groups = [ex.group for ex in examples]
    golds = [gold_positions(p.article.text, p.gold) for p in corpus]
    content_at = [
        positions(corpus[ex.article].article.text, [content])
        for ex, content in zip(examples, contents, strict=True)
    ]
    speakers_at = [
        [positions(corpus[ex.article].article.text, [s]) for s in ex.speakers] for ex in examples
    ]

    cues = [ex.cue for ex in examples]
    likely = [2.0 if ex.feats is None else p for ex, p in zip(examples, probs, strict=True)]
    plain_at = [positions(corpus[ex.article].article.text, [ex.content]) for ex in examples]

    def figures(rule_t: float, own_t: float, bounds: bool = True) -> dict[str, dict[str, float]]:
        limits = [
            0.0 if ex.feats is None else NEVER if bare_phrase(ex.feats) else rule_t if r else own_t
            for ex, r in zip(examples, by_rule, strict=True)
        ]
        keep = choose(
            groups,
            [2.0 if ex.feats is None else p for ex, p in zip(examples, probs, strict=True)],
            limits,
        )
        tally = Tally()
        for a in range(len(corpus)):
            preds: list[tuple[frozenset[int], frozenset[int] | None]] = []
            seen: set[tuple[tuple[int, int], tuple[int, int] | None]] = set()
            kept = [k for k in by_article.get(a, []) if keep[k]]
            kept_contents = [contents[k] if bounds else examples[k].content for k in kept]
            text = corpus[a].article.text
            longer, drop = kept_contents, set[int]()
            if bounds:
                longer, drop = run_on(text, kept_contents, paragraph_ends(corpus[a], kept_contents))
                left = [n for n in range(len(kept)) if n not in drop]
                gone = drop_nested(
                    [longer[n] for n in left],
                    [cues[kept[n]] for n in left],
                    [likely[kept[n]] for n in left],
                )
                drop = drop | {left[n] for n in gone}
            for n, k in enumerate(kept):
                if n in drop:
                    continue
                ex = examples[k]
                spans: list[tuple[int, int] | None] = list(ex.speakers) or [None]
                sets: list[frozenset[int] | None] = list(speakers_at[k]) or [None]
                content = longer[n]
                at_k = content_at[k] if bounds else plain_at[k]
                if content != kept_contents[n]:
                    at_k = positions(text, [content])
                for span, at in zip(spans, sets, strict=True):
                    if (content, span) not in seen:
                        seen.add((content, span))
                        preds.append((at_k, at))
            tally.add_positions(golds[a], preds)
        return tally.figures()

    table = {(r, o): figures(r, o) for r in RULE_THRESHOLDS for o in THRESHOLDS}
    best = max(table, key=lambda k: (table[k]["overlap50"]["f1"] + table[k]["end_to_end"]["f1"], k))
    report = {
        "rule_threshold": best[0],
        "threshold": best[1],
        "figures": table[best],
        "without_bounds": figures(*best, bounds=False),
        "rules_alone": figures(0.0, 2.0, bounds=False),
    }
    return best, report


def train(
    corpus_path: Path,
    cache: Path | None = None,
    folds: int = 5,
    l2: float = 3.0,
    version: str = "attribution-1",
    log: bool = True,
) -> LinearModel:
    root = training_root(corpus_path)
    corpus = load_corpus(root, cache)
    if log:
        print(f"{len(corpus)} annotated articles parsed", file=sys.stderr)
    examples = [ex for a, parsed in enumerate(corpus) for ex in examples_of(a, parsed)]
    n_folds = max(2, min(folds, len(corpus)))
    (rule_threshold, threshold), report = cross_validate(corpus, examples, n_folds, l2, log)
    if log:
        print(json.dumps(report, indent=1), file=sys.stderr)
    usable = [ex for ex in examples if ex.feats is not None]
    weights = fit([ex.feats or [] for ex in usable], [ex.label for ex in usable], l2=l2)
    end_weights = fit_ends(usable)
    meta: dict[str, object] = {
        "articles": len(corpus),
        "candidates": len(usable),
        "positives": sum(ex.label for ex in usable),
        "l2": l2,
        "folds": n_folds,
        "cross_validation": report,
    }
    return LinearModel(weights, threshold, version, meta, rule_threshold, end_weights)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m factcli.learn.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("corpus", type=Path, help="PolNeAR repository or annotated folder")
    parser.add_argument("--out", type=Path, required=True, help="model file to write")
    parser.add_argument("--cache", type=Path, help="folder for parsed documents")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=3.0)
    parser.add_argument("--version", default="attribution-1")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        model = train(args.corpus, args.cache, args.folds, args.l2, args.version, not args.quiet)
    except FactcliError as exc:
        print(f"factcli: error: {exc.message}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(model.to_bytes())
    if not args.quiet:
        print(f"wrote {args.out} ({args.out.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
