"""Generate a whole simulated organisation from a seed.

Deterministic: everything comes from one ``random.Random(seed)`` in a fixed order (no global RNG,
no wall clock, no set iteration), so the same arguments always give byte-identical JSON.

Shape: one parent organization and one linked org; users (every fourth one in the linked org);
chats spread over users and ~60 days after ``base_time``, a few sharing exact ``created_at`` or
``updated_at`` values so id tie-breaks matter; a ``deleted_share`` of soft-deleted chats (empty
content, no plants); and a ``sensitive_share`` of the others carrying planted values, which
together cover every plant kind whenever at least one chat is sensitive.

Then, each from its own seeded RNG so the chats above stay byte-for-byte what they were:
attachment contents (``attachments.py``; about ``sensitive_share`` of the text ones planted) and
the activity feed (``activities.py``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from fetch.simulator import corpus
from fetch.simulator.activities import seed_activities
from fetch.simulator.attachments import Attachment, Tally, attach_chat
from fetch.simulator.conversation import ConversationBuilder
from fetch.simulator.ids import IdFactory
from fetch.simulator.org import OrgUnit, SimChat, SimOrg, SimUser, emptied
from fetch.simulator.planted import KINDS_BY_NAME, PLANT_KINDS, PlantedValue, PlantKind, TextBuilder

BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SPREAD = timedelta(days=60)
_ROLES = ("user",) * 8 + ("developer", "claude_code_user", "billing", "managed", "membership_admin", "admin")


@dataclass
class _Plan:
    """What one chat will be before its text is written."""

    user: SimUser
    created_at: datetime
    count: int
    deleted: bool = False
    plants: list[PlantKind] = field(default_factory=list)
    email_in_name: bool = False


def generate_org(
    seed: int,
    users: int = 20,
    chats: int = 200,
    *,
    sensitive_share: float = 0.3,
    deleted_share: float = 0.05,
    base_time: datetime = BASE_TIME,
    messages_per_chat: tuple[int, int] | None = None,
) -> SimOrg:
    """A seeded organisation with ``users`` users and ``chats`` chats (see the module docstring).

    ``messages_per_chat`` is the (min, max) message count of a chat; the default is (2, 14).
    """
    if users < 1 or chats < 0:
        raise ValueError("need at least one user and a non-negative number of chats")
    if not (0.0 <= sensitive_share <= 1.0 and 0.0 <= deleted_share <= 1.0):
        raise ValueError("sensitive_share and deleted_share must be between 0 and 1")
    low, high = messages_per_chat or (2, 14)
    if not 1 <= low <= high:
        raise ValueError("messages_per_chat must be (min, max) with 1 <= min <= max")
    rng = random.Random(seed)
    ids = IdFactory(rng)
    units, domain = _units(rng, ids, base_time)
    people = _users(rng, ids, units, domain, users)
    projects = {
        user.id: [ids.new("claude_proj_") for _ in range(rng.choice([0, 0, 1, 2]))] for user in people
    }
    plans = _plans(rng, people, chats, base_time, (low, high))
    _mark(rng, plans, sensitive_share, deleted_share)
    built: list[SimChat] = []
    planted: list[PlantedValue] = []
    tally = Tally(seed, sensitive_share)
    files: list[Attachment] = []
    in_files: list[PlantedValue] = []
    for plan in plans:
        chat, values = _build(rng, ids, plan, units, projects[plan.user.id])
        chat, found, found_planted = attach_chat(chat, tally)
        built.append(chat)
        planted.extend(values)
        files += found
        in_files += found_planted
    final = _tie_updates(rng, built)
    return SimOrg(
        seed,
        units,
        people,
        final,
        planted,
        base_time=base_time,
        attachments=files,
        planted_attachments=in_files,
        activities=seed_activities(seed, units, people, final),
    )


def _units(rng: random.Random, ids: IdFactory, base_time: datetime) -> tuple[list[OrgUnit], str]:
    company = rng.choice(corpus.COMPANIES)
    first, second = rng.sample(corpus.ORG_SUFFIXES, 2)
    born = base_time - timedelta(days=rng.randint(400, 700), seconds=rng.randint(0, 86_399))
    parent = OrgUnit(ids.uuid(), ids.new("org_"), f"{company} {first}", born, True)
    linked_born = born + timedelta(days=rng.randint(20, 200), seconds=rng.randint(0, 86_399))
    linked = OrgUnit(ids.uuid(), ids.new("org_"), f"{company} {second}", linked_born, False)
    return [parent, linked], company.lower().replace(" ", "") + ".example.com"


def _users(
    rng: random.Random, ids: IdFactory, units: list[OrgUnit], domain: str, count: int
) -> list[SimUser]:
    parent, linked = units
    people: list[SimUser] = []
    emails: set[str] = set()
    joined = linked.created_at + timedelta(days=1)
    for i in range(count):
        name = corpus.full_name(rng)
        local = name.lower().replace(" ", ".")
        email, n = f"{local}@{domain}", 2
        while email in emails:
            email, n = f"{local}{n}@{domain}", n + 1
        emails.add(email)
        unit = linked if i % 4 == 3 else parent
        role = "primary_owner" if i == 0 else "owner" if i == 3 else rng.choice(_ROLES)
        joined += timedelta(days=rng.randint(0, 5), seconds=rng.randint(1, 86_399))
        people.append(SimUser(ids.new("user_"), email, name, role, joined, unit.uuid))
    return people


def _plans(
    rng: random.Random, people: list[SimUser], count: int, base_time: datetime, lengths: tuple[int, int]
) -> list[_Plan]:
    """Owner, start time and length of every chat; the first chats go round-robin so nobody has none."""
    plans: list[_Plan] = []
    for i in range(count):
        user = people[i] if i < len(people) else rng.choice(people)
        if plans and rng.random() < 0.08:
            created = rng.choice(plans).created_at  # an exact tie: the list must break it by id
        else:
            offset = timedelta(seconds=rng.randint(0, int(SPREAD.total_seconds()) - 86_400))
            created = base_time + offset + timedelta(microseconds=rng.choice([0, rng.randint(1, 999_999)]))
        plans.append(_Plan(user, created, rng.randint(*lengths)))
    return plans


def _mark(rng: random.Random, plans: list[_Plan], sensitive_share: float, deleted_share: float) -> None:
    """Pick the soft-deleted and the sensitive chats, and deal the plants out among the latter."""
    for plan in rng.sample(plans, round(deleted_share * len(plans))):
        plan.deleted = True
    live = [plan for plan in plans if not plan.deleted]
    wanted = round(sensitive_share * len(live))
    if sensitive_share > 0 and live:
        wanted = max(wanted, 1)
    sensitive = rng.sample(live, wanted)
    if not sensitive:
        return
    for i, kind in enumerate(PLANT_KINDS):  # every kind at least once across the org
        sensitive[i % len(sensitive)].plants.append(kind)
    for plan in sensitive:
        extra = rng.randint(0, 2) if plan.plants else rng.randint(1, 3)
        plan.plants.extend(rng.choice(PLANT_KINDS) for _ in range(extra))
        plan.email_in_name = rng.random() < 0.08
    sensitive[0].email_in_name = True


def _build(
    rng: random.Random, ids: IdFactory, plan: _Plan, units: list[OrgUnit], projects: list[str]
) -> tuple[SimChat, list[PlantedValue]]:
    chat_id = ids.new("claude_chat_")
    topic = rng.choice(tuple(corpus.TOPICS))
    name, planted = _name(rng, chat_id, topic, plan.email_in_name)
    talk = ConversationBuilder(rng, ids, chat_id, topic).build(plan.created_at, plan.count, plan.plants)
    planted.extend(talk.planted)
    updated = talk.times[-1]
    if rng.random() < 0.1:  # renamed or otherwise touched after the last message
        updated += timedelta(minutes=rng.randint(1, 600))
    deleted_at = None
    messages = tuple(talk.messages)
    if plan.deleted:
        deleted_at = updated = updated + timedelta(hours=rng.randint(1, 240))
        messages = tuple(emptied(m) for m in messages)
    unit = next(u for u in units if u.uuid == plan.user.org_uuid)
    chat = SimChat(
        id=chat_id,
        uuid=ids.uuid(),
        name=name,
        model=rng.choice((*corpus.MODELS, None)),
        org=unit,
        project_id=rng.choice(projects) if projects and rng.random() < 0.35 else None,
        user=plan.user,
        created_at=plan.created_at,
        updated_at=updated,
        deleted_at=deleted_at,
        messages=messages,
        message_times=tuple(talk.times),
    )
    return chat, planted


def _name(rng: random.Random, chat_id: str, topic: str, with_email: bool) -> tuple[str, list[PlantedValue]]:
    title = corpus.fill(rng, rng.choice(corpus.TOPICS[topic]["names"]))
    if not with_email:
        return title, []
    text = TextBuilder()
    text.add("Reply to ", *KINDS_BY_NAME["email"].make(rng)[1:2], f": {title}")
    planted = [PlantedValue(chat_id, None, 0, s.entity, "pii", s.start, s.end, s.valid) for s in text.spans]
    return text.text, planted


def _tie_updates(rng: random.Random, chats: list[SimChat]) -> list[SimChat]:
    """Give a few live chats the exact ``updated_at`` of a later one (still after their last message)."""
    by_update = sorted((c for c in chats if c.deleted_at is None), key=lambda c: c.key("updated_at"))
    ties: dict[str, SimChat] = {}
    for i in range(len(by_update) - 2, -1, -1):  # backwards, so a chain of ties shares one instant
        if rng.random() < 0.06:
            later = ties.get(by_update[i + 1].id, by_update[i + 1])
            ties[by_update[i].id] = replace(by_update[i], updated_at=later.updated_at)
    return [ties.get(chat.id, chat) for chat in chats]
