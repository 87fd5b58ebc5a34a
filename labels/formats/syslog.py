"""RFC 5424 syslog messages: ``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM+payload``.

No transport framing here: the writer adds RFC 6587 octet counting. ``PRI`` is ``facility * 8`` plus
the syslog severity of the chat (none 6 informational, low 5 notice, medium 4 warning, high 3 error,
critical 2 critical). ``TIMESTAMP`` is the event time in RFC 3339 with milliseconds and ``Z``.
HOSTNAME, APP-NAME, PROCID and MSGID keep printable US-ASCII only, cut to the RFC's lengths, and
are ``-`` when empty. ``MSGID`` is ``LABEL``, ``FINDING`` or ``ROLLUP``. One structured-data
element, ``options.sd_id``, carries the event id and the ids a receiver filters on, its values
escaped (``"``, ``\\``, ``]``). The payload, after a UTF-8 BOM, is the OCSF JSON (default), the ECS
JSON, the record JSON or the CEF line of the same unit. ``parse`` reads a message back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from classifier.types import Severity
from labels.formats import cef, ecs, ocsf
from labels.formats.base import Event, FeedItem, RenderOptions
from labels.formats.common import Unit, iso_ms, units

SYSLOG_SEVERITY: dict[Severity, int] = {"none": 6, "low": 5, "medium": 4, "high": 3, "critical": 2}
BOM = "\ufeff"
NILVALUE = "-"
# RFC 5424 section 6: the longest HOSTNAME, APP-NAME, PROCID, MSGID and SD-NAME.
HOSTNAME_MAX, APP_NAME_MAX, PROCID_MAX, MSGID_MAX, SD_NAME_MAX = 255, 48, 128, 32, 32
_HEADER = re.compile(r"^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) ")


@dataclass(frozen=True)
class ParsedSyslog:
    """An RFC 5424 message read back: header fields, structured data (unescaped) and the message."""

    pri: int
    version: int
    timestamp: str
    hostname: str
    app_name: str
    procid: str
    msgid: str
    sd: dict[str, dict[str, str]]
    msg: str

    @property
    def facility(self) -> int:
        """The facility part of PRI."""
        return self.pri // 8

    @property
    def severity(self) -> int:
        """The severity part of PRI."""
        return self.pri % 8


def header_field(value: str, limit: int) -> str:
    """A header field: printable US-ASCII only, at most ``limit`` characters, NILVALUE when empty."""
    kept = "".join(ch for ch in value if 33 <= ord(ch) <= 126)[:limit]
    return kept or NILVALUE


def sd_name(value: str) -> str:
    """An SD-ID or PARAM-NAME: printable US-ASCII except ``= ] "`` and space, at most 32 characters."""
    kept = "".join(ch for ch in value if 33 <= ord(ch) <= 126 and ch not in '=]"')[:SD_NAME_MAX]
    if not kept:
        raise ValueError("empty structured-data name")
    return kept


def escape_param(value: str) -> str:
    """A PARAM-VALUE: ``\\``, ``"`` and ``]`` escaped with a backslash."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def render(item: FeedItem, options: RenderOptions) -> list[Event]:
    """The syslog messages of ``item`` at ``options.granularity``."""
    return [render_unit(unit, options) for unit in units(item, options.granularity)]


def render_unit(unit: Unit, options: RenderOptions) -> Event:
    """The syslog message of one unit."""
    pri = options.facility * 8 + SYSLOG_SEVERITY[unit.severity]
    header = " ".join(
        [
            f"<{pri}>1",
            iso_ms(unit.time),
            header_field(options.hostname, HOSTNAME_MAX),
            header_field(options.app_name, APP_NAME_MAX),
            header_field(options.procid, PROCID_MAX),
            header_field(unit.kind.upper(), MSGID_MAX),
        ]
    )
    params = " ".join(f'{sd_name(k)}="{escape_param(v)}"' for k, v in _params(unit, options))
    return Event(
        unit.id, unit.time, f"{header} [{sd_name(options.sd_id)} {params}] {BOM}{_payload(unit, options)}"
    )


def _params(unit: Unit, options: RenderOptions) -> list[tuple[str, str]]:
    user = unit.item.user
    params = [("id", unit.id)]
    if unit.is_rollup:
        rollup = unit.rollup
        params += [("scope", rollup.scope), ("subject", rollup.subject_id)]
        if user is not None:
            params.append(("user", user.id))
        params += [
            ("labels", ",".join(unit.labels)),
            ("severity", unit.severity),
            ("chats", str(rollup.chats)),
            ("labelled", str(rollup.chats_labelled)),
        ]
    else:
        record = unit.record
        params.append(("chat", record.chat_id))
        if unit.finding is not None:
            params.append(("finding", unit.finding.finding_id))
            if unit.finding.message_id is not None:
                params.append(("message", unit.finding.message_id))
        if user is not None:
            params.append(("user", user.id))
        params += [
            ("labels", ",".join(unit.labels)),
            ("severity", unit.severity),
            ("status", record.status),
        ]
        if record.deleted:
            params.append(("deleted", "true"))
    params += sorted(options.extra.items())
    return params


def _payload(unit: Unit, options: RenderOptions) -> str:
    if options.payload == "cef":
        return cef.render_unit(unit, options).text()
    if options.payload == "ecs":
        return ecs.render_unit(unit, options).text()
    if options.payload == "record":
        return json.dumps(
            unit.item.model_dump(mode="json", by_alias=True), ensure_ascii=False, separators=(",", ":")
        )
    return ocsf.render_unit(unit, options).text()


def _parse_sd(text: str) -> tuple[dict[str, dict[str, str]], str]:
    """The structured data at the start of ``text`` (unescaped) and what follows it."""
    if text.startswith(NILVALUE):
        return {}, text[1:]
    sd: dict[str, dict[str, str]] = {}
    i = 0
    while i < len(text) and text[i] == "[":
        match = re.compile(r"[^ \]=\"]+").match(text, i + 1)
        if match is None:
            raise ValueError(f"bad SD-ID at offset {i}")
        params = sd.setdefault(match.group(), {})
        i = match.end()
        while text[i] == " ":
            name = re.compile(r"[^ \]=\"]+").match(text, i + 1)
            if name is None or text[name.end() : name.end() + 2] != '="':
                raise ValueError(f"bad SD-PARAM at offset {i}")
            i = name.end() + 2
            value: list[str] = []
            while text[i] != '"':
                if text[i] == "\\" and text[i + 1] in '"\\]':
                    i += 1
                value.append(text[i])
                i += 1
            params[name.group()] = "".join(value)
            i += 1
        if text[i] != "]":
            raise ValueError(f"unterminated SD element at offset {i}")
        i += 1
    if not sd:
        raise ValueError("no structured data")
    return sd, text[i:]


def parse(message: str) -> ParsedSyslog:
    """An RFC 5424 message (without framing) read back; raises ValueError on a malformed one."""
    header = _HEADER.match(message)
    if header is None:
        raise ValueError("not an RFC 5424 message header")
    try:
        sd, rest = _parse_sd(message[header.end() :])
    except IndexError:
        raise ValueError("truncated structured data") from None
    if rest and not rest.startswith(" "):
        raise ValueError("no space after the structured data")
    msg = rest[1:]
    if msg.startswith(BOM):
        msg = msg[len(BOM) :]
    pri, version, timestamp, hostname, app_name, procid, msgid = header.groups()
    return ParsedSyslog(
        pri=int(pri),
        version=int(version),
        timestamp=timestamp,
        hostname=hostname,
        app_name=app_name,
        procid=procid,
        msgid=msgid,
        sd=sd,
        msg=msg,
    )
