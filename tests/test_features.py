"""The model's features are worked out once per cue token and shared by its candidates; sharing
must never change them."""

from __future__ import annotations

from spacy.language import Language

from factcli.attribution.quotes import find_quotes
from factcli.attribution.rules import ParagraphRules

TEXT = (
    "The mayor said on Tuesday that the new tariff, which takes effect in June, would hurt "
    "farmers, and she wants to scrap it. “It is a mistake,” said Lee, who criticized the plan "
    "as a tax on families and warned of a long fight over the budget."
)


def _rules(nlp: Language) -> ParagraphRules:
    doc = nlp(TEXT)
    return ParagraphRules(doc, 0, find_quotes(TEXT, 0, len(TEXT)))


def test_shared_features_equal_features_worked_out_alone(nlp: Language) -> None:
    from factcli.learn.features import features, paragraph_candidates

    rules = _rules(nlp)
    found = [*rules.direct_quotes(TEXT), *rules.indirect(TEXT)]
    scored = paragraph_candidates(rules, found)
    judged = [(cand, feats) for cand, feats, _ in scored if feats is not None]
    cues = {cand.cue_token.i for cand, _ in judged if cand.cue_token is not None}
    assert len(judged) > len(cues) >= 4  # several cues, some with several candidate spans
    for cand, feats in judged:
        how = next(f[4:] for f in feats if f.startswith("how="))
        alone = features(cand, how, rules, nested="nested" in feats)
        assert alone == feats


def test_a_span_proposed_twice_gives_one_candidate(nlp: Language) -> None:
    from factcli.learn.features import token_candidates

    rules = _rules(nlp)
    for tok in rules.tokens:
        made = token_candidates(tok, rules)
        contents = [cand.content for cand, _ in made]
        assert len(contents) == len(set(contents))
        for cand, _ in made:
            assert cand.cue_token is tok


def test_tokens_passed_over_are_those_that_propose_nothing(nlp: Language) -> None:
    from factcli.learn.features import ParagraphMemo, _may_propose, variants

    text = (
        "Her worry about the cost is clear: officials are eager to leave, the court ruled "
        "against the plan, and the report by the agency on wages was not what he had hoped."
    )
    rules = ParagraphRules(nlp(text), 0, find_quotes(text, 0, len(text)))
    pos, dep, _, blank = ParagraphMemo(rules).columns
    passed = 0
    for tok in rules.tokens:
        if not _may_propose(pos[tok.i], dep[tok.i], blank[tok.i], tok):
            passed += 1
            assert variants(tok, rules) == [], tok.text
    assert 0 < passed < len(rules.tokens)
    # nouns and adjectives with something on their right are asked, as are verbs
    asked = {t.text for t in rules.tokens if _may_propose(pos[t.i], dep[t.i], blank[t.i], t)}
    assert {"worry", "eager", "ruled"} <= asked
