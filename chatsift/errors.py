"""Application errors and the one place that maps every error tree to an exit code.

::

    Exception
    ├── ChatsiftError                 application-level (this module)
    │   ├── ConfigurationError        bad settings, missing key, unreadable input   -> 2
    │   └── InputError                offline input that cannot be parsed at all    -> 2
    ├── fetch.errors.FetchError
    │   ├── FetchConfigError                                                       -> 2
    │   ├── FatalFetchError           401/403/400/404/409, unknown user              -> 3
    │   ├── RetriableFetchError       429/5xx/timeouts after every retry             -> 4
    │   └── ChatSkipError             per chat: recorded and retried; on a list page -> 4
    ├── classifier.errors.ClassifierError
    │   └── ClassifierConfigError     no detectors, missing spaCy pipeline           -> 2
    └── labels.errors.StoreError / FeedWriteError   disk full, locked, corrupt       -> 5

A run that finishes but could not label some chats exits 6; those chats are recorded with
``status: error`` and retried by the next run. Messages of every error here carry ids, codes and
paths only.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (README, "Exit codes")."""

    OK = 0
    INTERNAL = 1
    CONFIG = 2
    API_REFUSED = 3
    API_UNAVAILABLE = 4
    STORAGE = 5
    INCOMPLETE = 6
    INTERRUPTED = 130
    OUTPUT_CLOSED = 141  # 128 + SIGPIPE: whatever read our standard output stopped (`| head`)


class ChatsiftError(Exception):
    """Root of the application's own errors."""

    exit_code = ExitCode.INTERNAL


class ConfigurationError(ChatsiftError):
    """Settings or environment are wrong; nothing was attempted."""

    exit_code = ExitCode.CONFIG


class InputError(ChatsiftError):
    """Offline input cannot be read at all (a missing file, not one bad chat)."""

    exit_code = ExitCode.CONFIG


def exit_code_for(exc: BaseException) -> ExitCode:
    """Map any error the library raises to the documented exit code."""
    # Imported here: the mapping is the only place that knows every package's tree.
    from classifier.errors import ClassifierConfigError
    from fetch.errors import ChatSkipError, FatalFetchError, FetchConfigError, RetriableFetchError
    from labels.errors import FeedWriteError, StoreError

    if isinstance(exc, ChatsiftError):
        return exc.exit_code
    if isinstance(exc, FetchConfigError | ClassifierConfigError):
        return ExitCode.CONFIG
    if isinstance(exc, FatalFetchError):
        return ExitCode.API_REFUSED
    if isinstance(exc, RetriableFetchError | ChatSkipError):
        # A skip error that reaches here broke a list page (malformed page, cursor loop): the API,
        # not one chat, is at fault, and a later rerun resumes from the committed cursor.
        return ExitCode.API_UNAVAILABLE
    if isinstance(exc, StoreError | FeedWriteError):
        return ExitCode.STORAGE
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return ExitCode.OUTPUT_CLOSED
    return ExitCode.INTERNAL
