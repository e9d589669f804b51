"""Topics: what an article is about. Named places, organisations, groups, events and laws, and
key phrases: the specific noun phrases of the text, normalised so that one subject is one topic.

Nationality words are folded into their country ("Chinese military" → China) so that a topic
query finds every statement about a country whatever form the text used. A key phrase drops
its determiners, possessives and vague modifiers, takes the lemma of its head ("the interest
rates" → "interest rate") and is lower-cased unless it is a name. How specific a phrase is comes
from general English word frequencies (`wordfreq`, loaded on first use, only at ingest): a word
every article uses ("decision", "work") is no topic, or a weak one; "tariff" is a strong one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from factcli.models import Topic, TopicKind
from factcli.topic_names import name_variants as name_variants
from factcli.topic_names import number_forms as _number_forms

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


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LABEL_KIND: dict[str, TopicKind] = {
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "ORG": "organisation",
    "NORP": "group",
    "EVENT": "event",
    "LAW": "law",
    "PRODUCT": "product",
}
# Entities that are never a topic, nor part of a key phrase: "last year", "$300m", "76%".
_NOT_TOPICS = frozenset(
    {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "PERSON"}
)
# Head nouns too vague to be a topic even where wordfreq finds them rare enough ("remarks").
_VAGUE = _wordset(
    """nation country region world discussion plan effort situation thing way time part lot
    number year day week month people percent one kind sort point place end fact issue question
    matter case area side term group member level amount rest top bit series range step statement
    remark comment view something anything everything nothing someone anyone everyone nobody none
    all some other moment today tomorrow yesterday reason result example addition order while lack
    use hour minute second morning evening night spokesman spokeswoman spokesperson official
    source report story article interview percentage figure total half"""
)
# Modifiers that say which one or how much, not what: "a new headquarters", "the last election".
_VAGUE_MODIFIERS = _wordset(
    """last next other same such many few several own various certain recent more most much whole
    entire only new big great good bad little large small major key real full different possible
    current latest early late long top main important significant previous following best
    further overall total additional serious strong clear huge very first second third fourth
    fifth final former likely particular specific past future potential"""
)
_CUT_DEPS = frozenset({"det", "poss", "predet", "nummod", "quantmod", "case", "cc", "preconj"})
_CUT_POS = frozenset({"DET", "PRON", "NUM", "PART", "CCONJ", "ADV", "SYM", "PUNCT", "X", "INTJ"})
_MAX_PHRASE_WORDS = 4
# A single word used more often than this in general English is no topic ("work", "money").
GENERIC_ZIPF = 5.5
# Specificity is a logistic curve over the zipf frequency of the phrase's rarest word, centred
# here: "tariff" (3.5) ≈ 0.95, "voter" (4.1) ≈ 0.6, "economy" (4.9) ≈ 0.08, "decision" (5.1) ≈ 0.03.
_SPECIFIC_CENTRE = 4.25
_SPECIFIC_SLOPE = 4.0
# Each further word makes a phrase rarer than its rarest word: "interest rate" is specific.
_ZIPF_PER_EXTRA_WORD = 1.5
# The weight of a named entity in the ranking, by kind. Places, groups and organisations are
# the where and the who of a story (organisations speak, and are actors too): news names them in
# passing, as the setting of a story about something else. Events, laws and products are what a
# story is about, as key phrases are; a phrase's weight is its specificity.
KIND_WEIGHTS: dict[str, float] = {
    "place": 0.5,
    "group": 0.5,
    "organisation": 0.5,
    "event": 1.0,
    "law": 1.0,
    "product": 1.0,
}
# A lemma much rarer than the word as written is a wrong lemma: "data" is not "datum".
_LEMMA_MAX_DROP = 1.5
# Plurals that are words of their own, whose lemma the lemmatiser gets wrong ("media" is not
# "medium", "arms" are not "arm").
_KEEP_PLURAL = _wordset("media arms data news politics headquarters economics means series")
# A capitalised word opening a sentence is a common word, not a name, when English uses it
# this often ("Minimum wage rose").
_COMMON_ZIPF = 4.0
_CACHE_KEY = "factcli_topic_mentions"


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of a topic in a doc: tokens [start, end) and the topic it names."""

    start: int
    end: int
    name: str
    kind: TopicKind


def normalise_entity(text: str, label: str) -> tuple[str, TopicKind] | None:
    """ "Chinese" → ("China", place); "the U.S." → ("United States", place); "Democrats" →
    ("Democrat", group), so a group's singular and plural are one topic."""
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
        if len(name) > 4 and name.endswith("ies"):
            name = name[:-3] + "y"
        elif len(name) > 3 and name.endswith("s") and name[-2].islower() and name[-2] != "s":
            name = name[:-1]
        return name, "group"
    kind = _LABEL_KIND.get(label)
    if kind is None:
        return None
    if kind == "place":
        name = _PLACE_ALIASES.get(low, name)
    return name, kind


def key_phrase(chunk: Span, common: frozenset[int] = frozenset()) -> tuple[int, str] | None:
    """The key phrase a noun chunk names, with the index of its first token, or None.

    "a new war-fighting headquarters" → "war-fighting headquarters"; "the interest rates" →
    "interest rate"; "Japan's defense posture" → "defense posture" (Japan is an entity topic of
    its own); "the decision" → None (too generic); "last year" → None (a date). Tokens in
    `common` are entities read as common words (see `doc_mentions`).
    """
    root = chunk.root
    root_ent = "" if root.i in common else root.ent_type_
    if root.pos_ not in ("NOUN", "PROPN") or root_ent in _NOT_TOPICS:
        return None
    if root.pos_ == "PROPN" and root_ent:
        return None
    if root.lemma_.lower() in _VAGUE or root.lower_ in _VAGUE:
        return None
    tokens = [root] if root.i == chunk.start else list(chunk[: root.i - chunk.start + 1])
    start = 0
    for at, tok in enumerate(tokens[:-1]):
        if _cuts(tok, tokens, at, tok.i in common):
            start = at + 1
    words = tokens[start:]
    while len(words) > 1 and (
        len(_phrase_text(words, root).split()) > _MAX_PHRASE_WORDS or words[0].text == "-"
    ):
        words = words[1:]
    text = _phrase_text(words, root)
    if len(text) < 3 or not text.replace(" ", "").replace("-", "").isalpha():
        return None
    if " " not in text and "-" not in text and _zipf(text.lower()) >= GENERIC_ZIPF:
        return None
    return words[0].i, text


def _phrase_text(words: list[Token], root: Token) -> str:
    return "".join(_form(t, t.i == root.i) + (" " if t.whitespace_ else "") for t in words).strip()


def _cuts(tok: Token, tokens: list[Token], at: int, common: bool = False) -> bool:
    """Whether a phrase starts after `tok`: determiners, possessives, numbers, entities,
    quotes and vague modifiers cut it; a hyphen inside a word ("war-fighting") does not."""
    if tok.text == "-" and at > 0 and not tokens[at - 1].whitespace_ and not tok.whitespace_:
        return False
    if (tok.ent_type_ and not common) or tok.dep_ in _CUT_DEPS or tok.pos_ in _CUT_POS:
        return True
    if tok.tag_ in ("JJR", "JJS", "RBR", "RBS") or tok.lower_ in _VAGUE_MODIFIERS:
        return True
    return not tok.text.replace("-", "").isalpha()


def _form(tok: Token, head: bool) -> str:
    """Names keep their case; other words are lower-cased, and the head takes its lemma unless
    the lemma is much rarer than the word ("rates" → "rate", but "data" stays "data").

    A capitalised noun inside a sentence is a name the tagger missed ("Sanders" is not the
    plural of "sander"); a capitalised common word opening a sentence is not a name, even
    where the tagger says so ("Minimum wage rose").
    """
    if tok.pos_ == "PROPN" or (tok.is_title and not tok.is_sent_start):
        if tok.is_sent_start and not tok.is_upper and _zipf(tok.lower_) >= _COMMON_ZIPF:
            return tok.lower_
        return tok.text
    if not head or tok.lower_ in _KEEP_PLURAL:
        return tok.lower_
    return _singular(tok.lower_, tok.lemma_.lower())


def _singular(word: str, lemma: str) -> str:
    """The singular of a head noun: spaCy's lemma where it is one of the regular singulars of
    the word ("rates" → "rate", not "rat"), else the most common regular singular ("taxes" →
    "tax", where the lemmatiser says "taxis"); an irregular lemma ("women" → "woman") as is.
    A singular much rarer than the word itself means the word is no plural ("politics")."""
    if lemma == word or not lemma.isalpha():
        return word
    if word.endswith("s"):
        options = [f for f in _number_forms(word) if f.isalpha()]
        if not options:
            return word
        lemma = lemma if lemma in options else max(options, key=_zipf)
    if _zipf(lemma) < _zipf(word) - _LEMMA_MAX_DROP:
        return word
    return lemma


def specificity(name: str, kind: TopicKind) -> float:
    """A topic's weight in the ranking, from 0 (a word every article uses) to 1.

    A key phrase's comes from the zipf frequency (log10 of uses per billion words) of its
    rarest word, less 1.5 per further word, through a logistic curve, so that "tariff" in ten
    articles outranks "decision" in thirty. A name's is its kind's (`KIND_WEIGHTS`): a place,
    group or organisation weighs half, so that "Iowa" has to be what twice as many articles
    are about as "general election" to rank beside it.
    """
    if kind != "phrase":
        return KIND_WEIGHTS.get(kind, 1.0)
    words = name.replace("-", " ").split()
    if not words:
        return 0.0
    rarest = min(_zipf(w.lower()) for w in words)
    zipf = rarest - _ZIPF_PER_EXTRA_WORD * (len(words) - 1)
    return round(1.0 / (1.0 + math.exp(_SPECIFIC_SLOPE * (zipf - _SPECIFIC_CENTRE))), 3)


@lru_cache(maxsize=100_000)
def _zipf(word: str) -> float:
    """General English frequency of a word: wordfreq's `zipf_frequency(word, "en")`, the same
    value, from the same table (see `_frequencies`).

    A word of lower-case ASCII letters (all that topics ask for, in practice) is its own one
    token, so it is looked up at once: no import of wordfreq (langcodes and ftfy come with it,
    0.27 s of every process) and no tokenizer (most of the 20 µs a new word costs it). Any
    other word goes through wordfreq's tokenizer and its rules for several tokens and digits,
    as `zipf_frequency` does (`tests/test_topics.py` compares both over wordfreq's list)."""
    minimum = 1e-9  # wordfreq's zipf_to_freq(0)
    freqs = _frequencies()
    if word.isascii() and word.isalpha() and word.islower():
        found = freqs.get(word)
        if found is None:
            return float(round(math.log(minimum, 10) + 9, 2))
        tokens = [word]
    else:
        from wordfreq.numbers import digit_freq, smash_numbers
        from wordfreq.tokens import lossy_tokenize

        tokens = lossy_tokenize(word, "en")
        if not tokens:
            return float(round(math.log(minimum, 10) + 9, 2))
    one_over = 0.0
    for token in tokens:
        smashed = token if token is word else smash_numbers(token)
        if smashed not in freqs:
            return float(round(math.log(minimum, 10) + 9, 2))
        freq = freqs[smashed]
        if smashed != token:
            freq *= digit_freq(token)
        one_over += 1.0 / freq
    freq = max(1.0 / one_over, minimum)
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return float(round(math.log(freq, 10) + 9, 2))


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    """wordfreq's English word frequencies, read as its `get_frequency_dict("en")` reads
    them (the "large" list, in its wheel; a word of bucket n has frequency 10^(-n/100)),
    without importing wordfreq."""
    import gzip
    from importlib.util import find_spec
    from pathlib import Path

    import msgpack

    spec = find_spec("wordfreq")
    assert spec is not None and spec.origin is not None
    with gzip.open(Path(spec.origin).parent / "data" / "large_en.msgpack.gz", "rb") as f:
        data = msgpack.load(f, raw=False)
    if not isinstance(data[0], dict) or data[0].get("format") != "cB":
        raise ValueError("wordfreq's English list is not in the format it should be")
    freqs: dict[str, float] = {}
    for index, bucket in enumerate(data[1:]):
        freq = 10 ** (-index / 100)
        for word in bucket:
            freqs[word] = freq
    return freqs


def doc_mentions(doc: Doc) -> list[Mention]:
    """Every entity and key phrase mention of a doc, in text order (computed once per doc and
    shared: do not modify the list)."""
    cached = doc.user_data.get(_CACHE_KEY)
    if cached is not None:
        return cached
    found: list[Mention] = []
    common: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in _LABEL_KIND and not any(c.isupper() for c in ent.text):
            # A name is written with a capital: "gamer" or "euro" read as an organisation or a
            # place is the entity recogniser's slip; the words are a key phrase, if anything.
            common.update(range(ent.start, ent.end))
            continue
        topic = normalise_entity(ent.text, ent.label_)
        if topic:
            found.append(Mention(ent.start, ent.end, topic[0], topic[1]))
    if doc.has_annotation("DEP"):
        for chunk in _noun_chunks(doc):
            phrase = key_phrase(chunk, frozenset(common))
            if phrase:
                found.append(Mention(phrase[0], chunk.root.i + 1, phrase[1], "phrase"))
    found.sort(key=lambda m: (m.start, m.end))
    doc.user_data[_CACHE_KEY] = found
    return found


def _noun_chunks(doc: Doc) -> Iterable[Span]:
    """`doc.noun_chunks`, found from the doc's arrays of tags, labels and heads: spaCy's English
    iterator makes a token object for every token of the doc, this one only for nouns and
    pronouns (it asks each for its left edge). The same chunks, as spaCy's English rules
    (`spacy.lang.en.syntax_iterators`) find them; another language's pipeline keeps its own."""
    from spacy.attrs import DEP, HEAD, POS
    from spacy.lang.en.syntax_iterators import noun_chunks as english
    from spacy.symbols import NOUN, PRON, PROPN
    from spacy.tokens import Span

    if getattr(doc, "noun_chunks_iterator", None) is not english:
        return list(doc.noun_chunks)
    strings = doc.vocab.strings
    np_deps = {strings.add(label) for label in _NP_LABELS}
    conj = strings.add("conj")
    np_label = strings.add("NP")
    array = doc.to_array([POS, DEP, HEAD]).astype("int64")
    pos = array[:, 0].tolist()
    dep = array[:, 1].tolist()
    head = [i + offset for i, offset in enumerate(array[:, 2].tolist())]
    chunks = []
    prev_end = -1
    for i, tag in enumerate(pos):
        if tag != NOUN and tag != PROPN and tag != PRON:
            continue
        left = doc[i].left_edge.i
        if left <= prev_end:
            continue
        label = dep[i]
        if label not in np_deps:
            if label != conj:
                continue
            h = head[i]
            while dep[h] == conj and head[h] < h:
                h = head[h]
            if dep[h] not in np_deps:
                continue
        prev_end = i
        chunks.append(Span(doc, left, i + 1, label=np_label))
    return chunks


_NP_LABELS = (
    "oprd",
    "nsubj",
    "dobj",
    "nsubjpass",
    "pcomp",
    "pobj",
    "dative",
    "appos",
    "attr",
    "ROOT",
)
"""The dependency labels of a noun chunk's head in spaCy's English noun chunk iterator."""


def tokens_topics(
    tokens: Sequence[Token], exclude: Iterable[tuple[int, int]] = ()
) -> list[tuple[str, TopicKind]]:
    """Topics of a run of tokens of one doc, in order of first appearance, without repeats."""
    if not tokens:
        return []
    return span_topics(tokens[0].doc, tokens[0].i, tokens[-1].i + 1, exclude)


def span_topics(
    doc: Doc, start: int, end: int, exclude: Iterable[tuple[int, int]] = ()
) -> list[tuple[str, TopicKind]]:
    """Topics whose head lies in tokens [start, end) of `doc` (a statement's content or its
    sentence), in order of first appearance, without repeats; mentions overlapping an
    `exclude` token range (the speaker) are left out."""
    skip = list(exclude)
    seen: dict[str, tuple[str, TopicKind]] = {}
    for m in doc_mentions(doc):
        if not start <= m.end - 1 < end or any(m.start < b1 and b0 < m.end for b0, b1 in skip):
            continue
        seen.setdefault(m.name.casefold(), (m.name, m.kind))
    return list(seen.values())


def article_topics(
    docs: Iterable[Doc],
    statement_topics: Iterable[Iterable[str]],
    headline: Doc | None = None,
) -> list[tuple[Topic, int]]:
    """The topics of an article with their mention counts, most mentioned first.

    A topic is salient in the article when it is mentioned at least twice, a mention in the
    headline counting twice. A phrase of several words is also mentioned by its head alone:
    news names a subject in full once, then shortens it ("the general election … the
    election"), so each mention of the bare head counts for the phrases it ends. A longer
    phrase is a mention of the shorter phrases of two words or more it ends with ("a local
    income tax" is an income tax), so that one subject is not split between its variants.

    Every entity of the body is kept (with its count); a key phrase is kept when it is salient
    or a statement is about it, as the rest would never rank. The headline only adds weight to
    what the body names: its title case misleads the tagger
    ("Tensions" as a name). A key phrase is named in lower case only if the article writes it
    so somewhere: in lower case it outranks a named entity of the same words in the store.
    """
    counts: dict[str, int] = {}
    in_body: set[str] = set()
    weights: dict[str, int] = {}
    forms: dict[str, dict[str, int]] = {}
    kinds: dict[str, TopicKind] = {}
    written_lower: set[str] = set()
    body = [d for d in docs if d is not headline]
    for doc, weight in [(d, 1) for d in body] + ([(headline, 2)] if headline is not None else []):
        for m in doc_mentions(doc):
            key = m.name.casefold()
            counts[key] = counts.get(key, 0) + 1
            if weight == 1:
                in_body.add(key)
            weights[key] = weights.get(key, 0) + weight
            forms.setdefault(key, {})
            forms[key][m.name] = forms[key].get(m.name, 0) + (weight == 1)
            if kinds.get(key, "phrase") == "phrase":
                kinds[key] = m.kind
            if (
                m.kind == "phrase"
                and key not in written_lower
                and not any(c.isupper() for c in doc[m.start : m.end].text)
            ):
                written_lower.add(key)
    own = dict(weights)
    for key in own:
        if kinds[key] != "phrase" or " " not in key:
            continue
        words = key.split(" ")
        head = words[-1]
        if kinds.get(head) == "phrase":
            weights[key] += own[head]
        for at in range(1, len(words) - 1):
            tail = " ".join(words[at:])
            if kinds.get(tail) == "phrase":
                weights[tail] += own[key]
    said = {t.casefold() for topics in statement_topics for t in topics}
    out: list[tuple[Topic, int]] = []
    for key, n in counts.items():
        salient = weights[key] >= 2
        kind = kinds[key]
        if key not in said and (key not in in_body or kind == "phrase" and not salient):
            continue
        # A name's own forms, and a phrase's in lower case only if the article writes it so:
        # lower-cased at the start of a sentence beside "Labour" elsewhere is no evidence that
        # the text uses the words as common words (which outranks a name: see `store.writer`).
        named = {
            f: c
            for f, c in forms[key].items()
            if f != f.lower() or (kind == "phrase" and key in written_lower)
        }
        name = max((named or forms[key]).items(), key=lambda fn: (fn[1], fn[0].islower(), fn[0]))[0]
        out.append((Topic(name, kind, specificity(name, kind), salient), n))
    out.sort(key=lambda tn: (-tn[1], tn[0].name))
    return out
