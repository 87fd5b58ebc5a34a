"""SyslogWriter against a real rsyslog on loopback (plain TCP and TLS, octet counting).

Delivery confirmation is what these tests pin down: once ``write`` returns, rsyslog has read every
frame (its Direct main queue writes each message before reading on), so the received file is
checked right away, without waiting. A receiver that is down, resets, or never ends the session is a
retriable ``FeedWriteError``; a certificate that does not verify is a ``FeedConfigError``.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from labels import FeedWriteError
from labels.errors import FeedConfigError
from labels.formats.base import Event, FeedItem
from labels.writers.base import FeedWriter
from labels.writers.syslog import SyslogWriter
from tests.labels.conftest import CANARY
from tests.labels.rsyslog import RsyslogServer, make_self_signed_cert
from tests.labels.writers.helpers import SD_ID, parse_syslog, records, syslog_render


def writer(server: RsyslogServer, *, tls: bool = False, **options: Any) -> SyslogWriter:
    options.setdefault("render", syslog_render)
    if tls:
        options.setdefault("ca_file", str(server.ca_file))
        return SyslogWriter("siem", "127.0.0.1", server.tls_port, tls=True, **options)
    return SyslogWriter("siem", "127.0.0.1", server.port, **options)


def by_record_id(messages: list[str]) -> dict[str, dict]:
    parsed = [parse_syslog(m) for m in messages]
    counts = Counter(p["sd"]["record_id"] for p in parsed)
    assert max(counts.values(), default=1) == 1, "a record arrived twice"
    return {p["sd"]["record_id"]: p for p in parsed}


@pytest.mark.parametrize("tls", [False, True], ids=["tcp", "tls"])
def test_every_record_arrives_exactly_once_and_parses_back(rsyslog: RsyslogServer, tls: bool) -> None:
    sent = records(300)
    feed = writer(rsyslog, tls=tls)
    assert isinstance(feed, FeedWriter)
    for start in range(0, 300, 100):
        feed.write(sent[start : start + 100])
    feed.close()

    received = rsyslog.received_records()  # no waiting: write returned, so rsyslog has read it all
    assert len(received) == 300
    assert {r.input for r in received} == {"tls" if tls else "plain"}
    got = by_record_id([r.raw for r in received])
    assert set(got) == {r.record_id for r in sent}
    for rec in sent:
        parts = got[rec.record_id]
        assert (parts["pri"], parts["version"], parts["hostname"], parts["app"]) == (
            "108",
            "1",
            "testhost",
            "chatsift",
        )
        assert (parts["procid"], parts["msgid"], parts["sd_id"]) == ("-", "LABEL", SD_ID)
        assert parts["timestamp"] == "2026-03-01T13:00:00.000Z"
        assert parts["sd"] == {"record_id": rec.record_id, "labels": "secrets", "note": 'a"b]c'}
        assert parts["payload"] == {"chat_id": rec.chat_id, "evidence": [f.evidence for f in rec.findings]}
    # Multi-line, non-ASCII evidence survives as one message each (octet counting, not LF framing).
    assert all("\n" in e and "日本" in e for p in got.values() for e in p["payload"]["evidence"])


def test_framing_is_exact_for_messages_with_newlines_and_frame_lookalikes(rsyslog: RsyslogServer) -> None:
    tricky = "first\n12 <13>1 - - - - - - fake\n\nlast ‽"
    feed = writer(rsyslog)
    feed.write(records(3, evidence=tricky))
    received = rsyslog.received()
    assert len(received) == 3
    for message in received:
        evidence = parse_syslog(message)["payload"]["evidence"]
        assert evidence and set(evidence) == {tricky}


def test_a_message_just_under_the_limit_arrives_whole(rsyslog: RsyslogServer) -> None:
    big = "é" * 25_000 + "\n" + "x" * 9_000  # about 59 kB of UTF-8, under rsyslog's 64k and ours
    feed = writer(rsyslog, max_message_bytes=65536)
    feed.write(records(1, evidence=big))
    (message,) = rsyslog.received()
    assert parse_syslog(message)["payload"]["evidence"] == [big]


def test_an_oversized_message_is_refused_whole_and_nothing_is_sent(rsyslog: RsyslogServer) -> None:
    sent = records(3, evidence=CANARY + " " + "y" * 500)
    feed = writer(rsyslog, max_message_bytes=400)
    with pytest.raises(FeedConfigError) as info:
        feed.write(sent)
    text = str(info.value)
    assert info.value.retriable is False
    assert sent[0].record_id in text and "max_message_bytes=400" in text
    assert CANARY not in text and CANARY not in repr(info.value)
    assert rsyslog.received() == []  # refused before sending: the batch is never half-sent


def test_receiver_down_is_a_retriable_error_naming_host_and_port(rsyslog: RsyslogServer) -> None:
    feed = writer(rsyslog)
    rsyslog.stop()
    with pytest.raises(FeedWriteError) as info:
        feed.write(records(2, evidence=CANARY))
    assert info.value.retriable is True
    assert f"127.0.0.1:{rsyslog.port}" in str(info.value)
    assert info.value.code == "ECONNREFUSED"
    assert CANARY not in str(info.value) and CANARY not in repr(info.value)


@pytest.mark.parametrize("tls", [False, True], ids=["tcp", "tls"])
def test_receiver_restarted_between_batches_loses_nothing(rsyslog: RsyslogServer, tls: bool) -> None:
    sent = records(90)
    feed = writer(rsyslog, tls=tls)
    feed.write(sent[:30])
    rsyslog.stop()
    with pytest.raises(FeedWriteError) as info:
        feed.write(sent[30:60])  # the outbox keeps this batch
    assert info.value.retriable
    rsyslog.restart()  # the same ports: the writer needs no new configuration
    feed.write(sent[30:60])
    feed.write(sent[60:])

    got = by_record_id(rsyslog.received())
    assert set(got) == {r.record_id for r in sent}


@pytest.mark.parametrize("tls", [False, True], ids=["tcp", "tls"])
def test_receiver_stopped_mid_scan_and_restarted_loses_nothing(rsyslog: RsyslogServer, tls: bool) -> None:
    """A deliver-like loop while another thread stops rsyslog as soon as some messages arrived.

    Whenever ``write`` returns, its whole batch must already be at the receiver; a failed batch is
    sent again after the restart, so nothing is lost and the only duplicates carry the same ids.
    """
    sent = records(1000)
    batches = [sent[i : i + 20] for i in range(0, 1000, 20)]
    feed = writer(rsyslog, tls=tls)

    def stop_after_some() -> None:
        rsyslog.wait_received(60, timeout=60)
        rsyslog.stop()

    stopper = threading.Thread(target=stop_after_some)
    stopper.start()
    failures = 0
    try:
        for batch in batches:
            while True:
                try:
                    feed.write(batch)
                    break
                except FeedWriteError as exc:
                    assert exc.retriable
                    failures += 1
                    assert failures <= 5, "the receiver never came back"
                    stopper.join(60)
                    rsyslog.start()  # on the same ports
            arrived = {parse_syslog(m)["sd"]["record_id"] for m in rsyslog.received()}
            assert {r.record_id for r in batch} <= arrived, "write returned before the batch arrived"
    finally:
        stopper.join(60)

    assert failures >= 1, "the receiver was never seen down"
    ids = [parse_syslog(m)["sd"]["record_id"] for m in rsyslog.received()]
    assert set(ids) == {r.record_id for r in sent}  # none lost
    assert len(ids) - len(set(ids)) <= 20  # at most the one batch that was cut off, sent again


def test_untrusted_certificate_is_a_config_error(rsyslog: RsyslogServer, tmp_path: Path) -> None:
    other_ca, _ = make_self_signed_cert(tmp_path / "other", "other")
    feed = writer(rsyslog, tls=True, ca_file=str(other_ca))
    with pytest.raises(FeedConfigError) as info:
        feed.write(records(1, evidence=CANARY))
    assert info.value.retriable is False and info.value.code == "tls_verify_failed"
    assert f"127.0.0.1:{rsyslog.tls_port}" in str(info.value) and CANARY not in str(info.value)
    assert rsyslog.received() == []


def test_certificate_for_another_name_is_a_config_error(rsyslog: RsyslogServer) -> None:
    feed = writer(rsyslog, tls=True, server_name="siem.example.org")
    with pytest.raises(FeedConfigError):
        feed.write(records(1))
    assert rsyslog.received() == []


def test_verify_off_accepts_an_untrusted_certificate(rsyslog: RsyslogServer) -> None:
    feed = writer(rsyslog, tls=True, ca_file=None, verify=False)
    feed.write(records(2))
    assert len(rsyslog.received()) == 2


def test_hostname_fills_a_nil_hostname_only(rsyslog: RsyslogServer) -> None:
    def nil_host(item: FeedItem) -> list[Event]:
        (event,) = syslog_render(item)
        assert isinstance(event.body, str)
        return [Event(event.id, event.time, event.body.replace(" testhost ", " - ", 1))]

    sent = records(2)
    writer(rsyslog, hostname="labeler01", render=nil_host).write(sent[:1])
    writer(rsyslog, hostname="labeler01").write(sent[1:])  # HOSTNAME already set: kept
    first, second = (parse_syslog(m) for m in rsyslog.received())
    assert first["hostname"] == "labeler01" and second["hostname"] == "testhost"
    assert first["payload"]["chat_id"] == sent[0].chat_id
    with pytest.raises(ValueError):
        writer(rsyslog, hostname="has space")


def test_nothing_to_send_opens_no_connection() -> None:
    # Port 9 on loopback refuses: a connection attempt would raise.
    feed = SyslogWriter("siem", "127.0.0.1", 9, render=lambda item: [])
    feed.write(records(2))
    feed.write([])


class _Listener:
    """A raw TCP receiver that misbehaves: holds the session open, or closes it unread (a reset)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            if self.mode == "reset":
                conn.recv(1, socket.MSG_PEEK)  # bytes arrived; closing now, unread, sends a reset
                return
            while conn.recv(65536):  # "hold": reads everything, even the end, but never closes
                pass
            self.release.wait(30)

    def close(self) -> None:
        self.release.set()
        self.thread.join(30)
        self.sock.close()


# A reset surfaces as ECONNRESET, or as ENOTCONN / EPIPE when it lands while we half-close or send.
@pytest.mark.parametrize(
    ("mode", "codes"), [("hold", {"timeout"}), ("reset", {"ECONNRESET", "ENOTCONN", "EPIPE"})]
)
def test_no_orderly_end_from_the_receiver_is_a_retriable_error(mode: str, codes: set[str]) -> None:
    listener = _Listener(mode)
    try:
        feed = SyslogWriter("siem", "127.0.0.1", listener.port, render=syslog_render, timeout=0.5)
        with pytest.raises(FeedWriteError) as info:
            feed.write(records(5, evidence=CANARY))
    finally:
        listener.close()
    assert info.value.retriable is True and info.value.code in codes
    assert f"127.0.0.1:{listener.port}" in str(info.value) and "5 events not confirmed" in str(info.value)
    assert CANARY not in str(info.value)


def test_repr_names_the_destination_only() -> None:
    feed = SyslogWriter("siem", "127.0.0.1", 6514, render=syslog_render, tls=True)
    assert repr(feed) == "SyslogWriter(name='siem', destination='tls://127.0.0.1:6514')"
