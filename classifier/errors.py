"""The classifier's exceptions, grouped by what the caller does next.

::

    ClassifierError                 root: everything the classifier raises
    ├── ClassifierConfigError       wrong setup (no detectors, missing spaCy pipeline): fix config, exit 2
    │   └── KeyFileError            the fingerprint key file is unreadable or too short
    └── DetectorError               one detector could not scan one segment; the classifier
                                    records it as ``detector_failed`` and marks the chat partial

Messages carry setting names, file paths, ids and counts only, never chat text.
"""

from __future__ import annotations


class ClassifierError(Exception):
    """Root of the classifier's errors."""


class ClassifierConfigError(ClassifierError):
    """The classifier cannot be built as configured; nothing was scanned."""


class KeyFileError(ClassifierConfigError):
    """The fingerprint key file cannot be read, created, or is too short."""


class DetectorError(ClassifierError):
    """A detector could not scan a segment (raised by detectors, recorded by the classifier)."""
