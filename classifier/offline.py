"""Keep third-party libraries off the network: nothing the classifier loads may download anything.

presidio's email recogniser validates domains with tldextract, whose module-level extractor reads
``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` when tldextract is first imported and, when it is unset,
fetches the public-suffix list over HTTP on first use. An empty value makes it use the snapshot
bundled with the package. spaCy imports presidio (and so tldextract) as soon as any pipeline is
created, through presidio's ``spacy_factories`` entry point, so this must run before the first
``spacy.load``/``spacy.blank``; ``nlp.load_pipeline`` and the presidio adapter both call it.
"""

from __future__ import annotations

import logging
import os
import sys

PSL_URLS_ENV = "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"

# presidio logs context words (chat text) at DEBUG; detect-secrets logs skipped values at INFO.
_QUIET_LOGGERS = {"presidio-analyzer": logging.WARNING, "decision_process": logging.WARNING}


def configure_offline() -> None:
    """Point tldextract at its bundled suffix list and quiet the loggers that echo text."""
    os.environ[PSL_URLS_ENV] = ""
    module = sys.modules.get("tldextract.tldextract")
    if module is not None:
        # Imported before us: its default extractor already read the environment. Its
        # ``suffix_list_urls`` attribute is what it fetches from, so emptying it has the same effect.
        extractor = getattr(module, "TLD_EXTRACTOR", None)
        if extractor is not None and getattr(extractor, "suffix_list_urls", None):
            extractor.suffix_list_urls = ()
    for name, level in _QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < level:
            logger.setLevel(level)
