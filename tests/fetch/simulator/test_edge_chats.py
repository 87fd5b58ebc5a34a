"""The huge chat, the hostile-Unicode chat, and the messages endpoint's truncation limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from fetch.simulator import PlantedValue, SimOrg, generate_org
from fetch.simulator.values import luhn_valid
from tests.fetch.simulator.conftest import Served, error_of, messages_path, serving

EMAIL = re.compile(r"[\w.]+@[\w.]+\.(com|org|net)")


@pytest.fixture(scope="module")
def edgy() -> Iterator[tuple[Served, str, str]]:
    """A small org plus one large chat (3000 messages, 1 MiB block) and one Unicode chat, served."""
    org = generate_org(8, users=2, chats=4)
    large = org.add_large_chat()
    weird = org.add_unicode_chat()
    with serving(org, rate_limit_per_minute=None) as served:
        yield served, large, weird


def _check_value(value: PlantedValue, piece: str) -> None:
    if value.entity == "EMAIL_ADDRESS":
        assert EMAIL.fullmatch(piece), value
    else:
        assert value.entity == "CREDIT_CARD" and luhn_valid(piece) is value.valid, value


def _served_text(body: dict[str, Any], value: PlantedValue) -> str:
    message = next(m for m in body["chat_messages"] if m["id"] == value.message_id)
    block = message["content"][value.block]
    if block["type"] == "text":
        return str(block["text"])
    if block["type"] == "tool_use":
        return str(block["input"])
    return "\n".join(item["text"] for item in block["content"])


def test_large_chat_in_one_response(edgy: tuple[Served, str, str]) -> None:
    served, large, _ = edgy
    body = served.get(messages_path(large)).json()
    messages = body["chat_messages"]
    assert len(messages) == 3000 and body["has_more"] is False
    big = [b for m in messages for b in m["content"] if len(b["text"]) > 1000]
    assert len(big) == 1 and len(big[0]["text"]) == 1 << 20 and big[0]["truncated"] is False
    planted = [p for p in served.org.planted if p.chat_id == large]
    in_big = sorted((p for p in planted if _served_text(body, p) == big[0]["text"]), key=lambda p: p.start)
    assert [p.start == 0 for p in in_big] == [True, False, False], "a plant opens the block"
    assert in_big[-1].end == 1 << 20, "a plant closes the block"
    assert abs(in_big[1].start - (1 << 19)) < 100, "a plant sits in the middle"
    late = {p.message_id for p in planted} - {in_big[0].message_id}
    assert late == {m["id"] for m in messages[-3:]}
    for value in planted:
        text = _served_text(body, value)
        assert text == served.org.text_of(value)
        _check_value(value, text[value.start : value.end])


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_large_chat_pages_with_limit_and_after_id(edgy: tuple[Served, str, str], order: str) -> None:
    served, large, _ = edgy
    expected = [m["id"] for m in served.org.chat(large).model_dump()["chat_messages"]]
    if order == "desc":
        expected.reverse()
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 1000, "order": order} | ({"after_id": cursor} if cursor else {})
        body = served.get(messages_path(large), **params).json()
        seen += [m["id"] for m in body["chat_messages"]]
        cursor = body["last_id"]
        if not body["has_more"]:
            break
    assert seen == expected and len(seen) == 3000


def test_large_chat_arguments_are_checked() -> None:
    org = generate_org(8, users=1, chats=1)
    bad: list[dict[str, Any]] = [{"messages": 3}, {"big_block_chars": 50}, {"user": "user_01nobody"}]
    for arguments in bad:
        with pytest.raises((ValueError, KeyError)):
            org.add_large_chat(**arguments)
    small = org.add_large_chat(messages=10, big_block_chars=5000)
    assert len(org.chat(small).chat_messages) == 10


def test_unicode_chat_body_is_utf8_json_with_escaped_lone_surrogates(edgy: tuple[Served, str, str]) -> None:
    served, _, weird = edgy
    raw = served.get(messages_path(weird)).content
    text = raw.decode("utf-8")  # strict: the body must be valid UTF-8
    assert "\\ud800" in text and "\\udfff" in text, "lone surrogates travel as escapes"
    assert "🎉" in text and "𝐀𝐁𝐂" in text and "שלום" in text, "everything else stays raw UTF-8"
    body = json.loads(raw)
    first = body["chat_messages"][0]["content"][0]["text"]
    assert "\ud800" in first and "\udfff" in first and "\udc00\ud800" in first
    assert "\x00" in first and "\u202e" in first and "\u200d" in first and "e\u0301" in first
    tool_use = body["chat_messages"][1]["content"][0]
    assert json.loads(tool_use["input"])["query"].startswith("📧")


def test_unicode_chat_offsets_are_python_string_offsets(edgy: tuple[Served, str, str]) -> None:
    served, _, weird = edgy
    body = json.loads(served.get(messages_path(weird)).content)
    planted = [p for p in served.org.planted if p.chat_id == weird]
    assert {p.block for p in planted} == {0, 1, 2} and len(planted) == 5
    for value in planted:
        text = _served_text(body, value)
        assert text == served.org.text_of(value)
        assert any(ord(c) > 0xFFFF for c in text[: value.start]), "an astral character comes before it"
        _check_value(value, text[value.start : value.end])
        assert len(text[: value.start].encode("utf-16-le", "surrogatepass")) // 2 != value.start


def test_unicode_chat_file_has_a_unicode_name_and_planted_content(edgy: tuple[Served, str, str]) -> None:
    served, _, weird = edgy
    meta = served.get(messages_path(weird)).json()["chat_messages"][0]["files"][0]
    response = served.get(f"/v1/compliance/apps/chats/files/{meta['id']}/content")
    assert response.headers["content-disposition"] == (
        "attachment; filename*=utf-8''na%C3%AFve%20notes%20%F0%9F%93%9D%20%28v2%29.txt"
    )
    content = response.content.decode()
    planted = [p for p in served.org.planted_attachments if p.attachment_id == meta["id"]]
    assert len(planted) == 2 and all(p.message_id == body_id(served, weird, 0) for p in planted)
    for value in planted:
        assert served.org.text_of(value) == content
        _check_value(value, content[value.start : value.end])


def body_id(served: Served, chat_id: str, index: int) -> str:
    """The id of message ``index`` of a chat."""
    return str(served.get(messages_path(chat_id)).json()["chat_messages"][index]["id"])


def _tool_chat(org: SimOrg) -> str:
    """The id of the first chat with tool blocks."""
    records = org.ordered("created_at")[1]
    return next(
        c.id for c in records if any(b["type"] == "tool_use" for m in c.messages for b in m["content"])
    )


@pytest.mark.parametrize(
    ("params", "result_max", "input_max"),
    [
        ({"tool_result_max_chars": "5"}, 5, None),
        ({"tool_use_input_max_chars": "3"}, None, 3),
        ({"tool_result_max_chars": "0", "tool_use_input_max_chars": "0"}, 0, 0),
        ({"tool_result_max_chars": "-1", "tool_use_input_max_chars": "-1"}, None, None),
    ],
)
def test_truncation_limits(
    shared: Served, params: dict[str, str], result_max: int | None, input_max: int | None
) -> None:
    chat_id = _tool_chat(shared.org)
    plain = shared.get(messages_path(chat_id)).json()["chat_messages"]
    cut = shared.get(messages_path(chat_id), **params).json()["chat_messages"]
    newly = sum(
        not b["truncated"] and a["truncated"]
        for bm, am in zip(plain, cut, strict=True)
        for b, a in zip(bm["content"], am["content"], strict=True)
    )
    assert (newly > 0) is (result_max is not None or input_max is not None)
    for before_message, after_message in zip(plain, cut, strict=True):
        for before, after in zip(before_message["content"], after_message["content"], strict=True):
            if before["type"] == "text" or (before["type"] == "tool_use" and input_max is None):
                assert after == before
            elif before["type"] == "tool_use":
                assert input_max is not None
                assert after["input"] == before["input"][:input_max]
                assert after["truncated"] is (before["truncated"] or len(before["input"]) > input_max)
            elif result_max is None:
                assert after == before
            else:
                texts = [item["text"] for item in before["content"]]
                assert [item["text"] for item in after["content"]] == [t[:result_max] for t in texts]
                assert after["truncated"] is (before["truncated"] or any(len(t) > result_max for t in texts))


@pytest.mark.parametrize("value", ["-2", "abc", "1.5", "-100"])
@pytest.mark.parametrize("name", ["tool_result_max_chars", "tool_use_input_max_chars"])
def test_truncation_limits_reject_bad_values(shared: Served, name: str, value: str) -> None:
    chat_id = _tool_chat(shared.org)
    status, kind, message = error_of(shared.get(messages_path(chat_id), **{name: value}))
    assert (status, kind) == (400, "invalid_request_error") and f"`{name}`" in message and value in message
