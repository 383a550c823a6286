"""Who a conversation belongs to: one namespace per channel, and widget sessions the server signs.

Every conversation's sender id names its channel: `telegram:<chat id>`, `widget:<session>`,
`shell:<id>`; REST integrations keep their own ids, except one that starts with a prefix of
these (or `rest:`), which becomes `rest:<sender>`. No channel can address another's
conversations (a REST sender "555001" is `555001`, never Telegram chat 555001's
`telegram:555001`; a REST sender "telegram:555001" is `rest:telegram:555001`).

The widget's session ids are issued by the server only: `<id>.<signature>`, the signature an
HMAC-SHA256 of the id with SESSION_SECRET (or, when that is not set, a secret generated once
and kept in var/session_secret, readable by its owner only). A session id that is not validly
signed (made up, another channel's id, an id from before signing) gets a fresh session, never
an existing conversation; holding a signed id is what entitles a browser to its conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

from server import settings

logger = logging.getLogger(__name__)

TELEGRAM = "telegram"
WIDGET = "widget"
REST = "rest"
SHELL = "shell"

SECRET_FILE_NAME = "session_secret"
MIN_SECRET_LENGTH = 32  # characters of SESSION_SECRET
_SIGNED_SESSION = re.compile(r"([0-9a-f]{32})\.([0-9a-f]{32})")
_SIGNATURE_CONTEXT = b"wbc-widget-session:"


def sender_id(channel: str, local_id: str) -> str:
    """The conversation id of `local_id` in `channel`'s namespace."""
    return f"{channel}:{local_id}"


RESERVED_PREFIXES = tuple(f"{channel}:" for channel in (TELEGRAM, WIDGET, REST, SHELL))


def rest_sender_id(sender: str) -> str:
    """Return a REST integration's conversation id.

    Its own sender id as it is (so Rasa's HTTP API finds it by that id), unless it imitates another
    namespace ("telegram:555001" -> "rest:telegram:555001"): no REST sender can name a Telegram,
    widget or shell conversation.
    """
    return sender_id(REST, sender) if sender.startswith(RESERVED_PREFIXES) else sender


def local_id(channel: str, sender: str) -> str:
    """The channel's own id in a sender id of its namespace (anything else: as it is)."""
    prefix = f"{channel}:"
    return sender[len(prefix) :] if sender.startswith(prefix) else sender


class SessionSigner:
    """Issues widget session ids and checks them: `<32 hex>.<32 hex HMAC-SHA256>`."""

    def __init__(self, secret: bytes) -> None:
        """Keep the secret the session ids are signed with; refuse a short one."""
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"a session secret needs at least {MIN_SECRET_LENGTH} characters")
        self._secret = secret

    @classmethod
    def from_settings(cls, values: Mapping[str, str] | None = None) -> SessionSigner:
        """Return the signer for SESSION_SECRET, else for the secret kept under var/."""
        values = values or settings.resolve(os.environ)
        return cls(session_secret(values.get("SESSION_SECRET", ""), settings.VAR))

    def issue(self) -> str:
        """A new session id, signed."""
        session = secrets.token_hex(16)
        return f"{session}.{self._sign(session)}"

    def verify(self, signed: object) -> str | None:
        """The session in a validly signed id, or None (not a string, made up, tampered)."""
        if not isinstance(signed, str):
            return None
        match = _SIGNED_SESSION.fullmatch(signed)
        if match is None:
            return None
        session, signature = match.groups()
        return session if hmac.compare_digest(signature, self._sign(session)) else None

    def _sign(self, session: str) -> str:
        digest = hmac.new(self._secret, _SIGNATURE_CONTEXT + session.encode(), hashlib.sha256)
        return digest.hexdigest()[:32]


def session_secret(configured: str, var: Path) -> bytes:
    """SESSION_SECRET, else the secret kept in `var`/session_secret (made on first use)."""
    configured = configured.strip()
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise settings.SettingError("SESSION_SECRET", "(too short)")
        return configured.encode()
    path = var / SECRET_FILE_NAME
    try:
        return _kept_secret(path)
    except OSError as error:
        # Sessions then last as long as this process: a restart starts every widget afresh.
        logger.error(
            "Could not keep the session secret in %s (%s): widget sessions end when the server "
            "stops. Set SESSION_SECRET.",
            path,
            type(error).__name__,
        )
        return secrets.token_urlsafe(48).encode()


def _kept_secret(path: Path) -> bytes:
    """Return the secret in `path`, writing it first (owner-only) if there is none.

    Safe when several processes start at once: one creates it, the others read it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it right now
            secret = path.read_bytes().strip()
            if len(secret) >= MIN_SECRET_LENGTH:
                return secret
            time.sleep(0.02)
        raise OSError(f"{path} holds no usable secret") from None
    secret = secrets.token_urlsafe(48).encode()
    with os.fdopen(fd, "wb") as file:
        file.write(secret + b"\n")
    logger.info("Made a new session secret in %s", path)
    return secret
