"""Feed settings: ``CHATSIFT_FEEDS`` (JSON) and ``[[feeds]]`` TOML tables; errors never show secrets.

The HEC token, webhook header values and the webhook signing key are planted as canaries; every
error message, ``repr`` and ``str`` of the settings is checked for them, including errors raised by
another field of the same feed table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from chatsift.errors import ConfigurationError
from chatsift.feedconfig import HecFeed, JsonlFeed, StdoutFeed, SyslogFeed, WebhookFeed
from chatsift.settings import Settings, load_settings
from tests.labels.conftest import CANARY

TOKEN = CANARY + "-hec-token"
HEADER = CANARY + "-header-value"
KEY = CANARY + "-signing-key"

FEEDS: list[dict[str, Any]] = [
    {"type": "jsonl", "max_bytes": 4096, "keep": 2},
    {"type": "syslog", "name": "siem", "host": "127.0.0.1", "port": 1514, "tls": False, "payload": "cef"},
    {"type": "hec", "url": "http://127.0.0.1:8088", "token": TOKEN, "retries": 1, "timeout_s": 2},
    {
        "type": "webhook",
        "name": "hook",
        "url": "http://127.0.0.1:9000/in",
        "headers": {"Authorization": "Bearer " + HEADER},
        "signing_key": KEY,
        "format": "ocsf",
        "granularity": "finding",
    },
    {"type": "stdout", "format": "ecs"},
]

TOML_FEEDS = f"""
[[feeds]]
type = "jsonl"
max_bytes = 4096
keep = 2

[[feeds]]
type = "syslog"
name = "siem"
host = "127.0.0.1"
port = 1514
tls = false
payload = "cef"

[[feeds]]
type = "hec"
url = "http://127.0.0.1:8088"
token = "{TOKEN}"
retries = 1
timeout_s = 2

[[feeds]]
type = "webhook"
name = "hook"
url = "http://127.0.0.1:9000/in"
signing_key = "{KEY}"
format = "ocsf"
granularity = "finding"
headers = {{ Authorization = "Bearer {HEADER}" }}

[[feeds]]
type = "stdout"
format = "ecs"
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CHATSIFT_")]:
        monkeypatch.delenv(name)


def _assert_loaded(settings: Settings) -> None:
    jsonl, siem, hec, hook, out = settings.feeds
    assert isinstance(jsonl, JsonlFeed) and (jsonl.name, jsonl.max_bytes, jsonl.keep) == ("jsonl", 4096, 2)
    assert isinstance(siem, SyslogFeed) and (siem.name, siem.port, siem.tls, siem.payload) == (
        "siem", 1514, False, "cef"
    )  # fmt: skip
    assert isinstance(hec, HecFeed) and hec.name == "hec" and hec.token.get_secret_value() == TOKEN
    assert (hec.retries, hec.timeout_s, hec.format) == (1, 2.0, "ocsf")
    assert isinstance(hook, WebhookFeed) and hook.name == "hook"
    assert hook.headers["Authorization"].get_secret_value() == "Bearer " + HEADER
    assert hook.signing_key is not None and hook.signing_key.get_secret_value() == KEY
    assert (hook.format, hook.granularity) == ("ocsf", "finding")
    assert isinstance(out, StdoutFeed) and (out.name, out.format) == ("stdout", "ecs")
    _assert_secrets_hidden(repr(settings), str(settings), repr(settings.feeds), str(hec), str(hook))


def _assert_secrets_hidden(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text


def test_default_is_one_jsonl_feed() -> None:
    settings = load_settings()
    assert len(settings.feeds) == 1
    (feed,) = settings.feeds
    assert isinstance(feed, JsonlFeed)
    assert (feed.name, feed.format, feed.dir, feed.filename) == ("jsonl", "record", None, "labels.jsonl")


def test_feeds_load_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSIFT_FEEDS", json.dumps(FEEDS))
    _assert_loaded(load_settings())


@pytest.mark.parametrize("under_chatsift", [False, True])
def test_feeds_load_from_toml_tables(tmp_path: Path, under_chatsift: bool) -> None:
    text = TOML_FEEDS.replace("[[feeds]]", "[[chatsift.feeds]]") if under_chatsift else TOML_FEEDS
    if under_chatsift:
        text = '[chatsift]\nner = "off"\n' + text
    cfg = tmp_path / "chatsift.toml"
    cfg.write_text(text, encoding="utf-8")
    settings = load_settings(cfg)
    _assert_loaded(settings)
    assert settings.ner == ("off" if under_chatsift else "auto")


def test_the_environment_overrides_the_toml_feeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "chatsift.toml"
    cfg.write_text(TOML_FEEDS, encoding="utf-8")
    monkeypatch.setenv("CHATSIFT_FEEDS", json.dumps([{"type": "stdout", "name": "only"}]))
    assert [feed.name for feed in load_settings(cfg).feeds] == ["only"]


def _error(monkeypatch: pytest.MonkeyPatch, feeds: list[dict[str, Any]]) -> str:
    monkeypatch.setenv("CHATSIFT_FEEDS", json.dumps(feeds))
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    text = str(caught.value)
    _assert_secrets_hidden(text, repr(caught.value))
    assert caught.value.__cause__ is None  # the pydantic error (with its inputs) is not chained
    return text


def test_duplicate_names_are_refused_naming_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _error(monkeypatch, [{"type": "jsonl"}, {"type": "jsonl", "filename": "other.jsonl"}])
    assert "feed names must be unique" in text and "feeds" in text
    # Two feeds of one type with their own names are fine.
    monkeypatch.setenv(
        "CHATSIFT_FEEDS",
        json.dumps([{"type": "jsonl"}, {"type": "jsonl", "name": "b", "filename": "b.jsonl"}]),
    )
    assert [f.name for f in load_settings().feeds] == ["jsonl", "b"]


def test_duplicate_names_of_different_types_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    feeds = [{"type": "jsonl", "name": "x"}, {"type": "hec", "name": "x", "url": "http://h", "token": TOKEN}]
    assert "feed names must be unique" in _error(monkeypatch, feeds)


def test_an_unknown_type_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _error(monkeypatch, [{"type": "jsonl"}, {"type": "kafka", "token": TOKEN}])
    assert "feeds.1" in text


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden", "x" * 65, "sp ace"])
def test_an_invalid_feed_name_is_refused(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    text = _error(monkeypatch, [{"type": "hec", "name": name, "url": "http://h", "token": TOKEN}])
    assert "feeds.0" in text and "name" in text


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"type": "hec", "url": "http://h", "token": TOKEN, "timeout_s": -1}, "timeout_s"),
        ({"type": "hec", "url": "http://h", "token": TOKEN, "retries": 99}, "retries"),
        ({"type": "hec", "url": "http://h", "token": TOKEN, "format": "cef"}, "format"),
        ({"type": "hec", "url": "http://h", "token": TOKEN, "surprise": TOKEN}, "surprise"),
        ({"type": "hec", "url": "http://h", "token": [TOKEN]}, "token"),
        (
            {
                "type": "webhook",
                "url": "http://h",
                "headers": {"X-Key": HEADER},
                "signing_key": KEY,
                "verify": "?",
            },
            "verify",
        ),
        (
            {"type": "webhook", "url": "http://h", "headers": {"X-Key": [HEADER]}, "signing_key": KEY},
            "headers",
        ),
        (
            {"type": "webhook", "url": "http://h", "headers": {"X-Key": HEADER}, "signing_key": {"k": KEY}},
            "key",
        ),
        ({"type": "jsonl", "filename": "../" + TOKEN + ".jsonl"}, "filename"),
    ],
)
def test_errors_never_show_secret_values(
    monkeypatch: pytest.MonkeyPatch, bad: dict[str, Any], field: str
) -> None:
    text = _error(monkeypatch, [{"type": "jsonl", "name": "j0"}, bad])
    assert "feeds.1" in text and field in text


def test_a_toml_error_does_not_show_the_token(tmp_path: Path) -> None:
    cfg = tmp_path / "chatsift.toml"
    cfg.write_text(TOML_FEEDS.replace("retries = 1", "retries = -5"), encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(cfg)
    assert "retries" in str(caught.value)
    _assert_secrets_hidden(str(caught.value), repr(caught.value))


def test_feeds_that_are_not_json_are_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSIFT_FEEDS", '[{"type": "hec", "url": "http://h", "token": "' + TOKEN + '"')
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert "feeds" in str(caught.value)
    _assert_secrets_hidden(str(caught.value), repr(caught.value))
