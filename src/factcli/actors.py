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

from factcli import roles
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
        "energy",
        "oil",
        "gas",
        "motors",
        "airlines",
        "airways",
        "telecom",
        "holdings",
        "capital",
        "partners",
        "systems",
        "technologies",
        "media",
        "records",
        "studios",
        "pictures",
        "re",
        "plc",
        "sa",
        "ag",
        "exchange",
        "insurance",
        "securities",
        "pharmaceuticals",
    ]
)
_INSTITUTION_WORDS = frozenset(
    """house senate congress parliament assembly court department ministry committee council
    party government administration commission office agency bank board union""".split()  # noqa: SIM905
)
"""One-word names of institutions in their own right: "the House" is no short "White House"."""
_GENERIC_ORG_HEADS = frozenset(
    {"group", "company", "firm", "organization", "organisation", "agency"}
)
_NOT_ACTOR_LABELS = frozenset(
    {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}
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
    description: str | None = None
    organisation: str | None = None
    pseudonym: bool = False
    """Named only as the article says it may be named ("the base chief known as Bob")."""

    def take_role(self, role: str | None) -> None:
        """Keep the first role an article gives, unless a later one says more."""
        if role and roles.more_specific(role, self.role):
            self.role = role

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
    tokens = list(tokens)
    colons = [k for k, t in enumerate(tokens) if t.text == ":"]
    if colons:
        tokens = tokens[colons[-1] + 1 :]
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
            or roles.is_title_noun(low)
            or toks[0].ent_type_ in ("GPE", "NORP")
            or toks[0].pos_ == "ADJ"
            or toks[0].text.endswith(("'s", "’s"))
        ):
            role.append(toks.pop(0))
        else:
            break
    return role, _headline_trimmed(toks), gender


_HEADLINE_VERBS = frozenset({"be", "is", "are", "was", "were", "am", "has", "had", "have"})
_NAME_PARTICLES = frozenset({"de", "da", "di", "del", "van", "von", "der", "bin", "al", "la", "le"})


def _headline_trimmed(toks: list[Token]) -> list[Token]:
    """A name read off a title-case headline ends where the headline goes on: "Trump Says He"
    → "Trump", "Certainly Donald Trump" → "Donald Trump"."""

    def stray(t: Token) -> bool:
        low = t.lower_
        if low in ("v.", "vs", "vs."):
            return True  # "Trump v. Trump": a title, not a name
        if low in _HEADLINE_VERBS:
            return True  # "Will Twitter Be Next"
        if low in _NAME_PARTICLES or len(low) <= 2:
            return False
        return (
            t.is_stop
            or (low.endswith("ly") and not is_given_name(t.text))  # "Certainly", not "Carly"
            or (low.endswith("s") and low[:-1] in lx.CUE_VERBS)
            or (low.endswith("es") and low[:-2] in lx.CUE_VERBS)
        )

    while len(toks) > 1 and stray(toks[0]):
        toks = toks[1:]
    for k, t in enumerate(toks[:-1]):
        if t.tag_ == "POS" or t.text.endswith(("'s", "’s")):
            return toks[: k + 1] if t.tag_ != "POS" else toks[:k]  # "Trump’s Putin Remarks"
    for k, t in enumerate(toks[1:], start=1):
        if stray(t):
            return toks[:k]
    return toks


_GENERATIONS = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _person_words(name: str) -> list[str]:
    """Lower-cased words of a person's name without a generational suffix: "Joseph R. Biden
    Jr." ends in "biden", so "Biden" and "Mr. Biden" are the same person."""
    words = name.lower().replace(",", " ").split()
    while len(words) > 1 and words[-1] in _GENERATIONS:
        words.pop()
    return words


def _surname_key(name: str) -> str:
    return _person_words(name)[-1]


class ActorResolver:
    """Built once per article from its parsed paragraphs; resolves speaker heads in text order."""

    def __init__(self, text: str, docs: Sequence[tuple[Doc, int]]) -> None:
        self.text = text
        self.people: list[_Entity] = []
        self.orgs: dict[str, _Entity] = {}
        self.mentions: list[_Mention] = []
        self.anonymous: dict[str, _Entity] = {}
        self.not_people = _not_people(docs)
        self.pseudonyms = _pseudonyms(docs)
        for doc, offset in docs:
            for ent in doc.ents:
                self._register_entity(ent, offset)
        self.mentions.sort(key=lambda m: m.pos)

    # -- pre-pass ------------------------------------------------------------------------------
    def _register_entity(self, ent: Span, offset: int) -> None:
        subject = ent.root.dep_ in ("nsubj", "nsubjpass")
        person_tagged = (
            ent.label_ in _PERSON_LABELS
            and not _has_org_word(ent)
            and _clean(ent.text) not in self.not_people
            and not _plural_name(ent)
        )
        if person_tagged or (ent.label_ in _ORG_LABELS and _looks_like_person(ent)):
            role_toks, name_toks, gender = _name_tokens(list(ent))
            name = _clean(self.text_of(name_toks)) if name_toks else ""
            if not name or not name[0].isupper() or roles.is_not_a_name(name):
                return
            known_org = self.orgs.get(roles.organisation_key(name))
            if known_org is not None and len(name.split()) == 1:
                self.mentions.append(_Mention(ent.start_char + offset, known_org, subject))
                return  # "Vantor Corp" … "Vantor said", wherever the tagger saw a person
            entity = self._person(name)
            gender = gender or given_name_gender(name_toks[0].text)
            if gender and not entity.gender:
                entity.gender = gender
            before = ent.doc[ent.start - 1] if ent.start > 0 else None
            if before is not None and before.lower_ in lx.HONORIFICS:
                gender = lx.HONORIFICS[before.lower_] or gender
                if gender and not entity.gender:
                    entity.gender = gender
            if name == entity.name or self._one_of_surname(name):
                # "Captain Khan" says nothing of Ghazala Khan when Humayun Khan is named too
                entity.take_role(self._role_for(ent, role_toks))
            self.mentions.append(_Mention(ent.start_char + offset, entity, subject))
        elif ent.label_ in _ORG_LABELS or ent.label_ in ("NORP", "PERSON"):
            name = _clean(ent.text)
            extra = _named_compounds(ent, ent.label_) if ent.label_ in ("NORP", "ORG") else []
            if extra:
                name = _clean(ent.doc[extra[0].i : ent.end].text)  # "Liberal Democrats"
            if name.lower().startswith("the "):
                name = name[4:]
            if not name or not name[0].isupper() or roles.is_not_a_name(name):
                return
            known = self._person_by_name(name)
            if known is not None:
                self.mentions.append(_Mention(ent.start_char + offset, known, subject))
                return
            plural = ent.root.tag_ in ("NNS", "NNPS") or _plural_name(ent)
            if ent.label_ == "PERSON" and plural:
                entity = self._org(name, "group", plural=True)  # "the Lib Dems"
                self.mentions.append(_Mention(ent.start_char + offset, entity, subject))
                return
            if ent.label_ == "NORP" and not plural:
                return  # "a Republican", "American": an adjective or an anonymous person
            entity = self._org(name, _kind_of(ent.label_, name), plural=plural)
            self.mentions.append(_Mention(ent.start_char + offset, entity, subject))

    def _one_of_surname(self, name: str) -> bool:
        key = _surname_key(name)
        return sum(_surname_key(p.name) == key for p in self.people) <= 1

    def _role_for(self, ent: Span, title_toks: list[Token]) -> str | None:
        """Role from premodifiers ("Japan’s Defense Minister Gen Nakatani") or an apposition
        ("Nakatani, the defense minister,")."""
        doc = ent.doc
        root = ent.root
        if root.dep_ == "compound" and not (ent.start <= root.head.i < ent.end):
            # "the narrative Clinton operatives put forward": the words before belong to the
            # noun the name modifies, not to the name
            title_toks = [t for t in title_toks if t.i >= ent.start]
            left = ent.start
        else:
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
            role = roles.clean_role(tokens)
            if role:
                return role
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
                role = roles.clean_role(sub[:cut])
                if role:
                    return role
        return _copula_role(root)

    @staticmethod
    def text_of(tokens: Sequence[Token]) -> str:
        doc = tokens[0].doc
        return doc[tokens[0].i : tokens[-1].i + 1].text

    def _person_by_name(self, name: str) -> _Entity | None:
        words = _person_words(name)
        best: _Entity | None = None
        for person in self.people:
            pw = _person_words(person.name)
            if (
                words == pw
                or (
                    set(words) <= set(pw)
                    and (
                        words[-1] == pw[-1]
                        or (len(words) == 1 and (words[0] == pw[0] or words[0:1] == pw[1:2]))
                    )
                )
            ) and (best is None or len(pw) > len(best.name.split())):
                best = person
        return best

    def _person(self, name: str) -> _Entity:
        words = _person_words(name)
        # a fuller name absorbs shorter ones already seen ("Hegseth" then "Pete Hegseth")
        for person in self.people:
            pw = _person_words(person.name)
            if pw == words:
                return person
            if set(pw) <= set(words) and pw[-1] == words[-1]:
                person.aliases.add(person.name)
                person.name = name
                return person
            if set(words) <= set(pw) and (
                words[-1] == pw[-1] or (len(words) == 1 and len(pw) == 3 and words[0] == pw[1])
            ):
                person.aliases.add(name)  # "Ms. Acosta" of "Melba Acosta Febo"
                return person
        # a given name alone ("Hillary") is the one person of the article with that given name
        owner = self._given_name_owner(words)
        if owner is not None:
            if len(words) == 1:
                owner.aliases.add(name)
            else:
                owner.aliases.add(owner.name)
                owner.name = name
            return owner
        entity = _Entity(name, "person", pseudonym=name in self.pseudonyms)
        self.people.append(entity)
        return entity

    def _given_name_owner(self, words: list[str]) -> _Entity | None:
        """The one person whose full name opens with the given name `words` is alone, or the
        one given name alone that the full name `words` opens with; never a surname ("Clinton"
        after "Hillary Clinton" is matched by surname before this is asked)."""
        if len(words) == 1:
            if not is_given_name(words[0]):
                return None
            found = [
                p
                for p in self.people
                if len(p.name.split()) > 1 and p.name.lower().split()[0] == words[0]
            ]
        elif words[-1] in _ORG_NAME_WORDS:
            return None  # "Donald J. Trump Foundation" is no fuller name of "Donald"
        else:
            found = [
                p for p in self.people if p.name.lower() == words[0] and is_given_name(words[0])
            ]
        given = words[0]
        surnames = {_surname_key(p.name) for p in self.people if len(p.name.split()) > 1}
        return found[0] if len(found) == 1 and given not in surnames else None

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
        # "US" and "IT" are initials, not the pronouns
        low = "" if len(head.text) > 1 and head.text.isupper() else head.lower_
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
            entity = self._recent(
                pos, lambda e: e.kind in ("organisation", "place") and not e.plural
            )
        elif _refers_to_nobody(head, bounds):
            return None
        elif head.text[:1].isupper() and (known := self._person_by_name(head.text)) is not None:
            entity = known  # "Sanders" tagged as a plural noun, after "Bernie Sanders"
        elif (
            (head.pos_ == "PROPN" or head.ent_type_ in _NAMED_LABELS)
            and (head.text[:1].isupper() or _glued_name(head)[0].text[:1].isupper())
            and not _title_only(head.doc[bounds[0] : bounds[1]])
        ):
            entity = self._named(head, bounds) or self._described(head, bounds, pos)
        elif (name := _appositive_name(head)) is not None:
            entity = self._named(name, (name.left_edge.i, name.i + 1), as_person=True)
            if entity is not None and entity.kind == "person":
                entity.take_role(roles.clean_role(list(head.doc[bounds[0] : bounds[1]])))
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

    def _named(
        self, head: Token, bounds: tuple[int, int], as_person: bool = False
    ) -> _Entity | None:
        """The named actor a proper-noun mention refers to; None when the words name nobody
        ("Neither", "A" of a Q&A, a lowercase word the tagger called a proper noun)."""
        doc = head.doc
        if head.ent_type_ and head.ent_iob_ != "O":
            ent = _entity_around(head)
            tokens = list(ent)
            label = head.ent_type_
            if label in ("NORP", "ORG"):
                tokens = _named_compounds(ent, label) + tokens  # "Liberal" of "Liberal Democrats"
            if as_person or (
                label in ("ORG", "GPE")
                and (self._looks_like_surname(head) or _looks_like_person(ent))
            ):
                label = "PERSON"
            elif label == "PERSON" and (_has_org_word(ent) or _clean(ent.text) in self.not_people):
                label = "ORG"  # "Cairn Energy", "Munich Re": a company the tagger took for a person
        elif _clean(head.text) in self.not_people:
            tokens, label = [head], "ORG"  # "Facebook, the biggest social network,"
        else:
            start = _glued_name(head)[0].i
            while (
                start > bounds[0]
                and doc[start - 1].pos_ == "PROPN"
                and doc[start - 1].dep_ in ("compound", "flat")
            ):
                start = _glued_name(doc[start - 1])[0].i
            tokens = list(doc[max(start, bounds[0]) : head.i + 1])
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
        if not name[:1].isupper() or roles.is_not_a_name(name):
            return None
        known_org = self.orgs.get(roles.organisation_key(name))
        if known_org is not None and not as_person and len(name.split()) == 1:
            return known_org
        person = self._person_by_name(name)
        if person is not None:
            if gender and not person.gender:
                person.gender = gender
            if name != person.name:
                person.aliases.add(name)
            return person
        if known_org is not None and not as_person:
            return known_org  # "Vantor Corp" … "Vantor said"
        if (
            label in ("", "PERSON")
            and head.tag_ == "NNPS"
            and not as_person
            and not (len(name_toks) > 1 and is_given_name(name_toks[0].text))
        ):
            label = "NORP"  # "the Lib Dems", "Democrats": a plural name is a group
            whole = [t for t in tokens if not t.is_space and t.lower_ not in lx.DETERMINERS]
            if whole and role_toks and all(t.text[:1].isupper() for t in whole):
                # "Liberal Democrats": a capitalised adjective is part of the group's name
                name = _clean(self.text_of(whole))
        if label in _ORG_LABELS or label == "NORP":
            plural = head.tag_ in ("NNPS", "NNS")
            if label == "NORP" and not plural:
                return None  # "a Republican said": an anonymous source, not a group
            return self._org(name, _kind_of(label, name), plural=plural)
        entity = self._person(name)
        gender = gender or (
            given_name_gender(name_toks[0].text) if name_toks and len(name_toks) > 1 else None
        )
        if gender and not entity.gender:
            entity.gender = gender
        if tokens:
            entity.take_role(self._role_for(doc[tokens[0].i : tokens[-1].i + 1], role_toks))
        return entity

    def _org(self, name: str, kind: ActorKind, plural: bool = False) -> _Entity:
        """One organisation, group or place per article, whatever suffix or case it was given
        ("Microsoft Corp." and "Microsoft")."""
        key = roles.organisation_key(name) or name.lower()
        entity = self.orgs.get(key)
        if entity is None and kind == "organisation" and not roles.is_country(name):
            entity = self._short_form_of(key)
            if entity is not None:
                self.orgs[key] = entity
        if entity is None:
            entity = self.orgs[key] = _Entity(name, kind, plural=plural)
            shorter = self.orgs.get(key.split()[-1]) if len(key.split()) > 1 else None
            if (
                shorter is not None
                and shorter.kind == "organisation"
                and not roles.is_country(shorter.name)
                and self._short_form_of(key.split()[-1]) is entity
            ):
                # "the Post" was seen before "The Washington Post": one organisation
                shorter.aliases.add(shorter.name)
                shorter.name, shorter.kind = name, kind
                self.orgs[key] = entity = shorter
        elif name != entity.name:
            entity.aliases.add(name)
        return entity

    def _short_form_of(self, key: str) -> _Entity | None:
        """The one organisation of the article whose name `key` ends ("Post" of "Washington
        Post", "Times" of "New York Times"); never an institution's own word ("House" is not
        the White House, "Court" not the Supreme Court)."""
        if " " in key or key in _INSTITUTION_WORDS:
            return None
        found = {
            id(e): e
            for k, e in self.orgs.items()
            if " " in k and k.split()[-1] == key and e.kind == "organisation"
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def _described(self, head: Token, bounds: tuple[int, int], pos: int) -> _Entity | None:
        """ "The Pentagon chief", "the minister", "the 71-year-old", "the ministry", "analysts"."""
        doc = head.doc
        tokens = [t for t in doc[bounds[0] : bounds[1]]]
        words = [t.lower_ for t in tokens]
        phrase = " ".join(words)
        definite = bool(words) and words[0] in ("the", "this", "that")
        head_lemma = head.lemma_.lower()
        plural = head.tag_ in ("NNS", "NNPS")
        if not plural and (definite or _title_only(doc[bounds[0] : bounds[1]])):
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
        return self._anonymous(head, tokens, plural)

    def _anonymous(self, head: Token, tokens: list[Token], plural: bool) -> _Entity | None:
        """A source without a name, of this article only: "a Home Office spokesman" is the
        description "spokesman" of the organisation "Home Office"; "critics" has none."""
        name = self._anonymous_name(tokens)
        if not name or roles.is_not_a_name(name):
            return None
        key = name.lower()
        if key not in self.anonymous:
            description, organisation = _description_and_organisation(head, tokens)
            if organisation and head.lemma_.lower() in _ORG_HEADS and not plural:
                # "Trump's campaign", "the Clinton campaign": an organisation with a name
                word = (
                    head.text if head.text[:1].isupper() and not head.is_sent_start else head.lower_
                )
                # "Mrs. Clinton's campaign" is the Clinton campaign; "Supreme Court" keeps its case
                owner = " ".join(
                    w for w in organisation.split() if w.casefold() not in lx.HONORIFICS
                )
                return self._org(f"{owner or organisation} {word}", "organisation")
            self.anonymous[key] = _Entity(
                name,
                "anonymous",
                plural=plural or head.lower_ in _PLURAL_QUANTIFIERS,
                description=description or name,
                organisation=organisation,
            )
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
            if m.pos >= pos or e.kind not in ("organisation", "anonymous"):
                continue
            words = e.name.lower().split()
            if e.kind == "anonymous":
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
        if _sentence_case(first):
            text = text[0].lower() + text[1:]
        return _clean(text)


_GENDER_CODES = {
    "M": "male",
    "1M": "mostly_male",
    "?M": "mostly_male",
    "F": "female",
    "1F": "mostly_female",
    "?F": "mostly_female",
    "?": "andy",
}
_DIGITS = b"0123456789"
_COUNT_CHARS = _DIGITS + b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _country_count(values: str) -> tuple[int, int]:
    """gender-guesser's count of a name's country values, and its tie-break: the number of
    countries that know the name, and their summed frequency codes ("1"-"9", then "A" = 10)."""
    values = values.replace(" ", "")
    raw = values.encode("ascii") if values.isascii() else b"?"
    if not raw.translate(None, _COUNT_CHARS):
        letters = len(raw.translate(None, _DIGITS))
        return len(raw), sum(raw) - 48 * len(raw) - 7 * letters
    return len(values), sum(c - 55 if c > 64 else c - 48 for c in map(ord, values))


def _best_gender(counts: tuple[Any, ...]) -> str:
    """The gender of the most countries (ties: the higher frequency codes, then the first
    listed), as gender-guesser's `get_gender` without a country decides it."""
    best, max_count, max_tie = counts[0], 0, 0
    for at in range(0, len(counts), 3):
        gender, count, tie = counts[at : at + 3]
        if count > max_count or (count == max_count and tie > max_tie):
            best, max_count, max_tie = gender, count, tie
    return best if max_count > 0 else "andy"


@lru_cache(maxsize=1)
def _given_names() -> dict[str, str]:
    """Lower-cased given name → gender-guesser's answer for it ("male", "mostly_female",
    "andy", ...), the same answer its `Detector(case_sensitive=False).get_gender` gives.

    The detector keeps every name's country values as strings (a peak of 36 MB per process,
    read line by line through `codecs`); a name's answer depends on them alone, so each line
    is counted as it is read, a line at a time, and only the answers are kept (a peak of 12
    MB). Lines are read as the detector reads them: `splitlines` breaks them where its reader
    does, a "+" in a name stands for nothing, a space and a hyphen, and a later line for the
    same name and gender replaces the earlier one in its place."""
    from importlib.resources import files

    names: dict[str, Any] = {}
    with files("gender_guesser").joinpath("data/nam_dict.txt").open("rb") as f:
        for piece in f:
            _count_lines(piece.decode("utf-8").splitlines(), names)
    for name, counts in names.items():
        names[name] = _best_gender(counts)
    return names


def _count_lines(lines: list[str], names: dict[str, Any]) -> None:
    for raw_line in lines:
        line = raw_line.strip()
        if line[0] in "#=":
            continue
        parts = line.split()
        gender = _GENDER_CODES[parts[0]]
        count, tie = _country_count(line[30:-1])
        name = parts[1].lower()
        variants = [name.replace("+", r) for r in ("", " ", "-")] if "+" in name else [name]
        for variant in variants:
            known = names.get(variant)
            if known is None:
                names[variant] = (gender, count, tie)
                continue
            for at in range(0, len(known), 3):
                if known[at] == gender:
                    names[variant] = (*known[:at], gender, count, tie, *known[at + 3 :])
                    break
            else:
                names[variant] = (*known, gender, count, tie)


def given_name_gender(word: str) -> str | None:
    """ "m" or "f" for a given name that is mostly one or the other, else None."""
    answer = _given_names().get(word.strip(".").split("-")[0].lower(), "unknown")
    if answer in ("male", "mostly_male"):
        return "m"
    if answer in ("female", "mostly_female"):
        return "f"
    return None


def is_given_name(word: str) -> bool:
    return word.strip(".").split("-")[0].lower() in _given_names()


def _looks_like_person(ent: Span) -> bool:
    """ "Lena Holt" tagged ORG: two to four capitalised proper nouns opening with a given name."""
    toks = [t for t in ent if not t.is_punct]
    before = ent.doc[ent.start - 1] if ent.start > 0 else None
    if (len(toks) >= 2 and toks[0].lower_ in lx.HONORIFICS and toks[1].text[:1].isupper()) or (
        before is not None
        and before.lower_ in lx.HONORIFICS
        and toks
        and toks[0].text[:1].isupper()
    ):
        return True  # "Mr Kilroy-Silk" tagged ORG
    return (
        2 <= len(toks) <= 4
        and all(t.pos_ == "PROPN" and t.text[:1].isupper() and not t.text.isupper() for t in toks)
        and is_given_name(toks[0].text)
        and not any(t.lower_ in _ORG_NAME_WORDS for t in toks)
    )


def _glued_name(tok: Token) -> list[Token]:
    """The hyphenated word a token ends: "ho" of "Bong Joon-ho" → ["Joon", "-", "ho"]."""
    doc = tok.doc
    start = tok.i
    while (
        start > 1
        and doc[start - 1].text == "-"
        and not doc[start - 1].whitespace_
        and not doc[start - 2].whitespace_
    ):
        start -= 2
    return list(doc[start : tok.i + 1])


_PSEUDONYM_VERBS = frozenset({"know", "identify", "call"})


def _proper_nouns(doc: Doc) -> list[Token]:
    """The doc's tokens tagged PROPN, in order, found in spaCy's arrays: walking the doc would
    make an object of every token just to read its tag."""
    from spacy.symbols import PROPN

    pos = doc.to_array("POS")
    return [doc[int(i)] for i in (pos == PROPN).nonzero()[0]]


def _pseudonyms(docs: Sequence[tuple[Doc, int]]) -> set[str]:
    """One-word names the article gives as all it may say: "the base chief known as Bob", "a
    guard identified only as Ahmed". Such a source stays anonymous: another article's Bob is
    someone else."""
    found: set[str] = set()
    for doc, _ in docs:
        for tok in _proper_nouns(doc):
            if (
                tok.dep_ == "pobj"
                and tok.head.lower_ == "as"
                and tok.head.head.lemma_.lower() in _PSEUDONYM_VERBS
                and tok.head.head.dep_ in ("acl", "relcl", "appos")
                and not any(c.dep_ in ("compound", "flat") for c in tok.children)
            ):
                found.add(tok.text)
    return found


_PLATFORM_PREPS = frozenset({"on", "via"})
_PARTY_HEADS = frozenset({"party", "government", "manifesto", "conference", "whip", "whips"})
_THING_HEADS = _ORG_HEADS | frozenset(
    """site website platform outlet magazine publication channel broadcaster giant maker
    retailer carrier airline insurer lender brand firm company network""".split()  # noqa: SIM905
)


def _not_people(docs: Sequence[tuple[Doc, int]]) -> set[str]:
    """One-word names the tagger called people that the article shows are not: a platform
    ("posted on Twitter"), an outlet or firm with its own people ("Politico's Mike Allen"),
    unless the article also gives the word a given name or an honorific ("Mr. Allen")."""
    evidence: set[str] = set()
    personal: set[str] = set()
    for doc, _ in docs:
        for tok in _proper_nouns(doc):
            if not tok.text[:1].isupper():
                continue
            before = doc[tok.i - 1] if tok.i > 0 else None
            after = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if before is not None and (
                before.lower_ in lx.HONORIFICS
                or (
                    before.ent_type_ == "PERSON"
                    and before.ent_iob_ in ("B", "I")
                    and tok.ent_iob_ == "I"
                )
            ):
                personal.add(tok.text)
            alone = tok.ent_iob_ == "O" or (
                tok.ent_iob_ == "B" and (after is None or after.ent_iob_ != "I")
            )
            if tok.ent_iob_ == "O" and (
                (before is not None and before.pos_ == "PROPN")
                or (after is not None and after.pos_ == "PROPN")
            ):
                continue  # part of a longer name the tagger left untagged
            if not alone:
                continue
            if tok.dep_ == "pobj" and tok.head.lower_ in _PLATFORM_PREPS:
                evidence.add(tok.text)  # "said on Twitter"
            elif any(c.dep_ == "appos" and c.lemma_.lower() in _THING_HEADS for c in tok.rights):
                evidence.add(tok.text)  # "Facebook, the biggest social network,"
            elif (
                before is not None
                and before.pos_ == "NOUN"
                and before.lemma_.lower() in _THING_HEADS
                and before.head is tok
            ):
                evidence.add(tok.text)  # "Russian oil giant Yukos"
            elif (
                tok.dep_ == "compound"
                and tok.head.pos_ == "NOUN"
                and tok.head.lemma_.lower() in _PARTY_HEADS
            ):
                evidence.add(tok.text)  # "the Labour party", "a Labour government"
            elif (
                after is not None
                and after.tag_ == "POS"
                and after.i + 2 < len(doc)
                and doc[after.i + 1].ent_type_ == "PERSON"
                and doc[after.i + 2].ent_iob_ == "I"
            ):
                evidence.add(tok.text)  # "Politico's Mike Allen"
    return evidence - personal


def _named_compounds(ent: Span, label: str) -> list[Token]:
    """Capitalised words the tagger left outside a group's name: "Liberal" of "Liberal
    Democrats" when only "Democrats" was tagged, "Senate Democrats"; no title in a firm's name."""
    doc = ent.doc
    start = ent.start
    while (
        start > 0
        and doc[start - 1].pos_ == "PROPN"
        and doc[start - 1].dep_ == "compound"
        and ent.start <= doc[start - 1].head.i < ent.end
        and doc[start - 1].text[:1].isupper()
        and not doc[start - 1].ent_type_
        and (label == "NORP" or not roles.is_title_noun(doc[start - 1].text))
    ):
        start -= 1
    return list(doc[start : ent.start])


def _plural_name(ent: Span) -> bool:
    """ "Lib Dems", "the Clintons": a plural proper name is a group, not a person."""
    toks = [t for t in ent if not t.is_punct and t.lower_ not in lx.DETERMINERS]
    if not toks or (len(toks) > 1 and is_given_name(toks[0].text)):
        return False
    last = toks[-1]
    the = ent[0].lower_ == "the" or (ent.start > 0 and ent.doc[ent.start - 1].lower_ == "the")
    return last.text.endswith("s") and (
        last.tag_ == "NNPS" or (the and not last.text.endswith("ss"))
    )


def _has_org_word(ent: Span) -> bool:
    """A name that ends like a company's: "Cairn Energy", "Munich Re", "Vantor Holdings"."""
    words = [t.text.strip(".") for t in ent if not t.is_punct]
    if len(words) == 1 and words[0].isupper() and words[0].isalpha() and len(words[0]) <= 4:
        return True  # "FT", "GM": initials name organisations, not people
    return len(words) > 1 and words[-1].lower() in _ORG_NAME_WORDS


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


def _copula_role(root: Token) -> str | None:
    """ "Pryce is the chief executive of Vantor": the role a copula gives its subject, when
    the complement is a position ("Pryce is optimistic" gives none)."""
    verb = root.head
    if root.dep_ != "nsubj" or verb.lemma_ != "be" or verb.i < root.i:
        return None
    if any(c.dep_ == "neg" for c in verb.children):
        return None
    for child in verb.rights:
        if child.dep_ == "attr" and child.pos_ == "NOUN":
            sub = [t for t in child.subtree]
            cut = next(
                (k for k, t in enumerate(sub) if t.dep_ in ("relcl", "acl") or t.text in ",;("),
                len(sub),
            )
            return roles.clean_role(sub[:cut])
    return None


def _kind_of(label: str, name: str) -> ActorKind:
    """NORP names a group ("Lib Dems"), GPE a place that speaks ("the US said"), the rest an
    organisation; a country is a place whatever the tagger said."""
    if label == "NORP":
        return "group"
    if label == "GPE" or roles.is_country(name):
        return "place"
    return "organisation"


def _refers_to_nobody(head: Token, bounds: tuple[int, int]) -> bool:
    """ "No one predicted", "Some say", "Those who …", "“Bombshell” went": no actor to store
    (determiners, quantifiers, numbers, non-referring words, a quoted title)."""
    doc = head.doc
    span = doc[bounds[0] : bounds[1]]
    words = " ".join(t.lower_ for t in span if not t.is_punct)
    if words in roles.NON_REFERRING:
        return True
    if head.lower_ in roles.NOT_NAMES and roles.is_not_a_name(head.text):
        return True
    if head.like_num or head.pos_ == "NUM" or (head.pos_ == "PRON" and head.lower_ != "one"):
        return True
    if head.ent_type_ in _NOT_ACTOR_LABELS:
        return True  # "her records in July, which showed": a date says nothing
    if head.lower_ == "one" and not any(c.dep_ == "amod" for c in head.children):
        return True
    before = doc[bounds[0] - 1] if bounds[0] > 0 else None
    after = doc[bounds[1]] if bounds[1] < len(doc) else None
    return bool(
        before is not None
        and after is not None
        and before.text in ("“", '"', "‘", "«")
        and after.text in ("”", '"', "’", "»")
    )


def _title_only(span: Span) -> bool:
    """ "the Prime Minister", "Chancellor", "Tory leader": titles and their modifiers, no name."""
    words = [t for t in span if not t.is_punct and t.lower_ not in lx.DETERMINERS]
    if not words or any(t.ent_type_ == "PERSON" for t in words):
        return False
    last = words[-1]
    if not roles.is_title_noun(last.text) or last.ent_type_ in ("NORP", "PERSON"):
        return False  # "Democrats" is a group, "Sanders" a person; "MPs" is a description
    if last.ent_type_ and last.ent_iob_ == "I":
        return False  # "the Associated Press": a name that ends in a common word
    return all(
        roles.is_title_noun(t.text)
        or t.lower_ in lx.TITLE_WORDS
        or t.ent_type_ in ("NORP", "GPE", "ORG")
        or t.pos_ == "ADJ"
        for t in words
    )


_ORG_PREPS = frozenset({"for", "at", "of", "from", "with"})


def _description_and_organisation(head: Token, tokens: list[Token]) -> tuple[str, str | None]:
    """ "a Home Office spokesman" → ("spokesman", "Home Office"); "a spokesman for the Clinton
    campaign" → ("spokesman", "Clinton campaign"); "Japanese defense officials" → (itself, None)."""
    toks = [t for t in tokens if not t.is_space and not t.is_punct and t.tag_ != "POS"]
    while toks and (toks[0].lower_ in _LEADING_DROP or toks[0].pos_ in ("NUM", "DET")):
        toks.pop(0)
    if not toks:
        return "", None
    prep = next((k for k, t in enumerate(toks) if t.i > head.i and t.lower_ in _ORG_PREPS), None)
    if prep is not None:
        org = toks[prep + 1 :]
        desc = toks[:prep]
    else:
        k = 0
        while k < len(toks) - 1 and (
            toks[k].pos_ == "PROPN" or toks[k].ent_type_ in ("ORG", "FAC", "GPE")
        ):
            k += 1
        while 0 < k < len(toks) - 1 and toks[k].lower_ in _ORG_HEADS:
            k += 1
        org, desc = toks[:k], toks[k:]
    while org and (org[0].lower_ in _LEADING_DROP or org[0].pos_ == "DET"):
        org.pop(0)
    if not org or not desc or not any(t.text[:1].isupper() for t in org):
        return _text(toks), None
    return _text(desc), _clean(_text(org))


def _text(tokens: Sequence[Token]) -> str:
    text = tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text
    if _sentence_case(tokens[0]):
        text = text[:1].lower() + text[1:]
    return " ".join(text.split())


def _sentence_case(first: Token) -> bool:
    """ "Analysts" opening a sentence is "analysts"; "MPs", "BBC" and names keep their case."""
    return (
        bool(first.is_sent_start)
        and first.pos_ != "PROPN"
        and not first.ent_type_
        and first.text[:1].isupper()
        and first.text[1:].islower()
    )


ResolvedEntity = _Entity
"""What a speaker mention resolves to, before it becomes a stored `Actor`."""


def _described_as_a_thing(entity: _Entity) -> bool:
    """A "person" whose role is headed by a word for a firm or an outlet ("oil giant",
    "software firm") and whose name opens with no given name."""
    if not entity.role or is_given_name(entity.name.split()[0]):
        return False
    words = entity.role.lower().split(" of ")[0].split()
    return bool(words) and words[-1].rstrip("s") in _THING_HEADS


def to_actor(entity: _Entity) -> Actor:
    if entity.pseudonym and entity.kind == "person" and len(entity.name.split()) == 1:
        return Actor(name=entity.name, kind="anonymous", description=entity.name)
    aliases = tuple(sorted(a for a in entity.aliases if a != entity.name))
    kind = entity.kind
    if kind == "person" and _described_as_a_thing(entity):
        kind = "organisation"  # "Russian oil giant Yukos", "Vetrok, the software firm"
    return Actor(
        name=entity.name,
        kind=kind,
        role=entity.role,
        aliases=aliases,
        description=entity.description,
        organisation=entity.organisation,
    )
