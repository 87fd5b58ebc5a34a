"""The generated organisation: deterministic, API-shaped, and its planted ground truth is exact."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from fetch.models import Chat, TextBlock, ToolResultBlock, ToolUseBlock
from fetch.simulator import ENTITY_CATEGORIES, PlantedValue, SimOrg, generate_org
from fetch.simulator.planted import PLANT_KINDS
from fetch.simulator.values import iban_valid, luhn_valid

ID_PREFIXES = {
    "chat": "claude_chat_01",
    "message": "claude_chat_msg_01",
    "user": "user_01",
    "project": "claude_proj_01",
    "file": "claude_file_01",
    "tool": "toolu_01",
}


@pytest.fixture(scope="module")
def org() -> SimOrg:
    """The default-sized org (20 users, 200 chats)."""
    return generate_org(1)


@pytest.fixture(scope="module")
def chats(org: SimOrg) -> list[Chat]:
    """Every chat with its messages."""
    return [org.chat(summary.id) for summary in org.chats]


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    first = generate_org(42, users=5, chats=30).to_json()
    assert first == generate_org(42, users=5, chats=30).to_json()
    assert first != generate_org(43, users=5, chats=30).to_json()
    assert json.loads(first)["chats"]


def test_arguments_are_checked() -> None:
    for bad in ({"users": 0}, {"chats": -1}, {"sensitive_share": 1.5}, {"deleted_share": -0.1}):
        with pytest.raises(ValueError):
            generate_org(1, **bad)


def test_orgs_and_users(org: SimOrg) -> None:
    parent, linked = org.org_units
    assert parent.is_parent and not linked.is_parent and parent.uuid != linked.uuid
    assert [o.uuid for o in org.orgs] == [parent.uuid, linked.uuid]
    users = org.users
    assert len(users) == 20 and len({u.email for u in users}) == 20
    assert all(
        u.id.startswith(ID_PREFIXES["user"])
        and re.fullmatch(r"[a-z.0-9]+@[a-z]+\.example\.com", u.email or "")
        for u in users
    )
    assert all(u.full_name and " " in u.full_name for u in users)
    assert {len(org.members(parent.uuid)), len(org.members(linked.uuid))} == {15, 5}
    assert users[0].organization_role == "primary_owner"


def test_chat_shape(org: SimOrg, chats: list[Chat]) -> None:
    assert len(chats) == 200
    users = {u.id for u in org.users}
    assert {c.user.id for c in chats if c.user} == users, "every user has chats"
    for chat in chats:
        assert chat.id.startswith(ID_PREFIXES["chat"])
        assert re.fullmatch(r"https://claude\.ai/chat/[0-9a-f-]{36}", chat.href or "")
        assert chat.updated_at >= chat.created_at
        assert chat.created_at >= datetime(2026, 1, 5, 9, tzinfo=UTC)
        assert chat.created_at < datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(days=60)
        assert chat.organization_id and chat.organization_id.startswith("org_")
        assert 2 <= len(chat.chat_messages) <= 14
        assert [m.role for m in chat.chat_messages] == (["user", "assistant"] * 7)[: len(chat.chat_messages)]
        times = [m.created_at for m in chat.chat_messages if m.created_at is not None]
        assert len(times) == len(chat.chat_messages) and times == sorted(times)
        assert times[0] == chat.created_at and times[-1] <= chat.updated_at
        assert all(m.id.startswith(ID_PREFIXES["message"]) for m in chat.chat_messages)
    assert len({c.created_at for c in chats}) > 150, "mostly distinct"
    assert len({c.created_at for c in chats}) < 200, "some created_at ties"
    assert len({c.updated_at for c in chats}) < 200, "some updated_at ties"
    assert any(c.project_id and c.project_id.startswith(ID_PREFIXES["project"]) for c in chats)
    assert {c.model for c in chats} >= {"claude-opus-4-8", None}


def test_content_blocks_and_attachments(chats: list[Chat]) -> None:
    live = [m for c in chats if c.deleted_at is None for m in c.chat_messages]
    kinds = Counter(type(b).__name__ for m in live for b in m.content)
    assert (
        kinds["TextBlock"] > 0
        and kinds["ToolUseBlock"] > 0
        and kinds["ToolUseBlock"] == kinds["ToolResultBlock"]
    )
    for message in live:
        for i, block in enumerate(message.content):
            if isinstance(block, ToolUseBlock):
                assert block.id and block.id.startswith(ID_PREFIXES["tool"])
                assert isinstance(json.loads(block.input), dict)
                result = message.content[i + 1]
                assert isinstance(result, ToolResultBlock) and result.tool_use_id == block.id
                assert result.content and all(item.type == "text" for item in result.content)
    assert any("```" in b.text for m in live for b in m.content if isinstance(b, TextBlock))
    assert any(b.thinking_redacted for m in live for b in m.content if isinstance(b, TextBlock))
    assert any(m.files for m in live) and any(m.files is None for m in live)
    assert all(f.id.startswith(ID_PREFIXES["file"]) for m in live for f in m.files or [])
    assert any(m.generated_files for m in live) and any(m.artifacts for m in live)


def test_soft_deleted_chats_are_empty_and_unplanted(org: SimOrg, chats: list[Chat]) -> None:
    deleted = [c for c in chats if c.deleted_at is not None]
    assert len(deleted) == 10  # 5% of 200
    for chat in deleted:
        assert chat.updated_at >= chat.deleted_at  # type: ignore[operator]
        for message in chat.chat_messages:
            assert message.content == [] and message.files is None
            assert message.generated_files is None and message.artifacts is None
    assert not {p.chat_id for p in org.planted} & {c.id for c in deleted}


def test_planted_offsets_point_at_the_values(org: SimOrg) -> None:
    planted = org.planted
    assert {p.entity for p in planted} == set(ENTITY_CATEGORIES)
    for value in planted:
        text = org.text_of(value)
        piece = text[value.start : value.end]
        assert 0 <= value.start < value.end <= len(text) and piece.strip() == piece
        assert value.category == ENTITY_CATEGORIES[value.entity]
        if value.entity == "CREDIT_CARD":
            assert luhn_valid(piece) is value.valid
        elif value.entity == "IBAN_CODE":
            assert iban_valid(piece) is value.valid
        elif value.entity == "PRIVATE_KEY":
            assert piece.startswith("-----BEGIN ") and piece.endswith(" PRIVATE KEY-----")
        elif value.entity == "EMAIL_ADDRESS":
            assert re.fullmatch(r"[\w.]+@[\w.]+\.(com|org|net)", piece)
        elif value.entity == "CUSTOMER_RECORDS":
            assert piece.startswith("name,email,phone\n") and piece.count("\n") >= 3


def _block_type(org: SimOrg, value: PlantedValue) -> str:
    record = org.record(value.chat_id)
    assert record is not None
    if value.message_id is None:
        return "name"
    message = next(m for m in record.messages if m["id"] == value.message_id)
    return str(message["content"][value.block]["type"])


def test_planted_share_and_both_labels(org: SimOrg) -> None:
    planted = org.planted
    sensitive = {p.chat_id for p in planted}
    assert len(sensitive) == round(0.3 * 190)
    for entity in ("CREDIT_CARD", "IBAN_CODE", "US_SSN", "AWS_ACCESS_KEY"):
        assert {p.valid for p in planted if p.entity == entity} == {True, False}, entity
    assert {_block_type(org, p) for p in planted} == {"name", "text", "tool_use", "tool_result"}
    assert all(p.block == 0 for p in planted if p.message_id is None)


def test_tool_inputs_stay_valid_json_with_plants(org: SimOrg) -> None:
    in_tools = [p for p in org.planted if _block_type(org, p) == "tool_use"]
    assert in_tools
    for value in in_tools:
        text = org.text_of(value)
        (argument,) = json.loads(text).values()
        assert text[value.start : value.end] in argument


@pytest.mark.parametrize("chats", [1, 3, 12])
def test_small_orgs_still_cover_every_plant_kind(chats: int) -> None:
    org = generate_org(9, users=2, chats=chats, deleted_share=0.0)
    assert {p.entity for p in org.planted} == set(ENTITY_CATEGORIES)
    assert len(PLANT_KINDS) > len(ENTITY_CATEGORIES)


def test_no_plants_when_share_is_zero() -> None:
    org = generate_org(9, users=3, chats=15, sensitive_share=0.0)
    assert org.planted == []


def test_reprs_hold_no_content(org: SimOrg) -> None:
    record = org.record(org.planted[0].chat_id)
    assert record is not None
    text = org.text_of(org.planted[0])
    assert text not in repr(record) and record.name not in repr(record)
    assert text not in repr(org.planted[0])


@pytest.mark.parametrize("lengths", [(1, 1), (3, 5), (20, 24)])
def test_messages_per_chat(lengths: tuple[int, int]) -> None:
    org = generate_org(9, users=2, chats=10, messages_per_chat=lengths, deleted_share=0.0)
    counts = {len(org.chat(c.id).chat_messages) for c in org.chats}
    assert min(counts) >= lengths[0] and max(counts) <= lengths[1]
    assert {p.entity for p in org.planted} == set(ENTITY_CATEGORIES), "every plant kind still lands"


def test_messages_per_chat_default_is_the_old_range() -> None:
    assert (
        generate_org(3, users=2, chats=8).to_json()
        == generate_org(3, users=2, chats=8, messages_per_chat=(2, 14)).to_json()
    )
    for bad in ((0, 3), (5, 4)):
        with pytest.raises(ValueError):
            generate_org(3, users=2, chats=8, messages_per_chat=bad)


def test_planted_value_keeps_its_positional_fields() -> None:
    value = PlantedValue("claude_chat_01a", "claude_chat_msg_01b", 2, "US_SSN", "pii", 4, 15, False)
    assert (value.block, value.start, value.end, value.valid) == (2, 4, 15, False)
    assert value.attachment_kind is None and value.attachment_id is None


def test_attachment_metadata_matches_contents(org: SimOrg) -> None:
    for item in org.attachments:
        data = item.content()
        assert item.size == len(data) and item.md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
        if item.kind != "artifact":
            assert item.meta["md5"] == item.md5 and item.meta["size_bytes"] in (None, item.size)


def test_seeded_activities_are_deterministic_and_older_than_any_later_change(org: SimOrg) -> None:
    again = generate_org(1)
    assert [a.api() for a in again.activities.snapshot()[1]] == [
        a.api() for a in org.activities.snapshot()[1]
    ]
    newest_chat_change = max(c.updated_at for c in org.chats)
    assert max(a.created_at for a in org.activities.snapshot()[1]) <= newest_chat_change
