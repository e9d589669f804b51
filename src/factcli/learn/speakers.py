"""Speakers as PolNeAR's annotators mark them, where the grammatical subject is not the source.

The rules and the model read the speaker off the parse: the cue's subject, or a fallback. In
three constructions the annotated source is something else, the same way across the corpus
(counted in cross-validation on its training articles):

- a raising verb ("Clinton seemed to recognize …", "it appears that …"): the writer's
  impression, with no source;
- a question put by someone unnamed ("Asked about the plan, the mayor said …"): the question
  has no source, while "asked by a reporter whether …" keeps the reporter;
- an expletive "it" ("it was clear that …"): no source;
- a participle describing the thing someone made ("the campaign released an ad attacking
  …"): the source is the subject of the verb that made it, not the ad.

And where the parse left a cue verb without a subject, a name the tagger took for an adverb
("Jolly said …") or the subject of a clause it hung before the verb ("Sanders, who has no
such endorsements, said …") is the speaker.

Three more, counted on the contents matched in cross-validation (wrong sources made right
against right ones made wrong):

- a cue verb coordinated with a reporting verb that the parse hung on the reported clause
  ("Rajoy said that he will try … and insisted that …"): the reporter, not the clause's
  subject (37 against 0); not where the clause's verb is a cue itself, as in "said the group
  welcomed the cuts but wanted …", where the parse is right (with those, 47 against 2); the
  same for a participle ("Trump is insisting that he has …, claiming that …": 17 against 5);
- a passive with no "by" ("hours after the aide was charged with …"): no source, where the
  fallback would take the subject of a verb nearby (25 against 3);
- an infinitive on an adjective ("voters were more likely to say …"): the adjective's
  subject (9 against 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from factcli.attribution import lexicon as lx
from factcli.attribution.rules import lemma, subject_heads

if TYPE_CHECKING:
    from spacy.tokens import Token

    from factcli.attribution.rules import Candidate

RAISING_VERBS = frozenset({"seem", "appear"})


def revised(cand: Candidate) -> list[Token] | None:
    """The speaker heads `cand` should have instead of its own, or None to keep them."""
    heads = _revised(cand)
    tok = cand.cue_token
    if tok is None or cand.inherited_from is not None:
        return heads
    now = cand.speakers if heads is None else heads
    outer = _coordinated(tok)
    if outer is not None and not _inside(cand, outer):
        return outer
    if now and _passive(tok):
        return []
    if not now:
        above = _adjective_subject(tok)
        if above is not None and not _inside(cand, above):
            return above
    return heads


def _inside(cand: Candidate, heads: list[Token]) -> bool:
    """Whether one of `heads` lies inside `cand`'s content."""
    tok = cand.cue_token
    assert tok is not None
    return any(cand.content[0] <= h.idx - tok.idx + cand.cue[0] < cand.content[1] for h in heads)


def _coordinated(verb: Token) -> list[Token] | None:
    """ "Rajoy said that he will try … and insisted that …", "Trump is insisting that he has
    …, claiming that …": the parse hangs the second cue verb (or participle) on the reported
    clause's verb, whose subject ("he") it would inherit; the annotators give it the subject
    of the reporting verb, with which it goes ("Rajoy", "Trump")."""
    if verb.pos_ != "VERB" or _has_subject(verb):
        return None
    if verb.dep_ != "conj" and (verb.dep_ != "advcl" or verb.tag_ != "VBG"):
        return None
    clause = verb.head
    if clause.dep_ != "ccomp" or clause.head.pos_ not in ("VERB", "AUX"):
        return None
    if verb.dep_ == "conj" and lemma(clause) in lx.CUE_VERBS:
        return None  # "said the group welcomed the cuts but wanted …": the group's two cues
    if lemma(clause.head) not in lx.CUE_VERBS:
        return None
    return subject_heads(clause.head)[0] or None


def _passive(verb: Token) -> bool:
    """A passive verb with no "by" ("the staffer was charged with …", "is expected to
    win"): the annotators mark no source (the writer reports it), where the parse's fallback
    would give the subject of a verb nearby."""
    if verb.pos_ != "VERB" or any(c.dep_ == "agent" for c in verb.children):
        return False
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)


def _adjective_subject(verb: Token) -> list[Token] | None:
    """ "Voters were more likely to say …", "delegates would be free to vote for …": the
    infinitive hangs on an adjective; its speaker is the subject of the adjective's verb."""
    if verb.dep_ != "xcomp" or verb.head.pos_ != "ADJ" or verb.head.dep_ != "acomp":
        return None
    return subject_heads(verb.head.head)[0] or None


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in _SUBJECTLIKE or c.dep_ == "csubj" for c in verb.children)


def _revised(cand: Candidate) -> list[Token] | None:
    """The revisions of the constructions before `revised`'s own (raising verbs, questions,
    expletives, participles, stranded verbs)."""
    tok = cand.cue_token
    if tok is None or cand.inherited_from is not None:
        return None
    if not cand.speakers:
        heads = _stranded(tok)
        if heads is None or any(
            cand.content[0] <= h.idx - tok.idx + cand.cue[0] < cand.content[1] for h in heads
        ):
            return None
        return heads
    lem = lemma(tok)
    if lem in RAISING_VERBS:
        return []
    if (
        lem == "ask"
        and tok.dep_ == "advcl"
        and not any(c.dep_ == "agent" for c in tok.children)
        and (tok.tag_ == "VBN" or (tok.tag_ == "VBD" and not _has_subject(tok)))
    ):
        return []  # "Asked about …": the tagger reads it as a past tense at times
    head = cand.speakers[0]
    if head.lower_ == "it" and lem == "be":
        return []
    if tok.dep_ == "acl" and tok.pos_ == "VERB" and head.i == tok.head.i:
        return _maker(head)
    return None


def _stranded(verb: Token) -> list[Token] | None:
    """The speaker of a verb the parse gave no subject: "Jolly said" (the name an adverb), or
    "Sanders, who has no such endorsements, said" (the name the subject of a clause before
    the verb)."""
    if verb.pos_ != "VERB" or any(c.dep_ in _SUBJECTLIKE for c in verb.children):
        return None
    if verb.i > 0:
        prev = verb.doc[verb.i - 1]
        if (
            prev.head.i == verb.i
            and prev.dep_ in ("advmod", "npadvmod", "dep", "nmod")
            and prev.text[:1].isupper()
            and prev.is_alpha
            and not prev.is_stop
        ):
            return [prev]
    for clause in verb.lefts:
        if clause.dep_ in ("ccomp", "csubj"):
            for g in clause.children:
                if g.dep_ == "nsubj" and g.i < clause.i and g.pos_ in ("NOUN", "PROPN"):
                    return [g]
    return None


_SUBJECTLIKE = frozenset({"nsubj", "nsubjpass", "csubjpass", "agent", "expl"})


def _maker(thing: Token) -> list[Token] | None:
    """ "The campaign released an ad attacking …": the subject of the verb whose object the
    participle describes, when that object is a common noun that is not a person."""
    if (
        thing.pos_ != "NOUN"
        or thing.ent_type_
        or thing.lower_ in lx.PERSON_NOUNS
        or lemma(thing) in lx.PERSON_NOUNS
        or thing.dep_ != "dobj"
        or thing.head.pos_ not in ("VERB", "AUX")
    ):
        return None
    heads = [h for h in subject_heads(thing.head)[0] if h.i != thing.i]
    return heads or None


def revise(cand: Candidate) -> None:
    """Replace `cand`'s speakers where `revised` says so."""
    heads = revised(cand)
    if heads is not None:
        cand.speakers = heads
