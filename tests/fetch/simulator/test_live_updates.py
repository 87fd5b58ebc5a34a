"""Changes while a client walks the list: the ``after_list_page`` hook and ``update_during_run``."""

from __future__ import annotations

import re
from typing import Any

from fetch.simulator import Failure
from tests.fetch.simulator.conftest import CHATS, MAX_PAGES, Served, messages_path

EMAIL = re.compile(r"[\w.]+@[\w.]+\.(com|org|net)")


def _walk_ids(served: Served, **params: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(MAX_PAGES):
        body = served.get(CHATS, **params, **({"after_id": cursor} if cursor else {})).json()
        seen += [item["id"] for item in body["data"]]
        cursor = body["last_id"] or cursor
        if not body["has_more"]:
            return seen
    raise AssertionError("the walk did not finish")


def test_after_list_page_counts_whole_pages_since_it_was_set(served: Served) -> None:
    served.get(CHATS, limit=2)  # before the hook: not counted
    calls: list[int] = []
    served.faults.after_list_page = calls.append
    served.get(CHATS, limit=2)
    served.faults.list_body_fault = ("invalid", 1)
    served.get(CHATS, limit=2)  # broken: not counted
    served.faults.fail_next.append(503)
    served.get(CHATS, limit=2)  # failed: not counted
    served.get(CHATS, limit=2)
    served.get(messages_path(served.org.chats[0].id))  # other endpoints: not counted
    assert calls == [1, 2]
    served.faults.after_list_page = calls.append  # re-assigning restarts the count
    served.get(CHATS, limit=2)
    assert calls == [1, 2, 1]


def test_a_hook_may_change_the_org_without_deadlock(served: Served) -> None:
    chat_id = next(c.id for c in served.org.chats if c.deleted_at is None)
    before = len(served.org.chat(chat_id).chat_messages)

    def append(page: int) -> None:
        served.org.append_message(chat_id, "user", f"page {page}")

    served.faults.after_list_page = append
    for _ in range(3):
        assert served.get(CHATS, limit=1).status_code == 200
    assert len(served.org.chat(chat_id).chat_messages) == before + 3


def test_a_failing_hook_does_not_take_the_page_down(served: Served) -> None:
    def boom(page: int) -> None:
        raise RuntimeError("hook broke")

    served.faults.after_list_page = boom
    assert served.get(CHATS, limit=2).status_code == 200


def test_update_during_run_moves_a_chat_ahead_of_the_cursor(served: Served) -> None:
    live = [c.id for c in served.org.chats if c.deleted_at is None]
    order = _walk_ids(served, order_by="updated_at", limit=3)
    early = order[0] if order[0] in live else next(i for i in order if i in live)
    planted_before = len(served.org.planted)
    served.faults.update_during_run = {2: [early]}
    walked = _walk_ids(served, order_by="updated_at", limit=3)
    assert walked.count(early) == 2, "seen before the change, and again after it"
    assert walked[-1] == early and len(walked) == len(order) + 1
    assert served.server.stats.injected == {"update_during_run": 1}
    new = served.org.planted[planted_before:]
    assert len(new) == 1 and new[0].chat_id == early and new[0].entity == "EMAIL_ADDRESS"
    last = served.get(messages_path(early)).json()["chat_messages"][-1]
    assert last["id"] == new[0].message_id
    text = last["content"][0]["text"]
    assert text == served.org.text_of(new[0]) and EMAIL.fullmatch(text[new[0].start : new[0].end])


def test_update_during_run_waits_for_its_page_and_fires_once(served: Served) -> None:
    chat_id = next(c.id for c in served.org.chats if c.deleted_at is None)
    count = len(served.org.chat(chat_id).chat_messages)
    served.faults.update_during_run = {3: [chat_id]}
    served.faults.fail_list_after_pages = 1
    served.faults.fail_list_status = Failure(503, times=1)
    statuses = [served.get(CHATS, limit=1).status_code for _ in range(5)]
    assert statuses == [200, 503, 200, 200, 200]
    assert len(served.org.chat(chat_id).chat_messages) == count + 1
