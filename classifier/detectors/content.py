"""Content detectors: ``financial``, ``regulated`` and ``customer_data``.

=============================  ======================  ===========================================
id                             entity                  what
=============================  ======================  ===========================================
``regulated.health``           HEALTH_INFORMATION      health content (diagnoses, medications,
                                                       symptoms, history) by the ``regulated``
                                                       weighted lexicon (``models/``)
``regulated.health_ids``       MEDICAL_RECORD_NUMBER,  a record, member or policy number right
                               HEALTH_INSURANCE_ID     after its label (``MRN:``, ``member ID``)
``financial.content``          FINANCIAL_INFORMATION   non-public financial content (revenue,
                                                       forecasts, balances, pay, deal terms,
                                                       ledgers) by the ``financial`` lexicon
``customer_data.bulk``         BULK_PERSONAL_DATA      a table, CSV or JSON of many people's
                                                       records (a region, see below)
=============================  ======================  ===========================================

Lexicon detectors read prose, tool results and tool input, never code (variable names such as
``patient_id`` or ``revenue`` say nothing about the data), and report one finding per run of
positive windows at its strongest word, scored with the window's probability (``classifier.lexicon``).
Both lexicons read the same feature tokens: the first (``regulated.health``) hands the tokens of a
chat's segments to the second (``financial.content``, next in the registry) through a
``TokenHandOff``, which the second empties when it is done (or fails), so the words are held only
between two consecutive detector runs of one chat. Segments that do not arrive in the same batch
(one at a time, or a different list) are simply tokenised again.

``customer_data.bulk`` looks at lines. A run of at least ``MIN_RECORDS`` record lines is bulk
personal data when its records carry personal values or personal fields (``MIN_HEADED_RECORDS``
rows are enough under a header naming two or more personal fields: ``name,email,phone``):

* a delimited table (comma, tab, semicolon or pipe; the same number of cells on every line) whose
  header names a personal field (name, email, phone, address, date of birth, ...) or whose rows
  hold an email address or a phone number; its cells are data, not sentences (header cells of
  at most ``MAX_HEADER_CHARS`` characters, 80% of cells at most ``MAX_VALUE_WORDS`` words);
* JSON, YAML or ``key: value`` records: ``MIN_RECORDS`` or more values of one personal field
  (``"email": "…"``) and at least two kinds of personal field, within a run of lines without a
  blank gap of two lines. A value is data, not prose: at most ``MAX_VALUE_WORDS`` words. Role
  words (``patient``, ``customer``, ``doctor``) are not fields here: ``Patient: my knee hurts`` is
  a transcript line.

Its finding spans the whole run: it marks a region rather than a value, so it never competes with
the value findings inside it in the overlap merge (``classifier.merge``). The score grows with the
number of records: 0.6 at ``MIN_HEADED_RECORDS``, +0.02 per record, at most 0.95.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import ClassVar, Literal

from classifier.detectors.base import RegexDetector
from classifier.lexicon import Lexicon, Token, load_lexicon, tokens
from classifier.types import Category, Detection, Detector, Segment, SegmentKind

LEXICON_SEGMENTS: frozenset[SegmentKind] = frozenset({"prose", "tool_result", "tool_input", "name"})
MAX_HITS_PER_SEGMENT = 20
MIN_RECORDS = 5
MIN_HEADED_RECORDS = 3
MAX_VALUE_WORDS = 6
MAX_HEADER_CHARS = 30
BULK_BASE_SCORE = 0.6
BULK_STEP = 0.02
BULK_MAX_SCORE = 0.95


class TokenHandOff:
    """The feature tokens of one batch of segments, from one lexicon detector to the next.

    ``give`` replaces whatever was held; ``take`` returns the tokens only for the very same segment
    objects in the same order, and ``clear`` drops them (no text outlives the hand-off).
    """

    def __init__(self) -> None:
        self._held: list[tuple[Segment, list[Token]]] = []

    def give(self, segments: list[Segment], toks: list[list[Token]]) -> None:
        self._held = list(zip(segments, toks, strict=True))

    def take(self, segments: list[Segment]) -> list[list[Token]] | None:
        held = self._held
        if len(held) != len(segments) or any(h is not s for (h, _), s in zip(held, segments, strict=True)):
            return None
        return [toks for _, toks in held]

    def clear(self) -> None:
        self._held = []


class LexiconDetector:
    """One finding per run of windows the lexicon scores at or above its threshold.

    With a ``hand_off``, ``role="give"`` leaves the tokens of each ``detect_many`` batch there and
    ``role="take"`` reads them instead of tokenising again, then empties it (module docstring).
    """

    segment_kinds: frozenset[SegmentKind] = LEXICON_SEGMENTS

    def __init__(
        self,
        detector_id: str,
        entity: str,
        category: Category,
        lexicon: Lexicon,
        *,
        hand_off: TokenHandOff | None = None,
        role: Literal["give", "take"] = "give",
    ) -> None:
        self.id = detector_id
        self.entity = entity
        self.category: Category = category
        self.lexicon = lexicon
        self._hand_off = hand_off
        self._role = role
        # Part of the ruleset id: results change with the model's weights.
        self.ruleset_key = f"{detector_id}[{lexicon.name}@{lexicon.digest}]"

    def __repr__(self) -> str:
        return f"LexiconDetector(id={self.id!r}, lexicon={self.lexicon.name!r})"

    def detect(self, segment: Segment) -> list[Detection]:
        """Findings at the strongest word of each positive region of the segment."""
        return self._detections(segment, tokens(segment.text))

    def detect_many(self, segments: list[Segment]) -> list[list[Detection]]:
        """``detect`` for a chat's segments, sharing their tokens through the hand-off."""
        hand_off = self._hand_off
        if hand_off is None:
            return [self.detect(segment) for segment in segments]
        if self._role == "take":
            try:
                held = hand_off.take(segments)
                toks = held if held is not None else [tokens(s.text) for s in segments]
                return [self._detections(s, t) for s, t in zip(segments, toks, strict=True)]
            finally:
                hand_off.clear()
        hand_off.clear()
        toks = [tokens(s.text) for s in segments]
        found = [self._detections(s, t) for s, t in zip(segments, toks, strict=True)]
        hand_off.give(segments, toks)
        return found

    def _detections(self, segment: Segment, toks: list[Token]) -> list[Detection]:
        hits = self.lexicon.hits_of(toks)
        hits = sorted(hits, key=lambda h: -h.probability)[:MAX_HITS_PER_SEGMENT]
        return sorted(
            (
                Detection(
                    self.entity,
                    self.category,
                    self.id,
                    segment.start + h.start,
                    segment.start + h.end,
                    round(h.probability, 4),
                )
                for h in hits
            ),
            key=lambda d: d.start,
        )


_ID = r"(?P<value>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,17}[A-Z0-9])"
_SEP = r"\s*(?:number|no\.?|num|#|id)?\s*(?:is|was|=|:|#|-)?\s*"


class MedicalRecordNumberDetector(RegexDetector):
    """A medical record number after its label (``MRN``, ``medical record number``, ``chart #``)."""

    id = "regulated.health_ids"
    entity: ClassVar[str] = "MEDICAL_RECORD_NUMBER"
    category: ClassVar[Category] = "regulated"
    patterns: ClassVar[tuple[re.Pattern[str], ...]] = (
        re.compile(
            rf"(?i:\b(?:mrn|medical\s+record|patient\s+(?:id|number)|chart)){_SEP}{_ID}(?![A-Za-z0-9])"
        ),
    )
    score: ClassVar[float] = 0.85


class HealthInsuranceIdDetector(RegexDetector):
    """A health plan member, subscriber or policy id after its label."""

    id = "regulated.insurance_ids"
    entity: ClassVar[str] = "HEALTH_INSURANCE_ID"
    category: ClassVar[Category] = "regulated"
    patterns: ClassVar[tuple[re.Pattern[str], ...]] = (
        re.compile(
            r"(?i:\b(?:(?:health\s+)?insurance|member|subscriber|medicaid|medicare|policy|plan)"
            rf"\s+(?:id|number|no\.?|#)){_SEP}{_ID}(?![A-Za-z0-9])"
        ),
    )
    score: ClassVar[float] = 0.7
    context_words: ClassVar[tuple[str, ...]] = (
        "health",
        "insurance",
        "medical",
        "dental",
        "patient",
        "medicaid",
    )
    context_window: ClassVar[int] = 60
    context_boost: ClassVar[float] = 0.15


# ---- customer_data.bulk -----------------------------------------------------------------------------

PERSONAL_FIELDS = (
    "name",
    "first_name",
    "firstname",
    "last_name",
    "lastname",
    "full_name",
    "fullname",
    "surname",
    "email",
    "e-mail",
    "email_address",
    "mail",
    "phone",
    "phone_number",
    "mobile",
    "cell",
    "telephone",
    "tel",
    "address",
    "street",
    "street_address",
    "zip",
    "zipcode",
    "postcode",
    "postal_code",
    "dob",
    "date_of_birth",
    "birthdate",
    "birthday",
    "ssn",
    "national_id",
    "passport",
    "customer",
    "customer_name",
    "patient",
    "patient_name",
    "employee",
    "employee_name",
    "contact",
    "salary",
)
_FIELD_WORD = re.compile(r"[a-z][a-z_ -]*[a-z]")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}(?![\w.])"
)
_KEY_VALUE = re.compile(
    r"""["']?(?P<key>[A-Za-z][A-Za-z_ -]{1,30}?)["']?\s*[:=]\s*["']?(?P<value>[^"',}\]\s][^"',}\]]*)"""
)
_DELIMITERS = (",", "\t", ";", "|")
# Speaker labels of transcripts, not fields of a record (still fields as table headers).
_ROLE_WORDS = frozenset({"patient", "customer", "employee", "contact", "doctor", "user", "assistant"})


def _field_name(cell: str) -> str:
    words = _FIELD_WORD.findall(cell.strip().strip("\"'").lower())
    return words[0].replace(" ", "_").replace("-", "_") if words else ""


def _personal(cell: str) -> bool:
    name = _field_name(cell)
    return name in PERSONAL_FIELDS or any(
        name.endswith("_" + f) or name.startswith(f + "_") for f in PERSONAL_FIELDS
    )


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((pos, pos + len(raw.rstrip("\r\n")), raw.rstrip("\r\n")))
        pos += len(raw)
    return out


def _cells(line: str, delimiter: str) -> int:
    stripped = line.strip()
    if delimiter == "|":
        stripped = stripped.strip("|")
    return stripped.count(delimiter) + 1 if stripped else 0


def _cells_look_like_data(header: list[str], rows: list[str], delimiter: str) -> bool:
    """Short header cells and mostly short data cells: a table, not sentences with commas."""
    if any(len(cell.strip()) > MAX_HEADER_CHARS for cell in header):
        return False
    cells = [cell for row in rows for cell in row.strip().strip("|").split(delimiter)]
    short = sum(len(cell.split()) <= MAX_VALUE_WORDS for cell in cells)
    return bool(cells) and short >= 0.8 * len(cells)


def _has_contact(line: str) -> bool:
    return bool(_EMAIL.search(line) or _PHONE.search(line))


class BulkPersonalDataDetector:
    """Tables, CSV and JSON/YAML records of many people (see the module docstring)."""

    id = "customer_data.bulk"
    entity = "BULK_PERSONAL_DATA"
    segment_kinds: frozenset[SegmentKind] = frozenset({"prose", "code", "tool_input", "tool_result"})

    def __repr__(self) -> str:
        return f"BulkPersonalDataDetector(id={self.id!r})"

    def detect(self, segment: Segment) -> list[Detection]:
        """One detection per region of bulk personal records."""
        text = segment.text
        if text.count("\n") + 1 < MIN_HEADED_RECORDS + 1:
            return []
        lines = _lines(text)
        regions = self._tables(lines) + self._records(lines)
        regions.sort()
        kept: list[tuple[int, int, int]] = []
        for start, end, records in regions:  # overlapping regions (a JSON table) count once
            if kept and start < kept[-1][1]:
                if records > kept[-1][2]:
                    kept[-1] = (kept[-1][0], max(end, kept[-1][1]), records)
                continue
            kept.append((start, end, records))
        return [
            Detection(
                self.entity,
                "customer_data",
                self.id,
                segment.start + start,
                segment.start + end,
                round(min(BULK_MAX_SCORE, BULK_BASE_SCORE + BULK_STEP * (records - MIN_HEADED_RECORDS)), 4),
            )
            for start, end, records in kept
        ]

    def _tables(self, lines: list[tuple[int, int, str]]) -> list[tuple[int, int, int]]:
        """Delimited tables with a personal header or contact values in their rows."""
        found: list[tuple[int, int, int]] = []
        i = 0
        while i < len(lines):
            best = None
            for delimiter in _DELIMITERS:
                width = _cells(lines[i][2], delimiter)
                if width < 2:
                    continue
                j = i + 1
                while (
                    j < len(lines)
                    and (_cells(lines[j][2], delimiter) == width or set(lines[j][2].strip()) <= set("|-: "))
                    and lines[j][2].strip()
                ):
                    j += 1
                if best is None or j - i > best[1] - best[0]:
                    best = (i, j, delimiter)
            if best is None or best[1] - best[0] < MIN_HEADED_RECORDS + 1:
                i += 1
                continue
            first, last, delimiter = best
            rows = [lines[k][2] for k in range(first, last) if not set(lines[k][2].strip()) <= set("|-: ")]
            header = rows[0].strip().strip("|").split(delimiter)
            if not _cells_look_like_data(header, rows[1:], delimiter):
                i = last
                continue
            personal_header = sum(_personal(cell) for cell in header)
            # Without a personal header the first line is data like the rest.
            records = len(rows) - 1 if personal_header else sum(_has_contact(row) for row in rows)
            contact_rows = records
            needed = MIN_HEADED_RECORDS if personal_header >= 2 else MIN_RECORDS
            if (personal_header >= 1 or contact_rows >= MIN_RECORDS) and records >= needed:
                found.append((lines[first][0], lines[last - 1][1], records))
            i = last
        return found

    def _records(self, lines: list[tuple[int, int, str]]) -> list[tuple[int, int, int]]:
        """Runs of ``key: value`` lines (JSON, YAML) with many values of one personal field."""
        found: list[tuple[int, int, int]] = []
        run: list[int] = []
        fields: Counter[str] = Counter()
        blank = 0

        def close() -> None:
            if run and len(fields) >= 2 and max(fields.values()) >= MIN_RECORDS:
                found.append((lines[run[0]][0], lines[run[-1]][1], max(fields.values())))

        for k, (_, _, content) in enumerate(lines):
            # ``_KEY_VALUE`` needs a ``:`` or ``=``: a line without either is not searched.
            personal = [
                _field_name(m.group("key"))
                for m in (_KEY_VALUE.finditer(content) if ":" in content or "=" in content else ())
                if _personal(m.group("key"))
                and _field_name(m.group("key")) not in _ROLE_WORDS
                and 0 < len(m.group("value").split()) <= MAX_VALUE_WORDS
            ]
            if personal:
                run.append(k)
                fields.update(set(personal))
                blank = 0
            elif not content.strip():
                blank += 1
                if blank >= 2:
                    close()
                    run, fields, blank = [], Counter(), 0
        close()
        return found


def content_detectors(models_dir: Path | None = None) -> list[Detector]:
    """The financial, regulated and customer_data detectors, in priority order.

    ``models_dir`` holds ``regulated_lexicon.json`` and ``financial_lexicon.json`` (default: the
    repository's ``models/``); a missing model is a configuration error naming ``make models``.
    """
    directory = models_dir if models_dir is not None else default_models_dir()
    hand_off = TokenHandOff()  # regulated.health tokenises, financial.content (right after it) reuses
    return [
        MedicalRecordNumberDetector(),
        HealthInsuranceIdDetector(),
        LexiconDetector(
            "regulated.health",
            "HEALTH_INFORMATION",
            "regulated",
            load_lexicon(directory / "regulated_lexicon.json"),
            hand_off=hand_off,
            role="give",
        ),
        LexiconDetector(
            "financial.content",
            "FINANCIAL_INFORMATION",
            "financial",
            load_lexicon(directory / "financial_lexicon.json"),
            hand_off=hand_off,
            role="take",
        ),
        BulkPersonalDataDetector(),
    ]


def default_models_dir() -> Path:
    """``models/`` next to the ``classifier`` package (the repository's model directory)."""
    return Path(__file__).resolve().parents[2] / "models"
