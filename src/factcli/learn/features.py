"""Candidates the model judges and the features it judges them by.

A candidate is a cue token with a content span: every candidate the rules found in a paragraph
(the model may drop it), and every other verb or noun that governs something a report could be
(a clause, an infinitive, an object, "against …"): "the court ruled against the plan", "polls show
Clinton ahead", "Trump wants to build a wall". Features are computed for those tokens only, from
the parse that spaCy already made, so they cost little beside parsing.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat
from typing import TYPE_CHECKING

from factcli.attribution import lexicon as lx
from factcli.attribution.rules import (
    QUOTE_CHARS,
    Candidate,
    ParagraphRules,
    lemma,
    subject_heads,
    trim_trailing_time,
)
from factcli.learn.linear import LinearModel, bare_phrase

if TYPE_CHECKING:
    from spacy.tokens import Token

_OBJECT_PREPS = frozenset(
    {"against", "for", "on", "about", "of", "over", "with", "to", "in", "as", "behind", "toward"}
)
_ADJ_PREPS = frozenset({"about", "of", "over", "with", "on", "toward", "towards", "that"})
_NOUN_PREPS = frozenset({"about", "against", "over"})
_SKIP_DEPS = frozenset({"aux", "auxpass", "amod", "compound", "det", "punct", "prep", "case"})
_SUBJECTS = ("nsubj", "nsubjpass", "csubj")


def _lexicon(lem: str) -> str:
    if lem in lx.SPEECH_VERBS:
        return "speech"
    if lem in lx.THOUGHT_VERBS:
        return "thought"
    if lem in lx.XCOMP_VERBS:
        return "xcomp"
    if lem in lx.OBJECT_CONTENT_VERBS:
        return "object"
    if lem in lx.SPEECH_NOUNS:
        return "noun"
    return "none"


def propose(
    tok: Token, rules: ParagraphRules, memo: ParagraphMemo | None = None
) -> tuple[str, int, int] | None:
    """(how, start, end) token bounds of what `tok` might report, or None."""
    m = memo if memo is not None else ParagraphMemo(rules)
    i = tok.i
    dep, lower = m.dep, m.lower
    d, p = dep[i], m.pos[i]
    if d in _SKIP_DEPS or m.blank[i]:
        return None
    if p in ("VERB", "AUX"):
        if p == "AUX" and d != "ROOT":
            return None
        bounds = rules.content_bounds(tok)
        if bounds is not None:
            return ("bounds", *bounds)
        mine = m.rights(i)
        for c in mine:
            if dep[c] in ("xcomp", "ccomp"):
                return (dep[c], m.left(c), m.right(c) + 1)
        for c in mine:
            if dep[c] in ("dobj", "attr", "oprd"):
                end = m.right(c) + 1
                for more in mine:
                    if more > c and dep[more] in ("xcomp", "oprd", "ccomp"):
                        end = m.right(more) + 1
                return ("dobj", m.left(c), end)
        for c in mine:
            if dep[c] == "prep" and lower[c] in _OBJECT_PREPS:
                objs = m.objects(c)
                if objs:
                    return ("prep_" + lower[c], m.left(objs[0]), m.right(objs[-1]) + 1)
        return None
    if p == "ADJ" and d in ("acomp", "oprd", "ROOT"):
        # "is worried about the cost", "was clear that …", "is eager to leave"
        for c in m.rights(i):
            if dep[c] in ("ccomp", "xcomp"):
                return ("adj_" + dep[c], m.left(c), m.right(c) + 1)
            if dep[c] == "prep" and lower[c] in _ADJ_PREPS:
                objs = m.objects(c)
                if objs:
                    return ("adj_" + lower[c], m.left(objs[0]), m.right(objs[-1]) + 1)
        return None
    if p == "NOUN":
        for c in m.rights(i):
            if dep[c] == "prep" and lower[c] in _NOUN_PREPS:
                objs = m.objects(c)
                if objs:
                    return ("noun_" + lower[c], m.left(objs[0]), m.right(objs[-1]) + 1)
            if dep[c] in ("acl", "ccomp", "appos") and any(
                dep[g] == "mark" and lower[g] in ("that", "whether", "if") for g in m.children[c]
            ):
                return ("noun_that", m.left(c), m.right(c) + 1)
            if dep[c] == "acl" and m.tag(c) == "VB" and lemma(tok) in lx.SPEECH_NOUNS:
                return ("noun_to", m.left(c), m.right(c) + 1)
    return None


_CUT_DEPS = frozenset({"relcl", "acl", "appos", "advcl", "conj", "cc", "punct", "parataxis"})
_VARIANT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "attr", "oprd"})
_REST_SKIP = frozenset({"punct", "advmod", "npadvmod", "prt", "neg", "aux", "auxpass", "nsubj"})
_NOUN_VARIANT_PREPS = frozenset({"about", "against", "over", "on", "for", "to", "with", "toward"})


def _core_end(m: ParagraphMemo, head: int) -> int:
    """End of `head`'s phrase without what follows its first relative clause, apposition,
    conjunct or comma ("the phrase X, which …" → "the phrase X")."""
    end = head + 1
    dep = m.dep
    for c in m.rights(head):
        if dep[c] in _CUT_DEPS:
            break
        end = m.right(c) + 1
    return end


def variants(
    tok: Token, rules: ParagraphRules, memo: ParagraphMemo | None = None
) -> list[tuple[str, int, int]]:
    """Every span `tok` might report, the first being `propose`'s: each clause, infinitive,
    object or prepositional object whole and cut before its first relative clause or
    conjunct, and all of the cue's right-hand side; the model picks one of them."""
    m = memo if memo is not None else ParagraphMemo(rules)
    out: list[tuple[str, int, int]] = []
    first = propose(tok, rules, m)
    if first is not None:
        out.append(first)
    i = tok.i
    dep = m.dep
    d, p = dep[i], m.pos[i]
    if d in _SKIP_DEPS or m.blank[i]:
        return out
    if p in ("VERB", "AUX") and (p == "VERB" or d == "ROOT"):
        rest = None
        for c in m.rights(i):
            dc = dep[c]
            if rest is None and dc not in _REST_SKIP:
                rest = m.left(c)
            if dc in _VARIANT_DEPS:
                start = m.left(c)
                out.append(("v_" + dc, start, m.right(c) + 1))
                out.append(("v_" + dc + "_core", start, _core_end(m, c)))
            elif dc == "prep":
                objs = m.objects(c)
                if objs:
                    start = m.left(objs[0])
                    out.append(("v_prep", start, m.right(objs[-1]) + 1))
                    out.append(("v_prep_core", start, _core_end(m, objs[-1])))
        if rest is not None and rest > i:
            out.append(("v_rest", rest, m.right(i) + 1))
    elif p == "NOUN":
        lower = m.lower
        for c in m.rights(i):
            if dep[c] == "prep" and lower[c] in _NOUN_VARIANT_PREPS:
                objs = m.objects(c)
                if objs:
                    out.append(("n_prep", m.left(objs[0]), m.right(objs[-1]) + 1))
            elif dep[c] == "acl" and m.tag(c) == "VB":
                out.append(("n_to", m.left(c), m.right(c) + 1))
    return out


class CueFacts:
    """What a cue token's candidates share, worked out once per token instead of once per
    candidate: whether it sits inside a quotation, has a clause complement, its cue span, its
    speakers, and its features that do not depend on the content."""

    __slots__ = (
        "tok",
        "rules",
        "in_quote",
        "has_ccomp",
        "_cue_span",
        "_speakers",
        "parts",
        "sums",
    )

    def __init__(
        self, tok: Token, rules: ParagraphRules, memo: ParagraphMemo | None = None
    ) -> None:
        self.tok = tok
        self.rules = rules
        self.in_quote = rules.inside_quote(tok) is not None
        if memo is None:
            self.has_ccomp = any(c.dep_ == "ccomp" for c in tok.children)
        else:
            dep = memo.dep
            self.has_ccomp = any(dep[c] == "ccomp" for c in memo.children[tok.i])
        self._cue_span: tuple[int, int] | None = None
        self._speakers: list[Token] | None = None
        self.parts: tuple[str, str, list[str], list[str], list[str]] | None = None
        self.sums: dict[bool, float] = {}
        """The weights of `_cue_only`'s features, summed once (nested or not)."""

    @property
    def cue_span(self) -> tuple[int, int]:
        if self._cue_span is None:
            self._cue_span = self.rules.cue_span(self.tok)
        return self._cue_span

    @property
    def speakers(self) -> list[Token]:
        """The speaker heads the model reads off the parse for this cue."""
        if self._speakers is None:
            tok = self.tok
            heads: list[Token] = []
            if tok.pos_ == "NOUN":
                heads = [c for c in tok.children if c.dep_ == "poss"]
                if not heads and tok.dep_ == "dobj" and tok.head.pos_ == "VERB":
                    heads, _ = subject_heads(tok.head)  # "raised questions about …"
            elif tok.pos_ == "ADJ" and tok.dep_ != "ROOT":
                heads, _ = subject_heads(tok.head)  # "she is worried about …"
            else:
                heads, _ = subject_heads(tok)
            if not heads:
                heads = _fallback_speakers(tok)
            self._speakers = heads
        return self._speakers


def build_candidate(
    tok: Token,
    rules: ParagraphRules,
    start: int,
    end: int,
    bounds: bool = False,
    facts: CueFacts | None = None,
) -> Candidate | None:
    """The candidate of cue `tok` and the content tokens [start, end), cleaned the way the
    rules clean theirs, with the speaker the model reads off the parse. `facts`: the token's
    `CueFacts`, when several candidates of one token are built."""
    if facts is None:
        facts = CueFacts(tok, rules)
    span = _cleaned(tok, rules, start, end, bounds, facts)
    if span is None:
        return None
    return _candidate(tok, span, facts)


def _cleaned(
    tok: Token, rules: ParagraphRules, start: int, end: int, bounds: bool, facts: CueFacts
) -> tuple[int, int, tuple[int, int], str] | None:
    """`build_candidate`'s content before its speakers: (start, end, absolute span, kind)."""
    if facts.in_quote and not bounds:
        return None
    if not facts.has_ccomp:
        end = trim_trailing_time(rules.tokens, start, end)
    start, end = rules._snap_to_quotes(start, end)
    trimmed = rules.trim(start, end)
    if trimmed is None:
        return None
    start, end = trimmed
    if start <= tok.i < end:
        return None
    content = rules.abs_span(start, end)
    kind = "indirect"
    if any(q.start >= content[0] and q.end <= content[1] for q in rules.quotes):
        kind = "mixed"
    return start, end, content, kind


def _candidate(
    tok: Token, span: tuple[int, int, tuple[int, int], str], facts: CueFacts
) -> Candidate:
    """The candidate of a `_cleaned` content, with the speakers the model reads off the parse
    (none when they lie inside the content)."""
    start, end, content, kind = span
    heads = facts.speakers
    if any(start <= h.i < end for h in heads):
        heads = []
    return Candidate(kind, facts.cue_span, content, list(heads), tok)  # type: ignore[arg-type]


def _fallback_speakers(tok: Token) -> list[Token]:
    """A speaker where the cue has no subject of its own: the noun a participle describes ("a
    group set up to highlight …"), the subject of the verb a clause hangs on ("went before
    reporters to denounce …"), the agent of a noun ("a statement by the campaign about …") or
    the subject of the verb whose preposition governs the noun ("spoke at length about …")."""
    head = tok.head
    if head is tok:
        return []
    if tok.pos_ in ("VERB", "AUX"):
        if tok.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN"):
            return [head]
        if tok.dep_ in ("advcl", "xcomp", "ccomp", "conj", "pcomp") and head.pos_ in (
            "VERB",
            "AUX",
        ):
            return subject_heads(head)[0]
        return []
    if tok.pos_ == "NOUN":
        for child in tok.rights:
            if child.dep_ == "prep" and child.lower_ in ("by", "from"):
                objs = [g for g in child.children if g.dep_ == "pobj"]
                if objs and objs[0].pos_ in ("PROPN", "NOUN", "PRON"):
                    return [objs[0]]
        if tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ == "VERB":
            return subject_heads(head.head)[0]
    return []


def _distinct_variants(
    tok: Token, rules: ParagraphRules, memo: ParagraphMemo
) -> Iterator[tuple[str, int, int, bool]]:
    """`variants`, each span (and whether it is the rules' own bounds) once: the first
    proposal of a span keeps it."""
    tried: set[tuple[int, int, bool]] = set()
    for how, start, end in variants(tok, rules, memo):
        key = (start, end, how == "bounds")
        if key not in tried:
            tried.add(key)
            yield how, start, end, key[2]


def _own_sum(
    tok: Token, facts: CueFacts, memo: ParagraphMemo, model: LinearModel, nested: bool
) -> float:
    """The weights of the token's own features, summed once per token (and nesting), shared by
    all its candidates."""
    if facts.parts is None:
        facts.parts = _token_parts(tok, memo)
    cue = facts.sums.get(nested)
    if cue is None:
        only = set(_cue_only(facts, nested))
        cue = facts.sums[nested] = sum(map(model.weights.get, only, repeat(0.0)))
    return cue


def token_candidates(
    tok: Token, rules: ParagraphRules, memo: ParagraphMemo | None = None
) -> list[tuple[Candidate, str]]:
    """The candidates of a token the rules left alone, one per distinct content, and how each
    content was found. A span proposed twice is built once: the same span gives the same
    candidate, which the first proposal keeps."""
    out: list[tuple[Candidate, str]] = []
    seen: set[tuple[int, int]] = set()
    facts: CueFacts | None = None
    if memo is None:
        memo = ParagraphMemo(rules)
    for how, start, end, bounds in _distinct_variants(tok, rules, memo):
        if facts is None:
            facts = memo.cue(tok)
        cand = build_candidate(tok, rules, start, end, bounds, facts)
        if cand is not None and cand.content not in seen:
            seen.add(cand.content)
            out.append((cand, how))
    return out


def generic_candidate(tok: Token, rules: ParagraphRules) -> tuple[Candidate, str] | None:
    """The first candidate of `token_candidates`, or None."""
    made = token_candidates(tok, rules)
    return made[0] if made else None


def _word(tok: Token) -> str:
    return "PROPN" if tok.pos_ == "PROPN" else tok.lower_


def _bucket(n: int) -> str:
    for limit in (1, 2, 4, 8, 16, 32):
        if n <= limit:
            return str(limit)
    return "more"


class ParagraphMemo:
    """Per paragraph: each cue token's `CueFacts`, the paragraph's `Columns` and what the
    features of its candidates ask of them, so that the many candidates of one paragraph do
    not ask spaCy for the same tokens again."""

    def __init__(self, rules: ParagraphRules) -> None:
        self.rules = rules
        self.facts: dict[int, CueFacts] = {}
        cols = rules.columns
        self.pos, self.dep, self.lower, self.blank = cols.pos, cols.dep, cols.lower, cols.blank
        self.heads, self.children = cols.heads, cols.children
        self.rights, self.left, self.right = cols.rights, cols.left, cols.right
        self._objects: dict[int, list[int]] = {}
        self._counts: tuple[list[int], list[int], list[int], list[int]] | None = None
        self._marks: tuple[list[int], list[int]] | None = None

    @property
    def columns(self) -> tuple[list[str], list[str], list[str], list[bool]]:
        """Every token's part of speech, dependency, text and whether it is punctuation or
        space."""
        return self.pos, self.dep, [t.text for t in self.rules.tokens], self.blank

    def tag(self, i: int) -> str:
        return self.rules.tokens[i].tag_

    def cue(self, tok: Token) -> CueFacts:
        facts = self.facts.get(tok.i)
        if facts is None:
            facts = self.facts[tok.i] = CueFacts(tok, self.rules, self)
        return facts

    def objects(self, prep: int) -> list[int]:
        """The objects of a preposition ("against [the plan]")."""
        objs = self._objects.get(prep)
        if objs is None:
            dep = self.dep
            objs = self._objects[prep] = [
                g for g in self.children[prep] if dep[g] in ("pobj", "pcomp")
            ]
        return objs

    @property
    def counts(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Running counts up to each token (entry k: tokens before k) of verbs, quote marks
        and words (neither punctuation nor space), and the index of the next word at or after
        each token: what a content's features ask of every token it spans, in constant time."""
        if self._counts is None:
            verbs, quotes, words = [0], [0], [0]
            v = q = w = 0
            for p, t, b in zip(self.pos, self.lower, self.blank, strict=True):
                v += p in ("VERB", "AUX")
                q += t in QUOTE_CHARS
                w += not b
                verbs.append(v)
                quotes.append(q)
                words.append(w)
            n = len(self.blank)
            following = [n] * (n + 1)
            for k in range(n - 1, -1, -1):
                following[k] = following[k + 1] if self.blank[k] else k
            self._counts = (verbs, quotes, words, following)
        return self._counts

    @property
    def marks(self) -> tuple[list[int], list[int]]:
        """The tokens that can give a content's "inner=" or "comma" feature (a relative
        clause, conjunct, adverbial clause, apposition or clause modifier, or a comma), in
        order, and their running count up to each token."""
        if self._marks is None:
            where = [
                i
                for i, (d, t) in enumerate(zip(self.dep, self.lower, strict=True))
                if d in _INNER_DEPS or t == ","
            ]
            before = [0] * (len(self.dep) + 1)
            k = 0
            for i in range(len(self.dep)):
                before[i] = k
                if k < len(where) and where[k] == i:
                    k += 1
            before[len(self.dep)] = k
            self._marks = (where, before)
        return self._marks


def _token_parts(tok: Token, m: ParagraphMemo) -> tuple[str, str, list[str], list[str], list[str]]:
    """The features of a cue token that do not depend on its content: (lemma, lexicon class,
    the token's and its head's, its children's and subject's, its neighbours')."""
    i = tok.i
    pos, dep, lower = m.pos, m.dep, m.lower
    tokens = m.rules.tokens
    lem = lemma(tok)
    lexk = _lexicon(lem)
    d = dep[i]
    own = [
        "pos=" + pos[i],
        "tag=" + tok.tag_,
        "dep=" + d,
        "lex=" + lexk,
    ]
    h = m.heads[i]
    head = [
        "headpos=" + pos[h] + "|" + d,
        "headlem=" + lemma(tokens[h]) + "|" + d,
        "lem+dep=" + lem + "|" + d,
        "lem+tag=" + lem + "|" + tok.tag_,
    ]
    children: list[str] = []
    subj = None
    for c in m.children[i]:
        dc = dep[c]
        children.append("child=" + dc)
        if dc == "prep":
            children.append("prep=" + lower[c])
            children.append("lem+prep=" + lem + "|" + lower[c])
        elif dc == "neg":
            children.append("neg")
        elif dc == "aux" and tokens[c].tag_ == "MD":
            children.append("modal=" + lower[c])
        elif dc in _SUBJECTS:
            subj = c
        elif dc == "prt":
            children.append("lem+prt=" + lem + "|" + lower[c])
        elif dc in ("dobj", "attr") and c > i and pos[c] != "PROPN":
            children.append("obj=" + lemma(tokens[c]))
            children.append("lem+obj=" + lem + "|" + lemma(tokens[c]))
    if subj is not None:
        sp = pos[subj]
        ent = tokens[subj].ent_type_
        children.append("subjpos=" + sp)
        children.append("subjent=" + (ent or "-"))
        children.append("lem+subjent=" + lem + "|" + (ent or sp))
        if sp == "PRON":
            children.append("subj=" + lower[subj])
        elif lower[subj] in lx.PERSON_NOUNS or lemma(tokens[subj]) in lx.PERSON_NOUNS:
            children.append("subjperson")
        elif sp == "PROPN":
            children.append("subjpropn")
        else:  # common nouns only: "polls show", "the court ruled" (names are not learnt)
            children.append("subjlem=" + lemma(tokens[subj]))
    around: list[str] = []
    if i > 0:
        around.append("prev=" + ("PROPN" if pos[i - 1] == "PROPN" else lower[i - 1]))
    if i + 1 < len(tokens):
        around.append("next=" + ("PROPN" if pos[i + 1] == "PROPN" else lower[i + 1]))
    return lem, lexk, [*own, *head], children, around


def features(
    cand: Candidate,
    how: str,
    rules: ParagraphRules,
    nested: bool = False,
    memo: ParagraphMemo | None = None,
) -> list[str]:
    """String features of one candidate (cue token, content, speaker); `nested` when the cue
    lies inside the content of a candidate the rules found. `memo`: the paragraph's, shared by
    its candidates (the features are the same without it)."""
    tok = cand.cue_token
    assert tok is not None
    if memo is None:
        memo = ParagraphMemo(rules)
    facts = memo.cue(tok)
    var, spoken = _varying(cand, how, rules, nested, memo, facts)
    return _assemble(facts, var, spoken, nested)


def _assemble(facts: CueFacts, var: list[str], spoken: int, nested: bool) -> list[str]:
    """The features of a candidate in their order: the token's own (`facts.parts`) among the
    candidate's (`_varying`), which start with its origin and speakers (the first `spoken`)."""
    assert facts.parts is not None
    lem, _, own, children, around = facts.parts
    out = ["bias", var[0], var[1], "lem=" + lem, var[2], *own[:4], var[3], *own[4:]]
    if nested:
        out.append("nested")
        out.append(var[4])
    out.extend(children)
    out.extend(var[4 + nested : spoken])
    if facts.in_quote:
        out.append("inquote")
    out.extend(var[spoken:])
    out.extend(around)
    return out


def _cue_only(facts: CueFacts, nested: bool) -> list[str]:
    """The features of `_assemble` that are the same for every candidate of the token."""
    assert facts.parts is not None
    lem, _, own, children, around = facts.parts
    out = ["bias", "lem=" + lem, *own]
    if nested:
        out.append("nested")
    out.extend(children)
    if facts.in_quote:
        out.append("inquote")
    out.extend(around)
    return out


class _Values:
    """What a candidate's own features are made of (`_varying` strings them, `_Tables.sum`
    adds their weights without stringing them): how it was found, its kind and speakers, and
    its content's first word, length, head, verbs, what follows it in the sentence, its inner
    clauses and commas, quote marks."""

    __slots__ = (
        "how",
        "origin",
        "speakers",
        "spkent",
        "span",
        "word",
        "length",
        "firstpos",
        "side",
        "chead",
        "cheaddep",
        "cheadlem",
        "verb",
        "rest",
        "nextdep",
        "marks",
        "quoted",
    )

    def __init__(
        self,
        cand: Candidate | None,
        how: str,
        rules: ParagraphRules,
        memo: ParagraphMemo,
        unspoken: tuple[Token, tuple[int, int], str, int, int] | None = None,
    ) -> None:
        """Of `cand`, or, with `unspoken` (its cue token, content, kind and the content's
        first and last token), of a candidate whose speakers are not known yet (`speakers`
        empty: `_Tables.sum` adds the most they could weigh)."""
        kind: str
        start: int | None
        end: int | None
        if cand is not None:
            tok, content, kind = cand.cue_token, cand.content, cand.kind
        else:
            assert unspoken is not None
            tok, content, kind, start, end = unspoken
        assert tok is not None
        tokens = rules.tokens
        self.how = how
        self.origin = f"{how}:{kind}"
        self.speakers = ""
        self.spkent: str | None = None
        if cand is not None:
            self.speakers = str(min(len(cand.speakers), 2))
            if cand.speakers:
                head = cand.speakers[0]
                self.spkent = head.ent_type_ or head.pos_
        if cand is not None:
            start = rules.token_at(content[0])
            end = rules.token_before(content[1])
        self.span = start is not None and end is not None and end >= start
        if not self.span:
            return
        assert start is not None and end is not None
        first = tokens[start]
        self.word = first.lower_ if first.is_alpha and first.is_stop else "X"
        self.length = _bucket(end - start + 1)
        self.firstpos = memo.pos[start]
        self.side = "after" if start > tok.i else "before"
        heads = memo.heads
        pos, dep = memo.pos, memo.dep
        chead = None
        for i in range(start, end + 1):
            if not start <= heads[i] <= end:
                chead = i
                break
        self.chead: str | None = None
        self.cheaddep = ""
        self.cheadlem: str | None = None
        if chead is not None:
            self.chead, self.cheaddep = pos[chead], dep[chead]
            if pos[chead] in ("NOUN", "VERB", "ADJ"):
                self.cheadlem = lemma(tokens[chead])
        verbs, quotes, words, following = memo.counts
        self.verb = verbs[end + 1] > verbs[start]
        sent_end = rules._sentence[tok.i][1] if tok.i < len(rules._sentence) else len(tokens)
        rest = words[sent_end] - words[end + 1] if sent_end > end + 1 else 0
        self.rest = _bucket(rest) if rest else ""
        self.nextdep = dep[following[end + 1]] if rest else ""
        where, before = memo.marks
        text = memo.lower
        marks: list[str] = []
        for i in where[before[start] : before[end + 1]]:
            d = dep[i]
            if d in _INNER_DEPS and start <= heads[i] <= end:
                marks.append("inner=" + d)
            elif text[i] == ",":
                marks.append("comma")
        self.marks = marks
        self.quoted = quotes[end + 1] > quotes[start]


def _varying(
    cand: Candidate,
    how: str,
    rules: ParagraphRules,
    nested: bool,
    memo: ParagraphMemo,
    facts: CueFacts,
    values: _Values | None = None,
) -> tuple[list[str], int]:
    """The features of a candidate that depend on how it was found, its speakers and its
    content, and how many of them come first (origin and speakers)."""
    tok = cand.cue_token
    assert tok is not None
    if facts.parts is None:
        facts.parts = _token_parts(tok, memo)
    lem, lexk = facts.parts[0], facts.parts[1]
    v = values if values is not None else _Values(cand, how, rules, memo)
    origin = v.origin
    var = [
        "origin=" + origin,
        "how=" + how,
        "lem+origin=" + lem + "|" + how,
        "lex+origin=" + lexk + "|" + origin,
    ]
    if nested:
        var.append("nested+origin=" + origin)
    var.append("speakers=" + v.speakers)
    if v.spkent is not None:
        var.append("spkent=" + v.spkent)
    spoken = len(var)
    if v.span:
        n = v.length
        var.append("first=" + v.word)
        var.append("lem+first=" + lem + "|" + v.word)
        var.append("firstpos=" + v.firstpos)
        var.append("len=" + n)
        var.append("lem+len=" + lem + "|" + n)
        var.append(v.side)
        if v.chead is not None:
            var.append("chead=" + v.chead + "|" + v.cheaddep)
            var.append("lem+chead=" + lem + "|" + v.chead)
            if v.cheadlem is not None:
                var.append("cheadlem=" + v.cheadlem)
        var.append("cverb" if v.verb else "noverb")
        var.append("how+len=" + how + "|" + n)
        var.append("rest=" + v.rest if v.rest else "toend")
        if v.rest:
            var.append("nextdep=" + v.nextdep)
        var.extend(v.marks)
        if v.quoted:
            var.append("quoted")
    return var, spoken


_SINGLE = (
    "origin",
    "how",
    "nested+origin",
    "speakers",
    "spkent",
    "first",
    "firstpos",
    "len",
    "cheadlem",
    "rest",
    "nextdep",
    "inner",
)
_PAIRED = ("lem+origin", "lex+origin", "lem+first", "lem+len", "lem+chead", "chead", "how+len")
_BARE = ("after", "before", "cverb", "noverb", "toend", "comma", "quoted")


class _Tables:
    """The weights of the features `_varying` makes, by template and value ("first=" and
    "the" as single["first"]["the"]; "lem+len=" and "say|4" as paired["lem+len"]["say"]["4"],
    parted at the last "|", since only the lemma can hold one), so that a candidate's sum is
    a few lookups in small tables instead of stringing its features and looking each up among
    all the model's weights."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.single: dict[str, dict[str, float]] = {name: {} for name in _SINGLE}
        self.paired: dict[str, dict[str, dict[str, float]]] = {name: {} for name in _PAIRED}
        self.bare = dict.fromkeys(_BARE, 0.0)
        for feature, weight in weights.items():
            name, eq, value = feature.partition("=")
            if not eq:
                if feature in self.bare:
                    self.bare[feature] = weight
            elif name in self.single:
                self.single[name][value] = weight
            elif name in self.paired:
                first, bar, second = value.rpartition("|")
                if bar:
                    self.paired[name].setdefault(first, {})[second] = weight
        spoken = self.single["speakers"]
        entity = max(0.0, *self.single["spkent"].values())
        self.most_spoken = max(
            spoken.get("0", 0.0), spoken.get("1", 0.0) + entity, spoken.get("2", 0.0) + entity
        )
        """The most the speakers' features can weigh: none ("speakers=0"), or one or two and
        the first one's kind ("spkent=")."""

    def sum(self, v: _Values, lem: str, lexk: str, nested: bool) -> float:
        """The weights of `_varying(...)`'s features (each once) summed, in another order."""
        single, paired, bare = self.single, self.paired, self.bare
        none: dict[str, float] = {}
        how = v.how
        z = single["origin"].get(v.origin, 0.0) + single["how"].get(how, 0.0)
        z += paired["lem+origin"].get(lem, none).get(how, 0.0)
        z += paired["lex+origin"].get(lexk, none).get(v.origin, 0.0)
        if nested:
            z += single["nested+origin"].get(v.origin, 0.0)
        if not v.speakers:
            z += self.most_spoken
        else:
            z += single["speakers"].get(v.speakers, 0.0)
            if v.spkent is not None:
                z += single["spkent"].get(v.spkent, 0.0)
        if not v.span:
            return z
        n = v.length
        z += single["first"].get(v.word, 0.0) + paired["lem+first"].get(lem, none).get(v.word, 0.0)
        z += single["firstpos"].get(v.firstpos, 0.0) + single["len"].get(n, 0.0)
        z += paired["lem+len"].get(lem, none).get(n, 0.0) + bare[v.side]
        if v.chead is not None:
            z += paired["chead"].get(v.chead, none).get(v.cheaddep, 0.0)
            z += paired["lem+chead"].get(lem, none).get(v.chead, 0.0)
            if v.cheadlem is not None:
                z += single["cheadlem"].get(v.cheadlem, 0.0)
        z += bare["cverb" if v.verb else "noverb"]
        z += paired["how+len"].get(how, none).get(n, 0.0)
        if v.rest:
            z += single["rest"].get(v.rest, 0.0) + single["nextdep"].get(v.nextdep, 0.0)
        else:
            z += bare["toend"]
        if v.marks:
            inner = single["inner"]
            for mark in set(v.marks):
                z += bare["comma"] if mark == "comma" else inner.get(mark[6:], 0.0)
        if v.quoted:
            z += bare["quoted"]
        return z


_TABLES: dict[int, tuple[LinearModel, _Tables]] = {}
"""Each model's `_Tables`, made at its first use (the model is kept with them, so that its
id is not reused)."""


def _tables(model: LinearModel) -> _Tables:
    made = _TABLES.get(id(model))
    if made is None:
        made = _TABLES[id(model)] = (model, _Tables(model.weights))
    return made[1]


_INNER_DEPS = frozenset({"relcl", "conj", "advcl", "appos", "acl"})


Scored = tuple[Candidate, "list[str] | None", "int | None"]
"""A candidate, its features (None: kept whatever the model says) and its group: the
candidates of one cue token, of which the model keeps the likeliest at most."""


def paragraph_candidates(
    rules: ParagraphRules, found: list[Candidate], model: LinearModel | None = None
) -> list[Scored]:
    """The rules' candidates (features None where the model cannot judge them: a layout rule or
    a quote continuing a speaker) and the model's own proposals. A rule's reported clause and
    the other spans its cue governs are one group, as are all spans of one other token.

    With `model`, a proposal of the model's own that it could never keep is left out before
    its features are put together: one whose weights sum below the threshold's (`below`) or
    that is a bare phrase. Which candidates are kept does not change (see `below`)."""
    out: list[Scored] = []
    inside = [rules.token_at(c.content[0]) for c in found]
    ranges = [
        (a, b)
        for a, b in zip(inside, (rules.token_before(c.content[1]) for c in found), strict=True)
        if a is not None and b is not None
    ]
    per_token: dict[int, int] = {}
    for cand in found:
        if cand.cue_token is not None and cand.cue_token.doc is rules.doc:
            per_token[cand.cue_token.i] = per_token.get(cand.cue_token.i, 0) + 1
    memo = ParagraphMemo(rules)
    for cand in found:
        if (
            cand.cue_token is None
            or cand.sure
            or cand.inherited_from is not None
            or cand.cue_token.doc is not rules.doc  # a colon cue of the paragraph before
        ):
            out.append((cand, None, None))
            continue
        tok = cand.cue_token
        if cand.kind == "direct" or per_token[tok.i] > 1:
            out.append((cand, features(cand, "rule", rules, memo=memo), None))
            continue
        out.append((cand, features(cand, "rule", rules, memo=memo), tok.i))
        for other, how in token_candidates(tok, rules, memo):
            if other.content != cand.content and how != "bounds":
                other.speakers = cand.speakers
                feats = _judged(other, how, rules, False, memo, model)
                if feats is not None:
                    out.append((other, feats, tok.i))
    pos, dep, blank = memo.pos, memo.dep, memo.blank
    for tok in rules.tokens:
        i = tok.i
        if (
            not _may_propose(pos[i], dep[i], blank[i], tok)
            or i in per_token
            or i in rules.used_verbs
        ):
            continue
        if model is not None:
            nested = any(a <= tok.i <= b for a, b in ranges)
            for cand, how in _unspoken_first(tok, rules, nested, memo, model):
                feats = _judged(cand, how, rules, nested, memo, model)
                if feats is not None:
                    out.append((cand, feats, tok.i))
            continue
        made = token_candidates(tok, rules, memo)
        if not made:
            continue
        nested = any(a <= tok.i <= b for a, b in ranges)
        for cand, how in made:
            feats = _judged(cand, how, rules, nested, memo, model)
            if feats is not None:
                out.append((cand, feats, tok.i))
    return out


def _unspoken_first(
    tok: Token, rules: ParagraphRules, nested: bool, memo: ParagraphMemo, model: LinearModel
) -> list[tuple[Candidate, str]]:
    """`token_candidates`, less those `model` could not keep whoever their speakers are: their
    weights are summed with the most the speakers' features can weigh before the speakers are
    read off the parse (the longest step of a candidate) and its cue span."""
    out: list[tuple[Candidate, str]] = []
    seen: set[tuple[int, int]] = set()
    facts: CueFacts | None = None
    cue = 0.0
    tables = _tables(model)
    for how, start, end, bounds in _distinct_variants(tok, rules, memo):
        if facts is None:
            facts = memo.cue(tok)
            cue = _own_sum(tok, facts, memo, model, nested)
        span = _cleaned(tok, rules, start, end, bounds, facts)
        if span is None or span[2] in seen:
            continue
        seen.add(span[2])
        # a content's first token starts where it starts, its last ends where it ends
        values = _Values(None, how, rules, memo, (tok, span[2], span[3], span[0], span[1] - 1))
        lem, lexk = facts.parts[0], facts.parts[1]  # type: ignore[index]
        if model.below(cue + tables.sum(values, lem, lexk, nested)):
            continue
        out.append((_candidate(tok, span, facts), how))
    return out


def _judged(
    cand: Candidate,
    how: str,
    rules: ParagraphRules,
    nested: bool,
    memo: ParagraphMemo,
    model: LinearModel | None,
) -> list[str] | None:
    """The features of a proposal of the model's own, or None when `model` could never keep
    it: its weights (the token's own summed once, then the candidate's) fall `below` the
    threshold, or it is a bare phrase. Without `model`, always its features."""
    tok = cand.cue_token
    assert tok is not None
    facts = memo.cue(tok)
    values = _Values(cand, how, rules, memo)
    if model is not None:
        cue = _own_sum(tok, facts, memo, model, nested)
        lem, lexk = facts.parts[0], facts.parts[1]  # type: ignore[index]
        if model.below(cue + _tables(model).sum(values, lem, lexk, nested)):
            return None
    var, spoken = _varying(cand, how, rules, nested, memo, facts, values)
    if model is not None and bare_phrase(var):
        return None
    return _assemble(facts, var, spoken, nested)


_PROPOSING_POS = frozenset({"VERB", "AUX", "ADJ", "NOUN"})
_ADJ_DEPS = frozenset({"acomp", "oprd", "ROOT"})


def _may_propose(pos: str, dep: str, blank: bool, tok: Token) -> bool:
    """Whether `variants` can propose anything for a token, from what is cheap to read: it
    proposes nothing for other parts of speech, for punctuation and the dependencies it skips,
    for an auxiliary that is not the root, for an adjective that is not a complement or the
    root, and for a noun or adjective with nothing on its right (all they propose is there)."""
    if pos not in _PROPOSING_POS or blank or dep in _SKIP_DEPS:
        return False
    if pos == "AUX":
        return dep == "ROOT"
    if pos == "VERB":
        return True
    if pos == "ADJ" and dep not in _ADJ_DEPS:
        return False
    return bool(tok.n_rights)
