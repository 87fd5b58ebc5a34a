"""Turn an API chat (``fetch.models.Chat``) into what the classifier reads (``ChatText``).

Block text, per block type (the offsets of every finding are into this text):

* ``text``: its ``text``;
* ``tool_use``: its ``input`` string as delivered (JSON-encoded);
* ``tool_result``: the ``text`` of its text items joined with ``"\\n"``;
* other block types: skipped, keeping their index so later blocks keep theirs.

The chat's ``name`` is user content too: it is scanned as a block with ``message_id=None``.

Lone surrogates (valid in JSON escapes, invalid in UTF-8) become U+FFFD, one for one, so offsets
still index the text as served and nothing downstream fails to encode it.
"""

from __future__ import annotations

import re

from classifier.types import BlockText, ChatText
from fetch.models import Chat, TextBlock, ToolResultBlock, ToolUseBlock

_SURROGATE = re.compile("[\ud800-\udfff]")


def chat_text(chat: Chat) -> ChatText:
    """All scannable text of ``chat``, with the ids needed to locate each finding."""
    blocks: list[BlockText] = []
    if chat.name:
        blocks.append(BlockText(message_id=None, role=None, block=0, kind="name", text=_clean(chat.name)))
    for message in chat.chat_messages:
        for index, block in enumerate(message.content):
            item = _block_text(message.id, message.role, index, block)
            if item is not None and item.text:
                blocks.append(BlockText(item.message_id, item.role, item.block, item.kind, _clean(item.text)))
    return ChatText(chat_id=chat.id, blocks=tuple(blocks), messages=len(chat.chat_messages))


def _block_text(message_id: str, role: str, index: int, block: object) -> BlockText | None:
    if isinstance(block, TextBlock):
        return BlockText(message_id, role, index, "text", block.text)
    if isinstance(block, ToolUseBlock):
        return BlockText(message_id, role, index, "tool_use", block.input)
    if isinstance(block, ToolResultBlock):
        text = "\n".join(item.text for item in block.content if item.type == "text")
        return BlockText(message_id, role, index, "tool_result", text)
    return None


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text
