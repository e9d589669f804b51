"""A paragraph's tokens as lists: part of speech, dependency, lower case, head, children.

spaCy makes a new token object at each `doc[i]`, `tok.head` and on every walk over a token's
children, and asks its string store anew at each `tok.pos_`; the rules and the model ask the
same tokens of one paragraph many times, so they read these lists instead, made once per
paragraph from `doc.to_array`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_NAMES: dict[int, str] = {}
"""The string of each hash or symbol read lately (emptied at `_NAMES_KEPT` entries, so that
words do not pile up over a long run)."""
_NAMES_KEPT = 20_000


def _names(doc: Doc, values: list[int]) -> list[str]:
    """The strings of a column of `doc.to_array`: one dict lookup each."""
    try:
        return list(map(_NAMES.__getitem__, values))
    except KeyError:
        strings = doc.vocab.strings
        if len(_NAMES) > _NAMES_KEPT:
            _NAMES.clear()
        for value in values:
            if value not in _NAMES:
                _NAMES[value] = strings[value]
        return list(map(_NAMES.__getitem__, values))


class Columns:
    """Every token's part of speech, dependency, lower case (the text itself for punctuation
    and quote marks), whether it is punctuation or space and whether space, head and children
    (in order); the
    edges of a token's subtree are read from spaCy when first asked."""

    def __init__(self, doc: Doc, tokens: Sequence[Token]) -> None:
        # imported here: the rules are imported where no text is parsed (ingest's writer
        # process), and spaCy would add some 50 MB to it
        from numpy import arange
        from spacy.attrs import DEP, HEAD, IS_PUNCT, IS_SPACE, LOWER, POS

        self.tokens = tokens
        n = len(tokens)
        table = doc.to_array([POS, DEP, LOWER, HEAD, IS_PUNCT, IS_SPACE])
        pos, dep, lower, _, punct, space = table.T.tolist() if n else [[]] * 6
        self.pos = _names(doc, pos)
        self.dep = _names(doc, dep)
        self.lower = _names(doc, lower)
        self.blank = [bool(a or b) for a, b in zip(punct, space, strict=True)]
        self.space = [bool(b) for b in space]
        self.heads: list[int] = (table[:, 3].astype("int64") + arange(n)).tolist() if n else []
        children: list[list[int]] = [[] for _ in range(n)]
        for i, h in enumerate(self.heads):
            if h != i:
                children[h].append(i)
        self.children = children
        self._left = [-1] * n
        self._right = [-1] * n

    def rights(self, i: int) -> list[int]:
        """The children of token i on its right, in order."""
        return [c for c in self.children[i] if c > i]

    def left(self, i: int) -> int:
        """Index of the first token of token i's subtree."""
        edge = self._left[i]
        if edge < 0:
            edge = self._left[i] = self.tokens[i].left_edge.i
        return edge

    def right(self, i: int) -> int:
        """Index of the last token of token i's subtree."""
        edge = self._right[i]
        if edge < 0:
            edge = self._right[i] = self.tokens[i].right_edge.i
        return edge
