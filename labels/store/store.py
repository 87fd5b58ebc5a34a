"""``LabelStore``: label records, per-chat latest labels, cursors, retries and the feed outbox in SQLite.

Every write is one ``BEGIN IMMEDIATE`` transaction: a page's records, its findings, their outbox
entries, the retry rows and the cursor that covers them commit together or not at all, so a crash
at any point and a rerun give the same store. A record id already stored is skipped, never
duplicated. The store holds no raw chat text: records carry redacted evidence only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from classifier.types import CATEGORIES, SEVERITIES
from labels.errors import StoreCorruptError
from labels.record import FindingRecord, LabelRecord
from labels.rollup import RollupRecord
from labels.store import rollups, writes
from labels.store.connection import FileLock, ensure_file, guard
from labels.store.database import Database, now_stamp
from labels.store.types import ChatState, CommitResult, RetryItem, StoredActivity, StoreSummary

_STATUSES = ("ok", "partial", "error")
# What a deleted chat's evidence snippets become (offsets, entities and fingerprints stay).
PURGED_EVIDENCE = "[evidence purged: chat deleted]"


_now = now_stamp


class LabelStore(Database):
    """The SQLite label store at ``path``; one writing process at a time (``<path>.lock``).

    ``max_bytes`` caps the database size: a commit that would grow past it fails with
    ``StoreFullError`` and keeps nothing, exactly as on a full disk.
    """

    def __init__(
        self, path: Path, *, max_bytes: int | None = None, before_commit: Callable[[], None] | None = None
    ) -> None:
        path = Path(path)
        ensure_file(path)
        self._lock: FileLock | None = FileLock(path.with_name(path.name + ".lock"))
        try:
            super().__init__(path, max_bytes=max_bytes)
        except BaseException:
            self._release()
            raise
        # Called inside every write transaction just before COMMIT (crash-safety tests kill there).
        self._before_commit = before_commit

    def __repr__(self) -> str:
        return f"LabelStore({str(self.path)!r})"

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database and release the lock; safe to call twice."""
        try:
            super().close()
        finally:
            self._release()

    def _release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    # -- writes ----------------------------------------------------------------------------------

    def commit(
        self,
        records: Sequence[LabelRecord],
        *,
        cursor: tuple[str, str] | None = None,
        retries: Sequence[RetryItem] = (),
        resolved: Sequence[str] = (),
        states: Sequence[ChatState] = (),
        purge: Sequence[str] = (),
        forget_cursors: Sequence[str] = (),
    ) -> CommitResult:
        """Store new records, their outbox entries, retry changes and the cursor in ONE transaction.

        A record whose id is already stored is skipped. ``resolved`` chat ids lose their retry rows
        before each of ``retries`` is counted. ``states`` move chats' message cursors; ``purge``
        chat ids lose their evidence snippets (deleted chats; see ``writes.purge_evidence``), after
        the records are stored; ``forget_cursors`` are deleted. All or nothing: on any error
        nothing is kept.
        """
        new: list[str] = []
        skipped: list[str] = []
        now = _now()
        with self._transaction("commit") as conn:
            for record in records:
                if writes.insert_record(conn, record, now):
                    new.append(record.record_id)
                    rollups.mark_dirty(conn, record)
                else:
                    skipped.append(record.record_id)
            writes.write_retries(conn, retries, resolved, now)
            writes.write_chat_states(conn, states, now)
            purged = sum(writes.purge_evidence(conn, chat_id, PURGED_EVIDENCE) for chat_id in purge)
            for name in forget_cursors:
                writes.delete_cursor(conn, name)
            if cursor is not None:
                writes.set_cursor(conn, cursor[0], cursor[1], now)
        return CommitResult(new=tuple(new), skipped=tuple(skipped), purged=purged)

    def flush_rollups(self, as_of: datetime, window_days: int) -> list[RollupRecord]:
        """Recompute the rollups of subjects touched since the last flush; enqueue those that changed."""
        with self._transaction("flush_rollups") as conn:
            return rollups.flush(conn, as_of, window_days, _now())

    def commit_activities(
        self, activities: Sequence[StoredActivity], *, cursor: tuple[str, str] | None = None
    ) -> int:
        """Store a page of activities (stored ids are skipped) and its cursor; return how many are new."""
        now = _now()
        with self._transaction("commit_activities") as conn:
            added = writes.insert_activities(conn, activities, now)
            if cursor is not None:
                writes.set_cursor(conn, cursor[0], cursor[1], now)
        return added

    # -- reads -----------------------------------------------------------------------------------

    def get_cursor(self, name: str) -> str | None:
        """The value of a named cursor, or None if it was never set."""
        row = self._one("get_cursor", "SELECT value FROM cursors WHERE name = ?", (name,))
        return None if row is None else str(row[0])

    def chat_state(self, chat_id: str) -> ChatState | None:
        """How far a chat's messages were read, or None (never read, or reset by a deletion)."""
        row = self._one(
            "chat_state",
            "SELECT record_id, ruleset, message_cursor, messages_scanned FROM chat_state WHERE chat_id = ?",
            (chat_id,),
        )
        if row is None:
            return None
        return ChatState(
            chat_id=chat_id,
            record_id=str(row[0]),
            ruleset=str(row[1]),
            message_cursor=None if row[2] is None else str(row[2]),
            messages_scanned=int(row[3]),  # type: ignore[call-overload]
        )

    def activities(self, *, chat_id: str | None = None, limit: int = 1000) -> list[StoredActivity]:
        """Stored activities, oldest first (of one chat when ``chat_id`` is given)."""
        where, params = ("WHERE chat_id = ?", (chat_id,)) if chat_id else ("", ())
        rows = self._all(
            "activities",
            f"""SELECT activity_id, created_at, type, actor_type, actor_user_id, organization_uuid, chat_id,
                   activity FROM activities {where} ORDER BY created_at, activity_id LIMIT ?""",  # noqa: S608
            (*params, limit),
        )
        return [
            StoredActivity(
                activity_id=str(r[0]),
                created_at=str(r[1]),
                type=str(r[2]),
                actor_type=None if r[3] is None else str(r[3]),
                actor_user_id=None if r[4] is None else str(r[4]),
                organization_uuid=None if r[5] is None else str(r[5]),
                chat_id=None if r[6] is None else str(r[6]),
                activity=json.loads(str(r[7])),
            )
            for r in rows
        ]

    def has_record(self, record_id: str) -> bool:
        """True when a record with this id is stored."""
        return self._one("has_record", "SELECT 1 FROM records WHERE record_id = ?", (record_id,)) is not None

    def get_record(self, record_id: str) -> LabelRecord | None:
        """The stored record with this id, or None."""
        row = self._one(
            "get_record", "SELECT record_id, record FROM records WHERE record_id = ?", (record_id,)
        )
        return None if row is None else _load(row)

    def latest_for_chat(self, chat_id: str) -> LabelRecord | None:
        """The record behind a chat's current labels, or None if the chat was never labelled."""
        row = self._one(
            "latest_for_chat",
            "SELECT r.record_id, r.record FROM chats c JOIN records r USING (record_id) WHERE c.chat_id = ?",
            (chat_id,),
        )
        return None if row is None else _load(row)

    def findings_for_chat(self, chat_id: str) -> list[FindingRecord]:
        """The findings of a chat's latest record, in the record's order."""
        record = self.latest_for_chat(chat_id)
        return [] if record is None else list(record.findings)

    def chats_for_user(self, user_id: str) -> list[LabelRecord]:
        """The latest record of every chat of one user, most recently updated first."""
        rows = self._all(
            "chats_for_user",
            """SELECT r.record_id, r.record FROM chats c JOIN records r USING (record_id)
               WHERE c.user_id = ? ORDER BY c.chat_updated_at DESC, c.chat_id""",
            (user_id,),
        )
        return [_load(row) for row in rows]

    def pending_retries(self) -> list[RetryItem]:
        """Chats that failed and have not succeeded since, oldest failure first."""
        rows = self._all(
            "pending_retries",
            """SELECT chat_id, error_code, chat_updated_at, attempts, first_failed_at, last_failed_at
               FROM retry ORDER BY first_failed_at, chat_id""",
        )
        return [
            RetryItem(
                chat_id=str(r[0]),
                error_code=str(r[1]),
                chat_updated_at=None if r[2] is None else str(r[2]),
                attempts=int(r[3]),  # type: ignore[call-overload]
                first_failed_at=str(r[4]),
                last_failed_at=str(r[5]),
            )
            for r in rows
        ]

    def counts(self) -> StoreSummary:
        """How many chats, records, findings and retries the store holds, and the chats' labels."""
        conn = self._db()
        with guard("counts"):
            one = {
                name: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
                for name, table in (
                    ("chats", "chats"),
                    ("records", "records"),
                    ("findings", "findings"),
                    ("retries", "retry"),
                    ("activities", "activities"),
                )
            }
            (deleted,) = conn.execute("SELECT count(*) FROM chats WHERE deleted = 1").fetchone()
            categories = dict(
                conn.execute(
                    "SELECT j.value, count(*) FROM chats, json_each(chats.labels) j GROUP BY j.value"
                )
            )
            severities = dict(conn.execute("SELECT severity, count(*) FROM chats GROUP BY severity"))
            statuses = dict(conn.execute("SELECT status, count(*) FROM chats GROUP BY status"))
        return StoreSummary(
            **one,
            deleted=deleted,
            categories={c: categories.get(c, 0) for c in CATEGORIES},
            severities={s: severities.get(s, 0) for s in SEVERITIES},
            statuses={s: statuses.get(s, 0) for s in _STATUSES},
        )


def _load(row: Sequence[object]) -> LabelRecord:
    """A stored record back as a model; a row that does not validate means the store is damaged."""
    record_id, text = row[0], row[1]
    try:
        return LabelRecord.model_validate_json(str(text))
    except ValidationError as exc:
        # The record id is ours (lr_ + hex); the validation error hides its input.
        raise StoreCorruptError(
            f"stored record {record_id} does not validate ({exc.error_count()} errors)", code="record_invalid"
        ) from exc
