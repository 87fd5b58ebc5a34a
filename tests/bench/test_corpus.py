"""The throughput benchmark's corpus: seeded, mixed sizes, no text in its description."""

from __future__ import annotations

import pytest

from bench.corpus import LONG_WORDS, SHARED, describe, realistic_corpus

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data sets not found at {SHARED}")


def test_the_corpus_is_seeded_and_mixes_short_and_long_messages() -> None:
    a, b = realistic_corpus(7, 60), realistic_corpus(7, 60)
    assert [c.chat_id for c in a] == [c.chat_id for c in b]
    assert [blk.text for c in a for blk in c.blocks] == [blk.text for c in b for blk in c.blocks]
    assert len(a) == 60
    facts = describe(a)
    assert facts["words_max"] >= LONG_WORDS[0]
    assert facts["words_median"] < 100
    assert any(c.chat_id.startswith("bench_long_") for c in a)
    assert any(c.chat_id.startswith("claude_chat_") for c in a)
    assert all(isinstance(v, int | float) for v in facts.values())
