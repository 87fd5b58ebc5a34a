"""A real rsyslog receiver on loopback for feed tests: plain TCP and TLS listeners, octet counting.

``RsyslogServer(workdir)`` writes a standalone ``rsyslog.conf`` under ``workdir`` (no system logging,
no systemd, never the system configuration), makes a self-signed certificate for ``localhost`` and
``127.0.0.1`` with the openssl CLI, and runs ``rsyslogd -n`` as a child process. The first start
lets imtcp pick free ports (``port="0"`` with ``listenPortFileName``); ``restart()`` binds the same
ports again, so a writer configured once reaches the restarted receiver.

The main queue is ``Direct``: a message is written to the output file by the thread that read it,
before imtcp reads further, so once rsyslog has closed a session everything it read is in the file.
Control characters are not escaped on receipt and every message is written as one JSON line holding
the raw message (``%rawmsg:::json%``), so ``received()`` returns each message exactly as sent,
embedded newlines, the BOM and the structured data included.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# One JSON line per message: the listener's name and the raw message, JSON-escaped by rsyslog.
_TEMPLATE = '{"input":"%inputname%","raw":"%rawmsg:::json%"}\n'
RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def _quote(text: str) -> str:
    """A RainerScript string constant (the same escapes as JSON for these characters)."""
    return json.dumps(text)


def require_rsyslogd() -> str:
    """The rsyslogd path, or a clear failure naming the packages CI installs."""
    if not os.access(RSYSLOGD, os.X_OK):
        raise RuntimeError("rsyslogd not found: install the rsyslog and rsyslog-gnutls packages")
    return RSYSLOGD


def make_self_signed_cert(directory: Path, name: str = "server") -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1: ``(cert.pem, key.pem)``."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / f"{name}-cert.pem", directory / f"{name}-key.pem"
    subprocess.run(
        [
            OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass(frozen=True)
class Received:
    """One message as rsyslog received it: the listener's name (``plain`` or ``tls``) and the raw text."""

    input: str
    raw: str


class RsyslogServer:
    """rsyslogd on 127.0.0.1 with a plain and a TLS imtcp listener; every message lands in a file."""

    def __init__(self, workdir: Path, *, start_timeout: float = 20.0) -> None:
        self.workdir = Path(workdir)
        self.start_timeout = start_timeout
        self.rsyslogd = require_rsyslogd()
        self.spool = self.workdir / "spool"
        self.out = self.workdir / "received.jsonl"
        self.conf = self.workdir / "rsyslog.conf"
        self.pid_file = self.workdir / "rsyslogd.pid"
        self.log_file = self.workdir / "rsyslogd.stderr"
        self.spool.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = make_self_signed_cert(self.workdir / "tls")
        self._ports: dict[str, int] = {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        """The plain TCP listener's port."""
        return self._require_port("plain")

    @property
    def tls_port(self) -> int:
        """The TLS listener's port."""
        return self._require_port("tls")

    @property
    def ca_file(self) -> Path:
        """The certificate a client trusts (self-signed, so it is its own CA)."""
        return self.cert

    @property
    def running(self) -> bool:
        """Whether rsyslogd is alive."""
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> RsyslogServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start rsyslogd; on the first start on free ports, afterwards on the same ports."""
        if self.running:
            return
        for name in ("plain", "tls"):
            (self.spool / f"{name}.port").unlink(missing_ok=True)
        self.conf.write_text(self._config(), encoding="utf-8")
        check = subprocess.run([self.rsyslogd, "-N1", "-f", str(self.conf)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"rsyslog.conf does not validate:\n{check.stderr}")
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                [self.rsyslogd, "-n", "-f", str(self.conf), "-i", str(self.pid_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        self._wait_listening()

    def stop(self) -> None:
        """SIGTERM rsyslogd and wait until it is gone; safe when not running."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=self.start_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop, then start again on the same ports."""
        self.stop()
        self.start()

    def received(self) -> list[str]:
        """Every raw message received so far, in arrival order (both listeners)."""
        return [r.raw for r in self.received_records()]

    def received_records(self) -> list[Received]:
        """Every message received so far with the listener it came in on."""
        if not self.out.exists():
            return []
        records = []
        for line in self.out.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            records.append(Received(input=data["input"], raw=data["raw"]))
        return records

    def wait_received(self, count: int, timeout: float = 10.0) -> list[str]:
        """Poll until at least ``count`` messages arrived (or ``timeout``); return them all."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.received()
            if len(messages) >= count or time.monotonic() >= deadline:
                return messages
            time.sleep(0.02)

    def _require_port(self, name: str) -> int:
        if name not in self._ports:
            raise RuntimeError("RsyslogServer has not been started")
        return self._ports[name]

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"rsyslogd exited with {self._process.returncode}; see {self.log_file}")
            if self._listening():
                return
            if time.monotonic() >= deadline:
                self.stop()
                raise RuntimeError(
                    f"rsyslogd did not listen within {self.start_timeout}s; see {self.log_file}"
                )
            time.sleep(0.02)

    def _listening(self) -> bool:
        """First start: imtcp wrote the ports it picked. Restart: both known ports accept connections."""
        if not self._ports:
            files = {name: self.spool / f"{name}.port" for name in ("plain", "tls")}
            texts = {name: f.read_text().strip() if f.exists() else "" for name, f in files.items()}
            if not all(texts.values()):
                return False
            self._ports = {name: int(text) for name, text in texts.items()}
            return True
        for port in self._ports.values():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
            except OSError:
                return False
        return True

    def _config(self) -> str:
        plain = self._ports.get("plain", 0)
        tls = self._ports.get("tls", 0)
        spool = self.spool
        # Each line is rsyslog's RainerScript; paths are ours, under workdir.
        return f"""\
global(workDirectory="{spool}" maxMessageSize="64k" parser.escapeControlCharactersOnReceive="off"
       defaultNetstreamDriverCAFile="{self.cert}"
       defaultNetstreamDriverCertFile="{self.cert}" defaultNetstreamDriverKeyFile="{self.key}")
main_queue(queue.type="Direct")
module(load="imtcp" maxSessions="50")
input(type="imtcp" name="plain" address="127.0.0.1" port="{plain}" ruleset="feed"
      listenPortFileName="{spool}/plain.port" supportOctetCountedFraming="on")
input(type="imtcp" name="tls" address="127.0.0.1" port="{tls}" ruleset="feed"
      listenPortFileName="{spool}/tls.port" supportOctetCountedFraming="on"
      streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="rawjson" type="string" string={_quote(_TEMPLATE)})
ruleset(name="feed") {{
  action(type="omfile" file="{self.out}" template="rawjson")
}}
"""
