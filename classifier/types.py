"""The classifier's data types: what goes in (text blocks), what detectors return, what comes out.

Raw text lives only in ``BlockText.text`` (and slices of it), in memory, for as long as one chat is
classified. Every type here keeps text out of its ``repr``; ``Finding`` holds no raw text at all,
only offsets, a redacted evidence snippet and a keyed fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Category = Literal["pii", "payment", "secrets", "financial", "regulated", "customer_data"]
CATEGORIES: tuple[Category, ...] = ("pii", "payment", "secrets", "financial", "regulated", "customer_data")

Severity = Literal["none", "low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("none", "low", "medium", "high", "critical")

# Where a block's text came from (the API block type, the chat's name, or an attachment's content).
BlockKind = Literal["text", "tool_use", "tool_result", "name", "attachment"]
# What kind of text a segment is; detectors declare which kinds they run on.
SegmentKind = Literal["prose", "code", "tool_input", "tool_result", "name"]
SEGMENT_KINDS: tuple[SegmentKind, ...] = ("prose", "code", "tool_input", "tool_result", "name")

Status = Literal["ok", "partial", "error"]


@dataclass(frozen=True, slots=True)
class BlockText:
    """The scannable text of one content block (or of the chat name, with ``message_id=None``).

    For an attachment's content (``kind="attachment"``), ``attachment`` is its id (a file id, or an
    artifact's version id) and ``block`` its index among the message's attachments.
    """

    message_id: str | None
    role: str | None
    block: int
    kind: BlockKind
    text: str = field(repr=False)
    attachment: str | None = None


@dataclass(frozen=True, slots=True)
class ChatText:
    """Everything of one chat the classifier reads: ids and text blocks, nothing else."""

    chat_id: str
    blocks: tuple[BlockText, ...] = field(repr=False)
    messages: int = 0


@dataclass(frozen=True, slots=True)
class Segment:
    """A slice ``[start, end)`` of a block's text that one kind of detector reads."""

    source: BlockText = field(repr=False)
    kind: SegmentKind
    start: int
    end: int

    @property
    def text(self) -> str:
        """The segment's text (raw: keep it in memory only)."""
        return self.source.text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Detection:
    """A detector's raw hit: offsets are into the whole block text, not the segment."""

    entity: str
    category: Category
    detector: str
    start: int
    end: int
    score: float


@runtime_checkable
class Detector(Protocol):
    """One detector: a stable id, the segment kinds it reads, and ``detect``.

    ``detect`` returns ``[]`` when it finds nothing and raises when it cannot work; a detector that
    raised is never reported as "no findings".
    """

    id: str
    segment_kinds: frozenset[SegmentKind]

    def detect(self, segment: Segment) -> list[Detection]:
        """Find sensitive values in ``segment``."""
        ...


@dataclass(frozen=True, slots=True)
class Finding:
    """A labelled, redacted finding: what is stored and fed. No raw text."""

    finding_id: str
    category: Category
    entity: str
    detector: str
    score: float
    message_id: str | None
    role: str | None
    block: int
    segment: SegmentKind
    start: int
    end: int
    evidence: str
    fingerprint: str
    attachment: str | None = None  # the attachment id when the finding is in an attachment's content


@dataclass(frozen=True, slots=True)
class ClassifyError:
    """Why part of a chat could not be classified (ids and codes only)."""

    code: str
    detail: str
    message_id: str | None = None
    block: int | None = None


@dataclass(frozen=True, slots=True)
class ChatResult:
    """The classifier's verdict on one chat."""

    chat_id: str
    findings: tuple[Finding, ...]
    labels: tuple[Category, ...]
    scores: dict[str, float]
    severity: Severity
    messages_scanned: int
    status: Status
    errors: tuple[ClassifyError, ...] = ()
