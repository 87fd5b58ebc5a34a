"""Feed formats: each turns a feed item (label record or rollup) into events for one consumer.

``renderer(fmt, options)`` returns the ``Renderer`` of a format: ``record`` (the item's own JSON),
``ocsf`` (OCSF 1.8.0 Data Security Finding), ``ecs`` (Elastic Common Schema 9.x), ``cef`` (ArcSight
CEF lines) or ``syslog`` (RFC 5424 messages carrying one of the others). Rendering is a pure
function of the item and the options: the same item always gives the same events, with the same
ids, so consumers deduplicate replays. docs/feed/ describes each format's field mapping.
"""

from __future__ import annotations

from collections.abc import Callable

from labels.formats import cef, ecs, ocsf, record, syslog
from labels.formats.base import (
    FORMAT_NAMES,
    Event,
    FeedItem,
    FormatName,
    Granularity,
    Renderer,
    RenderOptions,
    SyslogPayload,
)

_RENDERERS: dict[str, Callable[[FeedItem, RenderOptions], list[Event]]] = {
    "record": record.render,
    "ocsf": ocsf.render,
    "ecs": ecs.render,
    "cef": cef.render,
    "syslog": syslog.render,
}


def renderer(fmt: FormatName, options: RenderOptions | None = None) -> Renderer:
    """The renderer of format ``fmt`` with ``options`` (the defaults when None)."""
    try:
        render = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown feed format {fmt!r}; expected one of {', '.join(FORMAT_NAMES)}") from None
    opts = options if options is not None else RenderOptions()

    def render_item(item: FeedItem) -> list[Event]:
        return render(item, opts)

    return render_item


__all__ = [
    "FORMAT_NAMES",
    "Event",
    "FeedItem",
    "FormatName",
    "Granularity",
    "RenderOptions",
    "Renderer",
    "SyslogPayload",
    "renderer",
]
