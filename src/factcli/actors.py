"""Who a speaker mention refers to: canonical names, roles, kinds, and pronoun/description links.

Within an article, "U.S. Defense Secretary Pete Hegseth", "Hegseth", "He" and "The Pentagon chief"
are one actor, named by the fullest name seen ("Pete Hegseth") with the role seen beside it.
Resolution is deliberately simple and explainable: agreement (gender, number, kind), recency, and
role words shared between a description and what an actor was called before.
"""

from __future__ import annotations

import re
from bisect import insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from factcli.attribution import lexicon as lx
from factcli.attribution.rules import mention_bounds
from factcli.models import Actor, ActorKind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_PERSON_LABELS = frozenset({"PERSON"})
_ORG_LABELS = frozenset({"ORG", "GPE", "FAC"})
_AGE_RE = re.compile(r"\b\d{1,3}-year-old\b", re.I)
_ORG_HEADS = frozenset(
    [
        "ministry",
        "department",
        "company",
        "agency",
        "campaign",
        "committee",
        "government",
        "administration",
        "group",
        "party",
        "firm",
        "bank",
        "court",
        "council",
        "office",
        "commission",
        "union",
        "organization",
        "organisation",
        "institute",
        "university",
        "board",
        "authority",
        "service",
        "network",
        "newspaper",
        "paper",
        "station",
        "team",
        "club",
        "league",
        "association",
        "coalition",
        "alliance",
        "army",
        "military",
        "navy",
        "police",
        "embassy",
    ]
)
_ORG_NAME_WORDS = frozenset(
    [
        "inc",
        "corp",
        "co",
        "ltd",
        "llc",
        "group",
        "party",
        "ministry",
        "department",
        "university",
        "college",
        "school",
        "bank",
        "court",
        "council",
        "committee",
        "agency",
        "association",
        "foundation",
        "institute",
        "times",
        "post",
        "news",
        "journal",
        "network",
        "street",
        "house",
        "church",
        "city",
        "county",
        "state",
        "republic",
        "union",
        "fund",
        "trust",
        "center",
        "centre",
    ]
)
_GENERIC_ORG_HEADS = frozenset(
    {"group", "company", "firm", "organization", "organisation", "agency"}
)
_NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_PLURAL_QUANTIFIERS = frozenset({"some", "others", "many", "several", "few", "most", "both", "all"})
_LEADING_DROP = frozenset(
    {"a", "an", "the", "some", "several", "many", "other", "another", "few", "most", "all", "both"}
)
_APOSTROPHE_S = ("'s", "’s", "'", "’")


@dataclass
class _Entity:
    name: str
    kind: ActorKind
    role: str | None = None
    gender: str | None = None
    aliases: set[str] = field(default_factory=set)
    plural: bool = False

    def words(self) -> set[str]:
        role = (self.role or "").lower().replace("’", "'")
        return set(re.findall(r"[\w.']+", role))


@dataclass(frozen=True)
class _Mention:
    pos: int
    entity: _Entity
    subject: bool


def _clean(text: str) -> str:
    text = " ".join(text.split())
    for suffix in _APOSTROPHE_S:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)].rstrip()
            break
    return text


def _name_tokens(tokens: Sequence[Token]) -> tuple[list[Token], list[Token], str | None]:
    """Split "Defense Secretary Pete Hegseth" into role and name tokens; honorifics give gender."""
    toks = [t for t in tokens if not t.is_punct or t.text == "."]
    while toks and toks[-1].text in _APOSTROPHE_S:
        toks.pop()
    while toks and toks[0].lower_ in lx.DETERMINERS:
        toks.pop(0)
    gender = None
    role: list[Token] = []
    while len(toks) > 1:
        low = toks[0].lower_
        if low in lx.HONORIFICS:
            gender = lx.HONORIFICS[low] or gender
            toks.pop(0)
        elif (
            low in lx.TITLE_WORDS
            or toks[0].ent_type_ in ("GPE", "NORP")
            or toks[0].pos_ == "ADJ"
            or toks[0].text.endswith(("'s", "’s"))
        ):
            role.append(toks.pop(0))
        else:
            break
    return role, toks, gender


def _surname_key(name: str) -> str:
    return name.split()[-1].lower()


class ActorResolver:
    """Built once per article from its parsed paragraphs; resolves speaker heads in text order."""

    def __init__(self, text: str, docs: Sequence[tuple[Doc, int]]) -> None:
        self.text = text
        self.people: list[_Entity] = []
        self.orgs: dict[str, _Entity] = {}
        self.mentions: list[_Mention] = []
        self.anonymous: dict[str, _Entity] = {}
        for doc, offset in docs:
            for ent in doc.ents:
                self._register_entity(ent, offset)
        self.mentions.sort(key=lambda m: m.pos)

    # -- pre-pass ------------------------------------------------------------------------------
    def _register_entity(self, ent: Span, offset: int) -> None:
        subject = ent.root.dep_ in ("nsubj", "nsubjpass")
        if ent.label_ in _PERSON_LABELS or (ent.label_ in _ORG_LABELS and _looks_like_person(ent)):
            role_toks, name_toks, gender = _name_tokens(list(ent))
            name = _clean(self.text_of(name_toks)) if name_toks else ""
            if not name or not name[0].isupper():
                return
            entity = self._person(name)
            gender = gender or given_name_gender(name_toks[0].text)
            if gender and not entity.gender:
                entity.gender = gender
            before = ent.doc[ent.start - 1] if ent.start > 0 else None
            if before is not None and before.lower_ in lx.HONORIFICS:
                gender = lx.HONORIFICS[before.lower_] or gender
                if gender and not entity.gender:
                    entity.gender = gender
            role = self._role_for(ent, role_toks)
            if role and not entity.role:
                entity.role = role
            self.mentions.append(_Mention(ent.start_char + offset, entity, subject))
        elif ent.label_ in _ORG_LABELS or ent.label_ == "NORP":
            name = _clean(ent.text)
            if name.lower().startswith("the "):
                name = name[4:]
            if not name:
                return
            known = self._person_by_name(name)
            if known is not None:
                self.mentions.append(_Mention(ent.start_char + offset, known, subject))
                return
            kind: ActorKind = "group" if ent.label_ == "NORP" else "organisation"
            entity = self.orgs.setdefault(name.lower(), _Entity(name, kind))
            entity.plural = ent.root.tag_ in ("NNS", "NNPS") or ent.label_ == "NORP"
            self.mentions.append(_Mention(ent.start_char + offset, entity, subject))

    def _role_for(self, ent: Span, title_toks: list[Token]) -> str | None:
        """Role from premodifiers ("Japan’s Defense Minister Gen Nakatani") or an apposition
        ("Nakatani, the defense minister,")."""
        doc = ent.doc
        root = ent.root
        left = root.left_edge.i
        pre = [t for t in doc[left : ent.start] if not t.is_space and t.lower_ not in lx.HONORIFICS]
        title_toks = [t for t in title_toks if t.lower_ not in lx.HONORIFICS]
        while pre and (pre[0].lower_ in lx.DETERMINERS or pre[0].is_punct):
            pre.pop(0)
        if pre and any(t.ent_type_ == "PERSON" for t in pre):
            pre = []
        if pre and any(
            t.pos_ in ("VERB", "AUX") or t.is_punct and t.text not in ".-’'" for t in pre
        ):
            pre = []
        tokens = pre + title_toks
        if tokens:
            return _clean(self.text_of(tokens))
        for child in root.rights:
            if (
                child.dep_ == "appos"
                and child.pos_ in ("NOUN", "PROPN")
                and child.ent_type_ != "PERSON"
            ):
                sub = [t for t in child.subtree]
                cut = len(sub)
                for k, t in enumerate(sub):
                    if t.dep_ in ("relcl", "acl") or (t.is_punct and t.text in ",;()"):
                        cut = k
                        break
                sub = sub[:cut]
                while sub and sub[0].lower_ in lx.DETERMINERS:
                    sub.pop(0)
                if 0 < len(sub) <= 12:
                    return _clean(self.text_of(sub))
        return None

    @staticmethod
    def text_of(tokens: Sequence[Token]) -> str:
        doc = tokens[0].doc
        return doc[tokens[0].i : tokens[-1].i + 1].text

    def _person_by_name(self, name: str) -> _Entity | None:
        words = name.lower().split()
        best: _Entity | None = None
        for person in self.people:
            pw = person.name.lower().split()
            if (
                words == pw
                or (
                    set(words) <= set(pw)
                    and (words[-1] == pw[-1] or (len(words) == 1 and words[0] == pw[0]))
                )
            ) and (best is None or len(pw) > len(best.name.split())):
                best = person
        return best

    def _person(self, name: str) -> _Entity:
        words = name.lower().split()
        # a fuller name absorbs shorter ones already seen ("Hegseth" then "Pete Hegseth")
        for person in self.people:
            pw = person.name.lower().split()
            if pw == words:
                return person
            if set(pw) <= set(words) and pw[-1] == words[-1]:
                person.aliases.add(person.name)
                person.name = name
                return person
            if set(words) <= set(pw) and words[-1] == pw[-1]:
                person.aliases.add(name)
                return person
        entity = _Entity(name, "person")
        self.people.append(entity)
        return entity

    def person_words(self) -> set[str]:
        """Lower-cased names, surnames and aliases of the people in the article: NER sometimes
        calls a surname a place or organisation, and a person is no topic."""
        words: set[str] = set()
        for person in self.people:
            for name in (person.name, *person.aliases):
                words.add(name.lower())
                words.add(_surname_key(name))
        return words

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self, head: Token, offset: int, bounds: tuple[int, int]) -> _Entity | None:
        """The actor a speaker mention refers to, or None (first person, unresolved pronouns)."""
        if head.lower_ in lx.RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
            # "Mr. Kamin, who emphasized …": the mention is "who", the actor its antecedent
            antecedent = head.head.head
            return self.resolve(antecedent, offset, mention_bounds(antecedent))
        pos = head.idx + offset
        low = head.lower_
        entity: _Entity | None
        if low in lx.PRONOUNS_FIRST or low == "you":
            return None
        if low in lx.PRONOUNS_MALE or low in lx.PRONOUNS_FEMALE:
            gender = "m" if low in lx.PRONOUNS_MALE else "f"
            entity = self._recent_person(pos, gender)
            if entity is not None and entity.gender is None:
                entity.gender = gender
        elif low in lx.PRONOUNS_PLURAL:
            entity = self._recent(pos, lambda e: e.plural or e.kind == "group")
        elif low in lx.PRONOUNS_NEUTER:
            entity = self._recent(pos, lambda e: e.kind == "organisation" and not e.plural)
        elif (head.pos_ == "PROPN" or head.ent_type_ in _NAMED_LABELS) and head.text[:1].isupper():
            entity = self._named(head, bounds)
        elif (name := _appositive_name(head)) is not None:
            entity = self._named(name, (name.left_edge.i, name.i + 1), as_person=True)
            if entity.kind == "person" and not entity.role:
                entity.role = self._anonymous_name(list(head.doc[bounds[0] : bounds[1]]))
        else:
            entity = self._described(head, bounds, pos)
        if entity is not None:
            insort(self.mentions, _Mention(pos, entity, True), key=lambda m: m.pos)
        return entity

    def _looks_like_surname(self, head: Token) -> bool:
        """ "Nakatani" tagged ORG after "Gen Nakatani" was seen as a person."""
        return self._person_by_name(_clean(head.text)) is not None

    def _recent(self, pos: int, accept: Callable[[_Entity], bool]) -> _Entity | None:
        """The last entity before `pos` that `accept`s, preferring one that was a subject."""
        best = None
        for m in reversed(self.mentions):
            if m.pos >= pos or not accept(m.entity):
                continue
            if m.subject:
                return m.entity
            if best is None:
                best = m.entity
        return best

    def _recent_person(self, pos: int, gender: str | None, window: int = 1500) -> _Entity | None:
        def ok(e: _Entity) -> bool:
            return e.kind == "person" and (gender is None or e.gender in (None, gender))

        fallback = None
        for m in reversed(self.mentions):
            if m.pos >= pos:
                continue
            if not ok(m.entity):
                continue
            if m.subject and pos - m.pos <= window:
                return m.entity
            if fallback is None:
                fallback = m.entity
        return fallback

    def _named(self, head: Token, bounds: tuple[int, int], as_person: bool = False) -> _Entity:
        doc = head.doc
        if head.ent_type_ and head.ent_iob_ != "O":
            ent = _entity_around(head)
            tokens = list(ent)
            label = head.ent_type_
            if as_person or (
                label in ("ORG", "GPE")
                and (self._looks_like_surname(head) or _looks_like_person(ent))
            ):
                label = "PERSON"
        else:
            start = head.i
            while (
                start > bounds[0]
                and doc[start - 1].pos_ == "PROPN"
                and doc[start - 1].dep_ in ("compound", "flat")
            ):
                start -= 1
            tokens = list(doc[start : head.i + 1])
            label = ""
        if label in _ORG_LABELS or label == "NORP":
            role_toks: list[Token] = []
            name_toks = [t for t in tokens if not t.is_space]
            gender = None
            while name_toks and name_toks[0].lower_ in lx.DETERMINERS:
                name_toks.pop(0)
            while name_toks and name_toks[-1].text in _APOSTROPHE_S:
                name_toks.pop()
        else:
            role_toks, name_toks, gender = _name_tokens(tokens)
        name = _clean(self.text_of(name_toks)) if name_toks else _clean(head.text)
        person = self._person_by_name(name)
        if person is not None:
            if gender and not person.gender:
                person.gender = gender
            if name != person.name:
                person.aliases.add(name)
            return person
        if label in _ORG_LABELS or label == "NORP":
            key = name.lower()
            if key in self.orgs:
                return self.orgs[key]
            kind: ActorKind = "group" if label == "NORP" else "organisation"
            entity = _Entity(name, kind, plural=head.tag_ in ("NNPS", "NNS"))
            self.orgs[key] = entity
            return entity
        entity = self._person(name)
        gender = gender or (
            given_name_gender(name_toks[0].text) if name_toks and len(name_toks) > 1 else None
        )
        if gender and not entity.gender:
            entity.gender = gender
        if role_toks and not entity.role:
            entity.role = _clean(self.text_of(role_toks))
        return entity

    def _described(self, head: Token, bounds: tuple[int, int], pos: int) -> _Entity | None:
        """ "The Pentagon chief", "the minister", "the 71-year-old", "the ministry", "analysts"."""
        doc = head.doc
        tokens = [t for t in doc[bounds[0] : bounds[1]]]
        words = [t.lower_ for t in tokens]
        phrase = " ".join(words)
        definite = bool(words) and words[0] in ("the", "this", "that")
        head_lemma = head.lemma_.lower()
        plural = head.tag_ in ("NNS", "NNPS")
        if definite and not plural:
            if (
                _AGE_RE.search(doc[bounds[0] : bounds[1]].text)
                or head_lemma in lx.GENERIC_PERSON_HEADS
            ):
                found = self._recent_person(pos, None)
                if found is not None:
                    return found
            match = self._by_role(words, head_lemma, phrase, pos)
            if match is not None:
                return match
            if head_lemma in _ORG_HEADS:
                org = self._org_by_head(head_lemma, pos)
                if org is not None:
                    return org
        name = self._anonymous_name(tokens)
        if not name:
            return None
        key = name.lower()
        if key not in self.anonymous:
            if plural or head.lower_ in _PLURAL_QUANTIFIERS:
                kind: ActorKind = "group"
            elif (
                head.lower_ in lx.PERSON_NOUNS
                or head_lemma in lx.PERSON_NOUNS
                or head_lemma in lx.TITLE_WORDS
            ):
                kind = "person"
            else:
                kind = "organisation"
            self.anonymous[key] = _Entity(name, kind, plural=plural)
        return self.anonymous[key]

    def _by_role(self, words: list[str], head_lemma: str, phrase: str, pos: int) -> _Entity | None:
        family = lx.ROLE_HEAD_FAMILIES.get(head_lemma, frozenset({head_lemma}))
        modifiers: set[str] = {w for w in words if w not in lx.DETERMINERS and w != head_lemma}
        for key, syns in lx.INSTITUTION_SYNONYMS.items():
            if key in phrase:
                modifiers |= syns
        best: tuple[int, int, _Entity] | None = None
        seen: set[int] = set()
        for rank, m in enumerate(reversed(self.mentions)):
            e = m.entity
            if m.pos >= pos or e.kind != "person" or id(e) in seen:
                continue
            seen.add(id(e))
            role_words = e.words()
            if not role_words or not (role_words & family):
                continue
            score = 2 + len(role_words & modifiers)
            if (
                modifiers
                and not (role_words & modifiers)
                and any(w[0:1].isalpha() and w not in lx.TITLE_WORDS for w in modifiers)
            ):
                score -= 1
            if best is None or score > best[0]:
                best = (score, -rank, e)
        return best[2] if best else None

    def _org_by_head(self, head_lemma: str, pos: int) -> _Entity | None:
        """ "the ministry" → the last organisation named "... Ministry ..."; "the group" → the
        last organisation mentioned."""
        generic = head_lemma in _GENERIC_ORG_HEADS
        fallback = None
        for m in reversed(self.mentions):
            e = m.entity
            if m.pos >= pos or e.kind != "organisation":
                continue
            words = e.name.lower().split()
            if e.name.lower() in self.anonymous:
                if words[-1] == head_lemma and len(words) > 1:
                    return e  # "the regional transport authority" … "the authority"
                continue
            if head_lemma in words:
                return e
            if generic and fallback is None and e.name[:1].isupper():
                fallback = e
        return fallback

    @staticmethod
    def _anonymous_name(tokens: list[Token]) -> str:
        toks = [t for t in tokens if not t.is_space]
        while toks and (
            toks[0].lower_ in _LEADING_DROP or toks[0].pos_ == "NUM" or toks[0].is_punct
        ):
            toks.pop(0)
        if not toks:
            toks = [t for t in tokens if not t.is_space and not t.is_punct][-1:]
        if not toks:
            return ""
        text = toks[0].doc[toks[0].i : toks[-1].i + 1].text
        first = toks[0]
        if (
            first.pos_ != "PROPN"
            and not first.ent_type_
            and first.text[:1].isupper()
            and not first.text.isupper()
        ):
            text = text[0].lower() + text[1:]
        return _clean(text)


@lru_cache(maxsize=1)
def _given_names() -> Any:
    import gender_guesser.detector as detector

    return detector.Detector(case_sensitive=False)


def given_name_gender(word: str) -> str | None:
    """ "m" or "f" for a given name that is mostly one or the other, else None."""
    answer = _given_names().get_gender(word.strip(".").split("-")[0])
    if answer in ("male", "mostly_male"):
        return "m"
    if answer in ("female", "mostly_female"):
        return "f"
    return None


def is_given_name(word: str) -> bool:
    return _given_names().get_gender(word.strip(".").split("-")[0]) != "unknown"


def _looks_like_person(ent: Span) -> bool:
    """ "Lena Holt" tagged ORG: two to four capitalised proper nouns opening with a given name."""
    toks = [t for t in ent if not t.is_punct]
    return (
        2 <= len(toks) <= 4
        and all(t.pos_ == "PROPN" and t.text[:1].isupper() and not t.text.isupper() for t in toks)
        and is_given_name(toks[0].text)
        and not any(t.lower_ in _ORG_NAME_WORDS for t in toks)
    )


def _entity_around(tok: Token) -> Span:
    """The entity a token belongs to (without `doc.ents`, which rebuilds every entity)."""
    doc = tok.doc
    start = tok.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = tok.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[start:end]


def _appositive_name(head: Token) -> Token | None:
    """ "The authority's director, Helena Brandt, argued" → the name in apposition."""
    for child in head.rights:
        if child.dep_ == "appos" and child.pos_ == "PROPN" and child.text[:1].isupper():
            return child
    return None


ResolvedEntity = _Entity
"""What a speaker mention resolves to, before it becomes a stored `Actor`."""


def to_actor(entity: _Entity) -> Actor:
    aliases = tuple(sorted(a for a in entity.aliases if a != entity.name))
    return Actor(name=entity.name, kind=entity.kind, role=entity.role, aliases=aliases)
