"""CEF: header and extension escaping tables, parse(render(x)) round trips, the evidence cap."""

from __future__ import annotations

import pytest

from labels.formats import RenderOptions, renderer
from labels.formats.cef import CefHeader, escape_header, escape_value, parse
from tests.labels.formats.items import flagged

HARD = [
    "plain",
    "a|b",
    "a=b",
    "back\\slash",
    "new\nline",
    "cr\rlf\r\n",
    "tail\\",
    "=|\\",
    "ünï ¢ødé €",
    "",
    " spaced  ",
]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a|b", "a\\|b"), ("a\\b", "a\\\\b"), ("a=b", "a=b"), ("two\nlines", "two lines"), ("é", "é")],
)
def test_header_escaping(raw: str, escaped: str) -> None:
    assert escape_header(raw) == escaped


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a=b", "a\\=b"),
        ("a\\b", "a\\\\b"),
        ("two\nlines", "two\\nlines"),
        ("cr\rhere", "cr\\rhere"),
        ("a|b", "a|b"),
        ("\\=", "\\\\\\="),
        ("é €", "é €"),
    ],
)
def test_extension_escaping(raw: str, escaped: str) -> None:
    assert escape_value(raw) == escaped


@pytest.mark.parametrize("value", HARD)
def test_round_trip_of_options_and_extras(value: str) -> None:
    options = RenderOptions(vendor=f"V{value}", product=f"P{value}", extra={"tenant": value})
    (event,) = renderer("cef", options)(flagged())
    assert isinstance(event.body, str)
    assert "\n" not in event.body and "\r" not in event.body
    header, extension = parse(event.body)
    # Header fields have no escape for line breaks: they become spaces.
    flat = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    assert header.vendor == f"V{flat}" and header.product == f"P{flat}"
    assert extension["tenant"] == value
    assert extension["externalId"] == event.id


@pytest.mark.parametrize("value", HARD)
def test_round_trip_of_evidence(value: str) -> None:
    record = flagged()
    findings = [f.model_copy(update={"evidence": f"…[{f.entity}] {value}…"}) for f in record.findings]
    planted = record.model_copy(update={"findings": findings})
    events = renderer("cef", RenderOptions(granularity="finding"))(planted)
    for event, finding in zip(events, findings, strict=True):
        assert isinstance(event.body, str)
        _, extension = parse(event.body)
        assert extension["cs4"] == f"{finding.entity}: {finding.evidence}"
        assert extension["cs4Label"] == "evidence"


def test_parse_of_the_reference_example() -> None:
    line = (
        "CEF:0|Example\\|Co|Chat\\\\Labeler|1.4.0|pan+aws_key|Sensitive data|8|rt=1767225600000 "
        "cs4Label=evidence cs4=PAN ****1111; key \\= x\\nnext cs5=PCI \\\\ v12 msg=done"
    )
    header, extension = parse(line)
    assert header == CefHeader(
        "CEF:0", "Example|Co", "Chat\\Labeler", "1.4.0", "pan+aws_key", "Sensitive data", "8"
    )
    assert extension == {
        "rt": "1767225600000",
        "cs4Label": "evidence",
        "cs4": "PAN ****1111; key = x\nnext",
        "cs5": "PCI \\ v12",
        "msg": "done",
    }


@pytest.mark.parametrize(
    "line", ["not cef", "CEF:0|a|b|c", "CEF:0|a|b|c|d|e|5|bad key=1", "SYS:0|a|b|c|d|e|5|k=v"]
)
def test_parse_rejects_malformed_lines(line: str) -> None:
    with pytest.raises(ValueError):
        parse(line)


def test_chat_evidence_is_capped_with_a_tail() -> None:
    record = flagged()
    base = record.findings[0]
    many = [
        base.model_copy(update={"finding_id": f"fd_{n:04d}", "evidence": "…[AWS_ACCESS_KEY]…" + "x" * 150})
        for n in range(30)
    ]
    planted = record.model_copy(update={"findings": many})
    (event,) = renderer("cef")(planted)
    assert isinstance(event.body, str)
    _, extension = parse(event.body)
    evidence = extension["cs4"]
    assert len(evidence) <= 1000 + len("; +30 more")
    kept = evidence.count("AWS_ACCESS_KEY: ")
    assert 0 < kept < 30
    assert evidence.endswith(f"; +{30 - kept} more")
    # Per finding, nothing is cut.
    per_finding = renderer("cef", RenderOptions(granularity="finding"))(planted)
    assert len(per_finding) == 30 and all("more" not in parse(str(e.body))[1]["cs4"] for e in per_finding)


def test_severity_and_signature() -> None:
    events = renderer("cef", RenderOptions(granularity="finding"))(flagged())
    headers = [parse(str(e.body))[0] for e in events]
    assert {h.severity for h in headers} == {"8"}
    assert [h.signature_id for h in headers] == [
        "secrets.aws_access_key",
        "pii.email",
        "payment.card",
        "pii.email",
    ]
