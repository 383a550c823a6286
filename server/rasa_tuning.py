"""Two changes to Rasa 3.6's own behaviour inside the Rasa server, applied by our channels.

Our channels are the code Rasa loads into its server process at start-up (credentials.yml), so
their constructors call `apply()`. Both changes keep Rasa's behaviour and fix a cost:

- the action-server timeout: Rasa hard-codes 5 minutes; a person should hear "I'm having
  trouble" within seconds instead (ACTION_TIMEOUT_SECONDS);
- checking the action server's response: Rasa calls jsonschema.validate() per message, which
  also checks the schema itself against the metaschema every time, about half of the Rasa
  server's CPU time per message (make bench-load). Here the validator is built once;
- reading stored events: Rasa finds an event's class by walking every subclass of Event, for
  every event of the conversation, every turn (a tenth of the CPU per message). Here the
  classes are looked up in a table built once; names not in it go to Rasa's own lookup.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import rasa.core.actions.action
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

VALIDATION_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the "
    f"Action endpoint is valid. For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)


def apply(action_timeout_seconds: float) -> None:
    """Set the action-server timeout and the once-built response validator."""
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = action_timeout_seconds
    RemoteAction._validate_action_result = _validate_action_result
    if Event.resolve_by_type is not _resolve_event_type:
        _rasas_resolve_by_type.append(Event.resolve_by_type)
        Event.resolve_by_type = staticmethod(_resolve_event_type)


_rasas_resolve_by_type: list[Any] = []  # Rasa's own Event.resolve_by_type, once replaced


@functools.cache
def _event_classes() -> dict[str, type[Event]]:
    """Event type name -> class; the first of Rasa's subclasses wins, as in Rasa's lookup."""
    classes: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def _resolve_event_type(type_name: str, default: type[Event] | None = None) -> Any:
    """Event.resolve_by_type, from the table; Rasa's own lookup for any other name."""
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
    """Rasa's own check of an action-server response (same errors, same message)."""
    error = jsonschema.exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += VALIDATION_HINT
        raise error
    return True
