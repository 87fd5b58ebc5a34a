"""RFC 5424: PRI, header limits, SD PARAM-VALUE escaping, payloads, and parse(render(x)) round trips."""

from __future__ import annotations

import json

import pytest

from labels.formats import RenderOptions, renderer
from labels.formats.cef import parse as parse_cef
from labels.formats.syslog import BOM, escape_param, header_field, parse, sd_name
from tests.labels.formats.items import all_items, flagged, project_rollup

HARD = [
    "plain",
    'quote"d',
    "back\\slash",
    "brack]et",
    "[open",
    "new\nline",
    "a=b",
    'all"\\]',
    "ünï ¢ødé €",
    "",
    " ",
]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [('a"b', 'a\\"b'), ("a\\b", "a\\\\b"), ("a]b", "a\\]b"), ("a[b", "a[b"), ("a=b", "a=b"), ("é", "é")],
)
def test_param_value_escaping(raw: str, escaped: str) -> None:
    assert escape_param(raw) == escaped


@pytest.mark.parametrize(
    ("raw", "limit", "field"),
    [
        ("host.example", 255, "host.example"),
        ("", 48, "-"),
        ("has space", 48, "hasspace"),
        ("ünï", 48, "n"),
        ("x" * 60, 48, "x" * 48),
        ("\n\t", 32, "-"),
    ],
)
def test_header_fields(raw: str, limit: int, field: str) -> None:
    assert header_field(raw, limit) == field


@pytest.mark.parametrize(
    ("raw", "name"), [("chatsift@32473", "chatsift@32473"), ('a"b]c=d e', "abcde"), ("x" * 40, "x" * 32)]
)
def test_sd_names(raw: str, name: str) -> None:
    assert sd_name(raw) == name


def test_empty_sd_name_is_refused() -> None:
    with pytest.raises(ValueError):
        sd_name(' ="]')


@pytest.mark.parametrize("value", HARD)
def test_round_trip_of_sd_values(value: str) -> None:
    options = RenderOptions(extra={"tenant": value}, hostname="labeler01", procid="4242")
    (event,) = renderer("syslog", options)(flagged())
    parsed = parse(str(event.body))
    params = parsed.sd["chatsift@32473"]
    assert params["tenant"] == value
    assert params["id"] == event.id
    assert (parsed.hostname, parsed.app_name, parsed.procid, parsed.msgid) == (
        "labeler01",
        "chatsift",
        "4242",
        "LABEL",
    )
    assert json.loads(parsed.msg)["finding_info"]["uid"] == event.id


def test_header_pri_and_timestamp() -> None:
    severities = {"flagged": 3, "clean": 6, "error": 6, "deleted": 6, "user_rollup": 3, "project_rollup": 2}
    for name, item in all_items().items():
        for event in renderer("syslog", RenderOptions(facility=13, granularity="finding"))(item):
            parsed = parse(str(event.body))
            assert (parsed.facility, parsed.severity) == (13, severities[name])
            assert parsed.pri == 13 * 8 + severities[name]
            assert parsed.version == 1
            assert parsed.hostname == "-"
            assert parsed.timestamp in ("2026-03-01T13:00:00.250Z", "2026-03-02T00:00:00.000Z")
            assert str(event.body).split("] ", 1)[1].startswith(BOM)


def test_msgids() -> None:
    assert parse(str(renderer("syslog")(flagged())[0].body)).msgid == "LABEL"
    per_finding = renderer("syslog", RenderOptions(granularity="finding"))(flagged())
    assert {parse(str(e.body)).msgid for e in per_finding} == {"FINDING"}
    rollup = parse(str(renderer("syslog")(project_rollup())[0].body))
    assert rollup.msgid == "ROLLUP"
    assert rollup.sd["chatsift@32473"]["scope"] == "project"


@pytest.mark.parametrize("granularity", ["chat", "finding"])
def test_payloads_are_the_other_formats(granularity: str) -> None:
    item = flagged()
    for payload in ("ocsf", "ecs", "record", "cef"):
        options = RenderOptions(granularity=granularity, payload=payload)  # type: ignore[arg-type]
        messages = renderer("syslog", options)(item)
        fmt = "record" if payload == "record" else payload
        others = renderer(fmt, options)(item)  # type: ignore[arg-type]
        if payload == "record":
            others = others * len(messages)
        assert [parse(str(m.body)).msg for m in messages] == [o.text() for o in others]
    (cef_message, *_) = renderer("syslog", RenderOptions(payload="cef"))(item)
    assert parse_cef(parse(str(cef_message.body)).msg)[1]["externalId"] == cef_message.id


@pytest.mark.parametrize(
    "message",
    [
        "",
        "not syslog",
        "<13>1 2026-03-01T00:00:00Z h a p m",
        '<13>1 2026-03-01T00:00:00Z h a p m [id x="unterminated',
        "<13>1 2026-03-01T00:00:00Z h a p m [id x=1]",
        '<13>1 2026-03-01T00:00:00Z h a p m [id x="1"]trailing',
    ],
)
def test_parse_rejects_malformed_messages(message: str) -> None:
    with pytest.raises(ValueError):
        parse(message)


def test_parse_of_nil_structured_data_and_two_elements() -> None:
    parsed = parse("<14>1 2026-03-01T00:00:00.000Z h a - m - \ufeffhello")
    assert parsed.sd == {} and parsed.msg == "hello" and parsed.procid == "-"
    two = parse('<14>1 2026-03-01T00:00:00.000Z h a p m [a@1 k="v\\]"][b@2 q="\\"x\\""]')
    assert two.sd == {"a@1": {"k": "v]"}, "b@2": {"q": '"x"'}} and two.msg == ""
