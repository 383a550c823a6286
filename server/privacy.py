"""Keeping personal data out of the logs: senders appear only as a short hash, text not at all.

`server/logging.yml` (passed to both servers with `--logging-config-file`) puts a
`RedactingFilter` on the log handler and, through `redacting_filter()`, on every log record
created from then on. A record is rewritten so that:

- the sender ids it can recognise become `hashed(id)`: Rasa's own phrasings
  ("conversation 'ID'", "sender id 'ID'", ...) and the id fields of structured events;
- a structured (structlog JSON) event keeps only the fields known to carry no text typed by a
  person (its name, level, action and policy names); every other field reads "[redacted]";
- a traceback keeps its frames and exception types but not the exception messages, which can
  quote what was typed;
- an access-log URL loses its query string (which may hold the API token), and the
  conversation id in an HTTP API path is hashed;
- a Python warning is logged by kind and origin only (Rasa's quote the message they warn about).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import traceback
import warnings
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote

REDACTED = "[redacted]"
# Rasa's log lines name a conversation like this (lock store, tracker stores, processor).
_QUOTED_SENDER = re.compile(
    r"\b((?:conversation|sender)(?:[ _]?id)?|for id)( +)'([^']*)'", re.IGNORECASE
)
_HASHED = re.compile(r"sender-[0-9a-f]{12}")
_CONVERSATION_PATH = re.compile(r"(/conversations/)([^/]+)")  # Rasa's HTTP API
# Structured-event fields whose values can hold no text a person typed.
SAFE_EVENT_FIELDS = frozenset(
    {"event", "event_info", "event_key", "level", "timestamp", "logger", "action_name",
     "policy_name", "len_extraction_events"}
)  # fmt: skip
SENDER_EVENT_FIELDS = frozenset({"sender_id", "conversation_id", "recipient_id"})


def hashed(sender_id: str) -> str:
    """A short, stable stand-in for a sender id in log lines (not reversible)."""
    digest = hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()
    return f"sender-{digest[:12]}"


def redact_message(message: str) -> str:
    """A log message with the sender ids it names hashed and structured-event text removed."""
    event = _structured_event(message)
    if event is not None:
        return json.dumps(_redact_event(event), ensure_ascii=False)
    return _QUOTED_SENDER.sub(_hash_match, message)


def _hash_match(match: re.Match[str]) -> str:
    sender = match.group(3)
    stand_in = sender if _HASHED.fullmatch(sender) else hashed(sender)
    return f"{match.group(1)}{match.group(2)}'{stand_in}'"


def _structured_event(message: str) -> dict[str, Any] | None:
    """The event dict of a line structlog rendered as JSON (Rasa's structured logs), if any."""
    if not (message.startswith("{") and message.endswith("}")):
        return None
    try:
        event = json.loads(message)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


def _redact_event(event: dict[str, Any]) -> dict[str, Any]:
    redacted: dict[str, Any] = {}
    for key, value in event.items():
        if key in SAFE_EVENT_FIELDS:
            redacted[key] = value
        elif key in SENDER_EVENT_FIELDS and isinstance(value, str):
            redacted[key] = value if _HASHED.fullmatch(value) else hashed(value)
        elif key == "exception" and isinstance(value, list):
            redacted[key] = [_exception_outline(entry) for entry in value]
        else:
            redacted[key] = REDACTED
    return redacted


def _exception_outline(entry: Any) -> Any:
    """A structlog exception entry without its message or the frames' local variables."""
    if not isinstance(entry, dict):
        return REDACTED
    frames = [
        {k: frame.get(k) for k in ("filename", "lineno", "name")}
        for frame in entry.get("frames", [])
        if isinstance(frame, dict)
    ]
    return {"exc_type": entry.get("exc_type"), "exc_value": REDACTED, "frames": frames}


def traceback_outline(error: BaseException) -> str:
    """A traceback with frames and exception types but without the exception messages."""
    lines: list[str] = []
    described = traceback.TracebackException.from_exception(error)
    chain: list[traceback.TracebackException] = []
    link: traceback.TracebackException | None = described
    while link is not None and len(chain) < 10:
        chain.append(link)
        link = link.__cause__ or link.__context__
    for link in reversed(chain):
        if lines:
            lines.append("\nWhile handling the exception above, another one was raised:\n\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(link.stack.format())
        lines.append(f"{link.exc_type.__qualname__ if link.exc_type else 'Error'}: {REDACTED}")
    return "".join(lines)


def redact_url(url: str) -> str:
    """A URL without its query string, and with the conversation id of the HTTP API hashed."""
    path = url.split("?", 1)[0]
    return _CONVERSATION_PATH.sub(lambda m: m.group(1) + hashed(unquote(m.group(2))), path)


def redact_record(record: logging.LogRecord) -> None:
    """Rewrite `record` in place (once): hashed sender ids, no text, no exception messages."""
    request = getattr(record, "request", None)  # Sanic's access log: "GET http://host/path?q"
    if isinstance(request, str):
        record.request = redact_url(request)
    if getattr(record, "redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string: logging would only report it
        message = f"(unformattable log message from {record.name})"
    record.msg = redact_message(message)
    record.args = ()
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = traceback_outline(record.exc_info[1])
    record.redacted = True


class RedactingFilter(logging.Filter):
    """A log filter that lets every record through, redacted (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place and let it through: nothing private is kept."""
        redact_record(record)
        return True


def log_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Show a Python warning as a log line naming its kind and origin, without its text.

    Rasa warns with the text of a message it cannot parse ("Failed to parse arguments in line
    '/...'"), so no warning text is written.
    """
    where = "/".join(Path(filename).parts[-2:])
    logging.getLogger("py.warnings").warning(
        "%s from %s:%d (text not logged)", category.__name__, where, lineno
    )


def redacting_filter() -> RedactingFilter:
    """The filter for logging.yml; also redacts every log record and warning from now on.

    Rasa replaces the console handler of the logging configuration by its own (coloredlogs)
    after reading the file, and Sanic may log through handlers of its own, so a filter on one
    handler is not enough: a record factory sees every record, whichever handler writes it.
    Python warnings bypass logging, so they are shown by `log_warning` instead.
    """
    warnings.showwarning = log_warning
    make_record = logging.getLogRecordFactory()
    if not getattr(make_record, "redacting", False):

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            redact_record(record)
            return record

        redacting_factory.redacting = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(redacting_factory)
    return RedactingFilter()


OUR_LOGGERS = ("server", "channels", "actions", "bot", "components")


def apply_log_level(level_name: str) -> None:
    """Set our loggers to LOG_LEVEL.

    Rasa sets the level of its own logger only, and the root logger's default (WARNING) would
    otherwise drop our INFO lines.
    """
    level = logging.getLevelName(level_name.upper())
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(level if isinstance(level, int) else logging.INFO)
