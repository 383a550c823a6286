"""The log redaction of server/privacy.py and server/logging.yml, without servers."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from server.privacy import (
    REDACTED,
    RedactingFilter,
    hashed,
    redact_message,
    traceback_outline,
)
from server.settings import ROOT

SENDER = "ann.example@mail.test"
TEXT = "my wbc is 3.2 and my name is Zebediah Quux"

# Log lines as Rasa 3.6 writes them (lock store, tracker stores, processor).
RASA_LINES = [
    "Issuing ticket for conversation '{}'.",
    "Acquired lock for conversation '{}'.",
    "Could not find tracker for conversation ID '{}'.",
    "Recreating tracker from sender id '{}'",
    "Tracker with sender_id '{}' stored to database",
    "Starting a new session for conversation ID '{}'.",
    "Recreating tracker for id '{}'",
]


@pytest.mark.parametrize("line", RASA_LINES, ids=lambda line: line.split("'")[0].strip())
def test_rasa_phrasings_name_the_sender_by_hash(line: str) -> None:
    """Every way Rasa names a conversation in a log line is recognised and hashed."""
    redacted = redact_message(line.format(SENDER))
    assert SENDER not in redacted
    assert hashed(SENDER) in redacted


def test_a_hash_is_not_hashed_again() -> None:
    """Redacting twice (filter after record factory) leaves the same hash."""
    once = redact_message(RASA_LINES[0].format(SENDER))
    assert redact_message(once) == once


def test_structured_events_keep_only_fields_without_text() -> None:
    """A structlog event keeps its name and action, hashes its sender and drops the rest."""
    event = {
        "event": "processor.message.parse",
        "level": "debug",
        "action_name": "action_respond",
        "sender_id": SENDER,
        "parse_data_text": TEXT,
        "slot_values": f"value_text: {TEXT}",
        "anything_new": TEXT,
    }
    redacted = json.loads(redact_message(json.dumps(event)))
    assert redacted == {
        "event": "processor.message.parse",
        "level": "debug",
        "action_name": "action_respond",
        "sender_id": hashed(SENDER),
        "parse_data_text": REDACTED,
        "slot_values": REDACTED,
        "anything_new": REDACTED,
    }


def test_structured_exceptions_lose_their_message_and_locals() -> None:
    """A structlog dict traceback keeps types and frames, not the message or local variables."""
    event = {
        "event": "rest.message.received.failure",
        "exception": [
            {
                "exc_type": "ValueError",
                "exc_value": TEXT,
                "frames": [{"filename": "x.py", "lineno": 3, "name": "f", "locals": {"t": TEXT}}],
            }
        ],
    }
    redacted = redact_message(json.dumps(event))
    assert TEXT not in redacted
    assert '"exc_type": "ValueError"' in redacted
    assert '"lineno": 3' in redacted


def test_plain_text_that_only_looks_like_json_is_left_alone() -> None:
    """Braces alone do not make a line a structured event."""
    assert redact_message("{not json}") == "{not json}"


def test_tracebacks_keep_frames_and_types_but_not_messages() -> None:
    """A chained exception's outline names both types and the function, never the text."""
    try:
        try:
            raise KeyError(TEXT)
        except KeyError as inner:
            raise ValueError(f"could not read {TEXT!r}") from inner
    except ValueError as error:
        outline = traceback_outline(error)
    assert TEXT not in outline
    assert "KeyError: [redacted]" in outline
    assert "ValueError: [redacted]" in outline
    assert "test_tracebacks_keep_frames_and_types_but_not_messages" in outline


def test_the_filter_redacts_message_exception_and_access_url() -> None:
    """A record through the filter has a hashed sender, no exception text, no query string."""
    try:
        raise RuntimeError(TEXT)
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "sanic.access", logging.INFO, "", 1, "sender '%s'", (SENDER,), exc_info
    )
    record.request = "GET http://127.0.0.1:5005/conversations/x/tracker?token=s3cret"
    assert RedactingFilter().filter(record)
    formatted = logging.Formatter("%(request)s %(message)s").format(record)
    assert TEXT not in formatted and "s3cret" not in formatted and "/x/" not in formatted
    assert f"/conversations/{hashed('x')}/tracker" in formatted
    assert hashed(SENDER) in formatted and SENDER not in formatted


# Run in a child process: dictConfig replaces the handlers of the process that applies it.
APPLY_LOGGING_YML = f"""
import io, json, logging, logging.config, warnings, yaml
logging.config.dictConfig(yaml.safe_load(open("server/logging.yml")))
logging.getLogger().setLevel(logging.DEBUG)
later = io.StringIO()  # like the console handler Rasa installs after reading the file
logging.getLogger().addHandler(logging.StreamHandler(later))
logging.getLogger("rasa.core.tracker_store").debug({RASA_LINES[4].format(SENDER)!r})
logging.getLogger("rasa.core.processor").debug(json.dumps({{"event": "e", "text": {TEXT!r}}}))
warnings.warn({"Failed to parse arguments in line " + repr(TEXT)!r}, UserWarning)
print(later.getvalue(), end="")
"""


def test_logging_yml_redacts_every_record_and_warning() -> None:
    """With server/logging.yml applied, its handler, a handler added later and warnings redact."""
    result = subprocess.run(
        [sys.executable, "-c", APPLY_LOGGING_YML],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for output in (result.stderr, result.stdout):  # the yml's handler, the later one
        assert hashed(SENDER) in output
        assert "UserWarning from <string>:" in output
        assert SENDER not in output
        assert "Zebediah" not in output and "3.2" not in output
