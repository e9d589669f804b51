"""A learned attribution model over the rules: it proposes more cues (beliefs, plans, stances)
and accepts or drops the rules' own candidates. `features` and `model` run inside `extract`;
`brat`, `linear` and `train` only when a model is trained."""
