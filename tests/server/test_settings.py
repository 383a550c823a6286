"""Settings: safe defaults, only known ${VAR}s in the Rasa files, all listed in the README."""

from __future__ import annotations

import re

import pytest

from server import settings
from server.settings import ROOT, SETTINGS, SettingError, number, resolve

RASA_FILES = ("credentials.yml", "endpoints.yml")


def test_defaults_listen_on_loopback_only() -> None:
    """With nothing set, every server binds 127.0.0.1 and only the demo page may call it."""
    values = resolve({})
    assert values["BOT_HOST"] == "127.0.0.1"
    assert values["CORS_ORIGINS"].split() == ["http://localhost:8000", "http://127.0.0.1:8000"]
    assert values["ACTION_SERVER_URL"] == "http://127.0.0.1:5055/webhook"
    assert values["PUBLIC_BOT_URL"] == "http://127.0.0.1:5005"


def test_default_store_is_sqlite_under_var() -> None:
    """The embedded default needs no service: SQLite in the git-ignored var/ directory."""
    url = resolve({})["TRACKER_STORE_URL"]
    assert url == f"sqlite:///{ROOT / 'var' / 'conversations.db'}"
    assert resolve({})["LOCK_STORE_URL"] == ""


def test_secrets_default_to_empty() -> None:
    """Nothing secret has a default: Telegram is off and the HTTP API is off."""
    values = resolve({})
    assert values["TELEGRAM_TOKEN"] == values["TELEGRAM_SECRET_TOKEN"] == ""
    assert values["RASA_API_TOKEN"] == ""


def test_derived_values_follow_the_ports() -> None:
    """Changing a port moves the URLs built from it; an explicit value wins."""
    values = resolve({"WEB_PORT": "9000", "ACTIONS_PORT": "6000", "RASA_PORT": "6005"})
    assert "http://localhost:9000" in values["CORS_ORIGINS"].split()
    assert values["ACTION_SERVER_URL"] == "http://127.0.0.1:6000/webhook"
    assert values["PUBLIC_BOT_URL"] == "http://127.0.0.1:6005"
    assert resolve({"CORS_ORIGINS": "https://clinic.example"})["CORS_ORIGINS"] == (
        "https://clinic.example"
    )


def test_empty_values_count_as_unset() -> None:
    """An empty variable (VAR= in a .env file) gets the default, not an empty port."""
    assert resolve({"RASA_PORT": "", "LOG_LEVEL": "  "})["RASA_PORT"] == "5005"


def test_environment_adds_sanic_limits() -> None:
    """The servers get the interface and the request-size limit in Sanic's own variables."""
    env = settings.environment({"PATH": "/bin", "MAX_BODY_BYTES": "1000"})
    assert env["PATH"] == "/bin"
    assert env["SANIC_REQUEST_MAX_SIZE"] == "1000"
    assert env["SANIC_HOST"] == "127.0.0.1"


def test_number_names_the_variable() -> None:
    """A non-numeric value is reported with the variable's name."""
    with pytest.raises(SettingError, match="RATE_LIMIT_PER_MINUTE='lots' is not a number"):
        number({"RATE_LIMIT_PER_MINUTE": "lots"}, "RATE_LIMIT_PER_MINUTE")


@pytest.mark.parametrize("name", RASA_FILES)
def test_rasa_files_use_only_known_settings(name: str) -> None:
    """Every ${VAR} in credentials.yml and endpoints.yml is a setting with a default."""
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    used = set(re.findall(r"\$\{(\w+)\}", code))
    assert used, f"{name} uses no variables"
    assert used <= settings.NAMES


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_readme_documents_every_setting(setting: settings.Setting) -> None:
    """The README's settings table has a row for every variable."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^\| `{setting.name}` \|", readme, flags=re.MULTILINE)
