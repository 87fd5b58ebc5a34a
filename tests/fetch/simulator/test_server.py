"""The HTTP layer: auth, routing, envelope, request ids, stats, binding, lifecycle, quiet logs."""

from __future__ import annotations

import json
import socket
import threading

import httpx
import pytest

from fetch.simulator import SimulatorServer, generate_org
from tests.fetch.simulator.conftest import CHATS, KEY, ORGS, Served, error_of, messages_path

AUTH_MESSAGE = "The API key provided is invalid or has been revoked."


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-api-key": ""},
        {"x-api-key": "sk-ant-api01-wrong"},
        {"authorization": f"Bearer {KEY}"},
        {"x-api-key": KEY.upper()},
    ],
)
def test_bad_or_missing_key_is_401(shared: Served, headers: dict[str, str]) -> None:
    for path in (CHATS, ORGS, "/v1/compliance/nowhere"):
        response = httpx.get(shared.server.url + path, headers=headers, timeout=10)
        assert error_of(response) == (401, "authentication_error", AUTH_MESSAGE)
        assert response.headers["request-id"].startswith("req_")
        assert "anthropic-ratelimit-requests-limit" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/v1/compliance/apps/chats/",
        "/v1/compliance/activities/x",
        "/v1/compliance/apps/chats/files/x/content/more",
        f"{ORGS}/x/users/extra",
        "/v1/other",
    ],
)
def test_unknown_paths_are_404_in_the_envelope(shared: Served, path: str) -> None:
    status, kind, _ = error_of(shared.get(path))
    assert (status, kind) == (404, "not_found_error")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_non_get_is_405(shared: Served, method: str) -> None:
    response = shared.client.request(method, messages_path("claude_chat_01x"), content=b'{"a": 1}')
    status, kind, _ = error_of(response)
    assert (status, kind) == (405, "invalid_request_error") and response.headers["allow"] == "GET"
    assert shared.get(CHATS, limit=1).status_code == 200, "the connection survives a request body"


def test_every_response_has_a_fresh_request_id(shared: Served) -> None:
    responses = [shared.get(CHATS, limit=1), shared.get("/nope"), shared.get(CHATS, limit=0)]
    ids = [r.headers["request-id"] for r in responses]
    assert len(set(ids)) == 3 and all(i.startswith("req_") for i in ids)
    assert all(r.headers["content-type"] == "application/json" for r in responses)


def test_stats_count_by_template_and_status(served: Served) -> None:
    chat = served.org.chats[0].id
    served.get(CHATS)
    served.get(messages_path(chat))
    served.get(messages_path("claude_chat_01missing"))
    served.get(f"{ORGS}/{served.org.parent.uuid}/users")
    served.get("/elsewhere")
    httpx.get(served.server.url + CHATS, timeout=10)
    stats = served.server.stats
    assert stats.by_path == {
        CHATS: 2,
        "/v1/compliance/apps/chats/{id}/messages": 2,
        "/v1/compliance/organizations/{org_uuid}/users": 1,
        "(unmatched)": 1,
    }
    assert stats.by_status == {200: 3, 404: 2, 401: 1} and stats.total == 6


ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - refusing to bind it is the point


@pytest.mark.parametrize("host", [ALL_INTERFACES, "192.168.1.10", "10.0.0.1", "example.com", "::"])
def test_refuses_non_loopback_hosts(host: str) -> None:
    org = generate_org(1, users=1, chats=1)
    with pytest.raises(ValueError, match="loopback"):
        SimulatorServer(org, host=host)
    SimulatorServer(org, host=host, allow_non_loopback=True)  # allowed on request; not started here


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_hosts_serve(host: str) -> None:
    org = generate_org(1, users=1, chats=2)
    with SimulatorServer(org, host=host, api_key=KEY) as server:
        assert server.url.startswith("http://") and server.port > 0
        assert httpx.get(server.url + CHATS, headers={"x-api-key": KEY}, timeout=10).status_code == 200


def test_lifecycle() -> None:
    server = SimulatorServer(generate_org(2, users=1, chats=1), api_key=KEY)
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    url = server.url
    assert server.start() is server and server.url == url
    server.stop()
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + CHATS, timeout=5)


def test_serve_forever_returns_on_stop() -> None:
    server = SimulatorServer(generate_org(2, users=1, chats=1), api_key=KEY)
    done = threading.Event()

    def run() -> None:
        server.serve_forever()
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    for _ in range(200):
        if server._httpd is not None:
            break
        threading.Event().wait(0.01)
    assert httpx.get(server.url + ORGS, headers={"x-api-key": KEY}, timeout=10).status_code == 200
    server.stop()
    assert done.wait(10)


def test_malformed_request_line_gets_a_json_error(shared: Served) -> None:
    host, port = shared.server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /v1/compliance/apps/chats with spaces HTTP/1.1\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"content-type: application/json" in head.lower()
    assert json.loads(body)["error"]["type"] == "invalid_request_error"


def test_nothing_is_logged_to_stderr(capfd: pytest.CaptureFixture[str], served: Served) -> None:
    chat = served.org.chat(served.org.planted[0].chat_id)
    served.get(messages_path(chat.id))
    served.get(CHATS, limit=5000)
    served.get("/nowhere")
    httpx.get(served.server.url + CHATS, timeout=10)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_concurrent_reads_during_mutations(served: Served) -> None:
    errors: list[str] = []
    chat_ids = [c.id for c in served.org.chats if c.deleted_at is None]

    def reader() -> None:
        with httpx.Client(base_url=served.server.url, headers={"x-api-key": KEY}, timeout=10) as client:
            for i in range(15):
                response = client.get(CHATS if i % 2 else messages_path(chat_ids[i % len(chat_ids)]))
                if response.status_code != 200:
                    errors.append(str(response.status_code))
                json.loads(response.content)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for i in range(20):
        served.org.append_message(chat_ids[i % len(chat_ids)], "user", f"note {i}")
    for thread in threads:
        thread.join(30)
    assert errors == [] and not any(t.is_alive() for t in threads)
    assert served.server.stats.total >= 60
