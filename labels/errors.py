"""The labels package's one exception tree, grouped by what the caller does next.

::

    LabelsError                     every error this package raises
    ├── StoreError                  the SQLite label store failed: stop the run, committed work is kept
    │   ├── StoreFullError          the disk (or the configured size cap) is full: free space, rerun
    │   ├── StoreCorruptError       the file is not a readable chatsift store: restore it or start anew
    │   └── StoreLockedError        another chatsift process holds the store: wait for it, rerun
    └── FeedWriteError              a feed destination cannot take records (ENOSPC, EACCES, a receiver
        │                           down, HTTP 503): retried with backoff; records stay in the outbox
        └── FeedConfigError         the destination refuses us (HTTP 401/403/400, TLS verification):
                                    not retried until the configuration is fixed

Privacy: messages are built from an operation name, a file path we configured, an SQLite error
*name* (``SQLITE_FULL``) or an errno *name* (``ENOSPC``) and counts. They never hold record
content, SQL parameters or library messages that could echo values.
"""

from __future__ import annotations

import errno as _errno


class LabelsError(Exception):
    """Root of every error the labels package raises; the message never holds record content."""

    default_code = "labels_error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r})"


class StoreError(LabelsError):
    """The label store could not do what was asked; nothing of the failed transaction was kept."""

    default_code = "store_error"


class StoreFullError(StoreError):
    """SQLITE_FULL or ENOSPC: the disk, or the store's configured size cap, is full."""

    default_code = "store_full"


class StoreCorruptError(StoreError):
    """The store file is not a database, or holds rows this version cannot read."""

    default_code = "store_corrupt"


class StoreLockedError(StoreError):
    """Another process holds the store (its lock file, or SQLite's own write lock)."""

    default_code = "store_locked"


class FeedWriteError(LabelsError):
    """A feed destination could not take records now; trying again later may succeed."""

    default_code = "feed_write_error"
    retriable = True


class FeedConfigError(FeedWriteError):
    """A feed destination refused the records for a reason retrying cannot fix (token, TLS, 4xx)."""

    default_code = "feed_config_error"
    retriable = False


def errno_name(exc: OSError) -> str:
    """The symbolic errno of ``exc`` (``ENOSPC``), never its message (which may hold a path)."""
    if exc.errno is None:
        return "EIO"
    return _errno.errorcode.get(exc.errno, f"errno_{exc.errno}")
