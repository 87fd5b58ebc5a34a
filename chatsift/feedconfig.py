"""The feed writers a run delivers to, as settings: a list of tables, one per writer.

In the TOML file::

    [[feeds]]
    type = "jsonl"                    # the default feed: DATA_DIR/feed/labels.jsonl

    [[feeds]]
    type = "syslog"
    host = "siem.example.internal"
    port = 6514
    tls = true
    ca_file = "/etc/chatsift/siem-ca.pem"

or as JSON in ``CHATSIFT_FEEDS``. Without the setting, chatsift writes the JSONL feed only. Every
writer has a ``name`` (its place in the outbox; default: its type), unique among the feeds.
Secrets (HEC token, webhook headers and signing key) are ``SecretStr``: never printed or logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", description="outbox position")]
Granularity = Literal["chat", "finding"]
JsonFormat = Literal["record", "ocsf", "ecs"]
LineFormat = Literal["record", "ocsf", "ecs", "cef", "syslog"]


class _Feed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    granularity: Granularity = Field("chat", description="one event per chat, or per finding")


class _Http(_Feed):
    url: str = Field(description="https://host:port (http:// only for loopback tests)")
    timeout_s: float = Field(10.0, gt=0, le=300)
    retries: int = Field(3, ge=0, le=20, description="quick retries inside one delivery attempt")
    batch_max_events: int = Field(500, ge=1, le=100_000)
    batch_max_bytes: int = Field(1_000_000, ge=1024, le=100_000_000)
    ca_file: Path | None = Field(None, description="CA bundle to verify the server with")
    verify: bool = Field(True, description="verify the server's certificate (never turn off in production)")


class JsonlFeed(_Feed):
    """Append-only JSONL files under DATA_DIR/feed (or ``dir``), rotated by size."""

    type: Literal["jsonl"]
    name: Name = "jsonl"
    format: LineFormat = Field("record", description="record: chatsift.label.v1 lines as they are")
    dir: Path | None = Field(None, description="default: DATA_DIR/feed")
    filename: str = Field("labels.jsonl", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.jsonl$")
    max_bytes: int = Field(128 * 1024 * 1024, ge=0, description="rotate at this size; 0 = never")
    keep: int = Field(0, ge=0, description="rotated files kept; 0 = all")


class SyslogFeed(_Feed):
    """RFC 5424 over TCP or TLS with RFC 6587 octet counting."""

    type: Literal["syslog"]
    name: Name = "syslog"
    host: str
    port: int = Field(6514, ge=1, le=65535)
    tls: bool = True
    ca_file: Path | None = None
    verify: bool = True
    client_cert: Path | None = None
    client_key: Path | None = None
    payload: Literal["ocsf", "ecs", "record", "cef"] = "ocsf"
    app_name: str = "chatsift"
    hostname: str | None = Field(None, description="HOSTNAME field; default: this machine's name")
    facility: int = Field(13, ge=0, le=23, description="13 = log audit")
    sd_id: str = Field("chatsift@32473", description="SD-ID; 32473 is the documentation PEN: use your own")
    timeout_s: float = Field(10.0, gt=0, le=300)
    max_message_bytes: int = Field(65536, ge=480, le=16 * 1024 * 1024)


class HecFeed(_Http):
    """Splunk HTTP Event Collector, ``/services/collector/event``."""

    type: Literal["hec"]
    name: Name = "hec"
    token: SecretStr
    format: JsonFormat = "ocsf"
    sourcetype: str | None = Field(None, description="default: chatsift:<format>")
    source: str = "chatsift"
    index: str | None = None
    host: str | None = None


class WebhookFeed(_Http):
    """A generic HTTPS endpoint: a JSON batch per POST, optionally HMAC-signed."""

    type: Literal["webhook"]
    name: Name = "webhook"
    format: JsonFormat = "record"
    headers: dict[str, SecretStr] = Field(default_factory=dict, description="e.g. Authorization")
    signing_key: SecretStr | None = Field(None, description="HMAC-SHA256 key for X-Chatsift-Signature")


class StdoutFeed(_Feed):
    """Events on standard output, one per line."""

    type: Literal["stdout"]
    name: Name = "stdout"
    format: LineFormat = "record"


FeedConfig = Annotated[
    JsonlFeed | SyslogFeed | HecFeed | WebhookFeed | StdoutFeed, Field(discriminator="type")
]


def default_feeds() -> list[FeedConfig]:
    """The JSONL feed under DATA_DIR/feed, as before any feed was configured."""
    return [JsonlFeed.model_validate({"type": "jsonl"})]
