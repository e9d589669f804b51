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


def test_candidates_left_out_are_never_kept(nlp: Language) -> None:
    from factcli.learn.features import paragraph_candidates
    from factcli.learn.linear import choose
    from factcli.learn.model import load

    model = load()

    def judged(prune: bool) -> dict[tuple[object, ...], tuple[list[str], bool]]:
        rules = _rules(nlp)
        found = [*rules.direct_quotes(TEXT), *rules.indirect(TEXT)]
        scored = paragraph_candidates(rules, found, model if prune else None)
        feats = [f for _, f, _ in scored]
        probs = [2.0 if f is None else model.probability(f) for f in feats]
        limits = [0.0 if f is None else model.limit(f) for f in feats]
        keep = choose([g for _, _, g in scored], probs, limits)
        return {
            (g, c.cue, c.content): (f or [], k) for (c, f, g), k in zip(scored, keep, strict=True)
        }

    every, pruned = judged(False), judged(True)
    assert len(pruned) < len(every)
    assert any(kept for _, kept in pruned.values())
    for key, (feats, kept) in every.items():
        if key in pruned:
            assert pruned[key] == (feats, kept)
        else:  # left out: under its limit, so never kept
            assert feats and not kept
            assert model.probability(feats) < model.limit(feats)


def test_below_draws_its_line_under_the_threshold() -> None:
    import math

    from factcli.learn.linear import LinearModel

    line = math.log(0.3 / 0.7)
    model = LinearModel({"a": line - 1e-8, "b": line}, 0.3, "t", {})
    assert model.below(line - 1e-8) and model.probability(["a"]) < 0.3
    assert not model.below(line) and not model.below(line - 1e-12)
    for threshold in (0.0, 1.0):
        assert not LinearModel({}, threshold, "t", {}).below(-1000.0)


def test_tables_sum_the_weights_of_the_features_they_stand_for(nlp: Language) -> None:
    from factcli.learn.features import (
        ParagraphMemo,
        _Tables,
        _Values,
        _varying,
        token_candidates,
    )

    rules = _rules(nlp)
    memo = ParagraphMemo(rules)
    made = [(c, how) for tok in rules.tokens for c, how in token_candidates(tok, rules, memo)]
    assert len(made) > 10
    for n, (cand, how) in enumerate(made):
        facts = memo.cue(cand.cue_token)  # type: ignore[arg-type]
        nested = n % 2 == 1
        var, _ = _varying(cand, how, rules, nested, memo, facts)
        # a weight of its own for every feature, "|" in a lemma and "=" in a value included
        weights = {f: float(k + 1) for k, f in enumerate(sorted(set(var)))}
        lem, lexk = facts.parts[0], facts.parts[1]  # type: ignore[index]
        weights["lem+first=a|b|" + "X"] = 1000.0  # a lemma "a|b", not this one
        tables = _Tables(weights)
        values = _Values(cand, how, rules, memo)
        assert tables.sum(values, lem, lexk, nested) == sum(weights[f] for f in set(var))
