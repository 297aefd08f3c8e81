"""Settings: defaults, one-sentence errors naming the variable, no secrets in summaries, logging setup."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import LOGGER_FLOORS, Settings, SettingsError, configure_logging, load_settings

TOKEN = "123456789:AAHsecretPartOfTheBotToken_xyz"


def load(**overrides: object) -> Settings:
    return load_settings(_env_file=None, **overrides)


def test_defaults(settings: Settings, tmp_path: Path) -> None:
    assert settings.default_language == "nl"
    assert settings.log_level == "INFO"
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.token is None
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.database == f"sqlite+aiosqlite:///{(tmp_path / 'data' / 'veiligbot.sqlite3').resolve()}"


def test_database_defaults_to_sqlite_in_the_data_dir_from_the_environment(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEILIGBOT_DATA_DIR", str(tmp_path / "elsewhere"))
    loaded = load()
    assert loaded.database.startswith("sqlite+aiosqlite:///")
    path = Path(loaded.database.removeprefix("sqlite+aiosqlite:///"))
    assert path == tmp_path / "elsewhere" / "veiligbot.sqlite3"

    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@db/veilig")
    assert load().database == "postgresql+asyncpg://bot@db/veilig"


def test_default_data_dir_is_relative_to_the_working_directory(settings: Settings, tmp_path: Path) -> None:
    # The fixture changed into tmp_path; the relative default "data" resolves there.
    assert load().database == f"sqlite+aiosqlite:///{(tmp_path / 'data' / 'veiligbot.sqlite3').resolve()}"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_BOT_TOKEN", "123456:abc"),  # secret too short
        ("TELEGRAM_BOT_TOKEN", "bot:AAHsecretPartOfTheBotToken"),  # id not numeric
        ("DEFAULT_LANGUAGE", "de"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
        ("TELEGRAM_API_BASE_URL", "ftp://api.telegram.org/bot"),
    ],
)
def test_invalid_value_gives_one_sentence_naming_the_variable(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        load()
    message = str(info.value)
    assert variable in message
    assert "\n" not in message
    assert message.endswith(".")
    assert ". " not in message.rstrip(".")  # one sentence
    assert value not in message  # a mistyped token is still a secret


def test_valid_values_are_accepted(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", f"  {TOKEN}  ")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    loaded = load()
    assert loaded.token == TOKEN
    assert loaded.default_language == "en"
    assert loaded.telegram_api_base_url == "http://127.0.0.1:8081/bot"


def test_empty_token_means_no_token(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "   ")
    assert load().token is None


def test_token_never_appears_in_describe_or_repr(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    loaded = load()
    secret = TOKEN.split(":", 1)[1]
    for shown in (loaded.describe(), repr(loaded), str(loaded)):
        assert secret not in shown
    assert "token=set" in loaded.describe()
    assert "token=not set" in settings.describe()


def test_describe_hides_database_credentials(settings: Settings) -> None:
    loaded = load(database_url="postgresql+asyncpg://veilig:hunter2@db.example/veilig")
    assert "hunter2" not in loaded.describe()
    assert "db=postgresql+asyncpg" in loaded.describe()


LEVELS = [("debug", "DEBUG"), ("warning", "WARNING"), ("Info", "INFO")]


@pytest.mark.parametrize(("value", "expected"), LEVELS)
def test_log_level_is_case_insensitive(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("LOG_LEVEL", value)
    assert load().log_level == expected


def test_unknown_log_level_is_refused(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    with pytest.raises(SettingsError, match="LOG_LEVEL"):
        load()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    names = ["", *LOGGER_FLOORS]
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(logging.getLogger().handlers)
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger().handlers[:] = handlers


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_keeps_httpx_at_warning() -> None:
    # At INFO httpx logs request URLs, which contain the bot token.
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    configure_logging("DEBUG")
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)


@pytest.mark.usefixtures("restore_logging")
def test_database_loggers_never_log_statements_whatever_the_level() -> None:
    # SQLAlchemy logs statements with their parameters at INFO, aiosqlite and asyncpg at DEBUG.
    configure_logging("DEBUG")
    for name in ("sqlalchemy", "sqlalchemy.engine.Engine", "aiosqlite", "asyncpg"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
        assert logging.getLogger(name).isEnabledFor(logging.WARNING), name
    assert logging.getLogger("alembic").isEnabledFor(logging.INFO)
    assert not logging.getLogger("alembic").isEnabledFor(logging.DEBUG)


@pytest.mark.usefixtures("restore_logging")
def test_a_stricter_log_level_also_applies_to_the_capped_loggers() -> None:
    configure_logging("ERROR")
    for name in LOGGER_FLOORS:
        assert logging.getLogger(name).level == logging.ERROR, name
