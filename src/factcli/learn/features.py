"""Candidates the model judges and the features it judges them by.

A candidate is a cue token with a content span: every candidate the rules found in a paragraph
(the model may drop it), and every other verb or noun that governs something a report could be
(a clause, an infinitive, an object, "against …"): "the court ruled against the plan", "polls show
Clinton ahead", "Trump wants to build a wall". Features are computed for those tokens only, from
the parse that spaCy already made, so they cost little beside parsing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from factcli.attribution import lexicon as lx
from factcli.attribution.rules import (
    QUOTE_CHARS,
    Candidate,
    ParagraphRules,
    lemma,
    subject_heads,
    trim_tokens,
    trim_trailing_time,
)

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


def propose(tok: Token, rules: ParagraphRules) -> tuple[str, int, int] | None:
    """(how, start, end) token bounds of what `tok` might report, or None."""
    if tok.dep_ in _SKIP_DEPS or tok.is_punct or tok.is_space:
        return None
    if tok.pos_ in ("VERB", "AUX"):
        if tok.pos_ == "AUX" and tok.dep_ != "ROOT":
            return None
        bounds = rules.content_bounds(tok)
        if bounds is not None:
            return ("bounds", *bounds)
        rights = list(tok.rights)  # spaCy makes each child anew on every walk
        for child in rights:
            if child.dep_ in ("xcomp", "ccomp"):
                return (child.dep_, child.left_edge.i, child.right_edge.i + 1)
        for child in rights:
            if child.dep_ in ("dobj", "attr", "oprd"):
                end = child.right_edge.i + 1
                for more in rights:
                    if more.i > child.i and more.dep_ in ("xcomp", "oprd", "ccomp"):
                        end = more.right_edge.i + 1
                return ("dobj", child.left_edge.i, end)
        for child in rights:
            if child.dep_ == "prep" and child.lower_ in _OBJECT_PREPS:
                objs = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                if objs:
                    return ("prep_" + child.lower_, objs[0].left_edge.i, objs[-1].right_edge.i + 1)
        return None
    if tok.pos_ == "ADJ" and tok.dep_ in ("acomp", "oprd", "ROOT"):
        # "is worried about the cost", "was clear that …", "is eager to leave"
        for child in tok.rights:
            if child.dep_ in ("ccomp", "xcomp"):
                return ("adj_" + child.dep_, child.left_edge.i, child.right_edge.i + 1)
            if child.dep_ == "prep" and child.lower_ in _ADJ_PREPS:
                objs = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                if objs:
                    return ("adj_" + child.lower_, objs[0].left_edge.i, objs[-1].right_edge.i + 1)
        return None
    if tok.pos_ == "NOUN":
        for child in tok.rights:
            if child.dep_ == "prep" and child.lower_ in _NOUN_PREPS:
                objs = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                if objs:
                    return ("noun_" + child.lower_, objs[0].left_edge.i, objs[-1].right_edge.i + 1)
            if child.dep_ in ("acl", "ccomp", "appos") and any(
                g.dep_ == "mark" and g.lower_ in ("that", "whether", "if") for g in child.children
            ):
                return ("noun_that", child.left_edge.i, child.right_edge.i + 1)
            if child.dep_ == "acl" and child.tag_ == "VB" and lemma(tok) in lx.SPEECH_NOUNS:
                return ("noun_to", child.left_edge.i, child.right_edge.i + 1)
    return None


_CUT_DEPS = frozenset({"relcl", "acl", "appos", "advcl", "conj", "cc", "punct", "parataxis"})
_VARIANT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "attr", "oprd"})
_REST_SKIP = frozenset({"punct", "advmod", "npadvmod", "prt", "neg", "aux", "auxpass", "nsubj"})
_NOUN_VARIANT_PREPS = frozenset({"about", "against", "over", "on", "for", "to", "with", "toward"})


def _core_end(head: Token) -> int:
    """End of `head`'s phrase without what follows its first relative clause, apposition,
    conjunct or comma ("the phrase X, which …" → "the phrase X")."""
    end = head.i + 1
    for child in head.rights:
        if child.dep_ in _CUT_DEPS:
            break
        end = child.right_edge.i + 1
    return end


def variants(tok: Token, rules: ParagraphRules) -> list[tuple[str, int, int]]:
    """Every span `tok` might report, the first being `propose`'s: each clause, infinitive,
    object or prepositional object whole and cut before its first relative clause or
    conjunct, and all of the cue's right-hand side; the model picks one of them."""
    out: list[tuple[str, int, int]] = []
    first = propose(tok, rules)
    if first is not None:
        out.append(first)
    if tok.dep_ in _SKIP_DEPS or tok.is_punct or tok.is_space:
        return out
    if tok.pos_ in ("VERB", "AUX") and (tok.pos_ == "VERB" or tok.dep_ == "ROOT"):
        rest = None
        for child in tok.rights:
            if rest is None and child.dep_ not in _REST_SKIP:
                rest = child.left_edge.i
            if child.dep_ in _VARIANT_DEPS:
                start = child.left_edge.i
                out.append(("v_" + child.dep_, start, child.right_edge.i + 1))
                out.append(("v_" + child.dep_ + "_core", start, _core_end(child)))
            elif child.dep_ == "prep":
                objs = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                if objs:
                    start = objs[0].left_edge.i
                    out.append(("v_prep", start, objs[-1].right_edge.i + 1))
                    out.append(("v_prep_core", start, _core_end(objs[-1])))
        if rest is not None and rest > tok.i:
            out.append(("v_rest", rest, tok.right_edge.i + 1))
    elif tok.pos_ == "NOUN":
        for child in tok.rights:
            if child.dep_ == "prep" and child.lower_ in _NOUN_VARIANT_PREPS:
                objs = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                if objs:
                    start = objs[0].left_edge.i
                    out.append(("n_prep", start, objs[-1].right_edge.i + 1))
            elif child.dep_ == "acl" and child.tag_ == "VB":
                out.append(("n_to", child.left_edge.i, child.right_edge.i + 1))
    return out


class CueFacts:
    """What a cue token's candidates share, worked out once per token instead of once per
    candidate: whether it sits inside a quotation, has a clause complement, its cue span, its
    speakers, and its features that do not depend on the content."""

    __slots__ = ("tok", "rules", "in_quote", "has_ccomp", "_cue_span", "_speakers", "parts")

    def __init__(self, tok: Token, rules: ParagraphRules) -> None:
        self.tok = tok
        self.rules = rules
        self.in_quote = rules.inside_quote(tok) is not None
        self.has_ccomp = any(c.dep_ == "ccomp" for c in tok.children)
        self._cue_span: tuple[int, int] | None = None
        self._speakers: list[Token] | None = None
        self.parts: tuple[str, str, list[str], list[str], list[str]] | None = None

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
    if facts.in_quote and not bounds:
        return None
    if not facts.has_ccomp:
        end = trim_trailing_time(rules.tokens, start, end)
    start, end = rules._snap_to_quotes(start, end)
    trimmed = trim_tokens(rules.tokens, start, end)
    if trimmed is None:
        return None
    start, end = trimmed
    if start <= tok.i < end:
        return None
    heads = facts.speakers
    if any(start <= h.i < end for h in heads):
        heads = []
    content = rules.abs_span(start, end)
    kind = "indirect"
    if any(q.start >= content[0] and q.end <= content[1] for q in rules.quotes):
        kind = "mixed"
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


def token_candidates(
    tok: Token, rules: ParagraphRules, memo: ParagraphMemo | None = None
) -> list[tuple[Candidate, str]]:
    """The candidates of a token the rules left alone, one per distinct content, and how each
    content was found. A span proposed twice is built once: the same span gives the same
    candidate, which the first proposal keeps."""
    out: list[tuple[Candidate, str]] = []
    seen: set[tuple[int, int]] = set()
    tried: set[tuple[int, int, bool]] = set()
    facts: CueFacts | None = None
    for how, start, end in variants(tok, rules):
        key = (start, end, how == "bounds")
        if key in tried:
            continue
        tried.add(key)
        if facts is None:
            facts = memo.cue(tok) if memo is not None else CueFacts(tok, rules)
        cand = build_candidate(tok, rules, start, end, key[2], facts)
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
    """Per paragraph: each cue token's `CueFacts` and every token's head index, so that the
    many candidates of one paragraph do not ask spaCy for the same tokens again (spaCy makes
    a new token object at each `doc[i]` and `tok.head`)."""

    def __init__(self, rules: ParagraphRules) -> None:
        self.rules = rules
        self.facts: dict[int, CueFacts] = {}
        self._heads: list[int] | None = None
        self._columns: tuple[list[str], list[str], list[str], list[bool]] | None = None

    def cue(self, tok: Token) -> CueFacts:
        facts = self.facts.get(tok.i)
        if facts is None:
            facts = self.facts[tok.i] = CueFacts(tok, self.rules)
        return facts

    @property
    def heads(self) -> list[int]:
        if self._heads is None:
            self._heads = [t.head.i for t in self.rules.tokens]
        return self._heads

    @property
    def columns(self) -> tuple[list[str], list[str], list[str], list[bool]]:
        """Every token's part of speech, dependency, text and whether it is punctuation or
        space, read from spaCy once per paragraph instead of once per candidate."""
        if self._columns is None:
            tokens = self.rules.tokens
            self._columns = (
                [t.pos_ for t in tokens],
                [t.dep_ for t in tokens],
                [t.text for t in tokens],
                [t.is_punct or t.is_space for t in tokens],
            )
        return self._columns


def _token_parts(tok: Token) -> tuple[str, str, list[str], list[str], list[str]]:
    """The features of a cue token that do not depend on its content: (lemma, lexicon class,
    the token's and its head's, its children's and subject's, its neighbours')."""
    doc = tok.doc
    lem = lemma(tok)
    lexk = _lexicon(lem)
    own = [
        "pos=" + tok.pos_,
        "tag=" + tok.tag_,
        "dep=" + tok.dep_,
        "lex=" + lexk,
    ]
    head = [
        "headpos=" + tok.head.pos_ + "|" + tok.dep_,
        "headlem=" + lemma(tok.head) + "|" + tok.dep_,
        "lem+dep=" + lem + "|" + tok.dep_,
        "lem+tag=" + lem + "|" + tok.tag_,
    ]
    children: list[str] = []
    subj = None
    for child in tok.children:
        children.append("child=" + child.dep_)
        if child.dep_ == "prep":
            children.append("prep=" + child.lower_)
            children.append("lem+prep=" + lem + "|" + child.lower_)
        elif child.dep_ == "neg":
            children.append("neg")
        elif child.dep_ == "aux" and child.tag_ == "MD":
            children.append("modal=" + child.lower_)
        elif child.dep_ in _SUBJECTS:
            subj = child
        elif child.dep_ == "prt":
            children.append("lem+prt=" + lem + "|" + child.lower_)
        elif child.dep_ in ("dobj", "attr") and child.i > tok.i and child.pos_ != "PROPN":
            children.append("obj=" + lemma(child))
            children.append("lem+obj=" + lem + "|" + lemma(child))
    if subj is not None:
        children.append("subjpos=" + subj.pos_)
        children.append("subjent=" + (subj.ent_type_ or "-"))
        children.append("lem+subjent=" + lem + "|" + (subj.ent_type_ or subj.pos_))
        if subj.pos_ == "PRON":
            children.append("subj=" + subj.lower_)
        elif subj.lower_ in lx.PERSON_NOUNS or lemma(subj) in lx.PERSON_NOUNS:
            children.append("subjperson")
        elif subj.pos_ == "PROPN":
            children.append("subjpropn")
        else:  # common nouns only: "polls show", "the court ruled" (names are not learnt)
            children.append("subjlem=" + lemma(subj))
    around: list[str] = []
    if tok.i > 0:
        around.append("prev=" + _word(doc[tok.i - 1]))
    if tok.i + 1 < len(doc):
        around.append("next=" + _word(doc[tok.i + 1]))
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
    if facts.parts is None:
        facts.parts = _token_parts(tok)
    lem, lexk, own, children, around = facts.parts
    tokens = rules.tokens
    origin = f"{how}:{cand.kind}"
    out = [
        "bias",
        "origin=" + origin,
        "how=" + how,
        "lem=" + lem,
        "lem+origin=" + lem + "|" + how,
        *own[:4],
        "lex+origin=" + lexk + "|" + origin,
        *own[4:],
    ]
    if nested:
        out.append("nested")
        out.append("nested+origin=" + origin)
    out.extend(children)
    out.append("speakers=" + str(min(len(cand.speakers), 2)))
    if cand.speakers:
        head = cand.speakers[0]
        out.append("spkent=" + (head.ent_type_ or head.pos_))
    if facts.in_quote:
        out.append("inquote")
    start = rules.token_at(cand.content[0])
    end = rules.token_before(cand.content[1])
    if start is not None and end is not None and end >= start:
        first = tokens[start]
        word = first.lower_ if first.is_alpha and first.is_stop else "X"
        n = _bucket(end - start + 1)
        out.append("first=" + word)
        out.append("lem+first=" + lem + "|" + word)
        out.append("firstpos=" + first.pos_)
        out.append("len=" + n)
        out.append("lem+len=" + lem + "|" + n)
        out.append("after" if start > tok.i else "before")
        inside = range(start, end + 1)
        heads = memo.heads
        pos, dep, text, blank = memo.columns
        chead = next((i for i in inside if not start <= heads[i] <= end), None)
        if chead is not None:
            out.append("chead=" + pos[chead] + "|" + dep[chead])
            out.append("lem+chead=" + lem + "|" + pos[chead])
            if pos[chead] in ("NOUN", "VERB", "ADJ"):
                out.append("cheadlem=" + lemma(tokens[chead]))
        out.append("cverb" if any(p in ("VERB", "AUX") for p in pos[start : end + 1]) else "noverb")
        out.append("how+len=" + how + "|" + n)
        sent_end = rules._sentence[tok.i][1] if tok.i < len(rules._sentence) else len(tokens)
        rest = [i for i in range(end + 1, sent_end) if not blank[i]]
        out.append("toend" if not rest else "rest=" + _bucket(len(rest)))
        if rest:
            out.append("nextdep=" + dep[rest[0]])
        for i in inside:
            d = dep[i]
            if d in _INNER_DEPS and start <= heads[i] <= end:
                out.append("inner=" + d)
            elif text[i] == ",":
                out.append("comma")
        if any(t in QUOTE_CHARS for t in text[start : end + 1]):
            out.append("quoted")
    out.extend(around)
    return out


_INNER_DEPS = frozenset({"relcl", "conj", "advcl", "appos", "acl"})


Scored = tuple[Candidate, "list[str] | None", "int | None"]
"""A candidate, its features (None: kept whatever the model says) and its group: the
candidates of one cue token, of which the model keeps the likeliest at most."""


def paragraph_candidates(rules: ParagraphRules, found: list[Candidate]) -> list[Scored]:
    """The rules' candidates (features None where the model cannot judge them: a layout rule or
    a quote continuing a speaker) and the model's own proposals. A rule's reported clause and
    the other spans its cue governs are one group, as are all spans of one other token."""
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
                out.append((other, features(other, how, rules, memo=memo), tok.i))
    pos, dep, _, blank = memo.columns
    for tok in rules.tokens:
        i = tok.i
        if (
            not _may_propose(pos[i], dep[i], blank[i], tok)
            or i in per_token
            or i in rules.used_verbs
        ):
            continue
        made = token_candidates(tok, rules, memo)
        if not made:
            continue
        nested = any(a <= tok.i <= b for a, b in ranges)
        for cand, how in made:
            out.append((cand, features(cand, how, rules, nested, memo), tok.i))
    return out


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
