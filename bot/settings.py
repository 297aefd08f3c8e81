"""Settings, read once from the environment (and an optional ``.env`` file).

Pitfall: the token and ``SMTP_PASSWORD`` are :class:`pydantic.SecretStr` (``repr`` shows ``**********``); never
log ``repr(settings)`` expecting it to be safe for anything else either -- the database URL may hold a password,
so :meth:`Settings.describe` masks it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.i18n.catalogs import SUPPORTED_LANGUAGES
from bot.workflow.deadlines import Terms

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class SettingsError(Exception):
    """Invalid configuration; the message is one sentence meant for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True, case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    telegram_api_base_file_url: str | None = None
    veiligbot_data_dir: Path = Path("data")
    database_url: str | None = None
    default_language: str = "nl"
    log_level: LogLevel = "INFO"
    timezone: str = "Europe/Amsterdam"
    # Messages per second the bot sends overall (Telegram allows about 30); crisis replies always go first.
    telegram_rate_limit: float = Field(default=30.0, gt=0, le=30)
    # Messages per minute the bot sends into one group chat (Telegram allows about 20).
    telegram_group_rate_limit: float = Field(default=20.0, gt=0, le=20)
    # Minutes after which an untouched report draft expires (the resident is told).
    draft_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Telegram user ids of administrators, comma-separated: they may act on every municipality's reports.
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # E-mail delivery (`veiligbot municipality email`); without SMTP_HOST e-mail deliveries wait.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # STARTTLS is required when true (the connection fails rather than send in the clear); false: plain SMTP.
    smtp_starttls: bool = True
    # Required with SMTP_HOST (validated even when absent); its domain also names the Message-IDs.
    smtp_from: str | None = Field(default=None, validate_default=True)
    # Per-municipality deadlines that differ from knowledge/data/deadlines.yaml, as JSON:
    # {"heerde": {"youth-nuisance": {"response": 2, "handling": 10}}} (working days).
    deadlines: Annotated[dict[str, dict[str, Terms]], NoDecode] = Field(default_factory=dict)
    # A report taken on with no action for this many working hours (09:00-17:00) is marked and its assignee
    # reminded once.
    claim_lapse_working_hours: int = Field(default=16, ge=1, le=400)
    # Abuse resistance (bot.residents.limits): per resident; a crisis message is never held back by them.
    messages_per_minute: int = Field(default=30, ge=1, le=1000)
    reports_per_day: int = Field(default=5, ge=1, le=1000)
    # Photos above this size (Telegram's file_size, bytes) are refused; the Bot API downloads at most 20 MB.
    max_photo_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=20 * 1024 * 1024)
    # Personal data of a closed report is removed this many days after closing (bot.reports.retention).
    retention_days: int = Field(default=90, ge=1, le=3650)
    # Active/standby (bot.leader): the active instance's lease; a standby takes over at most this long (plus a
    # third of it) after the active one stops renewing it.
    leader_lease_seconds: float = Field(default=15, ge=1, le=120)
    # Webhook mode (`veiligbot run --webhook`): the public HTTPS URL Telegram posts to (the reverse proxy), the
    # address and port this process listens on behind it, and the secret Telegram sends with every update.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: SecretStr | None = None

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        raw = value.get_secret_value().strip()
        bot_id, sep, secret = raw.partition(":")
        if not sep or not bot_id.isdigit() or len(secret) < 5:
            raise ValueError("TELEGRAM_BOT_TOKEN does not look like a BotFather token (digits:secret)")
        return SecretStr(raw)

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _user_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(p.isdigit() for p in parts):
                raise ValueError("ADMIN_USER_IDS must be Telegram user ids separated by commas")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("smtp_host", "smtp_username", "smtp_from", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("smtp_from")
    @classmethod
    def _from_address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            if info.data.get("smtp_host"):
                raise ValueError("SMTP_FROM must be set when SMTP_HOST is (the sender of report e-mails)")
            return None
        from email.utils import parseaddr

        address = parseaddr(value)[1]
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            raise ValueError("SMTP_FROM must be an e-mail address, optionally with a name: Veilig <bot@example.nl>")
        return value.strip()

    @field_validator("deadlines", mode="before")
    @classmethod
    def _deadlines_json(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else {}
            except json.JSONDecodeError:
                example = '{"heerde": {"youth-nuisance": {"response": 2, "handling": 10}}}'
                raise ValueError(f"DEADLINES must be JSON, e.g. {example}") from None
        return value

    @field_validator("deadlines")
    @classmethod
    def _deadlines_known(cls, value: dict[str, dict[str, Terms]]) -> dict[str, dict[str, Terms]]:
        from bot.reports.drafts import CATEGORIES
        from knowledge.municipalities import MUNICIPALITY_IDS

        for municipality, terms in value.items():
            if municipality not in MUNICIPALITY_IDS:
                raise ValueError(f"DEADLINES names an unknown municipality {municipality!r}")
            for category in terms:
                if category not in CATEGORIES:
                    raise ValueError(f"DEADLINES names an unknown category {category!r}")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("WEBHOOK_URL must be the public https:// address Telegram posts updates to")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        raw = value.get_secret_value()
        # Telegram's rule for secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -.
        if len(raw) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in raw):
            raise ValueError("WEBHOOK_SECRET must be 1-256 characters: letters, digits, _ and -")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_BASE_URL must start with http:// or https://")
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"DEFAULT_LANGUAGE must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def database(self) -> str:
        """The SQLAlchemy async URL; default an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.veiligbot_data_dir / 'veiligbot.sqlite3').resolve()}"

    @property
    def smtp_secret(self) -> str | None:
        return self.smtp_password.get_secret_value() if self.smtp_password else None

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    def describe(self) -> str:
        """A loggable one-line summary without secrets."""
        db = self.database.split("://", 1)[0]
        return (
            f"api={self.telegram_api_base_url.split('/bot')[0]} db={db} "
            f"default_language={self.default_language} token={'set' if self.token else 'not set'} "
            f"smtp={'set' if self.smtp_host else 'not set'}"
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings, or raise :class:`SettingsError` with one clear sentence."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]).upper() or "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid configuration for {field}: {message}.") from None


class RedactSecrets(logging.Filter):
    """Replaces secrets (the bot token) in every record, whatever logger produced it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if any(s in message for s in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True


def configure_logging(level: str, secrets: list[str] | None = None) -> None:
    """Readable logs that never contain the token or resident text.

    Pitfalls: httpx at INFO logs request URLs, which contain the bot token, so it stays at WARNING; PTB at
    DEBUG logs whole updates (resident messages), so ``telegram`` is capped at INFO even when LOG_LEVEL=DEBUG.
    The database drivers log statements with their parameters (descriptions, phone numbers, e-mail addresses):
    SQLAlchemy at INFO, aiosqlite and asyncpg at DEBUG, so they stay at WARNING (alembic at INFO only names
    migrations). The token is also redacted from every record as a last line of defence.
    """
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    redact = RedactSecrets(secrets or [])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    wanted = logging.getLevelName(level)
    for name, floor in LOGGER_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, wanted))


# The least severe level each of these loggers may emit, whatever LOG_LEVEL says (see configure_logging).
LOGGER_FLOORS: dict[str, int] = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "alembic": logging.INFO,
}
