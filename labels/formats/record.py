"""The ``record`` format: the feed item itself, ``chatsift.label.v1`` or ``chatsift.rollup.v1``.

One event per item whatever the granularity: its body is the item's JSON exactly as stored and
validated (``model_dump(mode="json", by_alias=True)``), its id the ``record_id`` or ``rollup_id``.
``RenderOptions.extra`` is not added: the body stays valid against the record's own JSON schema.
"""

from __future__ import annotations

from labels.formats.base import Event, FeedItem, RenderOptions
from labels.formats.common import units


def render(item: FeedItem, options: RenderOptions) -> list[Event]:
    """The one event of ``item``: its JSON."""
    unit = units(item, "chat")[0]
    return [Event(unit.id, unit.time, item.model_dump(mode="json", by_alias=True))]
