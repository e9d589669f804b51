"""What a role, a name and an organisation look like: checks over tokens and plain strings.

A role is a noun phrase naming a position ("Tory leader", "Home Secretary", "chief executive
of Yukos"). The words next to a name are often something else: an adjective ("Defiant Trump"),
a state label ("R-Tex."), a dateline ("JERUSALEM -"), a relative clause ("pollster who …").
`clean_role` keeps a title noun phrase or nothing. The functions on plain strings
(`organisation_key`, `is_not_a_name`) are free of spaCy, so the archive-side identity code can
call them too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token


def _words(text: str) -> list[str]:
    return text.split()


_OWN_TITLES = """
    president vice-president secretary minister chancellor premier senator representative
    congressman congresswoman governor mayor ambassador general admiral colonel commander chief
    director chairman chairwoman chair chairperson spokesman spokeswoman spokesperson speaker
    leader king queen prince princess pope judge justice attorney prosecutor official officer
    adviser advisor aide head ceo cfo coo cto founder co-founder executive economist analyst
    professor candidate nominee pollster strategist lawmaker deputy assistant undersecretary
    commissioner treasurer sheriff lieutenant sergeant captain major councilman councilwoman
    councillor counselor counsel lawyer manager coach owner president-elect partner member
    mp mep peer lord baroness baron earl duke duchess bishop archbishop cardinal rabbi imam
    priest pastor reverend editor correspondent reporter journalist columnist commentator
    anchor host presenter producer publisher writer author novelist poet playwright critic
    historian scientist researcher fellow scholar lecturer teacher principal dean provost
    student doctor physician surgeon nurse psychologist psychiatrist engineer architect
    designer developer investor banker trader broker consultant economist accountant
    entrepreneur businessman businesswoman magnate mogul billionaire millionaire tycoon
    activist campaigner organiser organizer volunteer worker employee staffer staff
    spokesperson negotiator envoy diplomat delegate emissary representative superintendent
    inspector detective investigator agent operative commissioner regulator auditor
    chairman vice-chairman comptroller controller registrar clerk administrator governor-general
    premier taoiseach president-elect senator-elect nominee hopeful contender challenger
    incumbent frontrunner front-runner donor fundraiser
    veteran soldier marine sailor pilot player striker midfielder defender goalkeeper keeper
    forward winger captain skipper batsman bowler jockey driver rider champion athlete
    runner boxer golfer cyclist swimmer sprinter manager boss coach trainer referee umpire
    singer songwriter musician guitarist drummer bassist rapper actor actress comedian
    director filmmaker star presenter dj model artist photographer dancer composer conductor
    spokesman monarch sultan emir sheikh ayatollah cleric mullah president governor ruler
    dictator strongman warlord militant insurgent rebel fighter commander officer constable
    superintendent firefighter paramedic resident citizen voter parent mother father widow
    son daughter wife husband brother sister friend neighbour neighbor witness survivor victim
    expert specialist adviser pundit observer watcher insider source official
    democrat republican conservative liberal socialist independent libertarian progressive
    tory labourite nationalist unionist loyalist
    president secretary-general director-general attorney-general solicitor-general
    postmaster-general inspector-general surgeon-general auditor-general
    economist strategist consultant lobbyist counsel chaplain
    """
"""Heads of role phrases, written out: nameparser's list of titles adds the rest (honorifics,
military ranks, professions)."""

_NOT_TITLES = frozenset(
    _words(
        """english british federal foreign first high his her most united us uk states national
    royal political legal social special state district division group family law military
    navy army police radio rock soccer television theater theatre travel opera blues
    intelligence information knowledge security software strategy tax technical municipal
    civil classical corporate credit criminal customs discovery docket film financial flag
    flying grand hereditary judicial kingdom literary marketing mathematics mystery petty
    private public revenue right risk senior supreme superior venerable warrant wing
    advertising analytics appellate award-winning baseball behavioral bench biblical
    burlesque business computer designated excellent field air banner me met most
    operating personality voice holiness eminence excellency highness majesty pres prin
    assoc asst capt exec prof dpty prime rear vice presiding blessed honorable honourable
    chairs misses metropolitan count charge"""
    )
)

# Nouns that head a phrase next to a name without being a role: "hundreds of thousands",
# "82-year-old", "percent".
_NOT_ROLE_HEADS = frozenset(
    _words(
        """percent per cent hundreds thousands millions billions dozens scores lot lots number
    year years time times day days week weeks month months people"""
    )
)

_RELATIVE = frozenset({"who", "whom", "whose", "which", "that", "where", "when"})
_CUT_PUNCT = frozenset(
    {",", ";", ":", "(", ")", "[", "]", "—", "–", "--", "“", "”", '"', "«", "»", "„", "!", "?"}
)
_QUOTE_CHARS = '"“”‘’„«»`'
_LEADING_DROP = frozenset(
    _words(
        """a an the this that these those his her its their our my your some any one
    then now also both neither either whatever as year years old only just still once
    currently"""
    )
)
_TRAILING_DROP = frozenset(
    _words("""of for at in on to from with by and or but the a an as than 's ’s ' ’""")
)
_DASHES = frozenset({"-", "—", "–", "--"})

NOT_NAMES = frozenset(
    _words(
        """i me we us you he him she her it they them this that these those who whom which what
    some many several few most all both others other another any each none nobody no one
    everyone someone somebody anyone everybody something anything nothing everything there
    here such either neither"""
    )
)
"""Words that never name an actor: pronouns, determiners and quantifiers."""

NON_REFERRING = frozenset({"no one", "nobody", "none", "no-one", "neither", "nothing"})
"""Speakers that refer to nobody: "no one predicted …" has no source to store."""

_ORG_SUFFIX = re.compile(
    r"(?:,?\s+(?:corp(?:oration)?|inc(?:orporated)?|ltd|limited|llc|plc|co|company|"
    r"group|holdings|ag|sa|nv|gmbh)\.?)+$",
    re.I,
)


@lru_cache(maxsize=1)
def _title_nouns() -> frozenset[str]:
    words = set(_OWN_TITLES.split())
    try:
        from nameparser.config import CONSTANTS

        for title in CONSTANTS.titles:
            if title.isascii() and title.isalpha() and len(title) > 3:
                words.add(title)
    except ImportError:  # pragma: no cover - nameparser is a dependency
        pass
    return frozenset(words - _NOT_TITLES)


TITLE_NOUNS: frozenset[str] = _title_nouns()
"""Nouns that name a position or an occupation: a one-word role is one of these."""


def is_title_noun(word: str) -> bool:
    w = word.casefold().strip(".")
    if w in TITLE_NOUNS:
        return True
    singular = w[:-1] if w.endswith("s") else ""
    return singular in TITLE_NOUNS and (len(w) > 4 or singular in _OWN_TITLES.split())


def _joined_left(tok: Token) -> bool:
    """The token is glued to the one before it: "co-" + "ordinator", "then-" + "Gov"."""
    if tok.i == 0:
        return False
    prev = tok.doc[tok.i - 1]
    return not prev.whitespace_ and (prev.text in _DASHES or tok.text in _DASHES)


def _whole_words(tokens: list[Token]) -> list[Token]:
    """Widen a token run so a hyphenated word is never cut: "ordinator" → "co-ordinator"."""
    if not tokens:
        return tokens
    doc = tokens[0].doc
    start, end = tokens[0].i, tokens[-1].i + 1
    while start > 0 and _joined_left(doc[start]):
        start -= 1
    while end < len(doc) and _joined_left(doc[end]):
        end += 1
    return list(doc[start:end])


def clean_role(tokens: Sequence[Token]) -> str | None:
    """The role named by `tokens`, or None when they name no position.

    "Republican nominee" and "chief executive of Yukos" are kept; "Neither", "Defiant", "R-Tex.",
    "USA", "Democratic pollster who" (cut to "Democratic pollster"), `parasite” director` (cut
    at the quote) and "hundreds of thousands" are not roles.
    """
    toks = _whole_words([t for t in tokens if not t.is_space])
    # a dateline before the role: "JERUSALEM - Israeli Prime Minister"
    for k, t in enumerate(toks[:-1]):
        if t.text in _DASHES and k > 0 and all(x.text.isupper() for x in toks[:k]):
            toks = toks[k + 1 :]
            break
    out: list[Token] = []
    for t in toks:
        low = t.lower_
        if not out and _opens_a_name(t):
            out.append(t)  # "All Blacks captain": the word belongs to a name
            continue
        if not out and (
            low in _LEADING_DROP
            or t.is_punct
            or t.pos_ in ("ADV", "DET", "PRON", "NUM", "CCONJ", "ADP", "PART")
            or t.text[:1] in _QUOTE_CHARS
            or (t.text in _DASHES)
        ):
            continue
        if out and t.text in _QUOTE_CHARS and not t.doc[t.i - 1].whitespace_:
            continue  # a stray closing quote glued to a word: `Parasite” director`
        if (
            low in _RELATIVE
            or t.text in _CUT_PUNCT
            or any(c in _QUOTE_CHARS.replace("’", "") for c in t.text)
            or (t.text == "’" and not out)
            or t.tag_ in ("VBD", "VBP", "VBZ", "MD")
            or (t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod", "compound"))
        ):
            break
        out.append(t)
    if out and _splits_a_name(out[-1]):
        # "donor to the Bill, Hillary & Chelsea Clinton Foundation": no half names
        while out and out[-1].pos_ == "PROPN":
            out.pop()
    while out and (out[-1].lower_ in _TRAILING_DROP or out[-1].is_punct or out[-1].pos_ == "ADP"):
        out.pop()
    if not out or len(out) > 12:
        return None
    if not any(_is_role_noun(t) for t in out):
        return None
    head = next((t for t in out if t.pos_ == "ADP"), None)
    nouns = [t for t in out if head is None or t.i < head.i]
    if not nouns or not is_title_head(nouns[-1]):
        return None  # "potential hazard", "Campaign Slogan": a description, not a position
    if nouns[-1].lower_ in _RELATIONAL and head is None:
        return None  # "wife" alone; "son of the nominee" stays
    if out[-1].pos_ in ("ADJ", "ADV") and not is_title_noun(out[-1].text):
        return None
    parts: list[str] = []
    for a, b in zip(out, out[1:], strict=False):
        gap = a.doc[a.i + 1 : b.i]
        parts += [a.text, " " if a.whitespace_ or any(g.whitespace_ for g in gap) else ""]
    parts.append(out[-1].text)
    text = " ".join("".join(parts).split()).strip(_QUOTE_CHARS + " ")
    return text or None


_ARTICLES = frozenset({"the", "a", "an", "this", "that", "these", "those", "some", "any"})


def _opens_a_name(tok: Token) -> bool:
    """A capitalised determiner before a capitalised proper noun opens a name ("All Blacks")."""
    doc = tok.doc
    after = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    return (
        tok.pos_ == "DET"
        and tok.text[:1].isupper()
        and tok.lower_ not in _ARTICLES
        and after is not None
        and after.pos_ == "PROPN"
        and after.text[:1].isupper()
    )


def _splits_a_name(last: Token) -> bool:
    """The phrase ends inside a run of names: a proper noun, a comma, another proper noun."""
    doc = last.doc
    if last.pos_ != "PROPN" or last.i + 2 >= len(doc):
        return False
    after = doc[last.i + 2]
    return (
        doc[last.i + 1].text == ","
        and after.pos_ == "PROPN"
        and "GPE" not in (last.ent_type_, after.ent_type_)  # "mayor of Springfield, Illinois"
    )


def _is_role_noun(tok: Token) -> bool:
    """A title noun, or a common noun that can head a description ("owner", "rival")."""
    low = tok.lower_.strip(".")
    if low in _NOT_ROLE_HEADS or tok.like_num:
        return False
    if is_title_noun(low) or is_title_noun(tok.lemma_.lower()):
        return True
    return tok.pos_ == "NOUN" and tok.tag_ in ("NN", "NNS") and not tok.ent_type_


_AGENT_SUFFIXES = ("er", "or", "ist", "ian", "ant", "ent", "man", "woman", "eer", "ess", "ive")


_RELATIONAL = frozenset(
    _words(
        """wife husband son daughter brother sister mother father widow widower friend
        neighbour neighbor partner girlfriend boyfriend cousin uncle aunt nephew niece"""
    )
)
"""Nouns that say whose someone is: a role only with the person ("son of …"), never alone."""


def is_title_head(tok: Token) -> bool:
    """The head word of a role: a title noun, or a noun for a person who does something
    ("organiser", "campaigner", "representative")."""
    low = tok.lower_.strip(".")
    if is_title_noun(low) or is_title_noun(tok.lemma_.lower()):
        return True
    return tok.pos_ in ("NOUN", "PROPN") and low.rstrip("s").endswith(_AGENT_SUFFIXES)


def more_specific(new: str, old: str | None) -> bool:
    """Whether role `new` says more than `old`: "Republican presidential nominee" over
    "nominee", "Home Secretary" over "Secretary"; a different role never replaces the first."""
    if not old:
        return True
    new_words = {w.casefold() for w in new.split()}
    old_words = {w.casefold() for w in old.split()}
    return old_words < new_words


@lru_cache(maxsize=65_536)
def organisation_key(name: str) -> str:
    """ "Microsoft Corp." and "Microsoft" give one key (company suffixes dropped, any case);
    cached, as an article asks for the same few names again and again."""
    base = name.strip()
    stripped = company_basename(base)
    if stripped:
        base = stripped
    base = _ORG_SUFFIX.sub("", base) or base
    words = re.sub(r"[^\w]+", " ", base.casefold()).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def company_basename(name: str) -> str:
    """cleanco's ``basename(name)``, the same answer for every name, found by looking the
    name's last words up among its legal terms ("corp", "gmbh & co kg") instead of comparing
    them with each of its 321 terms in turn (0.2 ms a name, a few ms an article).

    cleanco tries its terms longest first, then in their sorted order, and removes each one
    the name ends with at that moment, so "Harlow Co Ltd" loses "ltd" and keeps "co" (which
    came before "ltd"), and "Harlow Ltd Co" loses both; the look-up keeps that order.
    """
    from cleanco.clean import normalized, strip_punct, strip_tail

    name = strip_tail(name)
    parts = name.split()
    normal = [strip_punct(part) for part in normalized(name).split()]
    for size, terms in _legal_terms().items():
        after = -1
        while True:
            at = next((i for i in terms.get(tuple(normal[-size:]), ()) if i > after), None)
            if at is None:
                break
            after = at
            del normal[-size:]
            del parts[-size:]
    return str(strip_tail(" ".join(parts)))


@lru_cache(maxsize=1)
def _legal_terms() -> dict[int, dict[tuple[str, ...], list[int]]]:
    """cleanco's terms by their number of words, longest first, each with its places in
    cleanco's order (two terms can normalise alike: "llc" and "l.l.c.")."""
    from cleanco.clean import prepare_default_terms

    by_size: dict[int, dict[tuple[str, ...], list[int]]] = {}
    for at, (size, words) in enumerate(prepare_default_terms()):
        if size:
            by_size.setdefault(size, {}).setdefault(tuple(words), []).append(at)
    return dict(sorted(by_size.items(), reverse=True))


def is_not_a_name(text: str) -> bool:
    """A pronoun, determiner, quantifier, number or single letter: never an actor's name."""
    words = text.casefold().split()
    if not words:
        return True
    if len(words) == 1 and len(text.strip(".")) >= 2 and text.strip(".").isupper():
        return False  # "US", "UK": initials, not the pronoun
    if " ".join(words) in NOT_NAMES or " ".join(words) in NON_REFERRING:
        return True
    if len(words) == 1 and (len(words[0].strip(".")) <= 1 or words[0].replace(",", "").isdigit()):
        return True
    return all(w in NOT_NAMES or w.isdigit() for w in words)


@lru_cache(maxsize=4096)
def is_country(name: str) -> bool:
    """ "USA", "Germany", "the United Kingdom": a country that speaks is a place."""
    try:
        import pycountry
    except ImportError:  # pragma: no cover - pycountry is a dependency
        return False
    text = name.strip()
    if text.lower().startswith("the "):
        text = text[4:]
    if not text or not text[:1].isupper():
        return False
    short = text.replace(".", "")
    if short.isupper() and len(short) <= 3:
        return short in {"US", "UK", "USA", "UAE"}  # "GM" is a carmaker, not Gambia's code
    try:
        pycountry.countries.lookup(text)
    except LookupError:
        return False
    return True
