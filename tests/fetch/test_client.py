"""ComplianceClient: status mapping, retries, backoff, retry-after, headers, configuration."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from fetch import ComplianceClient, RetryEvent
from fetch.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FetchConfigError,
    FetchError,
    NoRetryServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RetriableFetchError,
    ServerError,
    TransportFailure,
    UnexpectedStatusError,
)
from fetch.retry import RETRY_AFTER_CAP, backoff_delay
from tests.fetch.conftest import API_KEY, BASE_URL, Script, Sleeps, err, make_client, ok, params_of

CHATS = "/v1/compliance/apps/chats"


def _always(response: httpx.Response) -> Script:
    return Script([response] * 10)


# (status, extra headers, exception class, retried?)
STATUS_TABLE = [
    (400, {}, BadRequestError, False),
    (401, {}, AuthenticationError, False),
    (403, {}, PermissionDeniedError, False),
    (404, {}, NotFoundError, False),
    (409, {}, ConflictError, False),
    (429, {}, RateLimitedError, True),
    (500, {}, ServerError, True),
    (502, {}, ServerError, True),
    (503, {}, ServerError, True),
    (504, {}, ServerError, True),
    (529, {}, ServerError, True),
    # the server's x-should-retry header overrides the default, except for plain refusals
    (500, {"x-should-retry": "false"}, NoRetryServerError, False),
    (503, {"x-should-retry": "FALSE"}, NoRetryServerError, False),
    (429, {"x-should-retry": "false"}, RateLimitedError, False),
    (408, {"x-should-retry": "true"}, RetriableFetchError, True),
    (501, {"x-should-retry": "true"}, ServerError, True),
    (400, {"x-should-retry": "true"}, BadRequestError, False),
    (401, {"x-should-retry": "true"}, AuthenticationError, False),
    (404, {"x-should-retry": "true"}, NotFoundError, False),
    (409, {"x-should-retry": "true"}, ConflictError, False),
    # statuses with no rule are not retried
    (501, {}, NoRetryServerError, False),
    (408, {}, UnexpectedStatusError, False),
    (302, {"location": "https://elsewhere.test/"}, UnexpectedStatusError, False),
    (422, {"x-should-retry": "maybe"}, UnexpectedStatusError, False),
]


@pytest.mark.parametrize(("status", "headers", "cls", "retried"), STATUS_TABLE)
def test_status_maps_to_error_and_retry_policy(
    status: int, headers: dict[str, str], cls: type[FetchError], retried: bool, sleeps: Sleeps
) -> None:
    script = _always(err(status, **headers))
    with make_client(script, sleeps, max_retries=2) as client, pytest.raises(FetchError) as info:
        client.get_json(CHATS)
    exc = info.value
    assert type(exc) is cls
    assert exc.status == status and exc.code == f"http_{status}"
    assert exc.path_template == CHATS
    assert len(script.requests) == (3 if retried else 1)
    assert len(sleeps) == (2 if retried else 0)
    assert exc.attempts == len(script.requests)


@pytest.mark.parametrize("status", [429, 500, 503, 529])
def test_retriable_failure_then_success_returns_the_body(status: int, sleeps: Sleeps) -> None:
    script = Script([err(status), err(status), ok({"data": [], "has_more": False})])
    with make_client(script, sleeps, max_retries=5) as client:
        assert client.get_json(CHATS) == {"data": [], "has_more": False}
    assert len(sleeps) == 2
    assert client.stats.requests == 3 and client.stats.retries == 2
    assert client.stats.by_status == {status: 2, 200: 1}


def test_zero_retries_means_one_attempt(sleeps: Sleeps) -> None:
    script = _always(err(503))
    with make_client(script, sleeps, max_retries=0) as client, pytest.raises(ServerError):
        client.get_json(CHATS)
    assert len(script.requests) == 1 and sleeps == []


def test_retry_after_seconds_is_a_floor(sleeps: Sleeps) -> None:
    script = Script([err(429, "rate_limit_error", retry_after="25"), ok({})])
    with make_client(script, sleeps, backoff_base=1.0) as client:
        client.get_json(CHATS)
    assert sleeps == [25.0]  # jitter is at most 1 s on the first retry, so the header wins


def test_retry_after_below_backoff_does_not_shorten_it() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    sleeps = Sleeps()
    script = Script([err(503, retry_after="1"), err(503, retry_after="1"), err(503, retry_after="1"), ok({})])
    with make_client(script, sleeps, rng=Top(), backoff_base=2.0) as client:
        client.get_json(CHATS)
    assert sleeps == [2.0, 4.0, 8.0]


def test_retry_after_http_date(sleeps: Sleeps) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    script = Script([err(429, retry_after=when), ok({})])
    with make_client(script, sleeps) as client:
        client.get_json(CHATS)
    assert 100 <= sleeps[0] <= 121


def test_retry_after_ms_and_caps(sleeps: Sleeps) -> None:
    script = Script([err(429, retry_after_ms="2500"), err(429, retry_after="99999"), ok({})])
    with make_client(script, sleeps, backoff_base=0.001, backoff_max=0.001) as client:
        client.get_json(CHATS)
    assert sleeps == [2.5, RETRY_AFTER_CAP]


@pytest.mark.parametrize("header", ["soon", "-5", "nan", "", "Mon, 99 Foo 2026"])
def test_unusable_retry_after_falls_back_to_backoff(header: str, sleeps: Sleeps) -> None:
    script = Script([err(429, retry_after=header), ok({})])
    with make_client(script, sleeps, backoff_base=1.0) as client:
        client.get_json(CHATS)
    assert 0.0 <= sleeps[0] <= 1.0


def test_rate_limited_error_keeps_retry_after(sleeps: Sleeps) -> None:
    script = _always(err(429, "rate_limit_error", retry_after="7"))
    with make_client(script, sleeps, max_retries=1) as client, pytest.raises(RateLimitedError) as info:
        client.get_json(CHATS)
    assert info.value.retry_after == 7.0
    assert "retry-after 7s" in str(info.value)
    assert sleeps == [7.0]


@pytest.mark.parametrize("seed", range(5))
def test_full_jitter_stays_within_the_doubling_cap(seed: int, sleeps: Sleeps) -> None:
    script = _always(err(503))
    client = make_client(
        script, sleeps, rng=random.Random(seed), backoff_base=1.0, backoff_max=8.0, max_retries=8
    )
    with client, pytest.raises(ServerError):
        client.get_json(CHATS)
    ceilings = [min(8.0, 2.0**i) for i in range(8)]
    assert len(sleeps) == 8
    assert all(0.0 <= d <= c for d, c in zip(sleeps, ceilings, strict=True))
    assert any(d < c * 0.99 for d, c in zip(sleeps, ceilings, strict=True)), "jitter should vary delays"


def test_backoff_ceiling_doubles_to_the_max() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    assert [backoff_delay(n, 1.0, 60.0, Top()) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff_delay(500, 1.0, 60.0, Top()) == 60.0  # no overflow on long runs


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ReadTimeout("read timed out"), "timeout"),
        (httpx.ConnectTimeout("connect timed out"), "timeout"),
        (httpx.PoolTimeout("pool"), "timeout"),
        (httpx.ConnectError("refused"), "connect_error"),
        (httpx.RemoteProtocolError("server hung up"), "transport_error"),
        (httpx.ReadError("reset"), "transport_error"),
    ],
)
def test_transport_errors_are_retried_then_raise_transport_failure(
    exc: Exception, code: str, sleeps: Sleeps
) -> None:
    script = Script([exc] * 4)
    with make_client(script, sleeps, max_retries=3) as client, pytest.raises(TransportFailure) as info:
        client.get_json(CHATS)
    assert info.value.code == code and info.value.status is None
    assert type(exc).__name__ in str(info.value)
    assert len(script.requests) == 4 and len(sleeps) == 3
    assert client.stats.transport_errors == 4


def test_timeout_then_success(sleeps: Sleeps) -> None:
    script = Script([httpx.ReadTimeout("slow"), ok({"fine": True})])
    with make_client(script, sleeps) as client:
        assert client.get_json(CHATS) == {"fine": True}


def test_on_retry_reports_safe_events(sleeps: Sleeps) -> None:
    events: list[RetryEvent] = []
    script = Script([err(429, retry_after="3"), httpx.ConnectTimeout("x"), ok({})])
    with make_client(script, sleeps, on_retry=events.append) as client:
        client.get_json("/v1/compliance/apps/chats/{id}/messages", path_params={"id": "claude_chat_1"})
    assert [(e.attempt, e.status, e.code) for e in events] == [(1, 429, "http_429"), (2, None, "timeout")]
    assert all(e.path_template == "/v1/compliance/apps/chats/{id}/messages" for e in events)
    assert [e.delay for e in events] == sleeps


def test_request_headers() -> None:
    script = Script([ok({}), ok({})])
    with make_client(script) as client:
        client.get_json(CHATS)
    with make_client(script, anthropic_version=None, user_agent="probe/9") as client:
        client.get_json(CHATS)
    first, second = script.requests
    assert first.headers["x-api-key"] == API_KEY
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert first.headers["accept"] == "application/json"
    assert first.headers["user-agent"] == "chatsift/0.1"
    assert "authorization" not in first.headers
    assert "anthropic-version" not in second.headers and second.headers["user-agent"] == "probe/9"


def test_path_params_are_quoted_and_query_pairs_repeat() -> None:
    script = Script([ok({})])
    with make_client(script) as client:
        client.get_json(
            "/v1/compliance/apps/chats/{id}/messages",
            [("user_ids[]", "user_a"), ("user_ids[]", "user_b"), ("limit", "5")],
            path_params={"id": "claude/chat ?x"},
        )
    (request,) = script.requests
    assert request.url.raw_path.startswith(b"/v1/compliance/apps/chats/claude%2Fchat%20%3Fx/messages?")
    assert params_of(request) == [("user_ids[]", "user_a"), ("user_ids[]", "user_b"), ("limit", "5")]


def test_base_url_with_a_prefix_is_kept() -> None:
    script = Script([ok({})])
    client = ComplianceClient("https://proxy.test/prefix/", API_KEY, transport=httpx.MockTransport(script))
    with client:
        client.get_json(CHATS)
    assert script.requests[0].url.path == "/prefix" + CHATS


@pytest.mark.parametrize(
    ("template", "path_params"),
    [("/v1/compliance/apps/chats/{id}/messages", {}), ("v1/no-slash", {}), ("/x/{0}", {"id": "a"})],
)
def test_bad_path_templates_are_config_errors(template: str, path_params: dict[str, str]) -> None:
    with make_client(Script([])) as client, pytest.raises(FetchConfigError) as info:
        client.get_json(template, path_params=path_params)
    assert info.value.code == "bad_path_template"


@pytest.mark.parametrize(
    ("base_url", "api_key", "kwargs", "code"),
    [
        ("ftp://files.test", API_KEY, {}, "bad_base_url"),
        ("no scheme at all", API_KEY, {}, "bad_base_url"),
        ("https://", API_KEY, {}, "bad_base_url"),
        ("https://api.test/?token=1", API_KEY, {}, "bad_base_url"),
        (BASE_URL, "", {}, "bad_api_key"),
        (BASE_URL, "   ", {}, "bad_api_key"),
        (BASE_URL, "sk-ant\nInjected: header", {}, "bad_api_key"),
        (BASE_URL, "sk-ant-é", {}, "bad_api_key"),
        (BASE_URL, API_KEY, {"max_retries": -1}, "bad_retries"),
        (BASE_URL, API_KEY, {"timeout": 0}, "bad_timeout"),
        (BASE_URL, API_KEY, {"backoff_base": 5.0, "backoff_max": 1.0}, "bad_backoff"),
    ],
)
def test_configuration_errors(base_url: str, api_key: str, kwargs: dict[str, float], code: str) -> None:
    with pytest.raises(FetchConfigError) as info:
        ComplianceClient(base_url, api_key, **kwargs)  # type: ignore[arg-type]
    assert info.value.code == code
    if api_key.strip():
        assert api_key not in str(info.value) and api_key not in repr(info.value)


def test_valid_configurations_are_accepted() -> None:
    for url in ("http://127.0.0.1:8787", "https://api.anthropic.com", "https://proxy.test/base/"):
        ComplianceClient(url, API_KEY, max_retries=0).close()


def test_repr_shows_the_base_url_only() -> None:
    client = ComplianceClient("https://alice:hunter2@api.test:8443/base/", API_KEY)
    with client:
        text = repr(client) + str(client)
    assert "api.test:8443/base" in text
    assert API_KEY not in text and "hunter2" not in text and "alice" not in text
