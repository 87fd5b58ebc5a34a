"""Build one chat's messages: prose, code, tool calls, attachments, and planted values.

Messages alternate user/assistant, starting with the user. Assistant turns sometimes call a tool:
their content is then ``[text, tool_use, tool_result, text]``. Planted values go into a user text
block, an assistant text block, a tool input (JSON-safe plants only) or a tool result, and their
offsets are recorded by ``TextBuilder`` while the text is assembled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fetch.simulator import corpus, timestamps
from fetch.simulator.ids import IdFactory
from fetch.simulator.planted import PlantedValue, PlantKind, Span, TextBuilder, planted_from

SLOTS = ("user", "assistant", "tool_use", "tool_result")


@dataclass
class Conversation:
    """The messages of one chat, their times, and the planted values inside them."""

    messages: list[dict[str, Any]] = field(default_factory=list, repr=False)
    times: list[datetime] = field(default_factory=list)
    planted: list[PlantedValue] = field(default_factory=list)


@dataclass
class _Turn:
    """Plants assigned to one message, by slot."""

    plants: dict[str, list[PlantKind]] = field(default_factory=lambda: {slot: [] for slot in SLOTS})


def _slot_for(rng: random.Random, kind: PlantKind) -> str:
    roll = rng.random()
    if kind.json_safe and roll < 0.15:
        return "tool_use"
    if roll < 0.3:
        return "tool_result"
    return "assistant" if roll < 0.45 else "user"


def _assign(rng: random.Random, count: int, plants: list[PlantKind]) -> list[_Turn]:
    turns = [_Turn() for _ in range(count)]
    users = list(range(0, count, 2))
    assistants = list(range(1, count, 2))
    for kind in plants:
        slot = _slot_for(rng, kind) if assistants else "user"  # a one-message chat has no assistant turn
        index = rng.choice(users if slot == "user" else assistants)
        turns[index].plants[slot].append(kind)
    return turns


class ConversationBuilder:
    """Builds the messages of one chat from a seeded RNG."""

    def __init__(self, rng: random.Random, ids: IdFactory, chat_id: str, topic: str) -> None:
        self.rng = rng
        self.ids = ids
        self.chat_id = chat_id
        self.topic = corpus.TOPICS[topic]
        self.out = Conversation()

    def build(self, start: datetime, count: int, plants: list[PlantKind]) -> Conversation:
        """``count`` alternating messages from ``start``, with ``plants`` placed among them."""
        moment = start
        for index, turn in enumerate(_assign(self.rng, count, plants)):
            if index:
                gap = self.rng.randint(5, 90) if index % 2 else self.rng.randint(30, 1500)
                moment += timedelta(
                    seconds=gap, microseconds=self.rng.choice([0, self.rng.randint(1, 999_999)])
                )
            message_id = self.ids.new("claude_chat_msg_")
            role = "assistant" if index % 2 else "user"
            body = (
                self._assistant(message_id, turn)
                if index % 2
                else self._user(message_id, index, turn, moment)
            )
            message = {"id": message_id, "role": role, "created_at": timestamps.render(moment), **body}
            self.out.messages.append(message)
            self.out.times.append(moment)
        return self.out

    def _record(self, message_id: str, block: int, spans: list[Span]) -> None:
        self.out.planted += planted_from(spans, self.chat_id, message_id, block)

    def _prose(self, text: TextBuilder, role: str, sentences: int) -> None:
        options = self.topic[role]
        for template in self.rng.sample(options, min(sentences, len(options))):
            if len(text):
                text.add(" ")
            text.add(corpus.fill(self.rng, template))

    def _plants(self, text: TextBuilder, plants: list[PlantKind]) -> None:
        for kind in plants:
            snippet = kind.make(self.rng)
            if len(text):
                text.add("\n\n" if not kind.json_safe or self.rng.random() < 0.5 else " ")
            text.add(*snippet)

    def _user(self, message_id: str, index: int, turn: _Turn, moment: datetime) -> dict[str, Any]:
        text = TextBuilder()
        self._prose(text, "user", 1 if index == 0 else self.rng.randint(1, 2))
        if self.rng.random() < 0.15:
            text.add("\n\n", corpus.code_block(self.rng))
        self._plants(text, turn.plants["user"])
        self._record(message_id, 0, text.spans)
        files = None
        if self.rng.random() < 0.15:
            files = [self._file(moment) for _ in range(self.rng.randint(1, 2))]
        return {
            "content": [self._text_block(text.text, False)],
            "files": files,
            "generated_files": None,
            "artifacts": None,
        }

    def _assistant(self, message_id: str, turn: _Turn) -> dict[str, Any]:
        tool_plants = turn.plants["tool_use"] + turn.plants["tool_result"]
        blocks: list[dict[str, Any]] = []
        if tool_plants or self.rng.random() < 0.2:
            blocks.append(self._text_block("Let me look that up first.", False))
            blocks.extend(self._tool_pair(message_id, turn))
        answer = TextBuilder()
        self._prose(answer, "assistant", self.rng.randint(1, 3))
        if self.rng.random() < 0.25:
            answer.add("\n\n", corpus.code_block(self.rng))
        self._plants(answer, turn.plants["assistant"])
        self._record(message_id, len(blocks), answer.spans)
        blocks.append(self._text_block(answer.text, self.rng.random() < 0.15))
        generated, artifacts = self._outputs()
        return {"content": blocks, "files": None, "generated_files": generated, "artifacts": artifacts}

    def _outputs(self) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        """Generated files and artifacts of an assistant turn (``None`` when it has none, as served)."""
        generated = artifacts = None
        if self.rng.random() < 0.1:
            name, mime = self.rng.choice(corpus.GENERATED_FILES)
            generated = [
                {
                    "id": self.ids.new("claude_gen_file_"),
                    "filename": corpus.fill(self.rng, name),
                    "mime_type": mime,
                    "size_bytes": self.rng.randint(200, 90_000),
                    "md5": None,
                }
            ]
        if self.rng.random() < 0.12:
            title, kind = self.rng.choice(corpus.ARTIFACTS)
            artifacts = [
                {
                    "id": self.ids.new("claude_artifact_"),
                    "version_id": self.ids.new("claude_artifact_version_"),
                    "title": corpus.fill(self.rng, title),
                    "artifact_type": kind,
                }
            ]
        return generated, artifacts

    def _tool_pair(self, message_id: str, turn: _Turn) -> list[dict[str, Any]]:
        """A ``tool_use`` block (blocks[1]) and its ``tool_result`` (blocks[2])."""
        name, integration, mcp_url, key = self.rng.choice(corpus.TOOLS)
        tool_id = self.ids.new("toolu_")
        args = TextBuilder()
        args.add(f'{{"{key}":"')
        if turn.plants["tool_use"]:
            for i, kind in enumerate(turn.plants["tool_use"]):
                args.add(" " if i else "", *kind.make(self.rng), escape_json=True)
        else:
            args.add(corpus.fill(self.rng, "{metric} for {feature} in {quarter}"), escape_json=True)
        args.add('"}')
        self._record(message_id, 1, args.spans)
        result = self._result_text(turn.plants["tool_result"])
        self._record(message_id, 2, result.spans)
        items = result.text.split("\x00")
        use = {
            "type": "tool_use",
            "id": tool_id,
            "name": name,
            "input": args.text,
            "integration_name": integration,
            "mcp_server_url": mcp_url,
            "truncated": False,
        }
        outcome = {
            "type": "tool_result",
            "tool_use_id": tool_id,
            "name": name,
            "is_error": not result.spans and self.rng.random() < 0.05,
            "content": [{"type": "text", "text": item} for item in items],
            "integration_name": integration,
            "mcp_server_url": mcp_url,
            "truncated": self.rng.random() < 0.05,
        }
        return [use, outcome]

    def _result_text(self, plants: list[PlantKind]) -> TextBuilder:
        """Tool output; a NUL ends one text item and starts the next (they are served joined by newlines)."""
        result = TextBuilder()
        result.add(corpus.fill(self.rng, self.rng.choice(corpus.TOOL_RESULTS)))
        for kind in plants:
            result.add("\x00" if self.rng.random() < 0.5 else "\n", *kind.make(self.rng))
        return result

    def _text_block(self, text: str, thinking_redacted: bool) -> dict[str, Any]:
        return {"type": "text", "text": text, "thinking_redacted": thinking_redacted, "truncated": False}

    def _file(self, moment: datetime) -> dict[str, Any]:
        name, mime = self.rng.choice(corpus.FILES)
        return {
            "id": self.ids.new("claude_file_"),
            "filename": corpus.fill(self.rng, name),
            "mime_type": mime,
            "size_bytes": self.rng.randint(1_000, 4_000_000),
            "md5": self.ids.hex(16),
            "created_at": timestamps.render(moment - timedelta(seconds=self.rng.randint(1, 30))),
        }
