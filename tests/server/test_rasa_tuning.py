"""server/rasa_tuning.py: action responses judged as Rasa does, and the parse off the event loop.

The once-built validator judges action responses as Rasa does, and a message is parsed off the
event loop within a time limit.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
import rasa.core.actions.action
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

from server import rasa_tuning

ROOT = Path(__file__).resolve().parents[2]

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "sex", "value": "female"}], "responses": [{"text": "x"}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": "text"},
]


@pytest.fixture
def tuned() -> Iterator[RemoteAction]:
    """A RemoteAction with the tuning applied; Rasa's originals restored afterwards."""
    timeout = rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT
    original = RemoteAction._validate_action_result
    resolve = Event.resolve_by_type
    rasa_tuning.apply(2.5)
    yield RemoteAction("action_respond", None)
    RemoteAction._validate_action_result = original
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = timeout
    Event.resolve_by_type = staticmethod(resolve)


def test_apply_sets_the_action_timeout(tuned: RemoteAction) -> None:
    """Rasa waits ACTION_TIMEOUT_SECONDS for the action server, not 5 minutes."""
    assert rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT == 2.5


@pytest.mark.parametrize("result", VALID, ids=range(len(VALID)))
def test_valid_responses_pass(tuned: RemoteAction, result: dict[str, Any]) -> None:
    """A response Rasa's own check accepts is accepted."""
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert tuned._validate_action_result(result) is True


@pytest.mark.parametrize("result", INVALID, ids=range(len(INVALID)))
def test_invalid_responses_fail_with_rasas_message(
    tuned: RemoteAction, result: dict[str, Any]
) -> None:
    """A response Rasa's own check rejects is rejected, with Rasa's hint in the message."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        tuned._validate_action_result(result)


def test_event_lookup_agrees_with_rasas_for_every_event_type(tuned: RemoteAction) -> None:
    """The table finds the class Rasa's own walk over Event's subclasses finds."""
    original = rasa_tuning._rasas_resolve_by_type[0]
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is original(name)


def test_event_lookup_keeps_rasas_answers_for_other_names(tuned: RemoteAction) -> None:
    """Old "topic" events are skipped and an unknown name is an error, as in Rasa."""
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


class _App:
    """Records the routes and request middleware a function adds to a Sanic app."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.middleware: list[Any] = []

    def get(self, path: str) -> Any:
        return lambda handler: self.routes.setdefault(path, handler)

    def on_request(self, handler: Any) -> Any:
        self.middleware.append(handler)
        return handler


async def test_the_root_route_and_version_do_not_name_rasas_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`GET /` said "Hello from Rasa: 3.6.x"; now "ok", and /version is not served (issue 27)."""
    import rasa.server

    monkeypatch.setattr(rasa.server, "add_root_route", rasa.server.add_root_route)  # restored
    rasa_tuning.apply(2.5)
    assert rasa.server.add_root_route is rasa_tuning.hide_version
    app = _App()
    rasa.server.add_root_route(app)  # type: ignore[arg-type]
    root = await app.routes["/"](SimpleNamespace(path="/"))
    assert root.body == b"ok" and rasa.__version__.encode() not in root.body
    [middleware] = app.middleware
    hidden = await middleware(SimpleNamespace(path="/version"))
    assert hidden.status == 404 and rasa.__version__.encode() not in hidden.body
    assert await middleware(SimpleNamespace(path="/webhooks/rest/webhook")) is None


class SlowProcessor:
    """Stands in for Rasa's MessageProcessor around its parse.

    The model's parse (a sync call, as Rasa's graph run is) takes `seconds`.
    """

    http_interpreter = None

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.checked: list[str] = []

    def _parse_message_with_graph(self, message: Any, tracker: Any, only: bool) -> dict[str, Any]:
        time.sleep(self.seconds)
        return {"text": message.text, "intent": {"name": "ask_value"}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data: dict[str, Any]) -> None:
        self.checked.append("retrieval")

    def _check_for_unseen_features(self, parse_data: dict[str, Any]) -> None:
        self.checked.append("features")


async def _ticks_while(coroutine: Any) -> tuple[Any, int]:
    """What `coroutine` returned and how often a 10 ms ticker ran on the loop meanwhile."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.ensure_future(ticker())
    try:
        return await coroutine, ticks
    finally:
        ticking.cancel()


def test_the_parse_runs_off_the_event_loop() -> None:
    """The parse runs off the event loop.

    While one message is parsed (0.5 s), the loop keeps serving others: Rasa's own parse_message
    blocks it for the whole parse.
    """
    message = UserMessage("wbc 3.2", sender_id="a")
    ours = SlowProcessor(0.5)
    parsed, ticks = asyncio.run(_ticks_while(rasa_tuning.parse_message(ours, message)))
    assert parsed["intent"]["name"] == "ask_value"
    assert ours.checked == ["retrieval", "features"]
    assert ticks >= 20
    rasas_parse = rasa_tuning.RASAS.get("parse_message", MessageProcessor.parse_message)
    _, blocked_ticks = asyncio.run(_ticks_while(rasas_parse(SlowProcessor(0.5), message)))
    assert blocked_ticks <= 1


def test_a_parse_over_the_time_limit_ends_the_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse longer than PARSE_SECONDS raises ParseTooSlow, in time."""
    monkeypatch.setattr(rasa_tuning, "PARSE_SECONDS", 0.2)
    began = time.monotonic()
    with pytest.raises(rasa_tuning.ParseTooSlow):
        asyncio.run(rasa_tuning.parse_message(SlowProcessor(1.0), UserMessage("x", sender_id="b")))
    assert time.monotonic() - began < 0.9


def test_rasa_starts_with_the_changes_whatever_the_channel() -> None:
    """Rasa starts with the changes, whatever the channel.

    `make run` and `make shell` both start Rasa through server.rasa_run, which applies the changes
    before Rasa runs (not a channel's constructor, which the terminal's is not).
    """
    from server import launcher

    assert launcher.shell_command(5999)[1:3] == ["-m", "server.rasa_run"]
    probe = (
        "import rasa.__main__, rasa.core.actions.action as action\n"
        "from rasa.core.processor import MessageProcessor\n"
        "from server import rasa_run, rasa_tuning\n"
        "def fake_main():\n"
        "    import os\n"
        "    print(MessageProcessor.parse_message is rasa_tuning.parse_message,\n"
        "          action.DEFAULT_REQUEST_TIMEOUT,\n"
        "          os.environ['WBC_ENTITIES'], os.environ.get('SUBJECT_ENTITIES', 'on'))\n"
        "rasa.__main__.main = fake_main\n"
        "rasa_run.main()\n"
    )
    switches = ("WBC_ENTITIES", "SUBJECT_ENTITIES")
    env = {k: v for k, v in os.environ.items() if k not in switches}
    env["ACTION_TIMEOUT_SECONDS"] = "1.5"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The count entities are off in every Rasa process started here; the subject stays on.
    assert done.stdout.split() == ["True", "1.5", "off", "on"], done.stderr[-2000:]
