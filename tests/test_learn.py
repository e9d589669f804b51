"""The trained attribution model: reading annotations, training end to end on hand-written
articles (tests/fixtures/attribution), the shipped model, and the ways loading it can fail."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcli.cli import app
from factcli.errors import FactcliError
from factcli.learn import brat
from factcli.learn.corpus import training_root
from factcli.learn.linear import LinearModel, choose, fit
from factcli.learn.model import MODEL_ENV, MODEL_FILE

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "attribution"
ARTICLE = (
    "Ferry Fares to Rise\n\nThe harbor director said the fares would rise in May. "
    "Commuters believe the ferry is already too expensive.\n"
)


def test_brat_reads_events_with_discontinuous_spans() -> None:
    ann = (
        "T1\tSource 0 2\tWe\nT2\tCue 3 7\tknow\nT3\tContent 8 12;20 25\tthis rest\n"
        "T4\tAttribution 3 7\tknow\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
        "#1\tAnnotatorNotes T3\ta note\nT5\tCue 30 33\tsay\n"
    )
    (att,) = brat.parse_ann(ann)
    assert att.source == ((0, 2),)
    assert att.cue == ((3, 7),)
    assert att.content == ((8, 12), (20, 25))


def test_first_annotator_is_read() -> None:
    rows = {stem: gold for stem, _, gold in brat.read_split(FIXTURE)}
    assert set(rows) == {"clinic-hours", "harbor-vote", "river-bridge", "school-budget"}
    assert len(rows["clinic-hours"]) == 4  # clinic-hours_a1, not the empty clinic-hours_b2


def test_a_test_compartment_is_refused(tmp_path: Path) -> None:
    held_out = tmp_path / "data" / "test"
    (held_out / "attributions").mkdir(parents=True)
    with pytest.raises(FactcliError, match="test"):
        training_root(held_out)
    (tmp_path / "data" / "train" / "attributions").mkdir(parents=True)
    assert training_root(tmp_path) == tmp_path / "data" / "train"


def test_fit_learns_a_separable_feature() -> None:
    examples = [["bias", "a"]] * 20 + [["bias", "b"]] * 20
    labels = [1] * 20 + [0] * 20
    weights = fit(examples, labels, l2=0.1)
    model = LinearModel(weights, 0.5, "t", {})
    assert model.accepts(["bias", "a"]) and not model.accepts(["bias", "b"])
    # a feature that fires many times (a comma in a long content) counts once, as in training
    assert model.probability(["bias", "b"] * 50) == model.probability(["bias", "b"])


def test_choose_keeps_the_likeliest_span_of_a_cue() -> None:
    groups = [None, 7, 7, 7, 9]
    probs = [0.9, 0.5, 0.8, 0.95, 0.3]
    limits = [0.5, 0.4, 0.4, 0.99, 0.4]
    # the ungrouped one on its own; of group 7 the likeliest above its limit; group 9 too low
    assert choose(groups, probs, limits) == [True, False, True, False, False]


def _rules_for(nlp: object, text: str) -> object:
    from factcli.attribution.rules import ParagraphRules

    doc = nlp(text)  # type: ignore[operator]
    return ParagraphRules(doc, 0, [])


def test_a_cue_offers_its_object_whole_and_cut_before_a_relative_clause(nlp: object) -> None:
    from factcli.learn.features import paragraph_candidates

    text = "The senator criticized the new tariff, which takes effect in June, on Monday."
    rules = _rules_for(nlp, text)
    scored = paragraph_candidates(rules, [])  # type: ignore[arg-type]
    spans = {
        text[c.content[0] : c.content[1]]
        for c, _, g in scored
        if c.cue_token.lower_ == "criticized"
    }
    assert "the new tariff" in spans
    assert any(s.startswith("the new tariff, which takes effect") for s in spans)
    groups = {g for c, _, g in scored if c.cue_token.lower_ == "criticized"}
    assert len(groups) == 1 and None not in groups  # one cue, one decision


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        ("A coalition formed last year to fight the tariff held a rally.", "formed", "coalition"),
        ("She went before reporters to denounce the tariff.", "denounce", "She"),
    ],
)
def test_a_cue_without_subject_takes_a_speaker_from_the_clause_it_hangs_on(
    nlp: object, text: str, cue: str, speaker: str
) -> None:
    from factcli.learn.features import token_candidates

    rules = _rules_for(nlp, text)
    tok = next(t for t in rules.tokens if t.text == cue)  # type: ignore[attr-defined]
    made = token_candidates(tok, rules)  # type: ignore[arg-type]
    assert made and all([h.text for h in c.speakers] == [speaker] for c, _ in made)


def test_training_is_deterministic_and_its_model_extracts(
    nlp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcli.learn import train

    first, second = tmp_path / "one.json.gz", tmp_path / "two.json.gz"
    argv = [str(FIXTURE), "--folds", "2", "--quiet", "--version", "fixture-1"]
    assert train.main([*argv, "--out", str(first)]) == 0
    assert train.main([*argv, "--out", str(second), "--cache", str(tmp_path / "c")]) == 0
    assert first.read_bytes() == second.read_bytes()
    model = LinearModel.load(first)
    assert model.version == "fixture-1"
    assert model.meta["articles"] == 4 and model.weights

    monkeypatch.setenv(MODEL_ENV, str(first))
    from factcli.extract import extract
    from factcli.models import Article

    extraction = extract(
        Article(text=ARTICLE, source="t", body_start=21, title="Ferry Fares to Rise")
    )
    assert extraction.extractor == "model" and extraction.model_version == "fixture-1"
    assert extraction.parser and "core_web_sm" in extraction.parser


def test_the_shipped_model_loads_and_fits_in_the_package() -> None:
    assert MODEL_FILE.stat().st_size <= 25_000_000
    model = LinearModel.load(MODEL_FILE)
    assert model.version and model.weights
    assert 0.0 < model.threshold < 1.0
    assert "cross_validation" in model.meta


@pytest.mark.parametrize("damage", ["missing", "corrupt", "not gzip json"])
def test_a_bad_model_file_stops_before_anything_is_written(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "model.json.gz"
    if damage == "corrupt":
        bad.write_bytes(gzip.compress(b'{"weights": ')[:-6])
    elif damage == "not gzip json":
        bad.write_bytes(gzip.compress(b'{"weights": [1, 2]}'))
    monkeypatch.setenv(MODEL_ENV, str(bad))
    article = tmp_path / "a.txt"
    article.write_text("The mayor said the ferry fares would rise.\n", encoding="utf-8")
    db = tmp_path / "x.db"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(article), "--db", str(db)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "--extractor rules" in lines[0]
    assert not db.exists()
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(article), "-o", str(out)])
    assert result.exit_code == 1 and "--extractor rules" in result.stderr
    assert not out.exists()


def test_rules_extractor_and_provenance_in_stats(
    nlp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "missing.json.gz"))  # rules never load it
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    db = tmp_path / "x.db"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(article), "--db", str(db), "--extractor", "rules"])
    assert result.exit_code == 0, result.stderr
    monkeypatch.delenv(MODEL_ENV)
    row = (
        sqlite3.connect(db)
        .execute("SELECT extractor, model_version, spacy_pipeline FROM articles")
        .fetchone()
    )
    assert row[0] == "rules" and row[1] is None and "core_web_sm" in row[2]
    result = runner.invoke(app, ["ingest", str(article), "--db", str(db), "--force"])
    assert result.exit_code == 0, result.stderr
    rows = sqlite3.connect(db).execute("SELECT extractor, model_version FROM articles").fetchall()
    assert rows == [("model", LinearModel.load(MODEL_FILE).version)]
    result = runner.invoke(app, ["stats", "--db", str(db)])
    assert "extracted by  model" in result.stdout


def test_an_unknown_spacy_pipeline_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTCLI_SPACY_MODEL", "xx_no_such_pipeline")
    article = tmp_path / "a.txt"
    article.write_text("The mayor said the fares would rise.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(article), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "factcli: error: the spaCy pipeline 'xx_no_such_pipeline' named by FACTCLI_SPACY_MODEL "
        "is not installed"
    ]
    assert not (tmp_path / "x.db").exists()


def _indirect(rules: object, cue: str, content: str) -> object:
    """A candidate of `cue` reporting `content`, as the rules or the judge would hand it over."""
    from factcli.attribution.rules import Candidate

    doc = rules.doc  # type: ignore[attr-defined]
    tok = next(t for t in doc if t.text == cue)
    start = doc.text.index(content)
    cue_at = (tok.idx, tok.idx + len(cue))
    return Candidate("indirect", cue_at, (start, start + len(content)), [], tok)


def test_a_content_may_end_at_a_break_inside_it_or_after_it(nlp: object) -> None:
    from factcli.learn.bounds import end_options

    text = "Ms. Vance said the levy will pass in May - though few expect it, and the mayor agrees."
    rules = _rules_for(nlp, text)
    cand = _indirect(rules, "said", "the levy will pass in May - though few expect it")
    ends = [text[cand.content[0] : e] for e, _ in end_options(cand, rules, ["how=rule"])]  # type: ignore[attr-defined]
    assert ends[0] == "the levy will pass in May - though few expect it"  # its own end first
    assert "the levy will pass in May" in ends  # cut before the dash
    assert "the levy will pass in May - though few expect it, and the mayor agrees" in ends
    assert all("w+how=" in " ".join(fs) for _, fs in end_options(cand, rules, ["how=rule"]))  # type: ignore[arg-type]


def test_a_quotation_keeps_its_end(nlp: object) -> None:
    from factcli.attribution.rules import Candidate
    from factcli.learn.bounds import end_options

    text = "“The levy will pass, and soon,” Ms. Vance said."
    rules = _rules_for(nlp, text)
    tok = next(t for t in rules.tokens if t.text == "said")  # type: ignore[attr-defined]
    cand = Candidate("direct", (tok.idx, tok.idx + 4), (1, 29), [], tok)
    assert end_options(cand, rules, ["how=rule"]) == []  # type: ignore[arg-type]


def test_the_end_chooser_keeps_the_parse_end_unless_another_scores_higher() -> None:
    from factcli.learn.bounds import best_end

    options = [(40, ["w=own"]), (25, ["w=cut1"]), (60, ["w=ext1"])]
    assert best_end(options, {}) == 40  # ties: the parse's own end
    assert best_end(options, {"w=cut1": 0.5, "w=own": 0.2}) == 25
    assert best_end(options, {"w=ext1": -1.0}) == 40


def test_end_weights_survive_a_round_trip() -> None:
    model = LinearModel({"bias": 0.1}, 0.5, "t-1", {}, 0.2, {"w=cut1": -0.25})
    again = LinearModel.from_bytes(model.to_bytes())
    assert again.end_weights == {"w=cut1": -0.25} and again.weights == {"bias": 0.1}
    plain = LinearModel({"bias": 0.1}, 0.5, "t-1", {})
    assert LinearModel.from_bytes(plain.to_bytes()).end_weights == {}


def test_the_shipped_model_ends_a_content_before_a_trailing_relative_clause(nlp: object) -> None:
    from factcli.extract import extract
    from factcli.models import Article

    text = (
        "The mayor acknowledged that the audit found errors in the books, "
        "which the city had denied for months."
    )
    (rules,) = extract(Article(text=text, source="t"), "rules").statements
    assert text[rules.content.start : rules.content.end].endswith("had denied for months")
    (model,) = extract(Article(text=text, source="t"), "model").statements
    assert (
        text[model.content.start : model.content.end] == "that the audit found errors in the books"
    )


@pytest.mark.parametrize(
    ("text", "until"),
    [
        (
            "“The ferry will run all winter,” Harbour Master Ines Varga said on Monday. "
            "“We have the crews and the boats.” Fares stay as they are.",
            "We have the crews and the boats.",
        ),
        # a cue after the second quotation makes it an attribution of its own
        ("“The ferry will run,” she said. “It will not,” the union replied.", None),
        ("“The ferry will run,” she said. “It will not,” he said.", None),
        # the cue clause holds a quotation of its own
        ("“The ferry will run,” she said, calling it “safe.” “We are ready.”", None),
        # the next sentence opens no quotation
        ("“The ferry will run,” she said. The union disagreed.", None),
    ],
)
def test_a_quotation_runs_on_after_its_cue_clause(text: str, until: str | None) -> None:
    from factcli.learn.continued import continued_end, run_on

    end = text.index("”") - 1
    found = continued_end(text, end, len(text))
    if until is None:
        assert found is None
        return
    assert found is not None and text[found[0] : found[1]] == until
    second = (found[0], found[1])
    longer, drop = run_on(text, [(1, end), second], [len(text), len(text)])
    assert longer[0] == (1, found[1]) and drop == {1}


def test_the_model_joins_a_quotation_continued_after_its_cue_clause(nlp: object) -> None:
    from factcli.extract import extract
    from factcli.models import Article

    text = (
        "“The ferry will run all winter,” Harbour Master Ines Varga said on Monday. "
        "“We have the crews and the boats.”"
    )
    statements = extract(Article(text=text, source="t"), "model").statements
    contents = [text[s.content.start : s.content.end] for s in statements]
    assert any(
        c.startswith("The ferry will run all winter") and c.endswith("the crews and the boats.")
        for c in contents
    ), contents
    assert not any(c.startswith("We have the crews") for c in contents), contents


@pytest.mark.parametrize(
    ("text", "cue", "before", "after"),
    [
        ("The mayor seemed to welcome the new budget.", "seemed", ["mayor"], []),
        ("It appears that the bridge will reopen in May.", "appears", ["It"], []),
        ("Asked about the bridge, the mayor said it would reopen in May.", "Asked", ["mayor"], []),
        ("It was clear that the bridge would reopen in May.", "was", ["It"], []),
        (
            "The campaign released an ad attacking the senator's record on taxes.",
            "attacking",
            ["ad"],
            ["campaign"],
        ),
        ("The union backed a candidate opposing the new tax.", "opposing", ["candidate"], None),
        ("The mayor wants to rebuild the bridge.", "wants", ["mayor"], None),
        # the tagger takes the name for an adverb: the speaker is the name all the same
        ("Jolly said the harbour would reopen in May.", "said", [], ["Jolly"]),
        # a second cue verb the parse hangs on the reported clause speaks for the reporter
        (
            "The governor said that the plan would fail and insisted that taxes must fall.",
            "insisted",
            ["plan"],
            ["governor"],
        ),
        (
            "A spokeswoman for the union said the group welcomed the new contract but wanted "
            "more detail on pensions.",
            "wanted",
            ["group"],
            None,
        ),
        (
            "The governor is insisting that she has won the vote, claiming that the count was "
            "fair.",
            "claiming",
            ["she"],
            ["governor"],
        ),
        (
            "The governor said that the plan would fail and the mayor insisted that taxes must "
            "fall.",
            "insisted",
            ["mayor"],
            None,
        ),
        # a passive with no "by" has no source; with one, the agent stays
        (
            "The mayor defended the aide hours after the aide was charged with fraud.",
            "charged",
            ["mayor"],
            [],
        ),
        ("The plan was criticized by the mayor for its cost.", "criticized", ["mayor"], None),
        # an infinitive on an adjective speaks for the adjective's subject
        ("Voters were more likely to say they prefer the mayor.", "say", [], ["Voters"]),
    ],
)
def test_speakers_the_annotators_mark_otherwise(
    nlp: object, text: str, cue: str, before: list[str], after: list[str] | None
) -> None:
    from factcli.learn.features import token_candidates
    from factcli.learn.speakers import revised

    rules = _rules_for(nlp, text)
    tok = next(t for t in rules.tokens if t.text == cue)  # type: ignore[attr-defined]
    cand, _ = token_candidates(tok, rules)[0]  # type: ignore[arg-type]
    assert [h.text for h in cand.speakers] == before
    heads = revised(cand)
    assert (None if heads is None else [h.text for h in heads]) == after


def test_an_unattributed_question_leaves_the_answer_its_speaker(nlp: object) -> None:
    from factcli.extract import extract
    from factcli.models import Article

    text = "Asked about the bridge, the mayor said it would reopen in May."
    statements = extract(Article(text=text, source="t"), "model").statements
    said = [s for s in statements if text[s.content.start : s.content.end].startswith("it would")]
    speaker = said[0].speaker if said else None
    assert speaker is not None and text[speaker.start : speaker.end] == "the mayor"


def test_of_two_cues_reporting_the_same_words_the_less_likely_goes() -> None:
    from factcli.learn.nested import drop_nested

    text = "Officials said the mayor believes the bridge will reopen in May."
    said = text.index("said")
    believes = text.index("believes")
    outer = (said + 5, len(text) - 1)  # the mayor believes the bridge will reopen in May
    inner = (believes + 9, len(text) - 1)  # the bridge will reopen in May
    cues = [(said, said + 4), (believes, believes + 8)]
    assert drop_nested([outer, inner], cues, [0.9, 0.6]) == {1}
    assert drop_nested([outer, inner], cues, [0.5, 0.6]) == {0}
    # a short content inside a long one reports something else: both stay
    short = (text.index("in May"), len(text) - 1)
    assert drop_nested([outer, short], [cues[0], (short[0] - 7, short[0] - 1)], [0.9, 0.6]) == set()


def test_a_bare_phrase_with_no_speaker_is_never_kept(nlp: object) -> None:
    from factcli.extract import extract
    from factcli.learn.features import paragraph_candidates
    from factcli.learn.linear import bare_phrase
    from factcli.learn.model import load
    from factcli.models import Article

    text = (
        "This growing public support for Verdania consistently faces strong opposition "
        "from the north."
    )
    model = load()
    scored = paragraph_candidates(_rules_for(nlp, text), [])  # type: ignore[arg-type]
    bare = [
        (text[c.content[0] : c.content[1]], model.probability(f))
        for c, f, _ in scored
        if f is not None and c.cue_token.lower_ == "support" and bare_phrase(f)
    ]
    # the model alone would keep it: the rule is what drops it
    assert bare and bare[0][0] == "Verdania" and bare[0][1] >= model.threshold
    statements = extract(Article(text=text, source="t"), "model").statements
    assert all(text[s.cue.start : s.cue.end] != "support" for s in statements)


@pytest.mark.parametrize(
    ("feats", "bare"),
    [
        (["how=n_prep", "noverb", "speakers=0", "len=1"], True),
        (["how=dobj", "noverb", "speakers=0", "len=2"], True),
        (["how=dobj", "noverb", "speakers=1", "len=2"], False),  # someone says it
        (["how=dobj", "cverb", "speakers=0", "len=2"], False),  # a clause
        (["how=dobj", "noverb", "speakers=0", "len=4"], False),  # longer phrases are judged
        (["how=rule", "noverb", "speakers=0", "len=1"], False),  # the rules' own
    ],
)
def test_which_candidates_are_bare_phrases(feats: list[str], bare: bool) -> None:
    from factcli.learn.linear import bare_phrase

    assert bare_phrase(feats) is bare
    model = LinearModel({"bias": 5.0}, 0.3, "t", {}, 0.15)
    assert model.accepts(feats) is not bare
