"""The throughput benchmark's corpus: seeded, realistic chats of every size.

``realistic_corpus(seed, chats)`` mixes, with fixed shares:

* **simulator chats** (55%): short prose, code blocks, tool use and tool results, with planted
  cards, keys, emails and names (``fetch.simulator``);
* **dataset chats** (40%): one to six user messages drawn from the development data sets in
  ``../shared/datasets`` and chatsift's ``datasets/``: ACI-Bench and MTS-Dialog visits (long
  dialogues), BANKING77 questions, WNUT-17 posts, chatsift's financial and ordinary chats;
* **long pastes** (5%): one message of 2,000 to 10,000 words, several dataset texts joined (a
  pasted transcript or document).

Message sizes therefore run from one line to 10,000 words. Without the shared data sets the
corpus is simulator chats only, and ``describe`` says so. Texts stay in memory; nothing is written.
"""

from __future__ import annotations

import random
from pathlib import Path

from chatsift.convert import chat_text
from classifier.eval.cases import EvalError
from classifier.train import conll_texts, csv_column, team_texts
from classifier.types import BlockText, ChatText

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "datasets"
TEAM = REPO / "datasets"
SIMULATOR_SHARE = 0.55
LONG_SHARE = 0.05
LONG_WORDS = (2_000, 10_000)


def simulator_chats(seed: int, chats: int) -> list[ChatText]:
    """Every live chat of a generated organisation, as classifier input."""
    from fetch.simulator import generate_org

    org = generate_org(seed, users=max(4, chats // 10), chats=chats)
    return [chat_text(org.chat(summary.id)) for summary in org.chats]


def dataset_texts() -> list[str]:
    """Texts of the development data sets (empty when they are not there)."""
    clinical = SHARED / "clinical_dialogues_aci_mts" / "data"
    sources = [
        *(lambda p=p: csv_column(p, "dialogue") for p in sorted(clinical.glob("*/*.csv"))),
        *(lambda p=p: csv_column(p, "dialogue") for p in sorted(clinical.glob("*/*/*.csv"))),
        lambda: csv_column(SHARED / "banking77" / "test.csv", "text"),
        lambda: conll_texts(SHARED / "wnut17_emerging_entities" / "emerging.dev.conll"),
        lambda: team_texts(TEAM / "financial_dialogues" / "financial.jsonl", None),
        lambda: team_texts(TEAM / "ordinary_chats" / "ordinary.jsonl", None),
    ]
    texts: list[str] = []
    for source in sources:
        try:
            texts.extend(source())
        except (OSError, KeyError, ValueError, EvalError):
            continue  # a missing or different file: use what is there
    return texts


def _chat(chat_id: str, messages: list[str]) -> ChatText:
    blocks = tuple(BlockText(f"{chat_id}-m{i}", "user", 0, "text", text) for i, text in enumerate(messages))
    return ChatText(chat_id, blocks, len(messages))


def _long_paste(rng: random.Random, texts: list[str]) -> str:
    target = rng.randint(*LONG_WORDS)
    parts: list[str] = []
    words = 0
    while words < target:
        text = rng.choice(texts)
        parts.append(text)
        words += len(text.split())
    return "\n\n".join(parts)


def realistic_corpus(seed: int, chats: int) -> list[ChatText]:
    """``chats`` chats in the shares of the module docstring (simulator only without the data sets)."""
    rng = random.Random(seed)
    texts = dataset_texts()
    if not texts:
        return simulator_chats(seed, chats)
    n_sim = round(chats * SIMULATOR_SHARE)
    n_long = max(1, round(chats * LONG_SHARE))
    out = simulator_chats(seed, n_sim)[:n_sim]
    for i in range(chats - len(out) - n_long):
        out.append(_chat(f"bench_ds_{i}", [rng.choice(texts) for _ in range(rng.randint(1, 6))]))
    for i in range(n_long):
        out.append(_chat(f"bench_long_{i}", [_long_paste(rng, texts)]))
    rng.shuffle(out)
    return out


def describe(corpus: list[ChatText]) -> dict[str, float | int]:
    """Counts and sizes of a corpus (no text)."""
    sizes = sorted(len(b.text.split()) for chat in corpus for b in chat.blocks)
    return {
        "chats": len(corpus),
        "messages": sum(chat.messages for chat in corpus),
        "blocks": len(sizes),
        "mb": round(sum(len(b.text.encode()) for chat in corpus for b in chat.blocks) / 1e6, 3),
        "words_median": sizes[len(sizes) // 2] if sizes else 0,
        "words_max": sizes[-1] if sizes else 0,
    }
