"""Changes to Rasa 3.6's own behaviour inside the Rasa server, applied by our channels.

Our channels are the code Rasa loads into its server process at start-up (credentials.yml), so
their constructors call `apply()`. Each change keeps what Rasa does and takes away a cost or a
risk: the action server gets seconds rather than Rasa's five minutes; the NLU's parse runs off
the event loop; what a turn costs is bounded by its last few turns, not the whole conversation
(the history the policies see, the tracker sent to the action server, copying a tracker, its
applied events); one event less is stored per message; action responses are checked and stored
events read without repeating work; and strangers are not told Rasa's version. What each change
saved is in docs/performance.md.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import itertools
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import jsonschema
import rasa.core.actions.action
import rasa.server
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    DefinePrevUserUtteredFeaturization,
    Event,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

VALIDATION_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the "
    f"Action endpoint is valid. For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)
# User turns of history the policies see. MemoizationPolicy's max_history (config.yml) counts
# actions, two per turn here (action_respond, action_listen); the rules are two steps long.
POLICY_HISTORY_TURNS = 5
# Events that change what came before them: a window that holds one needs the whole tracker.
REWRITING_EVENTS = (UserUtteranceReverted, ActionReverted, ActiveLoop, LoopInterrupted)
# The longest a message's parse may take (a message within the length limit parses in well
# under a second: make bench-adversarial), and how many parse at once. The guard's deadline
# (channels/guard.py) is longer, so a slow parse is answered by the guard's fallback.
PARSE_SECONDS = 3.0
PARSE_THREADS = 2


def apply(action_timeout_seconds: float) -> None:
    """Set the action-server timeout and put every change of this module in place (once)."""
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = action_timeout_seconds
    if rasa.server.add_root_route is not hide_version:  # looked up when the app is made
        RASAS["add_root_route"] = rasa.server.add_root_route
        rasa.server.add_root_route = hide_version
    RemoteAction._validate_action_result = _validate_action_result
    if Event.resolve_by_type is not _resolve_event_type:
        _rasas_resolve_by_type.append(Event.resolve_by_type)
        Event.resolve_by_type = staticmethod(_resolve_event_type)
    for owner, name, ours in (
        (MessageProcessor, "_predict_next_with_tracker", _predict_next_with_tracker),
        (MessageProcessor, "parse_message", parse_message),
        (RemoteAction, "_action_call_format", _action_call_format),
        (DialogueStateTracker, "copy", copy_tracker),
        (DialogueStateTracker, "applied_events", applied_events),
        (DefaultPolicyPredictionEnsemble, "combine_predictions", _combine_predictions),
    ):
        if getattr(owner, name) is not ours:
            RASAS[name] = getattr(owner, name)
            setattr(owner, name, ours)


def undo() -> None:
    """Rasa's own methods back (for tests)."""
    if "add_root_route" in RASAS:
        rasa.server.add_root_route = RASAS["add_root_route"]
    for owner in (
        MessageProcessor,
        RemoteAction,
        DialogueStateTracker,
        DefaultPolicyPredictionEnsemble,
    ):
        for name, rasas in RASAS.items():
            if name in vars(owner):
                setattr(owner, name, rasas)


RASAS: dict[str, Any] = {}  # Rasa's own methods that apply() replaced, by name
_rasas_resolve_by_type: list[Any] = []  # Rasa's own Event.resolve_by_type, once replaced


# --- no version to strangers ----------------------------------------------------------------

VERSION_PATHS = frozenset({"/version", "/version/"})


def hide_version(app: Sanic) -> None:
    """In place of rasa.server.add_root_route: `GET /` answers "ok", `/version` 404.

    Rasa's `GET /` says "Hello from Rasa: 3.6.x", naming the version to look up known flaws
    for, and Rasa serves `/version` with RASA_API_TOKEN set without asking for the token.
    """

    @app.get("/")
    async def hello(request: Request) -> HTTPResponse:
        return response.text("ok")

    @app.on_request
    async def no_version(request: Request) -> HTTPResponse | None:
        if request.path in VERSION_PATHS:
            return response.text("Not Found", status=404)
        return None


# --- parsing off the event loop -----------------------------------------------------------


class ParseTooSlow(Exception):
    """A message's parse took longer than PARSE_SECONDS."""


_parsers = ThreadPoolExecutor(max_workers=PARSE_THREADS, thread_name_prefix="parse")


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    """Rasa's MessageProcessor.parse_message with the model's parse on a worker thread.

    Rasa parses inside the server's event loop, so while one message is parsed no other
    conversation gets a reply; here the loop serves them meanwhile. A parse that takes longer
    than PARSE_SECONDS raises ParseTooSlow, which the channel's guard answers with its fallback
    (emergency advice first when the message names a red flag); the message is not stored.
    Rasa's debug log of the parsed text is left out: what people type is never logged here.
    """
    if self.http_interpreter:
        return await RASAS["parse_message"](self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse = functools.partial(
        self._parse_message_with_graph, message, tracker, only_output_properties
    )
    work = asyncio.get_running_loop().run_in_executor(_parsers, parse)
    try:
        parse_data: dict[str, Any] = await asyncio.wait_for(work, PARSE_SECONDS)
    except asyncio.TimeoutError:
        raise ParseTooSlow(f"the parse took over {PARSE_SECONDS} s") from None
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


# --- the history the policies see ---------------------------------------------------------


def _predict_next_with_tracker(self: MessageProcessor, tracker: DialogueStateTracker) -> Any:
    """Rasa's prediction, from the recent history when that gives the same prediction.

    A pending follow-up action goes to Rasa with the tracker itself (it clears it there).
    """
    if tracker.followup_action:
        return RASAS["_predict_next_with_tracker"](self, tracker)
    return RASAS["_predict_next_with_tracker"](self, recent_history(tracker, self.domain))


def recent_history(
    tracker: DialogueStateTracker, domain: Domain, turns: int = POLICY_HISTORY_TURNS
) -> DialogueStateTracker:
    """A tracker of the last `turns` user turns, or `tracker` itself where that could differ.

    The window starts at the action_listen before the first of those turns, as Rasa's own
    MemoizationPolicy trims a tracker; all but its first states are the whole tracker's last
    ones, more than the rules and MemoizationPolicy's max_history look at. `tracker` itself is
    returned when it is no longer, or when the window would not give the policies the same
    last states: a slot influences the conversation (its value before the window would be
    missing), there are forms or an active loop, or an event in the window rewrites what came
    before it.
    """
    if (
        domain.form_names
        or tracker.active_loop_name
        or any(slot.influence_conversation for slot in domain.slots)
    ):
        return tracker
    start = _start_of_turns(tracker, turns)
    if start is None:
        return tracker
    window = list(itertools.islice(tracker.events, start, None))
    if any(isinstance(event, REWRITING_EVENTS) for event in window):
        return tracker
    recent = tracker.init_copy()  # no model id: replaying does not touch the shared events
    for event in window:
        recent.update(event)
    return recent


def _start_of_turns(tracker: DialogueStateTracker, turns: int) -> int | None:
    """Index of the action_listen before the `turns`-th last user message (None: none)."""
    users = 0
    for back, event in enumerate(reversed(tracker.events), start=1):
        if isinstance(event, UserUttered):
            users += 1
        elif (
            users >= turns
            and isinstance(event, ActionExecuted)
            and event.action_name == ACTION_LISTEN_NAME
        ):
            start = len(tracker.events) - back
            return start if start > 0 else None
    return None


def _combine_predictions(
    self: DefaultPolicyPredictionEnsemble,
    predictions: list[PolicyPrediction],
    tracker: DialogueStateTracker,
    domain: Domain,
) -> PolicyPrediction:
    """Rasa's winning prediction, without a `user_featurization` event saying "the intent".

    Rasa stores that event after every user message to say the policies read its intent rather
    than its text. Ours always read the intent (no end-to-end policy), which is also what a
    stored message without the event means to them, so it is one stored event less per message.
    The event is kept when it says the text was read.
    """
    winning: PolicyPrediction = RASAS["combine_predictions"](self, predictions, tracker, domain)
    winning.events = [
        event
        for event in winning.events
        if not (
            isinstance(event, DefinePrevUserUtteredFeaturization)
            and not event.use_text_for_featurization
        )
    ]
    return winning


# --- what the action server gets ----------------------------------------------------------


def _action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    """Rasa's request to the action server, with the events of the latest turn only.

    Our actions read the slots and the latest message, which the state holds; the events of the
    whole conversation would make the request grow with it.
    """
    return RASAS["_action_call_format"](self, latest_turn(tracker), domain)


def latest_turn(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker's state with only the events of the latest turn; for reading only.

    The events are those since the action_listen before the latest user message (all of them
    if there is none); everything else is shared with `tracker`.
    """
    start = _start_of_turns(tracker, 1)
    if start is None:
        return tracker
    view = copy.copy(tracker)
    view.events = deque(itertools.islice(tracker.events, start, None), tracker.events.maxlen)
    return view


# --- copying a tracker --------------------------------------------------------------------


def copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """DialogueStateTracker.copy() without replaying every event: the same new tracker.

    Like Rasa's copy (which replays the events into a new tracker, sharing them), the copy has
    the tracker's state and its events, and no model or assistant id.
    """
    clone = copy_state(tracker)
    clone.model_id = None
    clone.assistant_id = None
    return clone


def copy_state(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A copy of a tracker that can be changed without changing the original.

    The tracker's own state (slots, loop, latest action) is copied; the events are shared, as
    Rasa treats a stored event as a value: the only events it changes in place are the latest
    user message (DefinePrevUserUtteredFeaturization, EntitiesAdded), which is copied, and the
    latest bot message, copied too. Sharing them keeps a copy cheap however long the
    conversation.
    """
    clone = copy.copy(tracker)
    clone.slots = _copy_slots(tracker.slots)
    clone.events = deque(tracker.events, tracker.events.maxlen)
    clone.latest_action = copy.deepcopy(tracker.latest_action)
    clone.active_loop = copy.deepcopy(tracker.active_loop)
    copied: dict[int, Event] = {}
    for name in ("latest_message", "latest_bot_utterance"):
        original = getattr(tracker, name)
        if original is None:
            continue
        own = copy.deepcopy(original)
        setattr(clone, name, own)
        for back, event in enumerate(reversed(clone.events), start=1):
            if event is original:  # usually among the last few
                clone.events[-back] = own
                copied[id(original)] = own
                break
    known: _Applied | None = tracker.__dict__.get("_applied")
    if known is not None and copied:  # the applied events the clone remembers: its own copies
        clone.__dict__["_applied"] = _Applied(
            known.count,
            copied.get(id(known.first), known.first),
            copied.get(id(known.last), known.last),
            tuple(copied.get(id(event), event) for event in known.events),
        )
    return clone


def _copy_slots(slots: dict[str, Any]) -> dict[str, Any]:
    """Each slot copied as Rasa's tracker copies them, with its own copy of a list or dict value.

    Rasa uses copy.copy, which shares the mappings read from the domain; the value's own copy
    means changing a copy's value in place leaves the original alone. A deep copy of the
    slots, mappings and all, was most of a copy's cost.
    """
    if type(slots) is not dict:  # Rasa's AnySlotDict, which makes slots as they are asked for
        return copy.deepcopy(slots)
    copied = {}
    for name, slot in slots.items():
        own = copy.copy(slot)
        if isinstance(slot.value, (list, dict)):
            own._value = copy.deepcopy(slot.value)  # the value setter would mark it as set
        copied[name] = own
    return copied


# --- applied events -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Applied:
    """A tracker's applied events when it had `count` events, `first` and `last` among them."""

    count: int
    first: Event
    last: Event
    events: tuple[Event, ...]


# Events after which Rasa's own rules decide what is applied (loops: their executions too).
UNDOING_EVENTS = (UserUtteranceReverted, ActionReverted, ActiveLoop, LoopInterrupted)


def applied_events(tracker: DialogueStateTracker) -> list[Event]:
    """DialogueStateTracker.applied_events(): the same list, without going through every event.

    Rasa works the list out from every event several times a turn (to see whether a session has
    started or expired, to find the latest message). Here the list worked out last time is kept
    on the tracker and extended with the events added since, unless one of them undoes earlier
    ones or concerns a loop (then Rasa works the list out again; a restart or a new session
    starts the list again, as in Rasa).
    """
    events = tracker.events
    known: _Applied | None = tracker.__dict__.get("_applied")
    if known is not None and _still_holds(events, known):
        added = list(itertools.islice(events, known.count, None))
        if not any(isinstance(event, UNDOING_EVENTS) for event in added):
            applied = list(known.events)
            for event in added:
                if isinstance(event, (Restarted, SessionStarted)):
                    applied = []
                else:
                    applied.append(event)
            _remember(tracker, applied)
            return applied
    applied = RASAS["applied_events"](tracker)
    if not any(isinstance(event, ActiveLoop) for event in events):
        _remember(tracker, applied)
    return applied


def remember_applied_events(tracker: DialogueStateTracker) -> None:
    """Work out a tracker's applied events now, when applied_events() is ours.

    Its copies then extend them (the tracker store does this for the conversations it keeps).
    """
    if "applied_events" in RASAS:
        applied_events(tracker)


def _still_holds(events: deque[Event], known: _Applied) -> bool:
    """Whether `events` still starts with the events `known` was worked out from."""
    return (
        len(events) >= known.count > 0
        and events[0] is known.first
        and events[known.count - 1 - len(events)] is known.last
    )


def _remember(tracker: DialogueStateTracker, applied: list[Event]) -> None:
    events = tracker.events
    if events:
        tracker.__dict__["_applied"] = _Applied(len(events), events[0], events[-1], tuple(applied))


# --- reading stored events and checking action responses ----------------------------------


@functools.cache
def _event_classes() -> dict[str, type[Event]]:
    """Event type name -> class; the first of Rasa's subclasses wins, as in Rasa's lookup."""
    classes: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def _resolve_event_type(type_name: str, default: type[Event] | None = None) -> Any:
    """Event.resolve_by_type, from the table; Rasa's own lookup for any other name.

    Rasa finds an event's class by walking every subclass of Event, for every stored event of
    the conversation, every turn; the table is built once.
    """
    found = _event_classes().get(type_name)
    if found is not None:
        return found
    return _rasas_resolve_by_type[0](type_name, default)


@functools.cache
def _action_result_validator() -> Any:
    """The validator of Rasa's action-server response schema, checked and built once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's own check of an action-server response (same errors, same message).

    Rasa calls jsonschema.validate(), which also checks the schema itself against the
    metaschema, for every message; here the validator is built once.
    """
    error = jsonschema.exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += VALIDATION_HINT
        raise error
    return True
