"""spaCy's attribute ruler, the same output for every token at a fraction of its cost.

en_core_web_sm's `attribute_ruler` sets POS, MORPH and LEMMA from 179 patterns of one or two
tokens (keys TAG, LOWER, DEP, IS_SPACE). It runs them through a `Matcher`, which tries every
pattern at every token: about as much CPU as the parser, for answers that depend on a few
attributes of a token and of its neighbours. This component reads those attributes with
`doc.to_array`, looks each token's answer up in a table filled as new combinations appear
(evaluated from the ruler's own patterns in spaCy's order: rules in the order they were added,
later ones overwriting earlier ones; a two-token rule sets the token its `index` names) and
writes the answers back with `doc.from_array`.

Only what the table reproduces exactly is taken over: patterns without operators, whose
tokens use plain values, IN, NOT_IN or REGEX on the attributes of `READABLE`, and rules that set
POS, TAG, MORPH, LEMMA or DEP. A pipeline with anything else keeps spaCy's ruler (`install`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from spacy.attrs import DEP, IDS, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id

if TYPE_CHECKING:
    from spacy.strings import StringStore
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

FACTORY = "factcli_attribute_table"
STRING_KEYS = ("ORTH", "LOWER", "NORM", "TAG", "DEP")
FLAG_KEYS = ("IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT")
READABLE = STRING_KEYS + FLAG_KEYS
WRITABLE = (POS, TAG, MORPH, LEMMA, DEP)
OPEN_KEYS = ("ORTH", "LOWER", "NORM")  # a value per word of the vocabulary: kept as classes
OTHER = -1  # the class of every value that no pattern names and no regex matches


class Unsupported(ValueError):
    """A ruler pattern the table cannot reproduce exactly (the pipeline keeps spaCy's ruler)."""


@dataclass(frozen=True)
class _Test:
    """What one attribute of one pattern token must satisfy (all of its parts at once)."""

    column: int
    equals: int | None
    within: frozenset[int] | None
    outside: frozenset[int] | None
    regexes: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class _Rule:
    """One ruler entry: its patterns (tuples of token tests), the token it sets, what it sets."""

    order: int
    patterns: tuple[tuple[tuple[_Test, ...], ...], ...]
    index: int
    attrs: tuple[tuple[int, int], ...]


def _key(name: Any) -> str:
    key = str(name).upper()
    return "ORTH" if key == "TEXT" else key


def _compile_value(column: int, key: str, value: Any) -> _Test:
    """A pattern value as a test, as spaCy's Matcher reads it: strings compare by hash, booleans
    as 0/1, a dict of IN / NOT_IN / REGEX must hold in all its parts."""
    if isinstance(value, bool):
        if key not in FLAG_KEYS:
            raise Unsupported(f"a boolean value for {key}")
        return _Test(column, int(value), None, None, ())
    if isinstance(value, (str, int)):
        if key in FLAG_KEYS:
            raise Unsupported(f"a non-boolean value for {key}")
        return _Test(column, get_string_id(value), None, None, ())
    if not isinstance(value, dict) or not value or key in FLAG_KEYS:
        raise Unsupported(f"the value {value!r} of {key}")
    within = outside = None
    regexes: tuple[re.Pattern[str], ...] = ()
    for op, operand in value.items():
        if op in ("IN", "NOT_IN"):
            if not isinstance(operand, list) or not all(isinstance(v, str) for v in operand):
                raise Unsupported(f"{op} {operand!r}")
            ids = frozenset(get_string_id(v) for v in operand)
            if op == "IN":
                within = ids
            else:
                outside = ids
        elif op == "REGEX" and isinstance(operand, str):
            regexes = (re.compile(operand),)
        else:
            raise Unsupported(f"the predicate {op} {operand!r}")
    return _Test(column, None, within, outside, regexes)


def _compile(ruler: AttributeRuler) -> tuple[list[str], list[_Rule]]:
    """The attributes the ruler reads (in column order) and its rules, or Unsupported."""
    columns: list[str] = []
    rules = []
    entries: list[dict[str, Any]] = list(ruler.patterns)
    for order, (entry, attrs) in enumerate(zip(entries, ruler.attrs, strict=True)):
        if any(name not in WRITABLE for name in attrs):
            raise Unsupported(f"rule {order} sets {sorted(map(str, attrs))}")
        index = int(entry.get("index", 0))
        patterns = []
        for pattern in entry["patterns"]:
            if not pattern or not -len(pattern) <= index < len(pattern):
                raise Unsupported(f"rule {order}: index {index} of a {len(pattern)}-token pattern")
            tokens = []
            for spec in pattern:
                tests = []
                for name, value in spec.items():
                    key = _key(name)
                    if key not in READABLE:
                        raise Unsupported(f"rule {order} reads {name}")
                    if key not in columns:
                        columns.append(key)
                    tests.append(_compile_value(columns.index(key), key, value))
                tokens.append(tuple(tests))
            patterns.append(tuple(tokens))
        rules.append(_Rule(order, tuple(patterns), index, tuple(attrs.items())))
    return columns, rules


def supported(ruler: AttributeRuler) -> bool:
    """Whether the table reproduces this ruler's every pattern exactly."""
    try:
        _compile(ruler)
    except Unsupported:
        return False
    return True


class AttributeTable:
    """A drop-in for an AttributeRuler whose patterns `supported` accepts (see the module)."""

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler") -> None:
        self.vocab = vocab
        self.name = name
        self.patterns: list[dict[str, Any]] = []  # the ruler's, as `AttributeRuler.patterns`
        self._columns: list[str] = []
        self._rules: list[_Rule] = []

    def load(self, ruler: AttributeRuler) -> None:
        """Take over `ruler`'s patterns; Unsupported when one is beyond the table."""
        columns, rules = _compile(ruler)
        self.patterns = ruler.patterns
        self._columns = columns
        self._rules = rules
        self._ids = [IDS[c] for c in columns]
        self._open = [j for j, c in enumerate(columns) if c in OPEN_KEYS]
        self._named: dict[int, set[int]] = {j: set() for j in self._open}
        self._regexes: dict[int, list[re.Pattern[str]]] = {j: [] for j in self._open}
        for rule in rules:
            for pattern in rule.patterns:
                for tests in pattern:
                    for test in tests:
                        if test.column in self._named:
                            named = self._named[test.column]
                            named.update(test.within or ())
                            named.update(test.outside or ())
                            if test.equals is not None:
                                named.add(test.equals)
                            self._regexes[test.column].extend(test.regexes)
        self._value_class: dict[int, dict[int, int]] = {j: {} for j in self._open}
        # a token's class: the one-token rules it matches, and the (rule, pattern, position)
        # of the longer patterns whose token at that position it matches
        self._class_of: dict[tuple[int, ...], int] = {}
        self._class_rules: list[tuple[int, ...]] = []
        self._class_parts: list[frozenset[tuple[int, int, int]]] = []
        self._class_outcome: list[int] = []
        self._class_starts: list[bool] = []
        self._outcome_of: dict[tuple[int, ...], int] = {}
        self._outcomes: list[dict[int, int]] = []
        self._tables: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def __call__(self, doc: Doc) -> Doc:
        """Set POS, TAG, MORPH, LEMMA and DEP of `doc`'s tokens as the ruler would."""
        n = len(doc)
        if not n or not self._rules:
            return doc
        read = doc.to_array(self._ids)
        cols = [read[:, j].tolist() for j in range(len(self._ids))]
        strings = doc.vocab.strings
        for j in self._open:
            cols[j] = self._classes_of_values(j, cols[j], strings)
        class_of = self._class_of
        try:
            classes = [class_of[key] for key in zip(*cols, strict=True)]
        except KeyError:
            new_class = self._new_class
            classes = [
                class_of[key] if key in class_of else new_class(key, strings)
                for key in zip(*cols, strict=True)
            ]
        outcome_table, _, _, starts = self._arrays()
        cls = np.array(classes, dtype=np.intp)
        outcomes = outcome_table[cls]
        if starts[cls].any():
            outcomes = self._with_longer(np.flatnonzero(starts[cls]).tolist(), classes, outcomes)
        _, values, masks, _ = self._arrays()
        mask = masks[outcomes]
        set_columns = np.flatnonzero(mask.any(axis=0))
        if not len(set_columns):
            return doc
        ids = [WRITABLE[c] for c in set_columns]
        old = doc.to_array(ids)
        new = np.where(mask[:, set_columns], values[outcomes][:, set_columns], old)
        doc.from_array(ids, new)  # type: ignore[arg-type]
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in stream:
            yield self(doc)

    def _classes_of_values(self, column: int, values: list[int], strings: StringStore) -> list[int]:
        """An open attribute's values (words) as the patterns see them: a value a pattern names
        or a regex matches stands for itself, any other one is OTHER (no test tells them apart)."""
        known = self._value_class[column]
        try:
            return [known[v] for v in values]
        except KeyError:
            pass
        named = self._named[column]
        regexes = self._regexes[column]
        for v in values:
            if v not in known:
                text = strings[v] if regexes else ""
                keep = v in named or any(r.search(text) for r in regexes)
                known[v] = v if keep else OTHER
        return [known[v] for v in values]

    @staticmethod
    def _matches(tests: tuple[_Test, ...], key: tuple[int, ...], strings: StringStore) -> bool:
        for t in tests:
            value = key[t.column]
            if t.equals is not None and value != t.equals:
                return False
            if t.within is not None and value not in t.within:
                return False
            if t.outside is not None and value in t.outside:
                return False
            if t.regexes and (
                value == OTHER or not all(r.search(strings[value]) for r in t.regexes)
            ):
                return False  # OTHER: no regex of its attribute matches the value
        return True

    def _new_class(self, key: tuple[int, ...], strings: StringStore) -> int:
        rules: list[int] = []
        parts: set[tuple[int, int, int]] = set()
        for r, rule in enumerate(self._rules):
            for p, pattern in enumerate(rule.patterns):
                if len(pattern) == 1:
                    if self._matches(pattern[0], key, strings):
                        rules.append(r)
                else:
                    parts.update(
                        (r, p, k)
                        for k, tests in enumerate(pattern)
                        if self._matches(tests, key, strings)
                    )
        number = len(self._class_rules)
        self._class_rules.append(tuple(sorted(set(rules))))
        self._class_parts.append(frozenset(parts))
        self._class_outcome.append(self._outcome(tuple(sorted(set(rules)))))
        self._class_starts.append(any(k == 0 for _, _, k in parts))
        self._class_of[key] = number
        self._tables = None
        return number

    def _outcome(self, rules: tuple[int, ...]) -> int:
        """The attributes a token ends with when `rules` (ascending) match it: later win."""
        found = self._outcome_of.get(rules)
        if found is None:
            attrs: dict[int, int] = {}
            for r in rules:
                attrs.update(self._rules[r].attrs)
            found = len(self._outcomes)
            self._outcomes.append(attrs)
            self._outcome_of[rules] = found
            self._tables = None
        return found

    def _with_longer(self, starts: list[int], classes: list[int], outcomes: np.ndarray) -> Any:
        """Outcomes with the patterns of two or more tokens that match from `starts` added."""
        extra: dict[int, set[int]] = {}
        n = len(classes)
        parts = self._class_parts
        for i in starts:
            for r, p, k in parts[classes[i]]:
                if k:
                    continue
                pattern = self._rules[r].patterns[p]
                end = i + len(pattern)
                if end <= n and all(
                    (r, p, j) in parts[classes[i + j]] for j in range(1, len(pattern))
                ):
                    index = self._rules[r].index
                    extra.setdefault(i + index if index >= 0 else end + index, set()).add(r)
        if not extra:
            return outcomes
        outcomes = outcomes.copy()
        for t, rules in extra.items():
            outcomes[t] = self._outcome(tuple(sorted(rules.union(self._class_rules[classes[t]]))))
        self._tables = None
        return outcomes

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self._tables is None:
            values = np.zeros((len(self._outcomes), len(WRITABLE)), dtype=np.uint64)
            masks = np.zeros((len(self._outcomes), len(WRITABLE)), dtype=bool)
            for o, attrs in enumerate(self._outcomes):
                for c, name in enumerate(WRITABLE):
                    if name in attrs:
                        values[o, c] = attrs[name]
                        masks[o, c] = True
            self._tables = (
                np.array(self._class_outcome, dtype=np.intp),
                values,
                masks,
                np.array(self._class_starts, dtype=bool),
            )
        return self._tables


@Language.factory(FACTORY)
def make_attribute_table(nlp: Language, name: str) -> AttributeTable:
    """An empty table (spaCy builds components by factory); `install` fills it from a ruler."""
    return AttributeTable(nlp.vocab, name)


def install(nlp: Language) -> bool:
    """Swap each AttributeRuler of `nlp` whose patterns are supported for a table; True when
    one was swapped. A ruler with a pattern beyond the table stays."""
    swapped = False
    rulers: Sequence[tuple[str, Any]] = [
        (name, pipe) for name, pipe in nlp.pipeline if isinstance(pipe, AttributeRuler)
    ]
    for name, ruler in rulers:
        if not supported(ruler):
            continue
        table = nlp.replace_pipe(name, FACTORY)
        assert isinstance(table, AttributeTable)
        table.load(ruler)
        swapped = True
    return swapped
