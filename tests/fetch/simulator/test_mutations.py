"""Mutations tests rely on: append, soft delete, hard delete, add chat; lookups stay consistent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fetch.models import TextBlock
from fetch.simulator import SimOrg, generate_org


@pytest.fixture
def org() -> SimOrg:
    """A small org to change."""
    return generate_org(21, users=3, chats=12)


def _live(org: SimOrg) -> list[str]:
    return [c.id for c in org.chats if c.deleted_at is None]


def test_append_message_sorts_last_and_is_served(org: SimOrg) -> None:
    chat_id = _live(org)[0]
    latest = max(c.updated_at for c in org.chats)
    message_id = org.append_message(chat_id, "user", "one more question")
    chat = org.chat(chat_id)
    assert chat.chat_messages[-1].id == message_id and message_id.startswith("claude_chat_msg_01")
    block = chat.chat_messages[-1].content[0]
    assert isinstance(block, TextBlock) and block.text == "one more question"
    assert chat.updated_at > latest and chat.chat_messages[-1].created_at == chat.updated_at
    assert org.ordered("updated_at")[1][-1].id == chat_id
    second = org.append_message(_live(org)[1], "assistant", "and another")
    assert second != message_id and org.ordered("updated_at")[1][-1].id == _live(org)[1]


def test_append_message_at_a_given_time(org: SimOrg) -> None:
    chat_id = _live(org)[0]
    at = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    org.append_message(chat_id, "assistant", "done", at=at)
    assert org.chat(chat_id).updated_at == at


@pytest.mark.parametrize(
    ("chat", "role", "error"),
    [("missing", "user", KeyError), ("live", "system", ValueError), ("deleted", "user", ValueError)],
)
def test_append_message_rejects(org: SimOrg, chat: str, role: str, error: type[Exception]) -> None:
    deleted = next(c.id for c in org.chats if c.deleted_at is not None) if chat == "deleted" else None
    chat_id = {"missing": "claude_chat_01missing", "live": _live(org)[0], "deleted": deleted}[chat]
    with pytest.raises(error):
        org.append_message(str(chat_id), role, "text")


def test_soft_delete_empties_content_and_drops_its_ground_truth(org: SimOrg) -> None:
    planted = [p for p in org.planted if p.message_id is not None]
    chat_id = planted[0].chat_id
    org.soft_delete(chat_id)
    chat = org.chat(chat_id)
    assert chat.deleted_at is not None and chat.updated_at == chat.deleted_at
    assert all(m.content == [] and m.files is None for m in chat.chat_messages)
    assert not [p for p in org.planted if p.chat_id == chat_id and p.message_id is not None]
    assert chat_id in {c.id for c in org.chats}


def test_hard_delete_removes_everything(org: SimOrg) -> None:
    chat_id = org.planted[0].chat_id
    org.hard_delete(chat_id)
    assert chat_id not in {c.id for c in org.chats}
    assert all(p.chat_id != chat_id for p in org.planted)
    with pytest.raises(KeyError):
        org.chat(chat_id)
    with pytest.raises(KeyError):
        org.hard_delete(chat_id)


def test_add_chat(org: SimOrg) -> None:
    user = org.users[2]
    latest = max(c.updated_at for c in org.chats)
    chat_id = org.add_chat(
        user.id, [("user", "hello"), ("assistant", "hi"), ("user", "bye")], name="Greetings"
    )
    chat = org.chat(chat_id)
    assert chat.name == "Greetings" and chat.user and chat.user.id == user.id
    assert [m.role for m in chat.chat_messages] == ["user", "assistant", "user"]
    assert chat.created_at > latest and chat.updated_at == chat.chat_messages[-1].created_at
    assert chat.organization_uuid == org.members(chat.organization_uuid or "")[0].org_uuid
    assert org.chats[-1].id == chat_id
    with pytest.raises(KeyError):
        org.add_chat("user_01nobody", [("user", "x")])
    with pytest.raises(ValueError):
        org.add_chat(user.id, [("robot", "x")])


def test_mutations_are_deterministic_per_seed() -> None:
    ids = []
    for _ in range(2):
        org = generate_org(4, users=2, chats=3)
        first = org.add_chat(org.users[0].id, [("user", "x")])
        ids.append((first, org.append_message(first, "assistant", "y")))
    assert ids[0] == ids[1]
