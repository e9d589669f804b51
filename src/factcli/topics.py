"""Topics: named places, organisations and groups, plus the key noun phrases of what was said.

Nationality words are folded into their country ("Chinese military" → China) so that a topic
query finds every statement about a country whatever form the text used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from factcli.models import Topic, TopicKind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_DEMONYMS = {
    "afghan": "Afghanistan",
    "albanian": "Albania",
    "algerian": "Algeria",
    "american": "United States",
    "americans": "United States",
    "argentine": "Argentina",
    "argentinian": "Argentina",
    "armenian": "Armenia",
    "australian": "Australia",
    "austrian": "Austria",
    "azerbaijani": "Azerbaijan",
    "bangladeshi": "Bangladesh",
    "belarusian": "Belarus",
    "belgian": "Belgium",
    "bolivian": "Bolivia",
    "bosnian": "Bosnia",
    "brazilian": "Brazil",
    "british": "United Kingdom",
    "briton": "United Kingdom",
    "britons": "United Kingdom",
    "bulgarian": "Bulgaria",
    "burmese": "Myanmar",
    "cambodian": "Cambodia",
    "cameroonian": "Cameroon",
    "canadian": "Canada",
    "chilean": "Chile",
    "chinese": "China",
    "colombian": "Colombia",
    "congolese": "Congo",
    "croatian": "Croatia",
    "cuban": "Cuba",
    "cypriot": "Cyprus",
    "czech": "Czech Republic",
    "danish": "Denmark",
    "dutch": "Netherlands",
    "ecuadorian": "Ecuador",
    "egyptian": "Egypt",
    "emirati": "United Arab Emirates",
    "english": "England",
    "eritrean": "Eritrea",
    "estonian": "Estonia",
    "ethiopian": "Ethiopia",
    "filipino": "Philippines",
    "finnish": "Finland",
    "french": "France",
    "georgian": "Georgia",
    "german": "Germany",
    "ghanaian": "Ghana",
    "greek": "Greece",
    "guatemalan": "Guatemala",
    "haitian": "Haiti",
    "honduran": "Honduras",
    "hungarian": "Hungary",
    "icelandic": "Iceland",
    "indian": "India",
    "indonesian": "Indonesia",
    "iranian": "Iran",
    "iraqi": "Iraq",
    "irish": "Ireland",
    "israeli": "Israel",
    "italian": "Italy",
    "ivorian": "Ivory Coast",
    "jamaican": "Jamaica",
    "japanese": "Japan",
    "jordanian": "Jordan",
    "kazakh": "Kazakhstan",
    "kenyan": "Kenya",
    "korean": "Korea",
    "kosovar": "Kosovo",
    "kuwaiti": "Kuwait",
    "kyrgyz": "Kyrgyzstan",
    "lao": "Laos",
    "laotian": "Laos",
    "latvian": "Latvia",
    "lebanese": "Lebanon",
    "liberian": "Liberia",
    "libyan": "Libya",
    "lithuanian": "Lithuania",
    "malaysian": "Malaysia",
    "malian": "Mali",
    "maltese": "Malta",
    "mexican": "Mexico",
    "moldovan": "Moldova",
    "mongolian": "Mongolia",
    "montenegrin": "Montenegro",
    "moroccan": "Morocco",
    "mozambican": "Mozambique",
    "namibian": "Namibia",
    "nepalese": "Nepal",
    "nepali": "Nepal",
    "nicaraguan": "Nicaragua",
    "nigerian": "Nigeria",
    "nigerien": "Niger",
    "north korean": "North Korea",
    "norwegian": "Norway",
    "pakistani": "Pakistan",
    "palestinian": "Palestine",
    "panamanian": "Panama",
    "paraguayan": "Paraguay",
    "peruvian": "Peru",
    "polish": "Poland",
    "portuguese": "Portugal",
    "qatari": "Qatar",
    "romanian": "Romania",
    "russian": "Russia",
    "rwandan": "Rwanda",
    "saudi": "Saudi Arabia",
    "scottish": "Scotland",
    "senegalese": "Senegal",
    "serbian": "Serbia",
    "singaporean": "Singapore",
    "slovak": "Slovakia",
    "slovenian": "Slovenia",
    "somali": "Somalia",
    "south african": "South Africa",
    "south korean": "South Korea",
    "spanish": "Spain",
    "sri lankan": "Sri Lanka",
    "sudanese": "Sudan",
    "swedish": "Sweden",
    "swiss": "Switzerland",
    "syrian": "Syria",
    "taiwanese": "Taiwan",
    "tajik": "Tajikistan",
    "tanzanian": "Tanzania",
    "thai": "Thailand",
    "tunisian": "Tunisia",
    "turkish": "Turkey",
    "turkmen": "Turkmenistan",
    "ugandan": "Uganda",
    "ukrainian": "Ukraine",
    "uruguayan": "Uruguay",
    "uzbek": "Uzbekistan",
    "venezuelan": "Venezuela",
    "vietnamese": "Vietnam",
    "welsh": "Wales",
    "yemeni": "Yemen",
    "zambian": "Zambia",
    "zimbabwean": "Zimbabwe",
}
_PLACE_ALIASES = {
    "u.s.": "United States",
    "us": "United States",
    "u.s": "United States",
    "usa": "United States",
    "u.s.a.": "United States",
    "america": "United States",
    "united states": "United States",
    "the united states": "United States",
    "u.k.": "United Kingdom",
    "uk": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "prc": "China",
}
_LABEL_KIND: dict[str, TopicKind] = {
    "GPE": "place",
    "LOC": "place",
    "ORG": "organisation",
    "NORP": "group",
    "FAC": "place",
}
# Head nouns too vague to be a topic on their own.
_VAGUE = frozenset(
    [
        "nation",
        "nations",
        "country",
        "countries",
        "region",
        "regions",
        "world",
        "discussion",
        "discussions",
        "plan",
        "plans",
        "effort",
        "efforts",
        "situation",
        "thing",
        "way",
        "time",
        "times",
        "way",
        "ways",
        "thing",
        "things",
        "part",
        "parts",
        "lot",
        "lots",
        "number",
        "numbers",
        "year",
        "years",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "people",
        "percent",
        "one",
        "ones",
        "kind",
        "sort",
        "point",
        "points",
        "place",
        "end",
        "fact",
        "facts",
        "issue",
        "issues",
        "question",
        "questions",
        "matter",
        "matters",
        "case",
        "cases",
        "area",
        "areas",
        "side",
        "sides",
        "term",
        "terms",
        "group",
        "groups",
        "member",
        "members",
        "level",
        "levels",
        "amount",
        "amounts",
        "rest",
        "top",
        "bit",
        "series",
        "range",
        "step",
        "steps",
        "statement",
        "statements",
        "remarks",
        "comment",
        "comments",
        "view",
        "views",
        "something",
        "anything",
        "everything",
        "nothing",
        "someone",
        "anyone",
        "everyone",
        "nobody",
        "none",
        "all",
        "some",
        "others",
        "other",
        "moment",
        "today",
        "tomorrow",
        "yesterday",
        "reason",
        "reasons",
        "result",
        "results",
        "example",
        "examples",
        "addition",
        "order",
        "while",
        "lack",
        "use",
    ]
)
_DROP_LEFT = frozenset({"det", "poss", "nummod", "predet", "quantmod", "case", "punct", "advmod"})
_MAX_CONCEPT_WORDS = 3


def normalise_entity(text: str, label: str) -> tuple[str, TopicKind] | None:
    """ "Chinese" → ("China", place); "the U.S." → ("United States", place)."""
    name = " ".join(text.split()).strip(" .,'’\"“”")
    if text.strip().endswith(".") and "." in text.strip()[:-1]:
        name = " ".join(text.split()).strip(" ,'’\"“”")
    low = name.lower()
    if low.startswith("the "):
        name, low = name[4:], low[4:]
    for suffix in ("'s", "’s"):
        if low.endswith(suffix):
            name, low = name[: -len(suffix)], low[: -len(suffix)]
    if not name or not any(c.isalpha() for c in name):
        return None
    if name.isupper() and len(name) > 4 and " " in name:
        name = name.title()
    if label == "NORP":
        country = _DEMONYMS.get(low) or _DEMONYMS.get(low.rstrip("s"))
        if country:
            return country, "place"
        return name, "group"
    kind = _LABEL_KIND.get(label)
    if kind is None:
        return None
    if kind == "place":
        name = _PLACE_ALIASES.get(low, name)
    return name, kind


def _concept(chunk_root: Token) -> str | None:
    """ "the current shortage of munitions" → "shortage"; "trade tariffs" → "trade tariffs"."""
    if chunk_root.pos_ != "NOUN" or chunk_root.ent_type_:
        return None
    if chunk_root.lower_ in _VAGUE or chunk_root.lemma_.lower() in _VAGUE:
        return None
    words: list[Token] = []
    for left in reversed(list(chunk_root.lefts)):
        if left.ent_type_:
            break
        if (
            left.dep_ == "compound"
            and left.pos_ == "NOUN"
            or left.dep_ == "amod"
            and left.pos_ == "ADJ"
            and left.i == (words[0].i - 1 if words else chunk_root.i - 1)
        ):
            words.insert(0, left)
        else:
            break
    words.append(chunk_root)
    words = words[-_MAX_CONCEPT_WORDS:]
    text = " ".join(w.lower_ for w in words)
    if len(text) < 3 or not text.replace(" ", "").replace("-", "").isalpha():
        return None
    return text


def tokens_topics(tokens: Iterable[Token]) -> list[tuple[str, TopicKind]]:
    """Topics of a run of tokens, in order of first appearance, without repeats."""
    seen: dict[str, TopicKind] = {}
    for tok in tokens:
        if tok.ent_iob_ == "B" and tok.ent_type_ in _LABEL_KIND:
            ent = _entity_starting_at(tok)
            if ent is not None:
                found = normalise_entity(ent.text, tok.ent_type_)
                if found and found[0] not in seen:
                    seen[found[0]] = found[1]
        elif (
            tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "attr", "conj", "appos", "oprd")
            or tok.head is tok
        ):
            concept = _concept(tok)
            if concept and concept not in seen:
                seen[concept] = "concept"
    return list(seen.items())


def _entity_starting_at(tok: Token) -> Span:
    """The entity a "B" token opens (a slice: its label is the token's ent_type_)."""
    end = tok.i + 1
    doc = tok.doc
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[tok.i : end]


def article_topics(
    docs: Iterable[Doc], statement_topics: Iterable[Iterable[str]]
) -> list[tuple[Topic, int]]:
    """Article topics with mention counts: every named place/organisation/group in the text, and
    the concepts that its statements are about."""
    counts: Counter[str] = Counter()
    kinds: dict[str, TopicKind] = {}
    in_statements = {t for topics in statement_topics for t in topics}
    for doc in docs:
        for name, kind in _all_topics(doc):
            if kind != "concept" or name in in_statements:
                counts[name] += 1
                kinds.setdefault(name, kind)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(Topic(name, kinds[name]), n) for name, n in ordered]


def _all_topics(doc: Doc) -> Iterable[tuple[str, TopicKind]]:
    for ent in doc.ents:
        found = normalise_entity(ent.text, ent.label_)
        if found:
            yield found
    for tok in doc:
        if tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "attr", "conj", "appos", "oprd"):
            concept = _concept(tok)
            if concept:
                yield concept, "concept"
