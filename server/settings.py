"""Every setting the running bot reads from the environment, with its safe default.

The launcher (`python -m server run`, i.e. `make run`) fills in the defaults before it starts
the servers, so `credentials.yml` and `endpoints.yml` can use Rasa's `${VAR}` substitution
(which has no defaults of its own). The README's settings table is checked against this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default and what it is for."""

    name: str
    default: str
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("BOT_HOST", "127.0.0.1", "interface all servers listen on (0.0.0.0 for every one)"),
    Setting("RASA_PORT", "5005", "Rasa server: REST, Socket.IO and Telegram webhooks"),
    Setting("ACTIONS_PORT", "5055", "action server"),
    Setting("WEB_PORT", "8000", "demo page with the chat widget"),
    Setting("ACTION_SERVER_URL", "", "action server webhook (default: the one started here)"),
    Setting("PUBLIC_BOT_URL", "", "URL browsers use to reach the Rasa server (default: local)"),
    Setting(
        "CORS_ORIGINS",
        "",
        "space-separated origins allowed to call REST and Socket.IO (default: the demo page;"
        " a value replaces it)",
    ),
    Setting(
        "TRACKER_STORE_URL",
        "",
        "SQLAlchemy URL of the conversation store (default: SQLite in var/conversations.db)",
    ),
    Setting("LOCK_STORE_URL", "", "redis://host:port/db for a shared lock store (default: memory)"),
    Setting(
        "TRACKER_CACHE_SIZE",
        "1000",
        "conversations each Rasa process keeps in memory, reading only new events (0: off)",
    ),
    Setting("SANIC_WORKERS", "1", "Rasa server worker processes (more than 1 needs Redis)"),
    Setting("ACTION_TIMEOUT_SECONDS", "2.5", "how long to wait for the action server per turn"),
    Setting("MAX_BODY_BYTES", "65536", "largest request body accepted (larger: HTTP 413)"),
    Setting("RATE_LIMIT_PER_MINUTE", "30", "messages one sender may send per minute"),
    Setting("REPORT_MAX_BYTES", "10485760", "largest lab report photo or PDF read (10 MB)"),
    Setting("REPORT_MAX_PAGES", "3", "pages of a report PDF read (the rest are left out)"),
    Setting(
        "REPORT_MAX_PIXELS", "40000000", "largest report image read, in pixels (bigger: refused)"
    ),
    Setting("REPORT_OCR_SECONDS", "20", "longest text recognition of one report page"),
    Setting("REPORT_WORKERS", "2", "report pages read at once per Rasa process (the rest wait)"),
    Setting("RETENTION_DAYS", "30", "`make purge` deletes conversations idle this long"),
    Setting(
        "EMERGENCY_NUMBERS",
        "",
        "who emergency advice says to call (default: 911 (US), 112 (EU), 999 (UK) or your local"
        " emergency number)",
    ),
    Setting("LOG_DIR", "", "where the servers' log files go (default: var/log)"),
    Setting("LOG_LEVEL", "INFO", "how much the servers log (never what people type)"),
    Setting("RASA_API_TOKEN", "", "turns on Rasa's HTTP API, protected by this token"),
    Setting(
        "REST_TOKEN",
        "",
        "opens the REST channel to other machines: requests carry `Authorization: Bearer` it",
    ),
    Setting(
        "REST_OPEN",
        "false",
        "`true`: the REST channel takes requests without a token (behind your own gateway)",
    ),
    Setting(
        "SESSION_SECRET",
        "",
        "key that signs the widget's session ids, 32+ characters (default: made once, kept in"
        " var/session_secret)",
    ),
    Setting("TELEGRAM_TOKEN", "", "bot token from BotFather; the Telegram channel is off without"),
    Setting("TELEGRAM_BOT_NAME", "", "the bot's username, as BotFather registered it"),
    Setting("TELEGRAM_WEBHOOK_URL", "", "public https URL of /webhooks/telegram/webhook"),
    Setting("TELEGRAM_SECRET_TOKEN", "", "secret Telegram sends with every update"),
    Setting("TELEGRAM_API_BASE_URL", "https://api.telegram.org", "Telegram Bot API server"),
)

NAMES = frozenset(setting.name for setting in SETTINGS)


def resolve(environ: Mapping[str, str]) -> dict[str, str]:
    """The settings from `environ`, with every unset or empty one given its default."""
    values = {s.name: (environ.get(s.name) or s.default).strip() for s in SETTINGS}
    host = "127.0.0.1" if values["BOT_HOST"] in ("0.0.0.0", "::") else values["BOT_HOST"]
    values["ACTION_SERVER_URL"] = (
        values["ACTION_SERVER_URL"] or f"http://{host}:{values['ACTIONS_PORT']}/webhook"
    )
    values["PUBLIC_BOT_URL"] = (
        values["PUBLIC_BOT_URL"] or f"http://{host}:{values['RASA_PORT']}"
    ).rstrip("/")
    values["CORS_ORIGINS"] = values["CORS_ORIGINS"] or " ".join(
        f"http://{name}:{values['WEB_PORT']}" for name in ("localhost", "127.0.0.1")
    )
    values["TRACKER_STORE_URL"] = values["TRACKER_STORE_URL"] or (
        f"sqlite:///{VAR / 'conversations.db'}"
    )
    values["LOG_DIR"] = values["LOG_DIR"] or str(VAR / "log")
    return values


def environment(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with the resolved settings added: the environment for the servers.

    Also the Sanic settings they imply: the interface the action server listens on and the
    largest request body the Rasa server reads (Sanic answers 413 to a larger one).
    """
    values = resolve(environ)
    return {
        **environ,
        **values,
        "SANIC_HOST": values["BOT_HOST"],
        "SANIC_REQUEST_MAX_SIZE": values["MAX_BODY_BYTES"],
    }


def number(values: Mapping[str, str], name: str) -> float:
    """A numeric setting, with a message naming the variable when it is not a number."""
    try:
        return float(values[name])
    except ValueError:
        raise SettingError(name, values[name]) from None


class SettingError(ValueError):
    """A setting that has the wrong form."""

    def __init__(self, name: str, value: str) -> None:
        """Keep the setting's name and the value it was given, for the message."""
        super().__init__(name, value)
        self.name = name
        self.value = value

    def __str__(self) -> str:
        return f"{self.name}={self.value!r} is not a number"
