"""Configuration from the environment or a `.env` file.

The variable names are a public contract with the office's deployment: keep them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.content import DEFAULT_CONTENT_DIR
from bot.faq.encoder import ENCODERS
from bot.texts import plain

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/defensoria.db"

_OFFSET_PATTERN = re.compile(r"^(\d+)\s*([dhm])$")
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
BOT_MODES = ("polling", "webhook")
WEBHOOK_DEFAULT_PORT = 8080
_OFFSET_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_offsets(raw: str) -> tuple[timedelta, ...]:
    """Parses `24h,1h,30m,2d` into distinct, positive offsets, largest first."""
    offsets: set[timedelta] = set()
    for part in raw.split(","):
        part = part.strip().lower()
        if not part:
            continue
        match = _OFFSET_PATTERN.match(part)
        if not match or int(match.group(1)) == 0:
            raise ValueError(plain("config.offset_invalid", value=part))
        offsets.add(timedelta(**{_OFFSET_UNITS[match.group(2)]: int(match.group(1))}))
    if not offsets:
        raise ValueError(plain("config.offsets_empty"))
    return tuple(sorted(offsets, reverse=True))


class ContentSettings(BaseSettings):
    """What `check-content` needs: the content folder, without a token."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    content_dir: Path = DEFAULT_CONTENT_DIR

    @field_validator("content_dir", mode="before")
    @classmethod
    def _blank_content_dir_is_default(cls, value: object) -> object:
        return DEFAULT_CONTENT_DIR if isinstance(value, str) and not value.strip() else value


class Settings(ContentSettings):
    """Everything the bot reads from its environment."""

    token_required: ClassVar[bool] = True
    telegram_bot_token: SecretStr
    telegram_api_base_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "America/Mexico_City"
    log_level: str = "INFO"
    reminder_offsets: Annotated[tuple[timedelta, ...], NoDecode] = Field(
        default=(timedelta(hours=24), timedelta(hours=1))
    )
    reminder_scan_seconds: float = Field(default=60, gt=0)
    send_rate_per_second: float = Field(default=25, gt=0, le=30)
    faq_encoder: str = "use"
    faq_cache_dir: Path = Path("data/cache")
    retention_months: int = Field(default=24, ge=2, le=240)
    listen_host: str = "127.0.0.1"
    listen_port: int | None = None
    bot_mode: str = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_max_connections: int = 10

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if cls.token_required and not value.get_secret_value().strip():
            raise ValueError(plain("config.token_empty"))
        return value

    @field_validator("telegram_api_base_url", mode="before")
    @classmethod
    def _blank_base_url_is_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("listen_port", mode="before")
    @classmethod
    def _valid_port(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            if not value.strip().isdigit():
                raise ValueError(plain("config.port", value=value))
            value = int(value)
        if isinstance(value, int) and not 1 <= value <= 65535:
            raise ValueError(plain("config.port", value=value))
        return value

    @field_validator("bot_mode", mode="before")
    @classmethod
    def _known_mode(cls, value: object) -> object:
        mode = str(value or "polling").strip().lower() or "polling"
        if mode not in BOT_MODES:
            raise ValueError(plain("config.bot_mode", value=value))
        return mode

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_max_connections", mode="before")
    @classmethod
    def _valid_max_connections(cls, value: object) -> object:
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= 100:
            raise ValueError(plain("config.webhook_max_connections", value=value))
        return int(text)

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.bot_mode != "webhook":
            return self
        if self.webhook_url is None:
            raise ValueError(plain("config.webhook_url_missing"))
        if not self.webhook_url.startswith("https://") or len(self.webhook_url) <= 8:
            raise ValueError(plain("config.webhook_url_https", value=self.webhook_url))
        if self.webhook_secret is None:
            raise ValueError(plain("config.webhook_secret_missing"))
        if not _SECRET_PATTERN.match(self.webhook_secret.get_secret_value()):
            raise ValueError(plain("config.webhook_secret_invalid"))
        return self

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(
                int(part) for part in value.replace(";", ",").split(",") if part.strip()
            )
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _parse_offsets(cls, value: object) -> object:
        return parse_offsets(value) if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(plain("config.timezone_unknown", value=value)) from exc
        return value

    @field_validator("faq_encoder")
    @classmethod
    def _known_encoder(cls, value: str) -> str:
        name = value.strip().lower() or "none"
        if name not in ENCODERS:
            raise ValueError(plain("config.faq_encoder", value=value))
        return name

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(plain("config.log_level"))
        return level

    @property
    def web_port(self) -> int | None:
        """The HTTP server's port: LISTEN_PORT, or 8080 in webhook mode, or None (no server)."""
        if self.listen_port is not None:
            return self.listen_port
        return WEBHOOK_DEFAULT_PORT if self.bot_mode == "webhook" else None

    @property
    def webhook_path(self) -> str:
        """The path of WEBHOOK_URL: where the bot's HTTP server takes Telegram's posts."""
        from urllib.parse import urlsplit

        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_staff(self, telegram_user_id: int | None) -> bool:
        return telegram_user_id is not None and telegram_user_id in self.admin_ids


class OfflineSettings(Settings):
    """The settings of the commands that never talk to Telegram (`import-talks`, `migrate`):
    the token may be missing or blank."""

    token_required: ClassVar[bool] = False
    telegram_bot_token: SecretStr = SecretStr("")


@lru_cache
def get_settings() -> Settings:
    return Settings()
