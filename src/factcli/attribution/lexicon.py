"""Word lists the attribution rules consult: data, not code, so they can grow without new rules.

Frames say what a cue verb can introduce:
- ``q``: a direct quote ("…," she said)
- ``c``: a clausal complement ("officials indicated that …", "he said the plan failed")
- ``o``: a noun-phrase object that is itself the statement ("he announced the elevation of …",
  "she denied the allegations", "labeled Japan an indispensable partner")
"""

from __future__ import annotations

_SPEECH_QCO = """
say tell state add note announce declare explain argue assert claim insist contend maintain
warn caution acknowledge admit concede confirm deny reiterate repeat stress emphasize emphasise
underscore highlight write tweet post report reply respond answer retort counter recall
complain lament predict promise vow pledge suggest propose recommend urge demand ask question
wonder observe remark comment point declare proclaim testify allege accuse blame charge
describe characterize characterise label call dub term brand praise criticize criticise
condemn denounce slam blast decry hail applaud welcome dismiss reject reaffirm express outline
signal hint indicate disclose reveal announce boast joke quip muse scoff mutter shout
yell cry whisper plead concur agree disagree object protest lament summarize summarise conclude
estimate forecast project caution advise inform assure reassure remind
"""

_THOUGHT_C = """
believe know expect fear hope feel suspect doubt worry understand realize realise
assume conclude estimate predict suppose reckon guess consider find show suggest indicate
learn recognize recognise acknowledge figure imagine bet trust presume insist
"""

# Verbs whose direct object is the statement itself ("denied the allegations"), beyond speech
# verbs whose objects are usually listeners ("told reporters", "asked him"). Attitudes towards a
# thing count as well ("Republicans oppose the plan"), as in attribution corpora.
_OBJECT_CONTENT = """
announce deny confirm outline reiterate stress emphasize emphasise underscore highlight
describe characterize characterise label call dub term brand praise criticize criticise
condemn denounce decry hail applaud welcome dismiss reject reaffirm express acknowledge admit
concede predict promise vow pledge propose recommend demand disclose reveal allege
blame accuse defend cite dispute signal oppose back endorse attack blast slam mention
discuss tout promote reference detail list champion favor favour like love hate
respect mock ridicule challenge advocate want prefer fear doubt trust dislike
lambaste chide scold fault credit thank congratulate applaud celebrate lament regret mourn
report claim suggest predict estimate forecast project recall
"""

# Verbs with a to-infinitive statement: "vowed to fight the ruling", "wants to cut taxes".
_XCOMP = """
promise vow pledge threaten swear claim deny want plan hope intend
decide wish prefer urge ask encourage push propose offer call beg implore pretend
"""

# Verbs with a prepositional statement: "called for an inquiry", "warned of a crisis".
PREP_CONTENT: dict[str, frozenset[str]] = {
    "call": frozenset({"for"}),
    "push": frozenset({"for"}),
    "ask": frozenset({"for", "about"}),
    "advocate": frozenset({"for"}),
    "argue": frozenset({"for", "against"}),
    "speak": frozenset({"about", "of", "against"}),
    "talk": frozenset({"about", "of"}),
    "write": frozenset({"about", "of"}),
    "complain": frozenset({"about", "of"}),
    "worry": frozenset({"about"}),
    "warn": frozenset({"of", "about", "against"}),
    "rule": frozenset({"against", "on", "for"}),
    "vote": frozenset({"for", "against"}),
    "testify": frozenset({"about", "on"}),
    "comment": frozenset({"on"}),
    "insist": frozenset({"on"}),
    "agree": frozenset({"with", "on"}),
    "disagree": frozenset({"with", "on"}),
    "respond": frozenset({"to"}),
    "react": frozenset({"to"}),
    "object": frozenset({"to"}),
    "brag": frozenset({"about"}),
    "boast": frozenset({"about", "of"}),
    "joke": frozenset({"about"}),
    "rail": frozenset({"against"}),
    "campaign": frozenset({"for", "against", "on"}),
    "lobby": frozenset({"for", "against"}),
    "hint": frozenset({"at"}),
    "weigh": frozenset({"in"}),
    "lash": frozenset({"out"}),
    "think": frozenset({"about", "of"}),
    "care": frozenset({"about"}),
    "apologize": frozenset({"for"}),
    "apologise": frozenset({"for"}),
    "criticize": frozenset({"for"}),
    "blame": frozenset({"for"}),
}


SPEECH_VERBS: frozenset[str] = frozenset(_SPEECH_QCO.split())
THOUGHT_VERBS: frozenset[str] = frozenset(_THOUGHT_C.split()) - SPEECH_VERBS
OBJECT_CONTENT_VERBS: frozenset[str] = frozenset(_OBJECT_CONTENT.split())
XCOMP_VERBS: frozenset[str] = frozenset(_XCOMP.split())
CUE_VERBS: frozenset[str] = (
    SPEECH_VERBS | THOUGHT_VERBS | OBJECT_CONTENT_VERBS | XCOMP_VERBS | frozenset(PREP_CONTENT)
)

# Verbs that only count with a quote or a that-clause next to them ("continued: “…”").
QUOTE_ONLY_VERBS = frozenset({"continue", "begin", "start", "go"})


# Nouns that report speech when the speaker owns them: "In a statement, the ministry said …" is a
# verb; "Hegseth's view is that …", "the claim by officials that …".
SPEECH_NOUNS = frozenset(
    {
        "statement",
        "view",
        "claim",
        "argument",
        "assertion",
        "belief",
        "contention",
        "position",
        "warning",
        "message",
        "announcement",
        "promise",
        "pledge",
        "assessment",
        "conclusion",
        "opinion",
        "suggestion",
        "insistence",
        "allegation",
    }
)

PRONOUNS_MALE = frozenset({"he", "him", "his"})
PRONOUNS_FEMALE = frozenset({"she", "her", "hers"})
PRONOUNS_PLURAL = frozenset({"they", "them", "their"})
PRONOUNS_NEUTER = frozenset({"it", "its"})
PRONOUNS_FIRST = frozenset({"i", "we", "me", "us"})
RELATIVE_PRONOUNS = frozenset({"who", "that", "which", "whom"})

# Honorifics stripped from canonical names; the value is the gender they tell.
HONORIFICS: dict[str, str | None] = {
    "mr": "m",
    "mr.": "m",
    "mrs": "f",
    "mrs.": "f",
    "ms": "f",
    "ms.": "f",
    "miss": "f",
    "dr": None,
    "dr.": None,
    "prof": None,
    "prof.": None,
    "sir": "m",
    "dame": "f",
    "lord": "m",
    "lady": "f",
    "sen.": None,
    "rep.": None,
    "gov.": None,
    "gen.": None,
    "lt.": None,
    "col.": None,
    "sgt.": None,
    "capt.": None,
    "adm.": None,
    "maj.": None,
    "rev.": None,
}

# Title words that precede names and make up roles ("Defense Secretary Pete Hegseth"). Used to
# tell a role premodifier from a first name; "Gen" without a period is a given name.
TITLE_WORDS = frozenset(
    [
        "president",
        "vice",
        "secretary",
        "minister",
        "prime",
        "chancellor",
        "premier",
        "senator",
        "representative",
        "congressman",
        "congresswoman",
        "governor",
        "mayor",
        "ambassador",
        "general",
        "admiral",
        "colonel",
        "commander",
        "chief",
        "director",
        "chairman",
        "chairwoman",
        "chair",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "speaker",
        "leader",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "judge",
        "justice",
        "attorney",
        "prosecutor",
        "official",
        "officer",
        "adviser",
        "advisor",
        "aide",
        "head",
        "ceo",
        "founder",
        "executive",
        "economist",
        "analyst",
        "professor",
        "candidate",
        "nominee",
        "pollster",
        "strategist",
        "lawmaker",
        "deputy",
        "assistant",
        "undersecretary",
        "commissioner",
        "treasurer",
        "sheriff",
        "lieutenant",
        "sergeant",
        "captain",
        "major",
        "councilman",
        "councilwoman",
        "councillor",
        "counselor",
        "sen.",
        "rep.",
        "gov.",
        "gen.",
        "lt.",
        "col.",
        "adm.",
        "sgt.",
        "capt.",
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "prof.",
        "rev.",
        "emperor",
        "foreign",
        "defense",
        "defence",
        "interior",
        "finance",
        "trade",
        "justice",
        "health",
        "education",
        "state",
    ]
)

# A description's head noun matches actors whose role carries one of these words
# ("the Pentagon chief" → "Defense Secretary"; "the minister" → "Defense Minister").
_HEADS_OF = frozenset(
    {"secretary", "minister", "director", "head", "chief", "chairman", "chairwoman", "chair"}
    | {"ceo", "leader", "president", "administrator"}
)
"""Roles that head something: what "the chief" and "the head" of a description can stand for."""

ROLE_HEAD_FAMILIES: dict[str, frozenset[str]] = {
    "chief": _HEADS_OF | {"commander", "commissioner"},
    "head": _HEADS_OF,
    "boss": frozenset({"ceo", "chief", "director", "head", "chairman", "president", "manager"}),
    "leader": frozenset(
        {
            "leader",
            "president",
            "premier",
            "chancellor",
            "minister",
            "head",
            "chairman",
            "king",
            "queen",
        }
    ),
    "lawmaker": frozenset(
        {
            "senator",
            "representative",
            "congressman",
            "congresswoman",
            "sen.",
            "rep.",
            "lawmaker",
            "mp",
            "legislator",
        }
    ),
    "legislator": frozenset(
        {
            "senator",
            "representative",
            "congressman",
            "congresswoman",
            "lawmaker",
            "mp",
            "legislator",
        }
    ),
    "envoy": frozenset({"ambassador", "envoy"}),
    "diplomat": frozenset({"ambassador", "envoy", "diplomat", "secretary", "minister"}),
    "official": frozenset(
        {
            "official",
            "officer",
            "secretary",
            "minister",
            "director",
            "spokesman",
            "spokeswoman",
            "spokesperson",
            "deputy",
            "adviser",
            "advisor",
        }
    ),
    "spokesperson": frozenset({"spokesman", "spokeswoman", "spokesperson"}),
    "spokesman": frozenset({"spokesman", "spokesperson"}),
    "spokeswoman": frozenset({"spokeswoman", "spokesperson"}),
    "nominee": frozenset({"nominee", "candidate"}),
    "candidate": frozenset({"nominee", "candidate"}),
    "mogul": frozenset({"nominee", "candidate", "businessman", "developer", "mogul"}),
    "executive": frozenset({"ceo", "executive", "chief", "president", "chairman", "director"}),
    "lawyer": frozenset({"lawyer", "attorney", "counsel"}),
    "attorney": frozenset({"lawyer", "attorney", "counsel", "prosecutor"}),
    "general": frozenset({"general", "gen.", "commander"}),
    "commander": frozenset({"commander", "general", "admiral", "gen.", "adm."}),
    "premier": frozenset({"premier", "prime", "minister"}),
}

# Institutions named for a role's department ("Pentagon" ↔ "Defense", "Kremlin" ↔ "Russia").
INSTITUTION_SYNONYMS: dict[str, frozenset[str]] = {
    "pentagon": frozenset({"defense", "defence", "pentagon"}),
    "white house": frozenset({"president", "white house"}),
    "kremlin": frozenset({"russia", "russian", "president", "kremlin"}),
    "state department": frozenset({"state", "secretary of state"}),
    "foggy bottom": frozenset({"state"}),
    "treasury": frozenset({"treasury", "finance"}),
    "justice department": frozenset({"justice", "attorney"}),
    "elysee": frozenset({"france", "french", "president"}),
    "downing street": frozenset({"prime", "britain", "british"}),
    "whitehall": frozenset({"britain", "british", "minister"}),
    "fed": frozenset({"federal reserve", "fed"}),
}

# Heads of descriptions that denote a person without naming a role ("the 71-year-old").
GENERIC_PERSON_HEADS = frozenset(
    {
        "man",
        "woman",
        "father",
        "mother",
        "veteran",
        "politician",
        "businessman",
        "businesswoman",
        "billionaire",
        "democrat",
        "republican",
        "lawmaker",
        "official",
        "executive",
        "candidate",
        "nominee",
        "incumbent",
        "challenger",
        "star",
        "actor",
        "actress",
        "singer",
        "author",
        "writer",
        "host",
        "mogul",
        "former",
        "newcomer",
        "native",
        "resident",
    }
)

# Heads of common-noun speakers that are people ("a senior official", "two analysts").
PERSON_NOUNS = frozenset(
    [
        "official",
        "officials",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "analyst",
        "analysts",
        "expert",
        "experts",
        "source",
        "sources",
        "aide",
        "aides",
        "adviser",
        "advisers",
        "advisor",
        "advisors",
        "lawmaker",
        "lawmakers",
        "diplomat",
        "diplomats",
        "observer",
        "observers",
        "critic",
        "critics",
        "supporter",
        "supporters",
        "opponent",
        "opponents",
        "resident",
        "residents",
        "witness",
        "witnesses",
        "economist",
        "economists",
        "researcher",
        "researchers",
        "scientist",
        "scientists",
        "officer",
        "officers",
        "leader",
        "leaders",
        "minister",
        "ministers",
        "executive",
        "executives",
        "person",
        "people",
        "insider",
        "insiders",
        "voter",
        "voters",
        "activist",
        "activists",
        "member",
        "members",
        "staffer",
        "staffers",
        "investigator",
        "investigators",
        "prosecutor",
        "prosecutors",
        "lawyer",
        "lawyers",
        "attorney",
        "attorneys",
        "doctor",
        "doctors",
        "teacher",
        "teachers",
        "parent",
        "parents",
        "student",
        "students",
        "worker",
        "workers",
        "protester",
        "protesters",
        "strategist",
        "strategists",
        "pollster",
        "pollsters",
        "historian",
        "historians",
        "professor",
        "professors",
        "commentator",
        "commentators",
        "reporter",
        "reporters",
        "journalist",
        "journalists",
        "candidate",
        "candidates",
        "democrats",
        "republicans",
        "conservatives",
        "liberals",
        "man",
        "woman",
        "men",
        "women",
    ]
)

DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those"})
