"""Rule 1: canaries planted next to secrets never surface in findings, errors or reprs."""

from __future__ import annotations

import dataclasses
import json
import secrets

from classifier import Classifier
from classifier.types import BlockText, Detection, Segment
from tests.classifier.helpers import KEY, block, chat, raw_runs
from tests.classifier.test_classifier import Raises

RUN = 21  # no run of this many characters of any block text may appear in the output


def _canary() -> str:
    return "cnry" + secrets.token_hex(12)


def _blocks(c: list[str]) -> list[BlockText]:
    aws = "AKIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    tool_input = json.dumps({"command": f"export KEY={aws}", "note": f"{c[0]} password = 'hunter2{c[1]}'"})
    return [
        block(f"Chat about {c[2]} and {aws}", kind="name", message_id=None),
        block(f"deploy notes {c[3]} then the key {aws} {c[4]} and mail ops@corp-example.com {c[5]}"),
        block(f"Card 4111 1111 1111 1111 {c[6]}\n```\nsecret = '{c[7]}'\nAKIA {c[8]} {aws}\n```\n", index=1),
        block(tool_input, kind="tool_use", index=2),
        block(
            f"{c[9]}\nIBAN DE89 3704 0044 0532 0130 00\n{c[10]}\tphone (415) 555-0132",
            kind="tool_result",
            index=3,
        ),
    ]


def _output(result: object) -> str:
    # ensure_ascii=False: an escaped "…" (\u2026) ends in a hex digit and could complete a hex canary window.
    output = json.dumps(dataclasses.asdict(result), default=str, ensure_ascii=False)  # type: ignore[call-overload]
    return repr(result) + output


def _windows(text: str) -> set[str]:
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return {
        t[i : i + RUN] for t in (text, printable) for i in range(len(t) - RUN + 1) if t[i : i + RUN].strip()
    }


def test_no_canary_and_no_long_raw_run_leaves_the_classifier(fast_classifier: Classifier) -> None:
    canaries = [_canary() for _ in range(11)]
    blocks = _blocks(canaries)
    classifier = Classifier([*fast_classifier.detectors, Raises()], hmac_key=KEY)
    result = classifier.classify(chat(*blocks))

    # The test means something only if evidence windows really sit next to the canaries.
    assert {"AWS_ACCESS_KEY", "CREDIT_CARD", "IBAN_CODE", "EMAIL_ADDRESS", "PASSWORD"} <= {
        f.entity for f in result.findings
    }
    assert result.status == "partial"
    output = _output(result)
    for canary in canaries:
        assert canary not in output
    leaked = [w for b in blocks for w in _windows(b.text) if w in output]
    assert leaked == []
    for finding in result.findings:
        assert all(len(run) <= 20 for run in raw_runs(finding.evidence)), finding.evidence


def test_reprs_of_inputs_hold_no_text() -> None:
    canary = _canary()
    source = block(f"text {canary}")
    segment = Segment(source, "prose", 0, len(source.text))
    detection = Detection("PASSWORD", "secrets", "d", 5, 10, 0.9)
    for obj in (source, chat(source), segment, detection):
        assert canary not in repr(obj)
