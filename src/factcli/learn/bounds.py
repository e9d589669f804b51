"""Where a reported clause ends: the parse's constituent, or a comma, dash or "and" sooner or later.

A content read off the parse ends where its subtree ends, which is often a little too far ("he
will seek reelection in 2018 - though it is unclear ...") or not far enough ("progressive taxes,
those that tax ..."). Each kept candidate that is not a quotation gets a few other ends: the
breaks (comma, dash, semicolon, parenthesis, "and", "but") inside its span and the next breaks of
its sentence after it. A logistic model, trained on which end comes closest to the annotated
one, scores every end; the likeliest wins, and the parse's own end wins ties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

    from factcli.attribution.rules import Candidate, ParagraphRules

BREAKS = frozenset({",", "-", "--", "—", "–", ";", "(", ":"})
_FUNCTION_POS = frozenset({"ADP", "CCONJ", "SCONJ", "PRON", "DET", "PART", "ADV"})
"""Words kept as themselves in features ("when", "which", "though"); others by their POS."""
MAX_EXTRA = 4
"""At most this many breaks are tried after the span (and before it ends)."""


def _word_or_pos(tok: Token) -> str:
    return tok.lower_ if tok.pos_ in _FUNCTION_POS else tok.pos_


def _bucket(n: int) -> str:
    return str(n) if n < 4 else "4+" if n < 8 else "8+" if n < 16 else "16+"


def _end_of(rules: ParagraphRules, i: int) -> int:
    """Absolute end of the last word before token i (spaces and trailing breaks skipped)."""
    cols = rules.columns
    space, lower = cols.space, cols.lower
    j = i - 1
    while j >= 0 and (space[j] or lower[j] in BREAKS):
        j -= 1
    return rules.abs_span(j, j + 1)[1]


def _break_at(lower: Sequence[str], dep: Sequence[str], i: int) -> bool:
    """Whether token i is a break (a comma, dash, semicolon, parenthesis or colon, or "and",
    "but", "or" joining clauses), read from its paragraph's columns (a break's text is its
    lower case)."""
    word = lower[i]
    return word in BREAKS or (dep[i] == "cc" and word in ("and", "but", "or"))


def end_options(
    cand: Candidate, rules: ParagraphRules, judged: Sequence[str]
) -> list[tuple[int, list[str]]]:
    """(absolute end, features) of each end tried for `cand`, none for a quotation; the first
    is its own end. `judged`: the candidate's features for the judge (how it was found)."""
    if cand.kind == "direct":
        return []
    c0, c1 = cand.content
    first = rules.token_at(c0)
    last = rules.token_before(c1)
    if first is None or last is None or last < first:
        return []
    tokens = rules.tokens
    pos, lower, dep = rules.columns.pos, rules.columns.lower, rules.columns.dep
    s_end = rules.sentence_bounds(last)[1]
    while s_end - 1 > last and (tokens[s_end - 1].is_punct or tokens[s_end - 1].is_space):
        s_end -= 1
    kind = cand.kind
    cue = cand.cue_token
    cue_lem = cue.lemma_.lower() if cue is not None else "?"
    how = lex = "?"
    for f in judged:
        if f.startswith("how=") and how == "?":
            how = f[4:]
        elif f.startswith("lex=") and lex == "?":
            lex = f[4:]

    def feats(where: str, stop: int, span: range) -> list[str]:
        """`stop`: index of the token the content would stop before; `span`: the tokens
        added or dropped relative to the parse's end."""
        nxt = tokens[stop] if stop < len(tokens) else None
        word = "EOS" if nxt is None or stop >= s_end else nxt.lower_
        if nxt is not None and stop < s_end and not nxt.is_punct and nxt.pos_ not in _FUNCTION_POS:
            word = nxt.pos_
        after = tokens[stop + 1] if stop + 1 < min(len(tokens), s_end) else None
        aw = "EOS" if after is None else _word_or_pos(after)
        adep = "EOS" if after is None else after.dep_
        verbs = sum(1 for i in span if pos[i] in ("VERB", "AUX"))
        n = len(span)
        out = [
            "bias",
            "w=" + where,
            "w+how=" + where + "|" + how,
            "w+lex=" + where + "|" + lex,
            "w+how+next=" + where + "|" + how + "|" + word,
            "w+k=" + where + "|" + kind,
            "w+next=" + where + "|" + word,
            "w+after=" + where + "|" + word + "|" + aw,
            "w+adep=" + where + "|" + word + "|" + adep,
            "w+n=" + where + "|" + _bucket(n),
            "w+verbs=" + where + "|" + ("v" if verbs else "-"),
            "w+next+verbs=" + where + "|" + word + "|" + ("v" if verbs else "-"),
            "w+lem=" + where + "|" + cue_lem,
        ]
        if nxt is not None and stop < s_end:
            out.append("w+dep=" + where + "|" + nxt.dep_ + "|" + nxt.head.dep_)
        return out

    own_stop = last + 1
    options = [(c1, feats("own", own_stop, range(0)))]
    cuts = [i for i in range(first + 2, last + 1) if _break_at(lower, dep, i)]
    for k, i in enumerate(reversed(cuts[-MAX_EXTRA:])):
        end = _end_of(rules, i)
        if end > rules.abs_span(first, first + 1)[0]:
            where = "cut" + str(min(k + 1, 3))
            options.append((end, feats(where, i, range(i, own_stop))))
    k = 0
    for i in range(own_stop + 1, s_end + 1):
        if i < s_end and not _break_at(lower, dep, i):
            continue
        end = _end_of(rules, i)
        if end <= c1:
            continue
        k += 1
        where = "ext" + str(min(k, 3)) if i < s_end else "extend"
        options.append((end, feats(where, i, range(own_stop, i))))
        if k >= MAX_EXTRA:
            break
    return options


def best_end(options: Sequence[tuple[int, list[str]]], weights: Mapping[str, float]) -> int:
    """The end whose features score highest; the parse's own end (first) wins ties."""
    # `map` adds the same terms in the same order as a generator would
    weight = weights.get
    best, score = options[0][0], sum(map(weight, set(options[0][1]), repeat(0.0)))
    for end, fs in options[1:]:
        z = sum(map(weight, set(fs), repeat(0.0)))
        if z > score:
            best, score = end, z
    return best
