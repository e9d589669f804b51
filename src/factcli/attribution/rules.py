"""Attribution rules over spaCy's dependency parse of one paragraph.

Each rule finds a cue and returns a `Candidate`: the cue, the content span and the tokens that head
the speaker mentions. Speakers are resolved to actors later (see `factcli.actors`), since that needs
the whole article.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from factcli.attribution import lexicon as lx
from factcli.attribution.columns import Columns
from factcli.attribution.quotes import Quote
from factcli.models import StatementKind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

QUOTE_CHARS = frozenset({"“", "”", '"', "''", "‘", "’", "„", "«", "»", "``"})
OPEN_QUOTE_CHARS = frozenset({"“", "„", "«", "``", "‘"})
_TIME_ENTS = frozenset({"DATE", "TIME"})
_SUBJECT_DEPS = ("nsubj", "csubj")
# Right-hand children of a cue verb that make up an object-type content.
_CONTENT_DEPS = frozenset({"dobj", "oprd", "xcomp", "ccomp", "attr", "acomp"})
_CONTENT_PREPS = frozenset({"as", "of", "about", "that", "for"})
_GOAL_PREPS = frozenset({"to", "into", "toward", "towards"})
# Verbs that need a complement beyond their object: "called the plan a disaster".
_NEEDS_COMPLEMENT = frozenset(
    {"call", "label", "dub", "term", "brand", "describe", "characterize", "characterise"}
)
# "PENCE: Well, look, …" / "Caddell: Voters Worried About …"
_LABEL_RE = re.compile(r"[\"“]?([A-Z][A-Za-z.'’\-]*(?: [A-Z][A-Za-z.'’\-]*){0,3}):\s+(?=\S)")
# "“…” ― Ana Ruiz" at the end of a paragraph
_SIGNED_RE = re.compile(r"[”\"’.!?]\s*([―—])\s*([A-Z][^\n―—]{1,60}?)[.\s]*$")
_CLAUSE_MARKS = frozenset(
    {"because", "if", "unless", "since", "although", "though", "while", "when", "so"}
)
_SPEECH_NOUN_SKIP = frozenset(
    {
        "it",
        "this",
        "that",
        "them",
        "so",
        "something",
        "anything",
        "nothing",
        "everything",
        "which",
        "what",
    }
)


@dataclass
class Candidate:
    """A statement before speaker resolution; offsets are absolute into the article text."""

    kind: StatementKind
    cue: tuple[int, int]
    content: tuple[int, int]
    speakers: list[Token]
    cue_token: Token | None = None
    speaker_spans: list[tuple[int, int]] = field(default_factory=list)
    inherited_from: Candidate | None = None
    speaker_offset: int | None = None
    """Offset of the speakers' paragraph when it is not the content's (a colon cue ending the
    paragraph before the quote)."""
    sure: bool = False
    """Found by a rule precise enough to keep whatever a trained model says ("according to",
    "as stated by")."""


def lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def is_cue_verb(tok: Token, frames: Iterable[frozenset[str]] = (lx.CUE_VERBS,)) -> bool:
    if tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("amod", "compound", "aux", "auxpass"):
        return False
    lem = lemma(tok)
    return any(lem in f for f in frames)


def subject_heads(verb: Token, depth: int = 0) -> tuple[list[Token], bool]:
    """Heads of the source of `verb` and whether the verb is passive without an agent.

    "as stated by Nakatani" → Nakatani (passive agent); "…, asserting that …" → the subject of the
    verb the participle hangs on; "officials, who said …" → officials; "Hegseth and Nakatani
    announced" → both.
    """
    if depth > 4:
        return [], False
    for child in verb.children:
        if child.dep_ == "agent":
            pobj = [g for g in child.children if g.dep_ == "pobj"]
            return _with_conjuncts(pobj[0]) if pobj else [], False
    subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS and c.i < verb.i]
    if not subjects:
        subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
    if subjects:
        subj = subjects[-1]
        if subj.dep_ == "csubj":
            return [], False
        if subj.lower_ in lx.RELATIVE_PRONOUNS and verb.dep_ == "relcl":
            return [subj], False  # the mention as written; actors resolve it to verb.head
        if subj.dep_ == "nsubj" and subj.lower_ == "there":
            return [], False
        dateline_subject = _after_dateline(subj)
        if dateline_subject is not None:
            return _with_conjuncts(dateline_subject), False
        return _with_conjuncts(subj), False
    if any(c.dep_ in ("nsubjpass", "csubjpass") for c in verb.children):
        return [], True
    head = verb.head
    if head is verb:
        return [], False
    if verb.dep_ == "conj" or verb.dep_ == "xcomp":
        return subject_heads(head, depth + 1)
    if verb.dep_ in ("advcl", "acl") and verb.tag_ == "VBG":
        return subject_heads(head, depth + 1)
    if verb.dep_ == "relcl":
        return _with_conjuncts(head), False
    if verb.tag_ == "VBG" and verb.dep_ in ("pcomp", "pobj"):
        # "… for saying that …": the subject of the clause the preposition belongs to
        anc = head
        for _ in range(4):
            if anc.pos_ in ("VERB", "AUX") and any(c.dep_ in _SUBJECT_DEPS for c in anc.children):
                return subject_heads(anc, depth + 1)
            if anc.head is anc:
                break
            anc = anc.head
    return [], False


def _after_dateline(subj: Token) -> Token | None:
    """ "LISBON (Reuters) — Minister Clara Voss said": the parser makes the dateline's city the
    subject and the speaker its apposition after the dash."""
    if not (subj.text.isupper() and len(subj.text) > 1 and subj.i < 4):
        return None
    doc = subj.doc
    for child in reversed(list(subj.rights)):
        if child.dep_ == "appos" and any(
            doc[k].text in ("—", "–", "-", "--") for k in range(subj.i + 1, child.left_edge.i)
        ):
            return child
    return None


def _with_conjuncts(tok: Token) -> list[Token]:
    if any(c.dep_ == "cc" and c.lower_ in ("and", "&") for c in tok.children):
        return [tok, *[c for c in tok.conjuncts if c.i > tok.i]]
    return [tok]


def mention_bounds(head: Token) -> tuple[int, int]:
    """Token bounds [start, end) of the noun phrase a speaker head stands for, without clauses,
    appositions or coordinated names: "Japanese defense officials, who spoke …" → three tokens."""
    start = head.i
    for child in head.lefts:
        if (
            child.dep_ in ("cc", "conj", "punct", "appos", "relcl", "advmod", "prep")
            and child.i < head.i
        ):
            continue
        start = min(start, child.left_edge.i)
        break
    doc = head.doc
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    end = head.i + 1
    for child in head.rights:
        if child.dep_ in ("compound", "flat", "nummod", "case", "nmod", "poss") or (
            child.dep_ == "prep"
            and child.lower_ in ("of", "for", "at", "from", "with", "in", "on")
            and child.i == end
            and not any(t.ent_type_ in _TIME_ENTS for t in child.subtree)
        ):
            end = child.right_edge.i + 1
        else:
            break
    for k in range(head.i + 1, end):
        tok = doc[k]
        if tok.text in (",", "(", ";", "—", "–") or tok.dep_ in ("relcl", "acl", "appos"):
            end = k
            break
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def token_span_chars(doc: Doc | Sequence[Token], start: int, end: int) -> tuple[int, int]:
    """Character span of tokens [start, end) relative to the doc (`doc` may be its list of
    tokens: indexing a list costs nothing, while spaCy makes a new token at each `doc[i]`)."""
    last = doc[end - 1]
    return doc[start].idx, last.idx + len(last.text)


def is_quote_token(tok: Token) -> bool:
    return tok.text in QUOTE_CHARS


def trim_tokens(doc: Doc | Sequence[Token], start: int, end: int) -> tuple[int, int] | None:
    """Drop surrounding punctuation and enclosing quote marks, keep inner ones balanced
    (`doc` may be its list of tokens, which is faster to index)."""

    def strip() -> None:
        nonlocal start, end
        while start < end and (
            doc[start].is_space or (doc[start].is_punct and not is_quote_token(doc[start]))
        ):
            start += 1
        while end > start and (
            doc[end - 1].is_space or (doc[end - 1].is_punct and not is_quote_token(doc[end - 1]))
        ):
            end -= 1

    strip()
    for _ in range(3):
        if end - start < 1:
            return None
        inner_quotes = [t for t in doc[start:end] if is_quote_token(t)]
        first, last = doc[start], doc[end - 1]
        if (
            is_quote_token(first)
            and is_quote_token(last)
            and len(inner_quotes) == 2
            and end - start > 2
        ):
            start, end = start + 1, end - 1
        elif is_quote_token(first) and len(inner_quotes) % 2 == 1:
            start += 1
        elif is_quote_token(last) and len(inner_quotes) % 2 == 1:
            end -= 1
        else:
            break
        strip()
    if end - start < 1:
        return None
    return start, end


def trim_trailing_time(doc: Doc | Sequence[Token], start: int, end: int) -> int:
    """Cut a trailing "on Sunday"/"last week" adjunct that the parser hung inside the content
    (`doc` may be its list of tokens, which is faster to index)."""
    changed = True
    while changed and end - start > 2:
        changed = False
        last = doc[end - 1]
        if last.is_punct and not is_quote_token(last):
            end -= 1
            changed = True
            continue
        if last.ent_type_ in _TIME_ENTS:
            ent_start = last.i
            while ent_start > start and doc[ent_start - 1].ent_type_ in _TIME_ENTS:
                ent_start -= 1
            cut = ent_start
            if cut > start and doc[cut - 1].dep_ == "prep":
                cut -= 1
            if cut - start >= 2:
                end = cut
                changed = True
    return end


class ParagraphRules:
    """Runs every rule over one parsed paragraph; `offset` maps doc offsets to the article."""

    def __init__(self, doc: Doc, offset: int, quotes: Sequence[Quote]) -> None:
        self.doc = doc
        self.offset = offset
        self.quotes = list(quotes)
        self.used_verbs: set[int] = set()
        self.used_quotes: set[int] = set()
        self.tokens: list[Token] = list(doc)
        self._starts = [t.idx for t in self.tokens]
        self._ends = [t.idx + len(t.text) for t in self.tokens]
        self._trim_marks: tuple[list[bool], list[bool], list[int]] | None = None
        self._columns: Columns | None = None
        # token index → (start, end) of its sentence; Token.sent rescans the doc on every call
        self._sentence: list[tuple[int, int]] = []
        for sent in doc.sents:
            self._sentence.extend([(sent.start, sent.end)] * (sent.end - sent.start))

    # -- helpers -------------------------------------------------------------------------------
    @property
    def columns(self) -> Columns:
        """The paragraph's tokens as lists, made at the first question."""
        if self._columns is None:
            self._columns = Columns(self.doc, self.tokens)
        return self._columns

    def abs_span(self, start: int, end: int) -> tuple[int, int]:
        """Absolute character span of tokens [start, end) (`token_span_chars` plus the
        offset, read from the lists of token starts and ends)."""
        return self._starts[start] + self.offset, self._ends[end - 1] + self.offset

    def token_at(self, char: int) -> int | None:
        """Index of the first token starting at or after an absolute character position."""
        i = bisect_left(self._starts, char - self.offset)
        return i if i < len(self.tokens) else None

    def token_before(self, char: int) -> int | None:
        """Index of the last token ending at or before an absolute character position."""
        i = bisect_right(self._ends, char - self.offset) - 1
        return i if i >= 0 else None

    def trim(self, start: int, end: int) -> tuple[int, int] | None:
        """`trim_tokens` over this paragraph, reading each token's kind from lists made once
        (the candidates of one paragraph trim many spans over the same tokens)."""
        if self._trim_marks is None:
            loose = [t.is_space or (t.is_punct and t.text not in QUOTE_CHARS) for t in self.tokens]
            quote = [t.text in QUOTE_CHARS for t in self.tokens]
            before = [0]
            for q in quote:
                before.append(before[-1] + q)
            self._trim_marks = (loose, quote, before)
        loose, quote, before = self._trim_marks
        for attempt in range(4):
            while start < end and loose[start]:
                start += 1
            while end > start and loose[end - 1]:
                end -= 1
            if attempt == 3 or end - start < 1:
                break
            inner = before[end] - before[start]
            if quote[start] and quote[end - 1] and inner == 2 and end - start > 2:
                start, end = start + 1, end - 1
            elif quote[start] and inner % 2 == 1:
                start += 1
            elif quote[end - 1] and inner % 2 == 1:
                end -= 1
            else:
                break
        if end - start < 1:
            return None
        return start, end

    def sentence_bounds(self, i: int) -> tuple[int, int]:
        """(first, end) token indices of the sentence of token i."""
        return self._sentence[i]

    def inside_quote(self, tok: Token) -> Quote | None:
        pos = tok.idx + self.offset
        for q in self.quotes:
            if q.start <= pos < q.end:
                return q
        return None

    def _speaker(self, verb: Token) -> tuple[list[Token], bool]:
        return subject_heads(verb)

    # -- direct quotes ------------------------------------------------------------------------
    def trailing_cue(self, q: Quote) -> Token | None:
        """“…,” Hegseth stated / “…,” said Caddell / “…” the poll found."""
        if not q.closed:
            return None
        i = self.token_at(q.close_end)
        if i is None:
            return None
        doc = self.doc
        first = i
        while first < len(doc) and (
            doc[first].is_space or (doc[first].is_punct and doc[first].text in ",—–-:")
        ):
            first += 1
        for j in range(first, min(first + 40, len(doc))):
            tok = doc[j]
            if tok.text in OPEN_QUOTE_CHARS or (is_quote_token(tok) and j > first):
                return None
            if tok.text in ".!?;" and tok.is_punct:
                return None
            if is_cue_verb(tok, (lx.SPEECH_VERBS, lx.THOUGHT_VERBS, lx.QUOTE_ONLY_VERBS)):
                heads, _ = self._speaker(tok)
                allowed: set[int] = set()
                for h in heads:
                    allowed.update(t.i for t in h.subtree)
                for k in range(first, j):
                    t = doc[k]
                    if not (
                        t.i in allowed
                        or t.dep_ in ("aux", "auxpass", "advmod", "neg", "punct")
                        or t.is_space
                        or t.head.i in allowed
                    ):
                        return None
                if any(
                    c.dep_ in ("ccomp", "dobj", "xcomp")
                    and c.i > tok.i
                    and not self.inside_quote(c)
                    for c in tok.children
                ):
                    return None
                return tok
            if tok.pos_ == "VERB" and tok.dep_ in ("ROOT", "ccomp", "conj", "advcl", "parataxis"):
                return None
        return None

    def leading_cue(self, q: Quote) -> Token | None:
        """Hegseth told reporters: “…” / said Smith, “…”."""
        k = self.token_before(q.open_at)
        if k is None:
            return None
        doc = self.doc
        while k >= 0 and doc[k].is_space:
            k -= 1
        if k < 0 or doc[k].text not in (":", ","):
            return None
        k -= 1
        if k < 0:
            return None
        tok = doc[k]
        for _ in range(6):
            if is_cue_verb(tok) and tok.i < k + 1:
                return tok if self._sentence[tok.i] == self._sentence[k] else None
            if tok.head is tok:
                return None
            tok = tok.head
        return None

    def cue_clause_end(self, verb: Token) -> int:
        """Absolute end of the cue clause "Hegseth told reporters on Tuesday" after the verb."""
        end_tok = verb
        for child in verb.rights:
            if child.dep_ in (
                "ccomp",
                "xcomp",
                "parataxis",
                "conj",
                "cc",
                "punct",
                "advcl",
                "dobj",
            ):
                break
            if self.inside_quote(child):
                break
            end_tok = child.right_edge
        return end_tok.idx + len(end_tok.text) + self.offset

    def direct_quotes(self, text: str) -> list[Candidate]:
        out: list[Candidate] = []
        for qi, q in enumerate(self.quotes):
            if qi in self.used_quotes:
                continue
            verb = self.trailing_cue(q)
            start, end = q.start, q.end
            if verb is not None and verb.i not in self.used_verbs:
                # split quote: “…,” she said, “…”
                if qi + 1 < len(self.quotes) and self._only_cue_between(
                    verb, q.close_end, self.quotes[qi + 1].open_at
                ):
                    end = self.quotes[qi + 1].end
                    self.used_quotes.add(qi + 1)
            else:
                verb = self.leading_cue(q)
                if verb is None or verb.i in self.used_verbs:
                    continue
            heads, passive = self._speaker(verb)
            if not heads and not passive:
                continue
            self.used_quotes.add(qi)
            self.used_verbs.add(verb.i)
            content = _trim_chars(text, start, end)
            if content is None:
                continue
            out.append(Candidate("direct", self.cue_span(verb), content, heads, verb))
        return out

    def _only_cue_between(self, verb: Token, start: int, end: int) -> bool:
        """True when text[start:end] holds nothing but the cue clause of `verb` ("…,” said
        Rep. Ann Lee (D-Ohio). “…"), so the quotes on either side are one statement."""
        if end - start > 250 or self.trailing_cue_of(end) is not None:
            return False
        clause = {t.i for t in verb.subtree}
        for tok in self._tokens_in(start, end):
            if tok.is_punct or tok.is_space:
                continue
            if tok.i not in clause or (
                tok.pos_ == "VERB"
                and tok.i != verb.i
                and tok.dep_ in ("ccomp", "conj", "advcl", "parataxis")
            ):
                return False
        return True

    def trailing_cue_of(self, open_at: int) -> Token | None:
        for q in self.quotes:
            if q.open_at == open_at:
                return self.trailing_cue(q)
        return None

    def cue_span(self, verb: Token) -> tuple[int, int]:
        end = verb.i + 1
        for child in verb.rights:
            if child.dep_ == "prt" and child.i == end:
                end += 1
        return self.abs_span(verb.i, end)

    def colon_cue(self) -> Token | None:
        """The unused cue verb of a paragraph ending in a colon ("Caddell continued:")."""
        for tok in reversed(self.doc):
            if tok.i in self.used_verbs:
                return None
            if is_cue_verb(tok, (lx.SPEECH_VERBS, lx.THOUGHT_VERBS, lx.QUOTE_ONLY_VERBS)):
                return tok
        return None

    def candidate_for_quote(self, verb: Token, q: Quote, text: str) -> Candidate | None:
        """A quote in the next paragraph introduced by this paragraph's colon cue."""
        heads, passive = self._speaker(verb)
        content = _trim_chars(text, q.start, q.end)
        if content is None or (not heads and not passive):
            return None
        self.used_verbs.add(verb.i)
        return Candidate(
            "direct", self.cue_span(verb), content, heads, verb, speaker_offset=self.offset
        )

    # -- indirect and mixed speech ------------------------------------------------------------
    def content_bounds(self, verb: Token) -> tuple[int, int] | None:
        """Token bounds of what `verb` reports, or None when it reports nothing here."""
        lem = lemma(verb)
        cols = self.columns
        dep, lower, children = cols.dep, cols.lower, cols.children
        left, right = cols.left, cols.right
        v = verb.i
        ccomps = []
        for c in children[v]:
            d = dep[c]
            if d == "ccomp":
                first = left(c)
                if lower[first] != "(" and not (first > 0 and lower[first - 1] == "("):
                    ccomps.append(c)
            elif (
                d == "advcl"
                and c > v
                and lower[left(c)] == "that"
                and (lem in lx.SPEECH_VERBS or lem in lx.THOUGHT_VERBS)
            ):
                ccomps.append(c)
        right_of = [c for c in ccomps if c > v]
        if right_of or ccomps:
            c = right_of[0] if right_of else ccomps[-1]
            if lower[c] in _SPEECH_NOUN_SKIP and not children[c]:
                return None
            start, end = left(c), right(c) + 1
            for conj in children[c]:
                if (
                    dep[conj] == "conj"
                    and self._cue_verb_at(conj)
                    and not any(dep[g] in (*_SUBJECT_DEPS, "nsubjpass") for g in children[conj])
                ):
                    cut = left(conj)
                    if cut > start and dep[cut - 1] == "cc":
                        cut -= 1
                    end = min(end, cut)
            if right_of:
                # "said that A, and that B" – the conjoined clause is part of the statement
                for other in right_of[1:]:
                    end = max(end, right(other) + 1)
                end = self._extend_over_adjuncts(verb, end)
            return start, end
        head = cols.heads[v]
        if dep[v] == "parataxis" and head != v and lem in lx.SPEECH_VERBS:
            return left(head), right(head) + 1
        if any(dep[c] == "mark" and lower[c] == "as" for c in children[v]):
            return None  # handled by sentence-level "as stated by X"
        xcomp: tuple[int, int] | None = None
        if lem in lx.XCOMP_VERBS and not any(dep[c] == "auxpass" for c in children[v]):
            xs = [c for c in children[v] if dep[c] == "xcomp" and c > v]
            if xs:
                xcomp = left(xs[0]), right(xs[0]) + 1
        preps = lx.PREP_CONTENT.get(lem, frozenset())
        for kid in cols.rights(v):
            marks = [g for g in children[kid] if dep[g] == "mark" and lower[g] in preps]
            if dep[kid] == "advcl" and marks:
                # "called for lawmakers to release the audit" parsed as a clause
                return marks[0] + 1, right(kid) + 1
            if dep[kid] in ("prep", "prt") and lower[kid] in preps:
                objs = [g for g in children[kid] if dep[g] in ("pobj", "pcomp")]
                if objs:
                    start, end = left(objs[0]), right(objs[-1]) + 1
                    if xcomp is not None and xcomp[0] >= end:
                        end = xcomp[1]  # "called for contestants to wear shorter dresses"
                    return start, end
        if xcomp is not None:
            return xcomp
        if lem not in lx.OBJECT_CONTENT_VERBS:
            return None
        if verb.dep_ in ("advcl", "acl") and verb.tag_ == "VBG":
            return None
        rights = list(verb.rights)
        obj_start: int | None = None
        obj_end: int | None = None
        has_complement = False
        for child in rights:
            if obj_start is None:
                if child.dep_ in ("dobj", "oprd"):
                    pronoun_ok = lem in _NEEDS_COMPLEMENT and any(
                        c.dep_ in ("oprd", "prep") and c.i > child.i for c in verb.children
                    )
                    if (child.lower_ in _SPEECH_NOUN_SKIP and not pronoun_ok) or (
                        lemma(child) in lx.SPEECH_NOUNS and child.n_rights == 0
                    ):
                        return None
                    obj_start, obj_end = child.left_edge.i, child.right_edge.i + 1
                    # "called the plan “a disaster”" parsed as an apposition of the object
                    has_complement = any(c.dep_ == "appos" for c in child.rights)
                elif (
                    child.dep_ == "prep"
                    and child.lower_ in ("of", "about")
                    and lem in ("warn", "speak", "talk")
                ):
                    obj_start, obj_end = child.left_edge.i, child.right_edge.i + 1
                    has_complement = True
                continue
            if child.dep_ in _CONTENT_DEPS or (
                child.dep_ == "prep" and child.lower_ in _CONTENT_PREPS
            ):
                obj_end = child.right_edge.i + 1
                has_complement = True
            elif obj_end is not None and _goal_of_object(child, obj_end):
                obj_end = child.right_edge.i + 1
            elif child.dep_ in ("punct", "advcl", "conj", "cc", "npadvmod", "advmod", "prep"):
                break
        if obj_start is None or obj_end is None:
            return None
        if lem in _NEEDS_COMPLEMENT and not has_complement:
            return None
        return obj_start, obj_end

    def _cue_verb_at(self, i: int) -> bool:
        """`is_cue_verb` of token i, from the paragraph's columns."""
        cols = self.columns
        if cols.pos[i] not in ("VERB", "AUX"):
            return False
        if cols.dep[i] in ("amod", "compound", "aux", "auxpass"):
            return False
        return lemma(self.tokens[i]) in lx.CUE_VERBS

    def _extend_over_adjuncts(self, verb: Token, end: int) -> int:
        """ "said the claim smacked of hypocrisy, because Democrats …": the parser often hangs a
        trailing reason or condition on the cue verb, but it belongs to what was said."""
        for sib in verb.rights:
            if sib.i < end:
                continue
            if sib.dep_ == "punct":
                continue
            if (
                sib.dep_ == "advcl"
                and not is_cue_verb(sib)
                and any(c.dep_ == "mark" and c.lower_ in _CLAUSE_MARKS for c in sib.children)
            ):
                end = sib.right_edge.i + 1
                continue
            break
        return end

    def _snap_to_quotes(self, start: int, end: int) -> tuple[int, int]:
        """A content that starts or ends inside a quotation takes the whole quotation."""
        if not self.quotes:
            return start, end
        s_char, e_char = token_span_chars(self.tokens, start, end)
        s_char += self.offset
        e_char += self.offset
        for q in self.quotes:
            if q.open_at < s_char < q.end and q.close_end <= e_char + 2:
                s_char = q.open_at
            if s_char <= q.open_at < e_char <= q.end:
                e_char = q.close_end
        first = self.token_at(s_char)
        last = self.token_before(e_char)
        if first is None or last is None or last < first:
            return start, end
        return first, last + 1

    def indirect(self, text: str) -> list[Candidate]:
        out: list[Candidate] = []
        for tok in self.tokens:
            if tok.i in self.used_verbs or not is_cue_verb(tok):
                continue
            if self.inside_quote(tok):
                continue
            bounds = self.content_bounds(tok)
            if bounds is None:
                continue
            start, end = bounds
            if not any(c.dep_ == "ccomp" for c in tok.children):
                end = trim_trailing_time(self.tokens, start, end)
            start, end = self._snap_to_quotes(start, end)
            trimmed = trim_tokens(self.tokens, start, end)
            if trimmed is None:
                continue
            start, end = trimmed
            if end - start < 2 and self.doc[start].pos_ not in ("PROPN", "NOUN"):
                continue
            heads, passive = self._speaker(tok)
            if not heads and not passive:
                continue
            if any(start <= h.i < end for h in heads) and not start <= tok.i < end:
                continue
            if heads and all(self.inside_quote(h) for h in heads):
                continue  # a subject borrowed from a quoted clause ("''I can't breathe,'' … said")
            content = self.abs_span(start, end)
            kind: StatementKind = "indirect"
            covering = [
                qi
                for qi, q in enumerate(self.quotes)
                if q.start >= content[0] and q.end <= content[1]
            ]
            if covering:
                whole = len(covering) == 1 and _same_text(text, self.quotes[covering[0]], content)
                kind = "direct" if whole else "mixed"
                self.used_quotes.update(covering)
            self.used_verbs.add(tok.i)
            out.append(Candidate(kind, self.cue_span(tok), content, heads, tok))
        return out

    # -- labelled paragraphs ------------------------------------------------------------------
    def labelled(self, text: str, p0: int, p1: int) -> list[Candidate]:
        """Speech marked by layout rather than a verb: a transcript turn ("PENCE: Well, …"), a
        headline ("Caddell: Voters Worried …") and a quote signed with a dash ("“…” ― Ana Ruiz")."""
        out: list[Candidate] = []
        para = text[p0:p1]
        match = _LABEL_RE.match(para)
        if match and (
            match.group(1).isupper()
            or self._is_name(p0 + match.start(1), p0 + match.end(1), labelled=True)
        ):
            heads = self._name_heads(p0 + match.start(1), p0 + match.end(1))
            content = _trim_chars(text, p0 + match.end(), p1)
            if heads and content:
                colon = p0 + match.end(1)
                out.append(Candidate("direct", (colon, colon + 1), content, heads))
                self.used_quotes.update(
                    qi for qi, q in enumerate(self.quotes) if q.open_at < content[1]
                )
        match = _SIGNED_RE.search(para)
        if match and self._is_name(p0 + match.start(2), p0 + match.end(2)):
            heads = self._name_heads(p0 + match.start(2), p0 + match.end(2))
            dash = p0 + match.start(1)
            content = _trim_chars(text, p0, dash)
            if heads and content:
                s, e = content
                if text[s] in "“”\"‘'" and text[e - 1] in "”\"’'":
                    s, e = s + 1, e - 1
                self.used_quotes.update(range(len(self.quotes)))
                out.append(Candidate("direct", (dash, dash + 1), (s, e), heads))
        return out

    def _tokens_in(self, start: int, end: int) -> list[Token]:
        lo = bisect_left(self._starts, start - self.offset)
        hi = bisect_left(self._starts, end - self.offset)
        return [t for t in self.tokens[lo:hi] if not t.is_space]

    def _is_name(self, start: int, end: int, labelled: bool = False) -> bool:
        """A short name; before a colon only a named entity counts ("Stealth Over Health:" is a
        headline, not a speaker)."""
        toks = [t for t in self._tokens_in(start, end) if not t.is_punct]
        if not toks or len(toks) > 5:
            return False
        if labelled:
            return all(t.ent_type_ in ("PERSON", "ORG", "NORP") for t in toks)
        if any(t.ent_type_ in ("PERSON", "ORG", "NORP") for t in toks):
            return all(t.text[:1].isupper() for t in toks)
        return all(t.pos_ == "PROPN" for t in toks)

    def _name_heads(self, start: int, end: int) -> list[Token]:
        toks = [t for t in self._tokens_in(start, end) if not t.is_punct]
        return toks[-1:] if toks else []

    # -- prepositional sources ----------------------------------------------------------------
    def prepositional(self, text: str) -> list[Candidate]:
        """ "according to X, …" and "…, as stated by X" report the rest of the sentence."""
        out: list[Candidate] = []
        doc = self.doc
        for tok in self.tokens:
            phrase: tuple[int, int] | None = None
            heads: list[Token] = []
            cue: tuple[int, int] | None = None
            if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                to = doc[tok.i + 1]
                pobj = [c for c in to.children if c.dep_ == "pobj"] or [
                    c for c in tok.children if c.dep_ == "pobj"
                ]
                if not pobj:
                    continue
                heads = _with_conjuncts(pobj[0])
                phrase = (tok.i, max(pobj[0].right_edge.i, to.i) + 1)
                cue = self.abs_span(tok.i, tok.i + 2)
            elif (
                is_cue_verb(tok, (lx.SPEECH_VERBS, lx.THOUGHT_VERBS))
                and tok.i not in self.used_verbs
                and any(c.dep_ == "mark" and c.lower_ == "as" for c in tok.children)
                and not any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in tok.children)
            ):
                heads, _ = subject_heads(tok)
                if not heads:
                    continue
                phrase = (tok.left_edge.i, tok.right_edge.i + 1)
                cue = self.cue_span(tok)
                self.used_verbs.add(tok.i)
            else:
                continue
            if self.inside_quote(tok):
                continue
            s, e = self._sentence[tok.i]
            p0, p1 = phrase
            if p0 - s <= 1:
                start, end = p1, e
            elif e - p1 <= 2:
                start, end = s, p0
            else:
                start, end = s, e
            trimmed = trim_tokens(self.tokens, start, end)
            if trimmed is None or trimmed[1] - trimmed[0] < 2:
                continue
            content = self.abs_span(*trimmed)
            kind: StatementKind = "indirect"
            if any(q.start >= content[0] and q.end <= content[1] for q in self.quotes):
                kind = "mixed"
            assert cue is not None
            out.append(Candidate(kind, cue, content, heads, tok, sure=True))
        return out


def _goal_of_object(prep: Token, obj_end: int) -> bool:
    """ "announced the elevation of the command to a new headquarters": the parser hangs the
    goal on the verb, but it completes the object; "announced the plan to reporters" names a
    listener instead, which is not part of what was announced."""
    if prep.dep_ != "prep" or prep.lower_ not in _GOAL_PREPS or prep.i != obj_end:
        return False
    pobj = [c for c in prep.children if c.dep_ == "pobj"]
    if not pobj:
        return False
    head = pobj[0]
    return not (
        head.pos_ == "PRON"
        or head.ent_type_ in ("PERSON", "ORG", "NORP")
        or lemma(head) in lx.PERSON_NOUNS
        or lemma(head) in lx.GENERIC_PERSON_HEADS
    )


def _same_text(text: str, q: Quote, content: tuple[int, int]) -> bool:
    inner = _trim_chars(text, q.start, q.end)
    return inner is not None and abs((content[1] - content[0]) - (inner[1] - inner[0])) <= 3


def _trim_chars(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Strip whitespace and trailing commas/colons from a quote's inner text."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–"):
        end -= 1
    if end <= start:
        return None
    return start, end
