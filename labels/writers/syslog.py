"""RFC 5424 syslog over TCP or TLS (RFC 5425) with RFC 6587 octet-counting framing.

Every event becomes one frame ``<len> <msg>``, ``len`` being the UTF-8 byte length of the message, so
evidence and JSON with embedded newlines arrive as one message. A message longer than
``max_message_bytes`` is refused before anything is sent (``FeedConfigError`` naming the event id and
its size): it is never truncated, because a receiver with a smaller limit would cut it silently.

Delivery confirmation. Plain syslog has no application-level acknowledgement, and bytes written into
a socket whose receiver has just died are lost without an error. So ``write`` opens one connection
per batch, sends every frame, then closes its sending side (TCP ``SHUT_WR``; over TLS a
``close_notify`` first) and waits, bounded by ``timeout``, for the receiver to close its side:

* a receiver closes a session only after reading it to the end of the stream (our half-close); a
  receiver that closes with our bytes still unread makes its kernel answer with a reset instead;
* after that orderly end, the writer also waits until the kernel holds no unacknowledged bytes of
  ours and the socket carries no pending error, which catches a receiver that had already gone
  before our bytes arrived (its kernel resets the connection instead of acknowledging them).

Only then does ``write`` return. A refused connection, a reset, or no orderly end within ``timeout``
raises a retriable ``FeedWriteError``; the outbox keeps the whole batch, which is sent again next
time (a receiver may then see some events twice, always with the same ids). rsyslog's ``imtcp`` (plain
and ``gtls``) closes a session at the end of the stream, so this confirms delivery against it; over
TLS it closes the TCP connection without a ``close_notify`` of its own, which counts as its orderly
end here. The limit of any plain-syslog confirmation remains: a receiver that is killed after
reading our bytes but before storing them can still lose them (RELP, or HEC with indexer
acknowledgement, closes that gap). A TLS certificate that does not verify is a
``FeedConfigError``: retrying cannot fix it.

``hostname`` (optional) is written into every message whose RFC 5424 HOSTNAME is the NILVALUE ``-``
(renderers leave it unset by default); ``server_name`` is the name the TLS certificate must carry
(the connected ``host`` unless set).

Errors name the writer, ``host:port``, an errno name or TLS reason, and counts, never content.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import re
import socket
import ssl
import termios
import time
from collections.abc import Sequence

from labels.errors import FeedConfigError, FeedWriteError, errno_name
from labels.formats.base import FeedItem, Renderer

_POLL_SECONDS = 0.005
_HOSTNAME = re.compile(r"[\x21-\x7e]{1,255}")
# An RFC 5424 header whose HOSTNAME is the NILVALUE: <PRI>1 TIMESTAMP - ...
_NIL_HOSTNAME = re.compile(r"^(<\d{1,3}>1 \S+ )-(?= )")


class SyslogWriter:
    """Sends rendered events to a syslog receiver over TCP or TLS, one confirmed connection per batch."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        *,
        render: Renderer,
        tls: bool = False,
        ca_file: str | None = None,
        verify: bool = True,
        client_cert: str | None = None,
        client_key: str | None = None,
        timeout: float = 10.0,
        max_message_bytes: int = 65536,
        hostname: str | None = None,
        server_name: str | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if max_message_bytes < 1:
            raise ValueError("max_message_bytes must be at least 1")
        self.name = name
        self.host = host
        self.port = port
        self.render = render
        self.tls = tls
        self.timeout = timeout
        self.max_message_bytes = max_message_bytes
        if hostname is not None and not _HOSTNAME.fullmatch(hostname):
            raise ValueError("hostname must be 1-255 printable US-ASCII characters without spaces")
        self.hostname = hostname
        # The name the server certificate must carry; the connected host unless set.
        self.server_name = server_name or host
        self._context = self._tls_context(ca_file, verify, client_cert, client_key) if tls else None

    def __repr__(self) -> str:
        scheme = "tls" if self.tls else "tcp"
        return f"SyslogWriter(name={self.name!r}, destination='{scheme}://{self.where}')"

    @property
    def where(self) -> str:
        """``host:port`` as used in error messages."""
        return f"{self.host}:{self.port}"

    def write(self, items: Sequence[FeedItem]) -> None:
        """Render, frame and send ``items``; return once the receiver has read every frame."""
        payload, count = self._frames(items)
        if not count:
            return
        deadline = time.monotonic() + self.timeout
        sock = self._connect()
        try:
            if self._context is None:
                self._send_plain(sock, payload, count, deadline)
            else:
                self._send_tls(sock, payload, count, deadline)
        finally:
            sock.close()

    def close(self) -> None:
        """Nothing stays open between batches; safe to call twice."""

    def _frames(self, items: Sequence[FeedItem]) -> tuple[bytes, int]:
        frames: list[bytes] = []
        for item in items:
            for event in self.render(item):
                message = self._fill_hostname(event.text()).encode("utf-8")
                if len(message) > self.max_message_bytes:
                    raise FeedConfigError(
                        f"syslog {self.name}: event {event.id} is {len(message)} bytes, over "
                        f"max_message_bytes={self.max_message_bytes}; refused rather than truncated "
                        "(raise max_message_bytes and the receiver's limit, or use granularity finding)",
                        code="message_too_large",
                    )
                frames.append(b"%d %s" % (len(message), message))
        return b"".join(frames), len(frames)

    def _fill_hostname(self, text: str) -> str:
        """Put ``hostname`` into a header whose HOSTNAME is the NILVALUE; anything else is left as is."""
        if self.hostname is None:
            return text
        match = _NIL_HOSTNAME.match(text)
        if match is None:
            return text
        return match.group(1) + self.hostname + text[match.end() :]

    def _fail(self, op: str, exc: BaseException, count: int = 0) -> FeedWriteError:
        reason = _reason(exc)
        counted = f" ({count} events not confirmed)" if count else ""
        return FeedWriteError(f"syslog {self.name}: {op} {self.where} failed: {reason}{counted}", code=reason)

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise self._fail("connect to", exc) from exc

    def _send_plain(self, sock: socket.socket, payload: bytes, count: int, deadline: float) -> None:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            # The receiver sends nothing; read until its orderly end of stream.
            while True:
                sock.settimeout(_remaining(deadline))
                if not sock.recv(4096):
                    break
            self._confirm(sock, deadline)
        except OSError as exc:
            raise self._fail("send to", exc, count) from exc

    def _send_tls(self, sock: socket.socket, payload: bytes, count: int, deadline: float) -> None:
        assert self._context is not None
        try:
            tls = self._context.wrap_socket(sock, server_hostname=self.server_name)
        except ssl.SSLCertVerificationError as exc:
            raise FeedConfigError(
                f"syslog {self.name}: TLS verification of {self.where} failed: {exc.reason or 'unknown'} "
                f"(verify code {exc.verify_code})",
                code="tls_verify_failed",
            ) from exc
        except OSError as exc:
            raise self._fail("TLS handshake with", exc) from exc
        try:
            tls.sendall(payload)
            tls.settimeout(_remaining(deadline))
            # unwrap sends close_notify, then waits for the receiver's end; a receiver that closes TCP
            # without a close_notify of its own (rsyslog) has still ended in order.
            with contextlib.suppress(ssl.SSLEOFError, ssl.SSLZeroReturnError):
                tls.unwrap()
            self._confirm(tls, deadline)
        except OSError as exc:
            raise self._fail("send to", exc, count) from exc
        finally:
            tls.close()

    def _confirm(self, sock: socket.socket, deadline: float) -> None:
        """After the receiver's end: every byte of ours acknowledged, and no reset pending."""
        while _unacked(sock) > 0:
            if _error(sock):
                break
            if time.monotonic() >= deadline:
                raise TimeoutError("bytes not acknowledged")
            time.sleep(_POLL_SECONDS)
        code = _error(sock)
        if code:
            raise OSError(code, "socket error")

    @staticmethod
    def _tls_context(
        ca_file: str | None, verify: bool, client_cert: str | None, client_key: str | None
    ) -> ssl.SSLContext:
        try:
            context = ssl.create_default_context(cafile=ca_file)
            if client_cert:
                context.load_cert_chain(client_cert, client_key)
        except OSError as exc:
            raise FeedConfigError(
                f"syslog: cannot load TLS files (ca_file={ca_file}, client_cert={client_cert}): "
                f"{_reason(exc)}",
                code="tls_config",
            ) from exc
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("no orderly end from the receiver")
    return left


def _unacked(sock: socket.socket) -> int:
    """Bytes in the send queue not yet acknowledged (Linux ``SIOCOUTQ``); 0 where unsupported."""
    buffer = array.array("i", [0])
    try:
        fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, buffer)
    except OSError:
        return 0
    return buffer[0]


def _error(sock: socket.socket) -> int:
    return sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)


def _reason(exc: BaseException) -> str:
    """A symbolic reason: an errno name, a TLS reason or ``timeout``; never a library message."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, socket.gaierror):
        return "name_resolution_failed"
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or type(exc).__name__)
    if isinstance(exc, OSError):
        return errno_name(exc)
    return type(exc).__name__
