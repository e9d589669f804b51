"""Attribution rules on short hand-written sentences: one construction per test.

The names and sentences are made up for these tests; none comes from a corpus or from `data/`.
Offsets are checked for every text extracted here (see `test_every_span_slices_back`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conftest import ExtractText, check_offsets

from factcli.attribution.quotes import find_quotes
from factcli.models import Actor, Extraction, Statement
from factcli.topics import normalise_entity

QUOTE_MARKS = "“”\"'‘’«»„"


@dataclass(frozen=True)
class Seen:
    """A statement as a reader sees it: the words, not the offsets."""

    kind: str
    speaker: str | None
    mention: str | None
    cue: str
    content: str
    speaker_kind: str | None
    role: str | None


def seen(text: str, extraction: Extraction) -> list[Seen]:
    actors: dict[str, Actor] = {a.name: a for a in extraction.actors}
    out = []
    for st in extraction.statements:
        check_offsets(text, st)
        actor = actors.get(st.actor) if st.actor else None
        out.append(
            Seen(
                kind=st.kind,
                speaker=st.actor,
                mention=st.speaker.text(text) if st.speaker else None,
                cue=st.cue.text(text),
                content=st.content.text(text),
                speaker_kind=actor.kind if actor else None,
                role=actor.role if actor else None,
            )
        )
    return out


def statements(extract_text: ExtractText, text: str) -> list[Seen]:
    return seen(*extract_text(text))


def only(extract_text: ExtractText, text: str) -> Seen:
    found = statements(extract_text, text)
    assert len(found) == 1, found
    return found[0]


def by_cue(found: list[Seen], cue: str) -> Seen:
    matching = [s for s in found if s.cue.lower() == cue.lower()]
    assert len(matching) == 1, (cue, found)
    return matching[0]


def clause(content: str) -> str:
    """Content of an indirect statement without the complementizer: either form is right."""
    return content.removeprefix("that ").strip()


# --- direct quotes ------------------------------------------------------------------------


def test_direct_quote_cue_after(extract_text: ExtractText) -> None:
    st = only(extract_text, "“The bridge will reopen in May,” Alvarez said.")
    assert st.kind == "direct"
    assert st.speaker == "Alvarez"
    assert st.mention == "Alvarez"
    assert st.cue == "said"
    assert st.content == "The bridge will reopen in May"


def test_cue_before_with_colon(extract_text: ExtractText) -> None:
    st = only(extract_text, "Alvarez said: “We will not raise taxes this year.”")
    assert st.kind == "direct"
    assert st.speaker == "Alvarez"
    assert st.cue == "said"
    assert st.content.rstrip(".") == "We will not raise taxes this year"


def test_inverted_cue(extract_text: ExtractText) -> None:
    st = only(extract_text, "“The budget is balanced,” said Tomas Okoro.")
    assert st.kind == "direct"
    assert st.speaker == "Tomas Okoro"
    assert st.speaker_kind == "person"
    assert st.cue == "said"
    assert st.content == "The budget is balanced"


def test_straight_quotes(extract_text: ExtractText) -> None:
    st = only(extract_text, '"The budget is balanced," Alvarez said.')
    assert (st.kind, st.speaker, st.content) == ("direct", "Alvarez", "The budget is balanced")


def test_split_quote_is_one_statement_from_first_part_to_last(extract_text: ExtractText) -> None:
    """The stored span runs from the first quote to the last, the "she said" in between."""
    text = (
        "Ms. Marta Quiroga lost the vote on Monday. "
        "“We tried,” she said, “but the votes were not there.”"
    )
    found = statements(extract_text, text)
    assert len(found) == 1, found
    st = found[0]
    assert st.kind == "direct"
    assert st.speaker == "Marta Quiroga"
    assert st.mention == "she"
    assert st.content.startswith("We tried")
    assert st.content.endswith("not there.")
    assert "but the votes were not there" in st.content


def test_split_quote_with_named_speaker(extract_text: ExtractText) -> None:
    text = "“We tried,” Marta Quiroga said, “but the votes were not there.”"
    st = only(extract_text, text)
    assert st.speaker == "Marta Quiroga"
    assert st.content.startswith("We tried") and st.content.endswith("not there.")


def test_multi_paragraph_quote_continues_the_speaker(extract_text: ExtractText) -> None:
    """A paragraph that ends inside a quote and a next one that opens with a quote mark."""
    text = (
        "Carla Mendes said: “The pier will open in June.\n"
        "\n"
        "“We will hold a ceremony for the whole town.”"
    )
    found = statements(extract_text, text)
    assert {s.speaker for s in found} == {"Carla Mendes"}
    assert all(s.kind == "direct" for s in found)
    contents = [s.content for s in found]
    assert any(c.startswith("The pier will open in June") for c in contents), found
    assert any(c.startswith("We will hold a ceremony") for c in contents), found


def test_multi_paragraph_quote_after_a_cue_in_the_first_paragraph(
    extract_text: ExtractText,
) -> None:
    text = (
        "“The pier will open in June,” Carla Mendes said. “The contractors have promised it.\n"
        "\n"
        "“We will hold a ceremony for the whole town.”"
    )
    found = statements(extract_text, text)
    assert {s.speaker for s in found} == {"Carla Mendes"}
    assert any("The contractors have promised it" in s.content for s in found), found
    assert any(s.content.startswith("We will hold a ceremony") for s in found), found


def test_paragraph_opening_with_a_quote_continues_the_last_quoted_speaker(
    extract_text: ExtractText,
) -> None:
    text = (
        "“The pier will open in June,” Carla Mendes said.\n"
        "\n"
        "“We will hold a ceremony for the whole town.”"
    )
    found = statements(extract_text, text)
    assert len(found) == 2, found
    assert [s.speaker for s in found] == ["Carla Mendes", "Carla Mendes"]
    assert found[1].content.startswith("We will hold a ceremony")
    assert found[1].kind == "direct"


# --- indirect speech ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, cue, content",
    [
        (
            "Ruth Kemper said that the library would stay open.",
            "said",
            "the library would stay open",
        ),
        ("Ruth Kemper said the library would stay open.", "said", "the library would stay open"),
        ("Ruth Kemper told reporters that the budget was final.", "told", "the budget was final"),
        ("Ruth Kemper warned that the river could flood.", "warned", "the river could flood"),
        (
            "Ruth Kemper denied that the council had hidden the report.",
            "denied",
            "the council had hidden the report",
        ),
        (
            "Ruth Kemper argued that the tax was unfair to farmers.",
            "argued",
            "the tax was unfair to farmers",
        ),
        (
            "Ruth Kemper acknowledged that the project was late.",
            "acknowledged",
            "the project was late",
        ),
        ("Ruth Kemper insisted that the vote be repeated.", "insisted", "the vote be repeated"),
        ("Ruth Kemper claimed that the figures were wrong.", "claimed", "the figures were wrong"),
        (
            "Ruth Kemper noted that the school had new teachers.",
            "noted",
            "the school had new teachers",
        ),
        ("Ruth Kemper emphasized that safety came first.", "emphasized", "safety came first"),
        (
            "Ruth Kemper stated that the merger would harm consumers.",
            "stated",
            "the merger would harm consumers",
        ),
    ],
)
def test_indirect_speech_verbs(
    extract_text: ExtractText, sentence: str, cue: str, content: str
) -> None:
    st = only(extract_text, sentence)
    assert st.kind == "indirect"
    assert st.speaker == "Ruth Kemper"
    assert st.speaker_kind == "person"
    assert st.cue == cue
    assert clause(st.content) == content


def test_participle_cue_takes_the_subject_of_the_main_verb(extract_text: ExtractText) -> None:
    text = "Ruth Kemper praised the volunteers, asserting that the festival had never been better."
    st = by_cue(statements(extract_text, text), "asserting")
    assert st.speaker == "Ruth Kemper"
    assert st.kind == "indirect"
    assert clause(st.content) == "the festival had never been better"


def test_saying_after_a_non_speech_verb(extract_text: ExtractText) -> None:
    text = "The union rejected the offer, saying the pay rise was too small."
    st = by_cue(statements(extract_text, text), "saying")
    assert st.speaker == "union"
    assert st.mention == "The union"
    assert st.speaker_kind == "anonymous"  # no union is named: a source of this article alone
    assert st.content == "the pay rise was too small"


def test_mixed_quote(extract_text: ExtractText) -> None:
    st = only(extract_text, "Ruth Kemper called the plan a “disaster” for farmers.")
    assert st.kind == "mixed"
    assert st.speaker == "Ruth Kemper"
    assert st.cue == "called"
    assert "“disaster”" in st.content
    assert st.content.startswith("the plan")


def test_mixed_quote_with_as(extract_text: ExtractText) -> None:
    st = only(extract_text, "Ruth Kemper described the deal as “a historic step” for the region.")
    assert st.kind == "mixed"
    assert st.cue == "described"
    assert "“a historic step”" in st.content


def test_mixed_quote_at_sentence_end_keeps_both_marks(extract_text: ExtractText) -> None:
    st = only(extract_text, "Ruth Kemper called the plan “a disaster for the valley”.")
    assert st.kind == "mixed"
    assert st.content.count("“") == st.content.count("”") == 1, st.content


def test_mixed_quote_with_full_stop_inside_the_marks(extract_text: ExtractText) -> None:
    st = only(extract_text, "Ruth Kemper called the plan “a disaster for the valley.”")
    assert st.kind == "mixed"
    assert st.speaker == "Ruth Kemper"
    assert "a disaster for the valley" in st.content


@pytest.mark.parametrize(
    "sentence, content",
    [
        ("Carla Mendes said that the pier would open on Friday.", "the pier would open on Friday"),
        (
            "Carla Mendes said the budget would be approved in June.",
            "the budget would be approved in June",
        ),
    ],
)
def test_indirect_content_keeps_trailing_phrases(
    extract_text: ExtractText, sentence: str, content: str
) -> None:
    assert clause(only(extract_text, sentence).content) == content


# --- prepositional and passive sources -----------------------------------------------------


def test_according_to_after_the_content(extract_text: ExtractText) -> None:
    st = only(extract_text, "The factory will close in March, according to Ruth Kemper.")
    assert st.cue == "according to"
    assert st.speaker == "Ruth Kemper"
    assert st.content == "The factory will close in March"


def test_according_to_before_the_content(extract_text: ExtractText) -> None:
    st = only(extract_text, "According to the ministry, the factory will close in March.")
    assert st.cue == "According to"
    assert st.speaker == "ministry"
    assert st.speaker_kind == "anonymous"
    assert st.content == "the factory will close in March"


def test_as_stated_by(extract_text: ExtractText) -> None:
    st = only(extract_text, "The factory will close in March, as stated by Ruth Kemper.")
    assert st.cue == "stated"
    assert st.speaker == "Ruth Kemper"
    assert st.content == "The factory will close in March"


def test_passive_agent(extract_text: ExtractText) -> None:
    st = only(extract_text, "It was announced by the ministry that the border would reopen.")
    assert st.cue == "announced"
    assert st.speaker == "ministry"
    assert st.mention == "the ministry"
    assert clause(st.content) == "the border would reopen"


def test_passive_agent_after_the_content(extract_text: ExtractText) -> None:
    text = "The border will reopen on Monday, it was announced by the ministry."
    st = only(extract_text, text)
    assert st.cue == "announced"
    assert st.speaker == "ministry"
    assert st.content.startswith("The border will reopen")


# --- speakers -------------------------------------------------------------------------------


def test_two_speakers_give_one_statement_each(extract_text: ExtractText) -> None:
    text = "Ruth Kemper and Tom Ashby announced that the two parties would merge."
    found = statements(extract_text, text)
    assert sorted(s.speaker or "" for s in found) == ["Ruth Kemper", "Tom Ashby"]
    assert len({(s.content, s.cue) for s in found}) == 1
    assert clause(found[0].content) == "the two parties would merge"
    assert {s.mention for s in found} == {"Ruth Kemper", "Tom Ashby"}


def test_pronouns_resolve_by_gender_in_order_of_mention(extract_text: ExtractText) -> None:
    text = (
        "Mr. Daniel Frost met Ms. Clara Voss in Berlin. He said the talks had gone well. "
        "She said that more work was needed."
    )
    found = statements(extract_text, text)
    he = next(s for s in found if s.mention == "He")
    she = next(s for s in found if s.mention == "She")
    assert he.speaker == "Daniel Frost"
    assert she.speaker == "Clara Voss"


@pytest.mark.parametrize(
    "text",
    [
        "Ms. Clara Voss met Mr. Daniel Frost in Berlin. He said the talks had gone well. "
        "She said that more work was needed.",
        "Mr. Daniel Frost met Ms. Clara Voss in Berlin. She said that more work was needed. "
        "He said the talks had gone well.",
    ],
)
def test_pronouns_resolve_by_gender_whatever_the_order(
    extract_text: ExtractText, text: str
) -> None:
    found = statements(extract_text, text)
    he = next(s for s in found if s.mention == "He")
    she = next(s for s in found if s.mention == "She")
    assert he.speaker == "Daniel Frost"
    assert she.speaker == "Clara Voss"


def test_pronoun_after_a_named_speaker(extract_text: ExtractText) -> None:
    text = "Ruth Kemper said the plant would close. She said the workers would be paid."
    found = statements(extract_text, text)
    assert [s.speaker for s in found] == ["Ruth Kemper", "Ruth Kemper"]
    assert [s.mention for s in found] == ["Ruth Kemper", "She"]


def test_role_description_resolves_to_the_person(extract_text: ExtractText) -> None:
    text = (
        "Defense Minister Anna Berg visited the base on Monday. "
        "The minister said the army needed more trucks."
    )
    st = only(extract_text, text)
    assert st.mention == "The minister"
    assert st.speaker == "Anna Berg"
    assert st.speaker_kind == "person"
    assert st.role is not None and "Defense Minister" in st.role


def test_pentagon_chief_resolves_to_the_defense_secretary(extract_text: ExtractText) -> None:
    text = (
        "Defense Secretary Mark Tolland arrived in Seoul on Monday. "
        "The Pentagon chief said the alliance was strong."
    )
    st = only(extract_text, text)
    assert st.mention == "The Pentagon chief"
    assert st.speaker == "Mark Tolland"
    assert st.role is not None and "Defense Secretary" in st.role


def test_mayor_description(extract_text: ExtractText) -> None:
    text = "Mayor Carla Mendes opened the pier on Friday. The mayor said the town would grow."
    st = only(extract_text, text)
    assert (st.mention, st.speaker) == ("The mayor", "Carla Mendes")


def test_short_organisation_description(extract_text: ExtractText) -> None:
    text = (
        "The Harbour Workers Union warned that the strike would continue. "
        "The union said talks had failed."
    )
    found = statements(extract_text, text)
    assert {s.speaker for s in found} == {"Harbour Workers Union"}
    assert by_cue(found, "said").mention == "The union"


def test_common_noun_organisation_description(extract_text: ExtractText) -> None:
    text = (
        "The regional transport authority warned that fares would rise. "
        "The authority said the new prices would be published soon."
    )
    found = statements(extract_text, text)
    assert {s.speaker for s in found} == {"regional transport authority"}


def test_surname_mislabelled_by_ner_is_still_the_person(extract_text: ExtractText) -> None:
    text = (
        "Foreign Minister Kenji Watanabe held talks in Hanoi. "
        "The two countries will expand trade, as stated by Watanabe."
    )
    st = only(extract_text, text)
    assert st.mention == "Watanabe"
    assert st.speaker == "Kenji Watanabe"
    assert st.speaker_kind == "person"
    assert st.role is not None and "Foreign Minister" in st.role
    assert st.content == "The two countries will expand trade"


def test_apposition_gives_the_role(extract_text: ExtractText) -> None:
    st = only(extract_text, "Helmut Sauer, the finance minister, said the deficit would shrink.")
    assert st.speaker == "Helmut Sauer"
    assert st.role is not None and "finance minister" in st.role.lower()


def test_honorific_is_not_a_role(extract_text: ExtractText) -> None:
    st = only(extract_text, "Ms. Clara Voss said the talks had gone well.")
    assert st.speaker == "Clara Voss"
    assert st.role is None


@pytest.mark.parametrize(
    "text, mention",
    [
        ("Analysts said the currency would weaken further.", "Analysts"),
        ("Officials said the road would reopen.", "Officials"),
        (
            "Two senior officials in the transport ministry said the road would reopen.",
            "Two senior officials in the transport ministry",
        ),
    ],
)
def test_collective_sources_are_anonymous(
    extract_text: ExtractText, text: str, mention: str
) -> None:
    st = only(extract_text, text)
    assert st.mention == mention
    assert st.speaker is not None
    assert st.speaker_kind == "anonymous"


def test_organisation_speaker(extract_text: ExtractText) -> None:
    st = only(extract_text, "The Pentagon said the drills would continue.")
    assert st.speaker == "Pentagon"
    assert st.speaker_kind == "organisation"


# --- what is not a statement ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "He visited the factory.",
        "Ruth Kemper visited the factory on Monday.",
        "Ruth Kemper met the workers and shook hands with the manager.",
        "The talks lasted three hours and ended without a deal.",
    ],
)
def test_no_statement_for_non_speech_verbs(extract_text: ExtractText, text: str) -> None:
    assert statements(extract_text, text) == []


def test_no_statement_for_where_someone_spoke(extract_text: ExtractText) -> None:
    assert statements(extract_text, "Ruth Kemper spoke at the harbour on Friday.") == []


def test_no_statement_for_publish_inside_a_content(extract_text: ExtractText) -> None:
    found = statements(
        extract_text, "The authority said it would publish the new prices next week."
    )
    assert [s.cue for s in found] == ["said"]


def test_a_mention_that_is_not_the_source(extract_text: ExtractText) -> None:
    text = (
        "Ruth Kemper said the plant would close. "
        "Her remarks come at a time when the town is losing jobs."
    )
    found = statements(extract_text, text)
    assert len(found) == 1, found
    assert found[0].cue == "said"
    assert all("remarks" not in (s.mention or "") for s in found)
    assert all(s.cue != "come" for s in found)


def test_unattributed_text_has_no_statement(extract_text: ExtractText) -> None:
    text = "His remarks come at a time when the economy is slowing."
    assert statements(extract_text, text) == []


# --- offsets ----------------------------------------------------------------------------------

OFFSET_TEXTS = [
    "“The bridge will reopen in May,” Alvarez said.",
    "Alvarez said: “We will not raise taxes this year.”",
    "“We tried,” Marta Quiroga said, “but the votes were not there.”",
    "Carla Mendes said: “The pier will open in June.\n\n“We will hold a ceremony.”",
    "Ruth Kemper called the plan a “disaster” for farmers.",
    "The factory will close in March, according to Ruth Kemper.",
    "Ruth Kemper and Tom Ashby announced that the two parties would merge.",
    "Mr. Daniel Frost met Ms. Clara Voss.\n\nHe said the talks had gone well.",
    "\ufeff  Leading space.  “Fine,” said Tomas Okoro.\r\n\r\nOkoro said it was over.  ",
]


@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_every_span_slices_back(extract_text: ExtractText, text: str) -> None:
    text, extraction = extract_text(text)
    assert extraction.statements
    for st in extraction.statements:
        check_offsets(text, st)
        content = st.content.text(text)
        assert content == content.strip(), content
        assert content[0] not in '“"' and content[-1] not in '”"', content
        if st.kind == "direct":
            assert text[st.content.start - 1] in QUOTE_MARKS, content
        assert st.speaker is None or st.speaker.text(text).strip() == st.speaker.text(text)
        assert st.cue.text(text).strip() == st.cue.text(text)
        sentence = extraction.sentences[st.sentence_index]
        assert sentence.start <= st.cue.start < sentence.end


def test_statement_spans_are_within_their_sentence_for_indirect_speech(
    extract_text: ExtractText,
) -> None:
    text, extraction = extract_text(
        "Ruth Kemper said the plant would close. Officials said the road would reopen."
    )
    for st in extraction.statements:
        sentence = extraction.sentences[st.sentence_index]
        assert sentence.start <= st.content.start < st.content.end <= sentence.end


def test_statement_type_is_frozen(extract_text: ExtractText) -> None:
    _, extraction = extract_text("Alvarez said the road would reopen.")
    st: Statement = extraction.statements[0]
    with pytest.raises(AttributeError):
        st.kind = "direct"  # type: ignore[misc]


# --- quotes.find_quotes -----------------------------------------------------------------------


def quoted(text: str) -> list[str]:
    return [text[q.start : q.end] for q in find_quotes(text)]


@pytest.mark.parametrize(
    "text, inner",
    [
        ("He said “we will win” and left.", ["we will win"]),
        ('He said "we will win" and left.', ["we will win"]),
        ("He said ''we will win'' and left.", ["we will win"]),
        ('"Stop," he said. "Now."', ["Stop,", "Now."]),
        ("the ‘ironclad’ pact", ["ironclad"]),
        ("«Nous restons» dit-il.", ["Nous restons"]),
    ],
)
def test_find_quotes_marks(text: str, inner: list[str]) -> None:
    assert quoted(text) == inner


def test_find_quotes_marks_are_outside_the_inner_text() -> None:
    text = "He said “we will win” and left."
    (q,) = find_quotes(text)
    assert text[q.open_at] == "“" and text[q.close_end - 1] == "”"
    assert q.closed and q.open_at < q.start < q.end < q.close_end


def test_unclosed_quote_at_paragraph_end() -> None:
    text = "She said: “We will win.\n"
    (q,) = find_quotes(text)
    assert not q.closed
    assert text[q.start : q.end] == "We will win."
    assert q.close_end == q.end


def test_quotes_never_pair_across_the_given_paragraph() -> None:
    text = "She said: “We will win.\n\n“And then we rest.”"
    first_end = text.index("\n")
    (q,) = find_quotes(text, 0, first_end)
    assert not q.closed and text[q.start : q.end] == "We will win."


@pytest.mark.parametrize(
    "text",
    [
        "It's the mayor's plan, the farmers' view.",
        "rock 'n' roll",
        "the 1990s' boom",
        "It’s the mayor’s plan and the farmers’ view.",
        "Don't, won't, can't.",
    ],
)
def test_apostrophes_are_not_quotes(text: str) -> None:
    assert find_quotes(text) == []


# --- topics -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, label, expected",
    [
        ("Chinese", "NORP", ("China", "place")),
        ("Japanese", "NORP", ("Japan", "place")),
        ("U.S.", "GPE", ("United States", "place")),
        ("the U.S.", "GPE", ("United States", "place")),
        ("Britain", "GPE", ("United Kingdom", "place")),
        ("Beijing", "GPE", ("Beijing", "place")),
        ("the United Nations", "ORG", ("United Nations", "organisation")),
    ],
)
def test_normalise_entity(text: str, label: str, expected: tuple[str, str]) -> None:
    assert normalise_entity(text, label) == expected


def test_dates_are_no_topic() -> None:
    assert normalise_entity("Monday", "DATE") is None


def test_statement_topics_fold_nationalities_and_keep_concepts(extract_text: ExtractText) -> None:
    st = only_statement(
        extract_text, "Ruth Kemper said the U.S. would lift trade tariffs on Chinese steel."
    )
    assert "United States" in st.topics
    assert "China" in st.topics
    assert "trade tariff" in st.topics
    assert "Ruth Kemper" not in st.topics


def test_article_topics_count_places(extract_text: ExtractText) -> None:
    _, extraction = extract_text(
        "Officials said Chinese ships had entered the strait near the Philippines."
    )
    names = {topic.name: (topic.kind, n) for topic, n in extraction.topics}
    assert names["China"] == ("place", 1)
    assert names["Philippines"][0] == "place"


def only_statement(extract_text: ExtractText, text: str) -> Statement:
    _, extraction = extract_text(text)
    assert len(extraction.statements) == 1, extraction.statements
    return extraction.statements[0]


# --- layout cues, parentheticals, relative pronouns, infinitives -----------------------------


def test_transcript_turn_is_a_direct_statement(extract_text: ExtractText) -> None:
    found = statements(
        extract_text,
        "HARLAN: Will the bridge open this year?\n\nMORETTI: It will open in June, on schedule.",
    )
    moretti = [s for s in found if s.mention == "MORETTI"]
    assert len(moretti) == 1
    assert moretti[0].cue == ":"
    assert moretti[0].content == "It will open in June, on schedule."


def test_headline_like_label_needs_a_named_entity(extract_text: ExtractText) -> None:
    found = statements(extract_text, "Budget Blues: The Council Runs Out of Money Again.")
    assert all(s.cue != ":" for s in found), found


def test_quote_signed_with_a_dash(extract_text: ExtractText) -> None:
    st = only(extract_text, "“The ferry changed my life. I work in the city now.” ― Ines Barros")
    assert st.kind == "direct"
    assert st.mention == "Ines Barros"
    assert st.content.startswith("The ferry changed my life")
    assert not st.content.endswith("”")


def test_cue_between_commas_takes_the_whole_clause(extract_text: ExtractText) -> None:
    st = only(extract_text, "The new budget, Holloway said, would cut school funding by a third.")
    assert st.speaker == "Holloway"
    assert "The new budget" in st.content
    assert "cut school funding by a third" in st.content


def test_relative_pronoun_is_the_mention_and_the_antecedent_the_speaker(
    extract_text: ExtractText,
) -> None:
    found = statements(
        extract_text,
        "The plan was opposed by Senator Mara Quist, who argued that it would raise rents.",
    )
    st = by_cue(found, "argued")
    assert st.mention == "who"
    assert st.speaker == "Mara Quist"
    assert clause(st.content) == "it would raise rents"


def test_to_infinitive_statement(extract_text: ExtractText) -> None:
    st = only(extract_text, "The governor vowed to veto the pension bill.")
    assert st.cue == "vowed"
    assert st.content == "to veto the pension bill"


def test_call_for_with_an_infinitive(extract_text: ExtractText) -> None:
    st = only(extract_text, "Okonjo called for lawmakers to release the audit.")
    assert st.cue == "called"
    assert st.content == "lawmakers to release the audit"


def test_colon_cue_ending_a_paragraph_introduces_the_next_quote(
    extract_text: ExtractText,
) -> None:
    found = statements(
        extract_text,
        "Asked about the strike, Dalia Renner continued:\n\n“We will not go back to work.”",
    )
    st = by_cue(found, "continued")
    assert st.speaker == "Dalia Renner"
    assert st.content == "We will not go back to work."


def test_given_name_makes_a_person_whatever_the_entity_label(extract_text: ExtractText) -> None:
    found = statements(extract_text, "Lena Holt said the station would close on Friday.")
    assert found[0].speaker == "Lena Holt"
    assert found[0].speaker_kind == "person"


def test_given_name_gives_the_pronoun_its_gender(extract_text: ExtractText) -> None:
    text = (
        "Maria Lindqvist met Thomas Berger at the port on Monday. "
        "Berger spoke first. She said that the tariffs would hurt exporters."
    )
    st = by_cue(statements(extract_text, text), "said")
    assert st.speaker == "Maria Lindqvist"


def test_no_statement_for_a_perception_verb(extract_text: ExtractText) -> None:
    assert statements(extract_text, "Residents saw the water rise over the road.") == []


def test_dateline_city_is_not_the_speaker(extract_text: ExtractText) -> None:
    st = only(
        extract_text,
        "LISBON (Reuters) — Interior Minister Clara Voss said on Monday that the water tariff "
        "would not rise.",
    )
    assert st.speaker == "Clara Voss"
    assert st.mention == "Interior Minister Clara Voss"


def test_a_goal_completes_the_object_but_a_listener_does_not(extract_text: ExtractText) -> None:
    found = only(
        extract_text,
        "On Monday, she announced the transfer of the naval base in Norway to a new "
        "“regional command.”",
    )
    assert found.content.rstrip(QUOTE_MARKS + ".").endswith("to a new “regional command")
    found = only(extract_text, "On Monday, Mayor Ellen Prat announced the new budget to reporters.")
    assert found.content == "the new budget"


def test_a_colon_cue_late_in_a_long_paragraph_speaks_the_next_quote(
    extract_text: ExtractText,
) -> None:
    found = only(
        extract_text,
        "At a long and crowded meeting of the harbor council on Tuesday evening, Mayor Ellen "
        "Prat continued:\n\n“We will not raise the fares.”\n",
    )
    assert found.mention == "Mayor Ellen Prat"
    assert found.content == "We will not raise the fares."
