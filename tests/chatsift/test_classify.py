"""``chatsift classify``: planted values found with the right message id, block and offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.chatsift.conftest import cli_env, read_jsonl, run_cli

PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAx3v9Qm1Zk2mS8yq7fJvXhT0bLrPqW4nE5cD6aB7sT8uV9wXy\n"
    "Z1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R9s0T1u2V3w4X5y6Z7a8B9c0D1e2\n"
    "-----END RSA PRIVATE KEY-----"
)

# (entity, value, template): the value is planted where {} stands.
PLANTED = [
    ("EMAIL_ADDRESS", "dana.whitfield@northwind-example.com", "Send the invoice to {} before Friday."),
    ("PHONE_NUMBER", "(415) 555-0132", "Call me at {} if the build breaks."),
    ("US_SSN", "536-22-4187", "Her SSN is {} according to the HR form."),
    ("CREDIT_CARD", "4539 1488 0343 6467", "Charge the card {} for the renewal."),
    ("CREDIT_CARD", "5425233430109903", "Backup card: {} exp 04/28."),
    ("CREDIT_CARD", "2223000048410010", "The 2-series card {} works too."),
    ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "Wire it to IBAN {} today."),
    ("AWS_ACCESS_KEY", "AKIAZ7QX4MNB2VRT6KLP", "aws_access_key_id = {}"),
    ("GITHUB_TOKEN", "ghp_R8fK2mQ9xL4vT7nB3cW6yH1jD5sA0eZp2uG8", "export GH_TOKEN={}"),
    ("ANTHROPIC_API_KEY", "sk-ant-api03-" + ("Xq7Lm2Vb9Nc4Kd8Rf3Tg6Hy1Ju5Zw0Pe" * 3)[:93] + "AA", "key: {}"),
    ("PRIVATE_KEY", PEM, "here is the deploy key:\n{}\nthanks"),
]
PERSONS = [("PERSON", "Margaret Okonkwo", "I met with {} yesterday about the contract.")]
NEGATIVES = [
    "Charge the card 4539 1488 0343 6468 for the renewal.",
    "Order number 1234 5678 9012 3456 shipped.",
]


def _chat(
    chat_id: str, planted: list[tuple[str, str, str]]
) -> tuple[dict, list[tuple[str, str, int, int, int]]]:
    messages, expected = [], []
    for i, (entity, value, template) in enumerate(planted):
        text = template.format(value)
        start = text.index(value)
        msg_id = f"claude_chat_msg_{chat_id[-4:]}{i:03d}"
        # Put the value in the second block so block indexes are exercised too.
        content = [{"type": "text", "text": "Quick question."}, {"type": "text", "text": text}]
        messages.append(
            {"id": msg_id, "role": "user", "created_at": "2026-03-01T10:00:00Z", "content": content}
        )
        expected.append((entity, msg_id, 1, start, start + len(value)))
    for j, text in enumerate(NEGATIVES):
        messages.append(
            {"id": f"claude_chat_msg_neg{j}", "role": "user", "content": [{"type": "text", "text": text}]}
        )
    chat = {
        "id": chat_id,
        "name": "Planted values",
        "created_at": "2026-03-01T10:00:00Z",
        "updated_at": "2026-03-01T11:00:00Z",
        "deleted_at": None,
        "href": "https://claude.ai/chat/00000000-0000-4000-8000-000000000001",
        "user": {"id": "user_01TEST", "email_address": "tester@example.com"},
        "chat_messages": messages,
    }
    return chat, expected


def _found(record: dict) -> set[tuple[str, str, int, int, int]]:
    return {(f["entity"], f["message_id"], f["block"], f["start"], f["end"]) for f in record["findings"]}


def _classify(tmp_path: Path, chat: dict, ner: str, **env: str) -> dict:
    src = tmp_path / "chats.json"
    src.write_text(json.dumps([chat]), encoding="utf-8")
    out = tmp_path / "labels.jsonl"
    result = run_cli(
        ["classify", str(src), "--out", str(out)], cli_env(tmp_path / "d", CHATSIFT_NER=ner, **env)
    )
    assert result.code == 0, result.stderr[-2000:]
    assert not (tmp_path / "d" / "chatsift.db").exists(), "classify wrote a store without --store"
    (record,) = read_jsonl(out)
    return record


def test_classify_finds_pattern_values_with_exact_offsets(tmp_path: Path) -> None:
    chat, expected = _chat("claude_chat_PLANT0001", PLANTED)
    record = _classify(tmp_path, chat, ner="off")
    found = _found(record)
    missing = [e for e in expected if e not in found]
    assert not missing, f"not found: {missing}"
    negatives = [f for f in record["findings"] if f["message_id"].startswith("claude_chat_msg_neg")]
    assert negatives == []
    assert {"pii", "payment", "secrets"} <= set(record["labels"])
    assert record["severity"] == "critical"
    for finding in record["findings"]:
        assert finding["fingerprint"].startswith("hmac-sha256:")
        assert len(finding["evidence"]) < 120


@pytest.mark.spacy
def test_classify_finds_person_names_with_the_spacy_pipeline(tmp_path: Path) -> None:
    chat, expected = _chat("claude_chat_PLANT0002", PERSONS + PLANTED[:3])
    record = _classify(tmp_path, chat, ner="always")
    found = _found(record)
    assert not [e for e in expected if e not in found], record["findings"]


def test_the_policy_setting_is_honoured(tmp_path: Path) -> None:
    chat, _ = _chat("claude_chat_PLANT0003", PLANTED[:3])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    default = _classify(tmp_path / "a", chat, ner="off")
    policy = tmp_path / "policy.toml"
    policy.write_text('[allow]\npatterns = [".*"]\n', encoding="utf-8")  # allow everything
    allowed = _classify(tmp_path / "b", chat, ner="off", CHATSIFT_POLICY=str(policy))
    assert default["findings"] and allowed["findings"] == []
    assert allowed["ruleset"] != default["ruleset"]


def test_a_bad_policy_is_a_configuration_error(tmp_path: Path) -> None:
    chat, _ = _chat("claude_chat_PLANT0004", PLANTED[:1])
    (tmp_path / "chats.json").write_text(json.dumps([chat]), encoding="utf-8")
    policy = tmp_path / "policy.toml"
    policy.write_text("[scores.category]\npii = 7\n", encoding="utf-8")
    result = run_cli(
        ["classify", str(tmp_path / "chats.json"), "--out", str(tmp_path / "o.jsonl")],
        cli_env(tmp_path / "d", CHATSIFT_NER="off", CHATSIFT_POLICY=str(policy)),
    )
    assert result.code == 2
    assert "policy.toml" in result.stderr and "between 0 and 1" in result.stderr
