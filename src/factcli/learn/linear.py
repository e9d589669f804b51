"""A logistic model over string features: trained with numpy, stored as JSON, scored with dicts.

Nothing at run time needs more than the standard library: the weights are a dict from feature to
float. Training is full-batch (Adam on the L2-regularised log loss, fixed iterations), so it is
deterministic: the same examples give the same bytes.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from pathlib import Path

RULE_FEATURE = "how=rule"
BARE_PHRASE = frozenset({"noverb", "speakers=0"})
"""With one of `SHORT`: a content of one or two words without a verb and no one to say it."""
SHORT = frozenset({"len=1", "len=2"})
NEVER = 2.0
"""A limit no probability reaches."""
FLOOR_MARGIN = 1e-9
"""How far under the threshold's log-odds `LinearModel.below` draws its line."""


def bare_phrase(feats: Sequence[str]) -> bool:
    """A candidate of the model's own whose content is a bare phrase with no speaker ("the
    league's support for Ridgeway" would give "support" with "Ridgeway"): a name or a thing,
    not a claim. Such candidates are never kept: in cross-validation on train most kept were
    wrong, and dropping them lifts end-to-end F1 with no loss elsewhere."""
    if RULE_FEATURE in feats:
        return False
    have = set(feats)
    return have >= BARE_PHRASE and not SHORT.isdisjoint(have)


@dataclass(frozen=True)
class LinearModel:
    weights: dict[str, float]
    threshold: float
    """Probability at which a candidate of the model's own is kept."""
    version: str
    meta: dict[str, object]
    rule_threshold: float = 0.0
    """Probability at which a candidate the rules found is kept (marked by the feature
    `RULE_FEATURE`); the rules are precise, so it is lower."""
    end_weights: dict[str, float] = field(default_factory=dict)
    """Weights of the model that chooses where a kept content ends (`learn.bounds`); empty:
    contents end where the parse ends them."""

    def probability(self, feats: Sequence[str]) -> float:
        # each feature once, as `fit` counts them; `map` adds the same terms in the same order
        # as a generator would, so the sum is the same to the last bit
        z = sum(map(self.weights.get, set(feats), repeat(0.0)))
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    @cached_property
    def _floor(self) -> float:
        """The sum of weights under which a candidate of the model's own is never kept, a
        little under the threshold's log-odds (minus infinity when the threshold is not a
        probability strictly between 0 and 1)."""
        if not 0.0 < self.threshold < 1.0:
            return -math.inf
        return math.log(self.threshold / (1.0 - self.threshold)) - FLOOR_MARGIN

    def below(self, z: float) -> bool:
        """Whether a candidate of the model's own (not `RULE_FEATURE`) whose weights sum to
        `z`, summed in any order, stays under the threshold. `probability` is monotone in the
        sum, and sums of the same weights in two orders differ by rounding alone (about 1e-14
        for a hundred terms under 30), far less than `FLOOR_MARGIN`: a candidate `below`
        says no to has a probability under the threshold, whatever order `probability`
        adds its weights in."""
        return z < self._floor

    def accepts(self, feats: Sequence[str]) -> bool:
        return self.probability(feats) >= self.limit(feats)

    def limit(self, feats: Sequence[str]) -> float:
        """The probability at which a candidate with `feats` is kept (above 1: never)."""
        if bare_phrase(feats):
            return NEVER
        return self.rule_threshold if RULE_FEATURE in feats else self.threshold

    def to_bytes(self) -> bytes:
        body = {
            "version": self.version,
            "threshold": self.threshold,
            "rule_threshold": self.rule_threshold,
            "meta": self.meta,
            "weights": {k: self.weights[k] for k in sorted(self.weights)},
        }
        if self.end_weights:
            body["end_weights"] = {k: self.end_weights[k] for k in sorted(self.end_weights)}
        data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        return gzip.compress(data, compresslevel=9, mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        body = json.loads(gzip.decompress(data))
        weights = body["weights"]
        end_weights = body.get("end_weights", {})
        for table in (weights, end_weights):
            if not isinstance(table, dict) or not all(
                isinstance(v, int | float) for v in table.values()
            ):
                raise ValueError("weights are not a mapping of feature to number")
        return cls(
            {str(k): float(v) for k, v in weights.items()},
            float(body["threshold"]),
            str(body["version"]),
            dict(body.get("meta", {})),
            float(body.get("rule_threshold", 0.0)),
            {str(k): float(v) for k, v in end_weights.items()},
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        return cls.from_bytes(path.read_bytes())


def choose(
    groups: Sequence[int | None], probs: Sequence[float], limits: Sequence[float]
) -> list[bool]:
    """Which candidates to keep: one with no group when its probability reaches its limit; of
    a group (the spans of one cue), the likeliest that reaches its limit, and no other."""
    keep = [g is None and p >= t for g, p, t in zip(groups, probs, limits, strict=True)]
    best: dict[int, int] = {}
    for k, g in enumerate(groups):
        if g is None or probs[k] < limits[k]:
            continue
        if g not in best or probs[k] > probs[best[g]]:
            best[g] = k
    for k in best.values():
        keep[k] = True
    return keep


def fit(
    examples: Sequence[Sequence[str]],
    labels: Sequence[int],
    l2: float = 1.0,
    iterations: int = 300,
    min_count: int = 2,
    learning_rate: float = 0.1,
) -> dict[str, float]:
    """Weights of a logistic model; features seen fewer than `min_count` times are left out."""
    import numpy as np

    counts = Counter(f for feats in examples for f in set(feats))
    vocab = sorted(f for f, n in counts.items() if n >= min_count or f == "bias")
    index = {f: i for i, f in enumerate(vocab)}
    rows: list[int] = []
    cols: list[int] = []
    for r, feats in enumerate(examples):
        for f in set(feats):
            c = index.get(f)
            if c is not None:
                rows.append(r)
                cols.append(c)
    row = np.asarray(rows, dtype=np.int64)
    col = np.asarray(cols, dtype=np.int64)
    y = np.asarray(labels, dtype=np.float64)
    n, d = len(y), len(vocab)
    w = np.zeros(d)
    m = np.zeros(d)
    v = np.zeros(d)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, iterations + 1):
        z = np.bincount(row, weights=w[col], minlength=n)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        grad = np.bincount(col, weights=(p - y)[row], minlength=d) + l2 * w
        grad[index["bias"]] -= l2 * w[index["bias"]]
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        mhat = m / (1 - beta1**t)
        vhat = v / (1 - beta2**t)
        w = w - learning_rate * mhat / (np.sqrt(vhat) + eps)
    return {f: round(float(x), 5) for f, x in zip(vocab, w, strict=True) if abs(x) >= 1e-4}
