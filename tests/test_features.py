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
