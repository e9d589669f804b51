"""The shipped attribution model: loaded once per process from package data, then asked, per
paragraph, which candidates to keep."""

from __future__ import annotations

import os
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from factcli.errors import FactcliError
from factcli.learn.linear import LinearModel, choose

if TYPE_CHECKING:
    from factcli.attribution.rules import Candidate, ParagraphRules

MODEL_FILE = Path(__file__).resolve().parent / "data" / "attribution.json.gz"
MODEL_ENV = "FACTCLI_ATTRIBUTION_MODEL"
"""Names another model file (one made by `python -m factcli.learn.train`)."""


def model_path() -> Path:
    return Path(os.environ[MODEL_ENV]) if os.environ.get(MODEL_ENV) else MODEL_FILE


def load(path: Path | None = None) -> LinearModel:
    """The model at `path` (default: `model_path()`), read once per process. A missing or
    damaged file is a FactcliError that names it and the way round it."""
    return _load(path or model_path())


@lru_cache(maxsize=4)
def _load(path: Path) -> LinearModel:
    try:
        return LinearModel.load(path)
    except FileNotFoundError:
        reason = "it is missing"
    except (OSError, ValueError, KeyError, TypeError, EOFError, zlib.error) as exc:
        reason = f"it is unreadable ({type(exc).__name__})"
    raise FactcliError(
        f"cannot load the attribution model {path}: {reason}; "
        "reinstall factcli or use --extractor rules"
    )


def forget() -> None:
    """Let go of the models read so far: a process that only checks the file keeps no copy."""
    _load.cache_clear()


def version() -> str:
    return load().version


class ModelJudge:
    """(rules, found) → the candidates to keep, for `extract_parsed`; `version` is recorded
    with every article it judged."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self.version = model.version

    def __call__(self, rules: ParagraphRules, found: list[Candidate]) -> list[Candidate]:
        from factcli.learn.bounds import best_end, end_options
        from factcli.learn.features import paragraph_candidates
        from factcli.learn.nested import drop_nested
        from factcli.learn.speakers import revise

        model = self.model
        scored = paragraph_candidates(rules, found, model)
        probs = [2.0 if f is None else model.probability(f) for _, f, _ in scored]
        limits = [0.0 if f is None else model.limit(f) for _, f, _ in scored]
        keep = choose([g for _, _, g in scored], probs, limits)
        kept = []
        likely: dict[int, float] = {}
        for (cand, feats, _), k, prob in zip(scored, keep, probs, strict=True):
            if not k:
                continue
            likely[id(cand)] = prob
            if feats is not None and model.end_weights:
                options = end_options(cand, rules, feats)
                if len(options) > 1:
                    cand.content = (cand.content[0], best_end(options, model.end_weights))
            revise(cand)
            kept.append(cand)
        kept = _continue_quotes(rules, kept)
        gone = drop_nested(
            [c.content for c in kept], [c.cue for c in kept], [likely[id(c)] for c in kept]
        )
        return [c for n, c in enumerate(kept) if n not in gone]


def _continue_quotes(rules: ParagraphRules, kept: list[Candidate]) -> list[Candidate]:
    """Quotations that go on after their cue clause (`learn.continued`), in this paragraph."""
    from factcli.learn.continued import run_on

    if not kept:
        return kept
    text = rules.doc.text
    offset = rules.offset
    contents = [(c.content[0] - offset, c.content[1] - offset) for c in kept]
    longer, drop = run_on(text, contents, [len(text)] * len(contents))
    out = []
    for n, cand in enumerate(kept):
        if n in drop:
            continue
        if longer[n] != contents[n]:
            cand.content = (longer[n][0] + offset, longer[n][1] + offset)
        out.append(cand)
    return out


def judge(model: LinearModel | None = None) -> ModelJudge:
    return ModelJudge(model or load())
